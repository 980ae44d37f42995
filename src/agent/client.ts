import { AgentReply, type AgentMessage } from '../contracts/agent.js';

/** A refusal from the server that retrying will not fix (bad token, bad message). */
export class AgentRejected extends Error {
  override name = 'AgentRejected';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends protocol messages, retrying through network failures and server restarts. */
export class AgentClient {
  stopped = false;

  constructor(
    private readonly url: string,
    private readonly token: string,
    private readonly log: (line: string) => void,
  ) {}

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
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        const parsed = AgentReply.safeParse(JSON.parse(text));
        if (!parsed.success)
          throw new AgentRejected(`unexpected reply to ${msg.type}: ${parsed.error.message}`);
        return parsed.data;
      } catch (err) {
        if (err instanceof AgentRejected || this.stopped) throw err;
        if (!warned)
          this.log(
            `cannot reach ${this.url} (${err instanceof Error ? err.message : String(err)}); retrying`,
          );
        warned = true;
        await sleep(delay);
        delay = Math.min(delay * 2, 1000);
      }
    }
  }
}
