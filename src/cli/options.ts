import type { Command } from 'commander';
import type { ClientOptions } from './client.js';

export interface GlobalOpts {
  url?: string;
  token?: string;
}

/** Reads --url/--token from the root program, wherever the subcommand sits. */
export function clientOptions(cmd: Command): ClientOptions {
  let root: Command = cmd;
  while (root.parent) root = root.parent;
  const o = root.opts<GlobalOpts>();
  return { url: o.url, token: o.token };
}

/** Progress on stderr, only on a TTY and never with --json. */
export function progress(quiet: boolean, text: string): void {
  if (quiet || !process.stderr.isTTY) return;
  process.stderr.write(`\r\x1b[K${text}`);
}
