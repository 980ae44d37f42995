import { useState, type FormEvent } from 'react';
import type { AuditEvent } from '../../../src/contracts/audit.js';
import { accountApi, type AuditFilters } from './api-account.js';
import { useAsync } from '../use-async.js';
import { ErrorState, Skeleton } from '../ui/States.js';
import { Link } from '../ui/Link.js';
import { STATUS_COLORS } from '../table/status.js';

const PAGE = 50;
const FAMILIES = [
  'run.',
  'ci.',
  'branch.',
  'pr.',
  'project.',
  'profile.',
  'credential.',
  'member.',
  'token.',
  'signin.',
  'invite.',
  'device.',
];

function detailText(e: AuditEvent): string {
  return Object.entries(e.detail)
    .filter(([k]) => k !== 'method' && k !== 'route' && k !== 'status')
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}

/** Settings → Audit: who did what, when and from where, filtered and paged newest first. */
export function AuditPage() {
  const [draft, setDraft] = useState<AuditFilters>({});
  const [filters, setFilters] = useState<AuditFilters>({});
  // Cursors of the pages before the one shown, so "Newer" walks back exactly.
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const page = useAsync(
    () => accountApi.audit(toQuery(filters), cursor, PAGE),
    `audit-${JSON.stringify(filters)}-${cursor ?? ''}`,
  );

  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilters(draft);
    setCursors([null]);
  };
  const field = (k: keyof AuditFilters) => ({
    value: draft[k] ?? '',
    onChange: (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [k]: e.target.value })),
  });

  return (
    <div className="page">
      <p>
        <Link to="/settings">← Settings</Link>
      </p>
      <h1>Audit</h1>
      <form className="card inline-form audit-filters" onSubmit={apply} aria-label="Filter the audit trail">
        <input aria-label="Person" placeholder="Person" {...field('person')} />
        <input
          aria-label="Action"
          placeholder="Action, e.g. run. or token.created"
          list="audit-actions"
          {...field('action')}
        />
        <datalist id="audit-actions">
          {FAMILIES.map((f) => (
            <option key={f} value={f} />
          ))}
        </datalist>
        <input aria-label="Project" placeholder="Project" {...field('project')} />
        <label>
          From <input type="date" aria-label="From" {...field('since')} />
        </label>
        <label>
          Until <input type="date" aria-label="Until" {...field('until')} />
        </label>
        <button className="btn btn-primary">Filter</button>
      </form>
      {page.data === undefined && page.error ? (
        <ErrorState title="Could not load the audit trail" error={page.error} onRetry={page.reload} />
      ) : page.data === undefined ? (
        <Skeleton rows={8} columns={7} />
      ) : page.data.events.length === 0 ? (
        <p className="muted">Nothing recorded matches.</p>
      ) : (
        <table className="list-table audit-table">
          <thead>
            <tr>
              <th>Time</th>
              <th>Person</th>
              <th>From</th>
              <th>Action</th>
              <th>Project</th>
              <th>Target</th>
              <th>Outcome</th>
              <th>Detail</th>
            </tr>
          </thead>
          <tbody>
            {page.data.events.map((e) => (
              <tr key={e.id} data-outcome={e.outcome}>
                <td className="mono" title={e.at}>
                  {e.at.replace('T', ' ').slice(0, 19)}
                </td>
                <td>{e.actorName ?? <span className="muted">{e.actorKind}</span>}</td>
                <td className="mono">{e.ip ?? '—'}</td>
                <td className="mono">{e.action}</td>
                <td>{e.project ?? '—'}</td>
                <td className="mono truncate">{e.target ?? '—'}</td>
                <td>
                  <OutcomeChip outcome={e.outcome} />
                </td>
                <td className="muted mono truncate">{detailText(e)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="inline-form">
        <button
          className="btn"
          disabled={cursors.length <= 1}
          onClick={() => setCursors((c) => c.slice(0, -1))}
        >
          ← Newer
        </button>
        <button
          className="btn"
          disabled={!page.data?.next}
          onClick={() => {
            const next = page.data?.next;
            if (next) setCursors((c) => [...c, next]);
          }}
        >
          Older →
        </button>
      </div>
    </div>
  );
}

/** Dates from the pickers are days: `until` includes the whole day it names. */
function toQuery(f: AuditFilters): AuditFilters {
  const out: AuditFilters = { ...f };
  if (f.until && /^\d{4}-\d{2}-\d{2}$/.test(f.until)) {
    const d = new Date(`${f.until}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + 1);
    out.until = d.toISOString();
  }
  return out;
}

/** Outcomes in the table's status colours: ok as succeeded, denied as cancelled, failed as failed. */
function OutcomeChip({ outcome }: { outcome: AuditEvent['outcome'] }) {
  const c = STATUS_COLORS[outcome === 'ok' ? 'succeeded' : outcome === 'denied' ? 'cancelled' : 'failed'];
  return (
    <span className="status" style={{ color: c.fg, background: c.bg }}>
      {outcome}
    </span>
  );
}
