import { randomBytes } from 'node:crypto';
import type { Client } from 'ssh2';
import type { ComputeBackend } from '../port.js';
import type { SettingsOf } from '../profiles/settings.js';
import { connect, exec, putFile, sftp, type SshTarget } from './connect.js';

export interface RemoteAgentOptions {
  /** The server URL agents call back to (reachable from the hosts). */
  url: () => string;
  /** Mints a token with scope `agent`. */
  mintToken: () => Promise<string>;
  /** Local path of the single-file agent bundle (dist/agent.mjs). */
  agentBundle: string;
  /** A token per agent, so the server knows where each one runs (see `placed`). */
  agentToken?: () => Promise<{ id: string; token: string }>;
  /** Tells the server where the agent holding token `tokenId` runs (host, Slurm job id). */
  placed?: (tokenId: string, id: string, detail: string) => Promise<void>;
}

export interface SshBackendOptions extends RemoteAgentOptions {
  settings: SettingsOf<'ssh'>;
  key: { privateKey: string; passphrase?: string | undefined };
}

/** The host's Node was not found: a clear, non-retryable setup error. */
export class NodeMissingError extends Error {
  constructor(
    readonly host: string,
    node: string,
  ) {
    super(
      `${host} has no Node.js ("${node} --version" failed): install Node 20 or set the profile's "node" to its path`,
    );
    this.name = 'NodeMissingError';
  }
}

export function parseHost(spec: string, fallbackUser: string): { host: string; port: number; user: string } {
  const m = /^(?:([^@]+)@)?([^:]+)(?::(\d+))?$/.exec(spec);
  if (!m?.[2]) throw new Error(`bad host ${spec}`);
  return { user: m[1] ?? fallbackUser, host: m[2], port: m[3] ? Number(m[3]) : 22 };
}

// Fixed scripts; every value reaches them as a positional argument, never as text.
// The agent reads its token file and deletes it: the token is neither in its environment nor on
// disk for a job to find, and its jobs never see this directory (`--hide`).
const START = [
  'set -e; cd "$1"; umask 077',
  'nohup "$3" agent.mjs --url "$4" --work "$1/work" --hide "$PWD" --token-file "$PWD/$2" >"agent-$5.log" 2>&1 </dev/null &',
  'echo $! >"agent-$5.pid"; echo $!',
].join('\n');
const LIST =
  'cd "$1" 2>/dev/null || exit 0; for f in agent-*.pid; do [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && cat "$f"; done; exit 0';
const STOP =
  'cd "$1" 2>/dev/null || exit 0; for f in agent-*.pid; do [ -f "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null; done; ' +
  'for i in 1 2 3 4 5 6 7 8 9 10; do alive=0; for f in agent-*.pid; do [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && alive=1; done; [ $alive = 0 ] && break; sleep 0.5; done; ' +
  'for f in agent-*.pid; do [ -f "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null; rm -f "$f"; done; rm -f token token-*; exit 0';

/**
 * Agents on SSH hosts: copies the bundled agent over SFTP and starts it with the host's Node;
 * pid files on the host let a restarted server find and stop them.
 */
export class SshBackend implements ComputeBackend {
  readonly target = 'ssh';
  private token: string | null = null;
  private starting: Promise<void> = Promise.resolve();
  private next = 0;

  constructor(private readonly opts: SshBackendOptions) {}

  private targets(): SshTarget[] {
    const s = this.opts.settings;
    return s.hosts.map((h) => {
      const p = parseHost(h, s.user ?? 'root');
      return {
        ...p,
        privateKey: this.opts.key.privateKey,
        passphrase: this.opts.key.passphrase,
        hostKey: s.hostKeys[h] ?? s.hostKeys[p.host],
        trustAnyHostKey: s.trustAnyHostKey,
      };
    });
  }

  private async on<T>(t: SshTarget, f: (c: Client) => Promise<T>): Promise<T> {
    const c = await connect(t);
    try {
      return await f(c);
    } finally {
      c.end();
    }
  }

  /** Live agent pids per host. */
  async agents(): Promise<Map<string, number[]>> {
    const out = new Map<string, number[]>();
    for (const t of this.targets()) {
      const r = await this.on(t, (c) => exec(c, ['sh', '-c', LIST, 'sh', this.opts.settings.workDir]));
      out.set(t.host + ':' + t.port, r.stdout.split('\n').filter(Boolean).map(Number));
    }
    return out;
  }

  async alive(): Promise<number> {
    let n = 0;
    for (const pids of (await this.agents()).values()) n += pids.length;
    return n;
  }

  ensureAgents(count: number): Promise<void> {
    const run = this.starting.then(async () => {
      const s = this.opts.settings;
      const want = Math.min(count, s.maxInstances, s.hosts.length * s.agentsPerHost);
      const per = await this.agents();
      let have = [...per.values()].reduce((a, p) => a + p.length, 0);
      const targets = this.targets();
      for (let tries = 0; have < want && tries < targets.length * s.agentsPerHost; tries++) {
        const t = targets[this.next++ % targets.length];
        if (!t) break;
        if ((per.get(t.host + ':' + t.port)?.length ?? 0) >= s.agentsPerHost) continue;
        await this.startOn(t);
        per.set(t.host + ':' + t.port, [...(per.get(t.host + ':' + t.port) ?? []), 0]);
        have++;
      }
    });
    this.starting = run.catch(() => undefined);
    return run;
  }

  private async startOn(t: SshTarget): Promise<void> {
    const s = this.opts.settings;
    const own = this.opts.agentToken ? await this.opts.agentToken() : null;
    this.token ??= own ? null : await this.opts.mintToken();
    const token = own?.token ?? this.token ?? '';
    const id = randomBytes(4).toString('hex');
    const tokenFile = `token-${id}`;
    await this.on(t, async (c) => {
      const v = await exec(c, ['sh', '-c', '"$0" --version', s.node]);
      if (v.code !== 0 || !/^v\d+\./.test(v.stdout.trim())) throw new NodeMissingError(t.host, s.node);
      await exec(c, ['mkdir', '-p', '-m', '700', s.workDir]);
      const files = await sftp(c);
      try {
        await putFile(files, this.opts.agentBundle, `${s.workDir}/agent.mjs`);
        await new Promise<void>((resolve, reject) =>
          files.writeFile(`${s.workDir}/${tokenFile}`, token, { mode: 0o600 }, (err) =>
            err ? reject(err) : resolve(),
          ),
        );
      } finally {
        files.end();
      }
      const r = await exec(c, ['sh', '-c', START, 'sh', s.workDir, tokenFile, s.node, this.opts.url(), id]);
      if (r.code !== 0) throw new Error(`starting the agent on ${t.host} failed: ${r.stderr.trim()}`);
      if (own)
        await this.opts.placed?.(
          own.id,
          `${t.host}:${t.port}`,
          `ssh ${t.user}@${t.host}:${t.port} pid ${r.stdout.trim()}`,
        );
    });
  }

  async stop(): Promise<void> {
    await this.starting;
    for (const t of this.targets())
      await this.on(t, (c) => exec(c, ['sh', '-c', STOP, 'sh', this.opts.settings.workDir]));
  }
}
