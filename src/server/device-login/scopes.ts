import { DVC_SCOPES } from '../../contracts/device-login.js';

export type KilnScope = 'read' | 'run' | 'live' | 'admin';

/** Kiln's own scope names, as `kiln login --scope` sends them. */
const KILN = new Set<string>(['read', 'run', 'live', 'admin']);

/**
 * The narrowest Kiln scope that does what the client asked. Everything DVC's clients ask for
 * (EXPERIMENTS, or live, dvc_experiment, view_url, …) comes down, against Kiln, to posting live
 * metrics and `dvc exp push` notifications and reading back the experiment's URL: a `live`
 * token, which can do nothing else. Studio's datasets, models and DQL have no Kiln counterpart,
 * so asking for them grants nothing more. No scopes at all is DVC's default use: live metrics.
 * `kiln login` asks for a Kiln scope by its own name.
 */
export function kilnScopeFor(asked: readonly string[]): KilnScope | { unknown: string[] } {
  if (asked.length === 1 && asked[0] && KILN.has(asked[0])) return asked[0] as KilnScope;
  const unknown = asked.filter((s) => !(DVC_SCOPES as readonly string[]).includes(s.toUpperCase()));
  if (unknown.length) return { unknown };
  return 'live';
}
