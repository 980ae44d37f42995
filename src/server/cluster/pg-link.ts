import pg from 'pg';

/**
 * One PostgreSQL connection of this server's own, outside the store's pool, for what needs a
 * session that stays: LISTEN, the leader's advisory lock, the NOTIFYs in publishing order. When
 * the connection breaks it is made again (every `onConnect` hook runs again), backing off to 2 s.
 */
export class PgLink {
  private client: pg.Client | null = null;
  private closed = false;
  private connecting: Promise<pg.Client> | null = null;
  private readonly hooks: Array<(c: pg.Client) => Promise<void>> = [];
  private readonly lostHooks: Array<() => void> = [];
  private readonly notifyHooks: Array<(m: pg.Notification) => void> = [];
  /** The schema the store's tables are in: names channels and locks, so two Kilns on one database stay apart. */
  schema = 'public';

  constructor(
    private readonly url: string,
    private readonly name: string,
    private readonly log: (line: string) => void,
  ) {}

  /** Runs on every (re)connection, before queries are let through. */
  onConnect(f: (c: pg.Client) => Promise<void>): void {
    this.hooks.push(f);
  }

  /** Runs when the connection is lost (the session's locks and LISTENs are gone). */
  onLost(f: () => void): void {
    this.lostHooks.push(f);
  }

  onNotification(f: (m: pg.Notification) => void): void {
    this.notifyHooks.push(f);
  }

  /** Connects now; throws when PostgreSQL cannot be reached at all. */
  async start(): Promise<void> {
    await this.connected(false);
  }

  /** A query on this session; waits for a connection (through reconnections) unless closed. */
  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values: unknown[] = [],
  ): Promise<pg.QueryResult<R>> {
    const c = await this.connected();
    return c.query<R>(text, values);
  }

  get up(): boolean {
    return this.client !== null;
  }

  async close(): Promise<void> {
    this.closed = true;
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
  }

  /** `retry`: through failures until connected (false at start: PostgreSQL must be there). */
  private connected(retry = true): Promise<pg.Client> {
    if (this.closed) return Promise.reject(new Error('the cluster connection is closed'));
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.connectLoop(retry).finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async connectLoop(retry: boolean): Promise<pg.Client> {
    let delay = 100;
    for (let again = false; ; again = true) {
      const c = new pg.Client({ connectionString: this.url, application_name: this.name, keepAlive: true });
      c.on('error', () => this.lost(c));
      c.on('end', () => this.lost(c));
      c.on('notification', (m) => {
        for (const f of this.notifyHooks) f(m);
      });
      try {
        await c.connect();
        this.schema = (await c.query<{ s: string }>('select current_schema() as s')).rows[0]?.s ?? 'public';
        for (const f of this.hooks) await f(c);
        if (this.closed) {
          await c.end().catch(() => undefined);
          throw new Error('the cluster connection is closed');
        }
        this.client = c;
        if (again || retry) this.log('Cluster connection to PostgreSQL made again.');
        return c;
      } catch (err) {
        await c.end().catch(() => undefined);
        if (this.closed || !retry) throw err;
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 2000);
      }
    }
  }

  private lost(c: pg.Client): void {
    if (this.client !== c) return;
    this.client = null;
    if (this.closed) return;
    this.log('Cluster connection to PostgreSQL lost; connecting again.');
    for (const f of this.lostHooks) f();
    // Listening and the leader's lock come back with the connection, not with the next query.
    void this.connected().catch(() => undefined);
  }
}
