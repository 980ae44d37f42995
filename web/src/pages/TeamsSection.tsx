import { useState, type FormEvent } from 'react';
import type { TeamRole } from '../../../src/contracts/teams.js';
import { teamsApi } from '../api-teams.js';
import { useAsync } from '../use-async.js';
import { ErrorBanner, ErrorState, Skeleton } from '../ui/States.js';

const ROLES: TeamRole[] = ['viewer', 'member', 'maintainer', 'owner'];

/** Settings → Teams: your teams, their members as role chips; owners change roles and add people. */
export function TeamsSection({ admin }: { admin: boolean }) {
  const teams = useAsync(() => teamsApi.teams().then((r) => r.teams), 'teams');
  const [open, setOpen] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>(null);
  const create = (e: FormEvent) => {
    e.preventDefault();
    teamsApi.createTeam(name.trim()).then(
      () => {
        setName('');
        teams.reload();
      },
      (err: unknown) => setError(err),
    );
  };
  return (
    <section className="card" aria-labelledby="teams-title">
      <h2 id="teams-title">Teams</h2>
      <p className="muted">
        Teams own projects. Viewers see; members also run; maintainers also change settings and cancel
        anyone's runs; owners also manage members.
      </p>
      {admin && (
        <form className="inline-form" onSubmit={create}>
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="New team name"
            maxLength={64}
          />
          <button className="btn" disabled={!name.trim()}>
            Create team
          </button>
        </form>
      )}
      <ErrorBanner error={error} onClose={() => setError(null)} />
      {teams.data === undefined && teams.error ? (
        <ErrorState title="Could not load teams" error={teams.error} onRetry={teams.reload} />
      ) : teams.data === undefined ? (
        <Skeleton rows={2} columns={2} />
      ) : (
        <ul className="link-list">
          {teams.data.map((t) => (
            <li key={t.id}>
              <button
                className="btn btn-ghost btn-sm"
                onClick={() => setOpen(open === t.name ? null : t.name)}
              >
                {t.name}
              </button>
              <span className="chip">{t.role ?? 'admin'}</span>
              {open === t.name && (
                <Members
                  team={t.name}
                  canManage={admin || t.role === 'owner'}
                  onDeleted={() => {
                    setOpen(null);
                    teams.reload();
                  }}
                />
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Members({
  team,
  canManage,
  onDeleted,
}: {
  team: string;
  canManage: boolean;
  onDeleted: () => void;
}) {
  const detail = useAsync(() => teamsApi.team(team), `team:${team}`);
  const [who, setWho] = useState('');
  const [role, setRole] = useState<TeamRole>('member');
  const [error, setError] = useState<unknown>(null);
  const set = (user: string, r: TeamRole) =>
    teamsApi.setMember(team, user, r).then(
      () => detail.reload(),
      (err: unknown) => setError(err),
    );
  const why = canManage ? undefined : `only owners of team ${team} can change roles`;
  const remove = () => {
    if (window.confirm(`Delete team ${team}? Its members lose their role in it.`))
      teamsApi.deleteTeam(team).then(onDeleted, (err: unknown) => setError(err));
  };
  // The reason the Delete button is disabled, as the server would refuse it.
  const undeletable = (projects: string[]) =>
    !canManage
      ? `only owners of team ${team} can delete it`
      : team === 'default'
        ? 'projects added without a team go to the default team'
        : projects.length
          ? `delete its projects first: ${projects.join(', ')}`
          : undefined;
  return (
    <div className="team-members">
      <ErrorBanner error={error} onClose={() => setError(null)} />
      {detail.data === undefined ? (
        <Skeleton rows={2} columns={2} />
      ) : (
        <>
          <table className="list-table">
            <thead>
              <tr>
                <th>Member</th>
                <th>Role</th>
              </tr>
            </thead>
            <tbody>
              {detail.data.members.map((m) => (
                <tr key={m.userId}>
                  <td>{m.name}</td>
                  <td>
                    <select
                      aria-label={`Role of ${m.name}`}
                      value={m.role}
                      disabled={!canManage}
                      title={why}
                      onChange={(e) => void set(m.name, e.target.value as TeamRole)}
                    >
                      {ROLES.map((r) => (
                        <option key={r}>{r}</option>
                      ))}
                    </select>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted">Projects: {detail.data.projects.join(', ') || 'none yet'}</p>
          <button
            className="btn btn-ghost btn-sm"
            disabled={undeletable(detail.data.projects) !== undefined}
            title={undeletable(detail.data.projects)}
            onClick={remove}
          >
            Delete team
          </button>
          {canManage && (
            <form
              className="inline-form"
              onSubmit={(e) => {
                e.preventDefault();
                void set(who.trim(), role).then(() => setWho(''));
              }}
            >
              <input value={who} onChange={(e) => setWho(e.target.value)} placeholder="User name or e-mail" />
              <select aria-label="Role" value={role} onChange={(e) => setRole(e.target.value as TeamRole)}>
                {ROLES.map((r) => (
                  <option key={r}>{r}</option>
                ))}
              </select>
              <button className="btn" disabled={!who.trim()}>
                Add to team
              </button>
            </form>
          )}
        </>
      )}
    </div>
  );
}
