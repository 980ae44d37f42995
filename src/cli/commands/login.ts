import { hostname } from 'node:os';
import type { Command } from 'commander';
import { DeviceLoginStarted } from '../../contracts/device-login.js';
import { CliError } from '../client.js';
import { saveLogin } from '../login-config.js';

interface LoginOpts {
  scope: string;
  name?: string;
}

async function postJson(
  url: string,
  body: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch (err) {
    throw new CliError(
      `cannot reach Kiln at ${url}: ${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)}`,
    );
  }
  const text = await res.text();
  try {
    return { status: res.status, json: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  } catch {
    throw new CliError(`${url}: HTTP ${res.status}, not JSON: ${text.slice(0, 200)}`);
  }
}

/**
 * `kiln login`: the device flow `dvc studio login` uses. Prints where to approve, waits for the
 * approval, and saves the token (0600) for the client commands to use when no --token is given.
 */
export function registerLogin(program: Command): void {
  program
    .command('login')
    .description('log in through the browser and save a token for the other commands')
    .option(
      '--scope <scope>',
      'the token scope: read, run, live or admin (your role still bounds it)',
      'admin',
    )
    .option('--name <name>', 'the token name shown in Settings → Tokens')
    .action(async (opts: LoginOpts, cmd: Command) => {
      if (!['read', 'run', 'live', 'admin'].includes(opts.scope))
        throw new CliError(`--scope must be read, run, live or admin, not ${opts.scope}`, 2);
      const root = cmd.parent ?? cmd;
      const base = (
        (root.opts<{ url?: string }>().url || process.env.KILN_URL) ??
        'http://127.0.0.1:8080'
      ).replace(/\/+$/, '');
      const start = await postJson(`${base}/api/device-login`, {
        client_name: 'kiln CLI',
        token_name: opts.name ?? `kiln CLI on ${hostname()}`,
        scopes: [opts.scope],
      });
      if (start.status !== 200)
        throw new CliError(
          `could not start the login: ${String(start.json.error ?? `HTTP ${start.status}`)}`,
        );
      const d = DeviceLoginStarted.parse(start.json);
      process.stdout.write(
        `Open ${d.verification_uri}?code=${d.user_code} in a browser where you are signed in to Kiln,\n` +
          `check the code ${d.user_code} and approve.\n`,
      );
      const until = Date.now() + d.expires_in * 1000;
      let wait = Math.max(1, d.interval) * 1000;
      for (;;) {
        await new Promise((r) => setTimeout(r, wait));
        const r = await postJson(d.token_uri, { code: d.device_code });
        if (r.status === 200 && typeof r.json.access_token === 'string') {
          const file = saveLogin(process.env, base, r.json.access_token, d.token_name);
          process.stdout.write(
            `Logged in to ${base} with token "${d.token_name}" (scope ${String(r.json.scope ?? opts.scope)}); saved in ${file}\n`,
          );
          return;
        }
        const detail = r.json.detail;
        if (detail === 'authorization_pending' && Date.now() < until) continue;
        if (detail === 'slow_down') {
          wait += 5000;
          continue;
        }
        if (detail === 'authorization_denied') throw new CliError('the login was denied in the browser');
        if (detail === 'authorization_expired' || detail === 'authorization_pending')
          throw new CliError('nobody approved the login in time: run `kiln login` again');
        throw new CliError(`login failed: ${String(r.json.error ?? `HTTP ${r.status}`)}`);
      }
    });
}
