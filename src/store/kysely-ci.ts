import type { Kysely, Selectable } from 'kysely';
import type { CiCommitRecord, CiStore } from './port.js';
import type { Database } from './schema.js';

// Type aliases, not interfaces: Kysely's withTables wants an index-signature-compatible shape.
export type CiCommitsTable = {
  project: string;
  sha: string;
  state: string;
  url: string | null;
  pr_url: string | null;
  pr_number: number | null;
  cml_url: string | null;
  checked_at: string | null;
  updated_at: string;
};

/** The CI tables, added to the shared schema here so CI owns its own shapes. */
export type CiDatabase = {
  ci_commits: CiCommitsTable;
};

/** States a forge will not change any more without a new run; invalidating a project skips them. */
const FINAL = ['passed', 'failed', 'cancelled'];
/** Keeps SQLite's bound-parameter limit far away. */
const CHUNK = 500;

const now = () => new Date().toISOString();

function toRecord(r: Selectable<CiCommitsTable>): CiCommitRecord {
  return {
    project: r.project,
    sha: r.sha,
    state: r.state,
    url: r.url,
    prUrl: r.pr_url,
    prNumber: r.pr_number === null ? null : Number(r.pr_number),
    cmlUrl: r.cml_url,
    checkedAt: r.checked_at,
    updatedAt: r.updated_at,
  };
}

function chunks<T>(xs: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += CHUNK) out.push(xs.slice(i, i + CHUNK));
  return out;
}

/** The CI status cache and Kiln's pull requests, in Kysely for both databases. */
export class KyselyCiStore implements CiStore {
  private readonly db: Kysely<Database & CiDatabase>;

  constructor(db: Kysely<Database>) {
    this.db = db.withTables<CiDatabase>();
  }

  async get(project: string, shas: readonly string[]): Promise<CiCommitRecord[]> {
    const out: CiCommitRecord[] = [];
    for (const part of chunks(shas)) {
      if (part.length === 0) continue;
      const rows = await this.db
        .selectFrom('ci_commits')
        .selectAll()
        .where('project', '=', project)
        .where('sha', 'in', part)
        .execute();
      out.push(...rows.map(toRecord));
    }
    return out;
  }

  async putStatus(
    entries: ReadonlyArray<
      Pick<CiCommitRecord, 'project' | 'sha' | 'state' | 'url' | 'cmlUrl' | 'checkedAt'>
    >,
  ): Promise<void> {
    if (entries.length === 0) return;
    const at = now();
    await this.db.transaction().execute(async (tx) => {
      for (const e of entries) {
        const status = { state: e.state, url: e.url, cml_url: e.cmlUrl, checked_at: e.checkedAt };
        await tx
          .insertInto('ci_commits')
          .values({
            project: e.project,
            sha: e.sha,
            ...status,
            pr_url: null,
            pr_number: null,
            updated_at: at,
          })
          .onConflict((oc) => oc.columns(['project', 'sha']).doUpdateSet({ ...status, updated_at: at }))
          .execute();
      }
    });
  }

  async putPullRequest(project: string, sha: string, pr: { url: string; number: number }): Promise<void> {
    const at = now();
    await this.db
      .insertInto('ci_commits')
      .values({
        project,
        sha,
        state: 'none',
        url: null,
        pr_url: pr.url,
        pr_number: pr.number,
        cml_url: null,
        checked_at: null,
        updated_at: at,
      })
      .onConflict((oc) =>
        oc.columns(['project', 'sha']).doUpdateSet({ pr_url: pr.url, pr_number: pr.number, updated_at: at }),
      )
      .execute();
  }

  async invalidate(project: string, shas?: readonly string[]): Promise<string[]> {
    if (shas?.length === 0) return [];
    return this.db.transaction().execute(async (tx) => {
      let q = tx
        .selectFrom('ci_commits')
        .select('sha')
        .where('project', '=', project)
        .where('checked_at', 'is not', null);
      q = shas ? q.where('sha', 'in', [...shas]) : q.where('state', 'not in', FINAL);
      const hit = (await q.execute()).map((r) => r.sha);
      for (const part of chunks(hit))
        await tx
          .updateTable('ci_commits')
          .set({ checked_at: null })
          .where('project', '=', project)
          .where('sha', 'in', part)
          .execute();
      return hit;
    });
  }

  async removeProject(project: string): Promise<void> {
    await this.db.deleteFrom('ci_commits').where('project', '=', project).execute();
  }
}
