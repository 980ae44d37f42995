import { mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Makes what the server writes private to its OS user: the data dir holds the database, the key
 * that decrypts stored credentials, run logs, uploads and workspaces. The umask covers every file
 * and directory the server and its children (git, agents, jobs) create from now on; a data dir
 * left looser by an older version or by hand is reported, not silently changed.
 */
export function secureDataDir(home: string, log: (line: string) => void): void {
  process.umask(0o077);
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const loose: string[] = [];
  const check = (p: string) => {
    const mode = statSync(p).mode & 0o777;
    if (mode & 0o077) loose.push(`${path.relative(home, p) || '.'} (${mode.toString(8).padStart(4, '0')})`);
  };
  check(home);
  for (const name of readdirSync(home)) check(path.join(home, name));
  if (loose.length)
    log(
      `Warning: Kiln's data dir ${home} is readable by other users of this machine: ${loose.join(', ')}. ` +
        `It holds the database, the key to stored credentials and run logs; run: chmod -R go-rwx '${home}'`,
    );
}
