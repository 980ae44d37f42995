import { useState } from 'react';
import type { Project } from '../../../src/contracts/api.js';
import { api } from '../api.js';
import { Link } from '../ui/Link.js';
import { FetchStatus } from '../ui/FetchStatus.js';
import { Elapsed } from '../ui/Elapsed.js';
import { ErrorBanner } from '../ui/States.js';
import { ciWizardPath, trendsPath } from '../plots/insight-paths.js';

export function ProjectHeader({
  name,
  project,
  onProject,
}: {
  name: string;
  project: Project | undefined;
  onProject: (p: Project) => void;
}) {
  const [startedAt, setStartedAt] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const fetching = startedAt !== null || project?.fetch.state === 'fetching';

  const reload = () => {
    setStartedAt(Date.now());
    setError(null);
    api.reload(name).then(
      (p) => {
        setStartedAt(null);
        onProject(p);
      },
      (err: unknown) => {
        setStartedAt(null);
        setError(err);
      },
    );
  };

  return (
    <>
      <div className="project-head">
        <div className="project-title">
          <div className="crumbs">
            <Link to="/">Projects</Link> /
          </div>
          <h1>{name}</h1>
          {project && (
            <span className="muted mono truncate source" title={project.source}>
              {project.source}
              {project.subdir ? ` ▸ ${project.subdir}` : ''}
            </span>
          )}
        </div>
        <div className="project-actions">
          {project && !fetching && <FetchStatus fetch={project.fetch} compact />}
          {fetching && (
            <span className="fetch fetch-fetching">
              <span className="spinner" /> Fetching… {startedAt !== null && <Elapsed since={startedAt} />}
            </span>
          )}
          <button
            className="btn"
            onClick={reload}
            disabled={fetching}
            title="Fetch the repository and rebuild the table"
          >
            ↻ Reload
          </button>
          <Link to={trendsPath(name)} className="btn btn-ghost" title="A metric over the commits of a branch">
            Trends
          </Link>
          <Link
            to={ciWizardPath(name)}
            className="btn btn-ghost"
            title="Generate a CI workflow that trains on a cloud runner"
          >
            CI wizard
          </Link>
          <Link to={`/projects/${encodeURIComponent(name)}/settings`} className="btn btn-ghost">
            Settings
          </Link>
        </div>
      </div>
      {fetching && <div className="progress-indeterminate" role="progressbar" aria-label="Fetching" />}
      <ErrorBanner error={error} onClose={() => setError(null)} />
      {project?.fetch.state === 'error' && project.fetch.error && !error && (
        <div className="banner banner-error" role="alert">
          <b>Last fetch failed:</b>&nbsp;<span className="mono">{project.fetch.error}</span>
        </div>
      )}
    </>
  );
}
