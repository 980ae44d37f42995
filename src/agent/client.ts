import { AgentReply, type AgentMessage } from '../contracts/agent.js';

/** A refusal from the server that retrying will not fix (bad token, bad message). */
export class AgentRejected extends Error {
  override name = 'AgentRejected';
}

/** The server stayed unreachable for the whole grace period: the agent stops waiting for it. */
export class ServerUnreachable extends Error {
  override name = 'ServerUnreachable';
}

/** How long an agent waits for an unreachable server by default: 10 minutes. */
export const DEFAULT_SERVER_GRACE_SEC = 600;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Sends protocol messages, retrying through network failures and server restarts, for up to
 * `graceMs` of an outage: after that every message fails with ServerUnreachable (until one gets
 * through again), so an agent whose server died does not poll its URL for ever.
 */
export class AgentClient {
  stopped = false;
  /** When the current outage began (the first failed request since the last answer). */
  private downSince: number | null = null;

  constructor(
    private readonly url: string,
    private readonly token: string,
    private readonly log: (line: string) => void,
    readonly graceMs = DEFAULT_SERVER_GRACE_SEC * 1000,
  ) {}

  /** Seconds the server has been unreachable so far (0 while it answers). */
  get downForSec(): number {
    return this.downSince === null ? 0 : Math.round((Date.now() - this.downSince) / 1000);
  }

  async send(msg: AgentMessage): Promise<AgentReply> {
    let delay = 100;
    let warned = false;
    for (;;) {
      try {
        const res = await fetch(`${this.url.replace(/\/+$/, '')}/api/agent`, {
          method: 'POST',
          headers: { authorization: `token ${this.token}`, 'content-type': 'application/json' },
          body: JSON.stringify(msg),
          signal: AbortSignal.timeout(60_000),
        });
        const text = await res.text();
        if (res.status >= 400 && res.status < 500)
          throw new AgentRejected(`server refused ${msg.type}: HTTP ${res.status} ${text.slice(0, 300)}`);
        // A balancer's 502/503 for a server behind it that is gone is an outage too.
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        this.downSince = null;
        const parsed = AgentReply.safeParse(JSON.parse(text));
        if (!parsed.success)
          throw new AgentRejected(`unexpected reply to ${msg.type}: ${parsed.error.message}`);
        return parsed.data;
      } catch (err) {
        if (err instanceof AgentRejected || this.stopped) throw err;
        this.downSince ??= Date.now();
        if (Date.now() - this.downSince >= this.graceMs)
          throw new ServerUnreachable(
            `${this.url} has been unreachable for ${this.downForSec} s (grace period ${Math.round(this.graceMs / 1000)} s)`,
          );
        if (!warned)
          this.log(
            `cannot reach ${this.url} (${err instanceof Error ? err.message : String(err)}); retrying`,
          );
        warned = true;
        await sleep(Math.min(delay, Math.max(0, this.downSince + this.graceMs - Date.now())));
        delay = Math.min(delay * 2, 1000);
      }
    }
  }
}
