import { api } from '../api.js';
import { useAsync } from '../use-async.js';
import { Link } from '../ui/Link.js';
import { ADMIN_ONLY, useIsAdmin } from '../me-context.js';
import { Skeleton, ErrorState } from '../ui/States.js';
import { TokensSection } from './TokensSection.js';
import { SpendingSection } from '../account/SpendingSection.js';
import { TeamsSection } from './TeamsSection.js';
import { InvitesSection } from './InvitesSection.js';
import { SsoProvidersSection } from './SsoProvidersSection.js';
import { CredentialsSection } from '../compute/CredentialsSection.js';
import { ProfilesSection } from '../compute/ProfilesSection.js';

/** What only an instance admin manages, named with who to ask, never fetched (it would be a 403). */
function AdminOnly({ sections }: { sections: string[] }) {
  return (
    <>
      {sections.map((title) => (
        <section className="card" key={title} aria-label={title}>
          <h2>{title}</h2>
          <p className="muted">Set up by an instance admin: {ADMIN_ONLY}. Ask one of them for a change.</p>
        </section>
      ))}
    </>
  );
}

export function SettingsPage() {
  const projects = useAsync(() => api.projects().then((r) => r.projects), 'settings-projects');
  const admin = useIsAdmin();
  return (
    <div className="page page-narrow">
      <h1>Settings</h1>
      <TokensSection />
      <TeamsSection admin={admin} />
      <InvitesSection />
      {admin ? (
        <>
          <SsoProvidersSection />
          <CredentialsSection />
        </>
      ) : (
        <AdminOnly sections={['Sign-in providers', 'Compute credentials']} />
      )}
      <ProfilesSection />
      <SpendingSection />
      <section className="card">
        <h2>Audit</h2>
        <p className="muted">
          Who did what, when and from where: <Link to="/settings/audit">the audit trail</Link>.
        </p>
      </section>
      <section className="card">
        <h2>CI</h2>
        <p className="muted">
          Run experiments in your repository's own CI: <Link to="/ci">generate a CML workflow</Link>.
        </p>
      </section>
      <section className="card">
        <h2>Projects</h2>
        <p className="muted">Subdirectory, params and metrics files, credentials.</p>
        {projects.data === undefined && projects.error ? (
          <ErrorState title="Could not load projects" error={projects.error} onRetry={projects.reload} />
        ) : projects.data === undefined ? (
          <Skeleton rows={2} columns={2} />
        ) : projects.data.length === 0 ? (
          <p className="muted">No projects yet.</p>
        ) : (
          <ul className="link-list">
            {projects.data.map((p) => (
              <li key={p.name}>
                <Link to={`/projects/${encodeURIComponent(p.name)}/settings`}>{p.name}</Link>
                <span className="muted mono truncate">{p.source}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
