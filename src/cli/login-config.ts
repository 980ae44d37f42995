import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';

/**
 * Where `kiln login` keeps its tokens: `$XDG_CONFIG_HOME/kiln/login.json` (default
 * `~/.config/kiln/login.json`), readable by its owner only. One token per server; the last
 * server logged in to is the default when neither --url nor KILN_URL names one.
 */
const SavedLogins = z.object({
  default: z.string().optional(),
  servers: z.record(z.string(), z.object({ token: z.string(), name: z.string().optional() })).default({}),
});
type SavedLogins = z.infer<typeof SavedLogins>;

export function loginConfigFile(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || homedir(), '.config');
  return path.join(base, 'kiln', 'login.json');
}

export function normalizeUrl(url: string): string {
  return url.replace(/\/+$/, '');
}

function read(env: NodeJS.ProcessEnv): SavedLogins {
  try {
    return SavedLogins.parse(JSON.parse(readFileSync(loginConfigFile(env), 'utf8')));
  } catch {
    return { servers: {} };
  }
}

/** The saved token for `url` (or for the default server when no URL is given). */
export function savedLogin(env: NodeJS.ProcessEnv, url?: string): { url: string; token: string } | null {
  const saved = read(env);
  const at = url ? normalizeUrl(url) : saved.default;
  const entry = at ? saved.servers[at] : undefined;
  return at && entry ? { url: at, token: entry.token } : null;
}

/** Saves a token, written to a temp file with mode 0600 first so it is never readable by others. */
export function saveLogin(env: NodeJS.ProcessEnv, url: string, token: string, name: string): string {
  const file = loginConfigFile(env);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const saved = read(env);
  const at = normalizeUrl(url);
  saved.servers[at] = { token, name };
  saved.default = at;
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(saved, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
  return file;
}
