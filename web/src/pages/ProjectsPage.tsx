import { useState } from 'react';
import { api } from '../api.js';
import { useAsync } from '../use-async.js';
import { useServerEvents } from '../use-server-events.js';
import { projectPath } from '../router.js';
import { Link } from '../ui/Link.js';
import { EmptyState, ErrorState, Skeleton } from '../ui/States.js';
import { FetchStatus } from '../ui/FetchStatus.js';
import { relativeTime } from '../ui/time.js';
import { AddProjectForm } from './AddProjectForm.js';
import { shortRev } from '../table/values.js';

export function ProjectsPage() {
  const projects = useAsync(() => api.projects().then((r) => r.projects), 'projects');
  const [adding, setAdding] = useState(false);

  useServerEvents({
    onFetch: (e) =>
      projects.setData((list) =>
        list?.map((p) =>
          p.name === e.project
            ? { ...p, fetch: { ...p.fetch, state: e.state, error: e.error, at: new Date().toISOString() } }
            : p,
        ),
      ),
    onTableChanged: () => projects.reload(),
  });

  const list = projects.data;
  return (
    <div className="page">
      <div className="page-head">
        <h1>Projects</h1>
        <button className="btn btn-primary" onClick={() => setAdding((a) => !a)}>
          {adding ? 'Cancel' : 'Add project'}
        </button>
      </div>
      {adding && (
        <AddProjectForm
          onCreated={(p) => {
            setAdding(false);
            projects.setData((l) => [...(l ?? []).filter((x) => x.name !== p.name), p]);
          }}
        />
      )}
      {list === undefined && projects.error ? (
        <ErrorState title="Could not load projects" error={projects.error} onRetry={projects.reload} />
      ) : list === undefined ? (
        <Skeleton rows={4} columns={5} />
      ) : list.length === 0 ? (
        !adding && (
          <EmptyState title="No projects yet">
            <p className="muted">
              Connect a Git repository (https, ssh, file URL or local path) to see its experiments.
            </p>
            <button className="btn btn-primary" onClick={() => setAdding(true)}>
              Add a project
            </button>
          </EmptyState>
        )
      ) : (
        <table className="list-table">
          <thead>
            <tr>
              <th style={{ width: '16%' }}>Name</th>
              <th style={{ width: '24%' }}>Source</th>
              <th>Last commit</th>
              <th className="num">Running</th>
              <th style={{ width: '24%' }}>Fetch</th>
            </tr>
          </thead>
          <tbody>
            {list.map((p) => (
              <tr key={p.name}>
                <td>
                  <Link to={projectPath(p.name)} className="project-name">
                    {p.name}
                  </Link>
                </td>
                <td className="mono truncate" title={p.source}>
                  {p.source}
                  {p.subdir && <span className="muted"> ▸ {p.subdir}</span>}
                </td>
                <td className="truncate" title={p.lastCommit?.message ?? ''}>
                  {p.lastCommit ? (
                    <>
                      <span className="mono sha">{shortRev(p.lastCommit.rev)}</span> {p.lastCommit.message}
                      <span className="muted"> · {relativeTime(p.lastCommit.date)}</span>
                    </>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                <td className="num mono">
                  {p.runningExperiments > 0 ? (
                    <b>{p.runningExperiments}</b>
                  ) : (
                    <span className="muted">0</span>
                  )}
                </td>
                <td>
                  <FetchStatus fetch={p.fetch} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
