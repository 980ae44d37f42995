/**
 * Services some tests need that a clean clone does not have: `.ci/run` starts them (sshd, Slurm,
 * PostgreSQL) or installs them (Chromium). Without one, its tests are skipped with the reason
 * printed in vitest's summary (`↓ test name [reason]`), so README's `npm test` passes anywhere.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, type TestContext } from 'vitest';

export interface Service {
  readonly available: boolean;
  /** What is missing and who provides it, as printed beside each skipped test. */
  readonly reason: string;
}

export const SSHD_DIR = '/tmp/kiln-sshd';
export const SSH_KEY = `${SSHD_DIR}/client_ed25519`;
export const SLURM_CONF = '/tmp/kiln-slurm/slurm.conf';
export const CHROMIUM_PATH = '/usr/bin/chromium';
export const AGENT_BUNDLE = path.resolve(import.meta.dirname, '../dist/agent.mjs');

/**
 * `KILN_TEST_WITHOUT=sshd,slurm,postgres,chromium,bubblewrap,nginx` runs the suite as a clean clone would, with
 * those services taken as absent even where they run.
 */
const without = new Set((process.env.KILN_TEST_WITHOUT ?? '').split(',').map((s) => s.trim()));
const present = (name: string, found: boolean): boolean => found && !without.has(name);

export const sshd: Service = {
  available: present('sshd', existsSync(SSH_KEY)),
  reason: `needs the test sshd on 127.0.0.1:2222 (${SSHD_DIR}), started by .ci/run (scripts/ci/start-sshd.sh)`,
};
export const slurm: Service = {
  available: present('slurm', existsSync(SLURM_CONF)),
  reason: `needs the one-node Slurm (${SLURM_CONF}), started by .ci/run (scripts/ci/start-slurm.sh)`,
};
export const postgres: Service = {
  available: present('postgres', Boolean(process.env.KILN_TEST_DATABASE_URL)),
  reason: 'needs PostgreSQL in KILN_TEST_DATABASE_URL, started by .ci/run (scripts/ci/start-postgres.sh)',
};
export const chromium: Service = {
  available: present('chromium', existsSync(CHROMIUM_PATH)),
  reason: `needs Debian's chromium at ${CHROMIUM_PATH}, installed by .ci/run`,
};
export const bubblewrap: Service = {
  available: present(
    'bubblewrap',
    spawnSync('bwrap', ['--ro-bind', '/', '/', '--unshare-pid', '--proc', '/proc', 'true']).status === 0,
  ),
  reason: 'needs bubblewrap (bwrap) able to sandbox jobs here, installed by .ci/run',
};
export const nginx: Service = {
  available: present('nginx', existsSync('/usr/sbin/nginx')),
  reason:
    "needs Debian's nginx at /usr/sbin/nginx (the several-servers test's load balancer), installed by .ci/run",
};
export const built: Service = {
  available: existsSync(path.resolve(import.meta.dirname, '../dist/cli/main.js')) && existsSync(AGENT_BUNDLE),
  reason: 'needs the built server and agent (dist/): npm run build, as npm test does first',
};
export const agentBundle: Service = {
  available: existsSync(AGENT_BUNDLE),
  reason: 'needs the built agent (dist/agent.mjs): npm run build, as npm test does first',
};

/** The reason of the first absent service, or null when all are there. */
export function missing(...services: Service[]): string | null {
  return services.find((s) => !s.available)?.reason ?? null;
}

/** At the start of a test: skips it, reason printed, unless every service is there. */
export function requires(ctx: TestContext, ...services: Service[]): void {
  const why = missing(...services);
  if (why) ctx.skip(why);
}

/**
 * In a describe block (or a file): skips each of its tests, reason printed, unless every service
 * is there. Returns whether they are, so its `beforeAll` can skip starting what needs them.
 */
export function suiteRequires(...services: Service[]): boolean {
  const why = missing(...services);
  if (why) beforeEach((ctx) => ctx.skip(why));
  return why === null;
}
