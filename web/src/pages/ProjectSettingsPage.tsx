import { api } from '../api.js';
import { useAsync } from '../use-async.js';
import { projectPath } from '../router.js';
import { Link } from '../ui/Link.js';
import { ErrorState, Skeleton } from '../ui/States.js';
import { ProjectSettingsForm } from './ProjectSettingsForm.js';

export function ProjectSettingsPage({ name }: { name: string }) {
  const project = useAsync(() => api.project(name), `project-settings:${name}`);
  return (
    <div className="page page-narrow">
      <div className="crumbs">
        <Link to="/">Projects</Link> / <Link to={projectPath(name)}>{name}</Link> / Settings
      </div>
      <h1>{name} settings</h1>
      {project.data === undefined && project.error ? (
        <ErrorState title="Could not load the project" error={project.error} onRetry={project.reload} />
      ) : project.data === undefined ? (
        <Skeleton rows={5} columns={2} />
      ) : (
        <ProjectSettingsForm
          key={project.data.name}
          project={project.data}
          onSaved={(p) => project.setData(() => p)}
        />
      )}
    </div>
  );
}
