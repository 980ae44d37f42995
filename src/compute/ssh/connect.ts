import { createHash } from 'node:crypto';
import ssh2, { type Client, type ConnectConfig, type SFTPWrapper } from 'ssh2';

export interface SshTarget {
  host: string;
  port: number;
  user: string;
  privateKey: string;
  passphrase?: string | undefined;
  /** Expected host key SHA-256 (base64, as `ssh-keygen -lf` prints after "SHA256:"); unset only when trusted explicitly. */
  hostKey?: string | undefined;
  trustAnyHostKey?: boolean;
}

/** POSIX single-quoting: every argument is one word to the remote shell, whatever it holds. */
export function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function command(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}

/** Opens an SSH connection, checking the host key when one is configured. */
export function connect(t: SshTarget): Promise<Client> {
  return new Promise((resolve, reject) => {
    const c = new ssh2.Client();
    const cfg: ConnectConfig = {
      host: t.host,
      port: t.port,
      username: t.user,
      privateKey: t.privateKey,
      readyTimeout: 10_000,
      hostVerifier: (key: Buffer) => {
        if (t.trustAnyHostKey) return true;
        if (!t.hostKey) return false;
        const got = createHash('sha256').update(key).digest('base64').replace(/=+$/, '');
        return got === t.hostKey.replace(/^SHA256:/, '').replace(/=+$/, '');
      },
      ...(t.passphrase ? { passphrase: t.passphrase } : {}),
    };
    c.once('ready', () => resolve(c));
    c.once('error', (err) => reject(new Error(`ssh ${t.user}@${t.host}:${t.port}: ${err.message}`)));
    c.connect(cfg);
  });
}

/** Runs argv (each element quoted) and collects its output. */
export function exec(
  c: Client,
  argv: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    c.exec(command(argv), (err, stream) => {
      if (err) return reject(err);
      let stdout = '';
      let stderr = '';
      stream.on('data', (d: Buffer) => (stdout += d.toString()));
      stream.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      stream.on('close', (code: number | null) => resolve({ code, stdout, stderr }));
    });
  });
}

export function sftp(c: Client): Promise<SFTPWrapper> {
  return new Promise((resolve, reject) => c.sftp((err, s) => (err ? reject(err) : resolve(s))));
}

export function putFile(s: SFTPWrapper, local: string, remote: string): Promise<void> {
  return new Promise((resolve, reject) =>
    s.fastPut(local, remote, { mode: 0o600 }, (err) => (err ? reject(err) : resolve())),
  );
}

/** Connects and asks for Node's version (null when the host has no Node). */
export async function sshProbe(t: SshTarget, node = 'node'): Promise<{ node: string | null }> {
  const c = await connect(t);
  try {
    const r = await exec(c, ['sh', '-c', '"$0" --version 2>/dev/null || true', node]);
    const v = r.stdout.trim();
    return { node: /^v\d+\./.test(v) ? v : null };
  } finally {
    c.end();
  }
}
