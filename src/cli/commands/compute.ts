import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import {
  ComputeKind,
  ComputeName,
  ComputeProfile,
  ComputeProfileList,
  Credential,
  CredentialList,
  CredentialSecret,
  CredentialTest,
} from '../../contracts/compute.js';
import { settingsFromPairs } from '../../compute/profiles/settings.js';
import { ApiClient, CliError } from '../client.js';
import { clientOptions } from '../options.js';

const collect = (v: string, prev: string[]) => [...prev, v];

function name(raw: string): string {
  const r = ComputeName.safeParse(raw);
  if (!r.success) throw new CliError(`invalid name: ${r.error.issues[0]?.message ?? ''}`, 2);
  return r.data;
}

function line(p: ComputeProfile): string {
  const where = p.resolved
    ? `${p.resolved.region} ${p.resolved.type}${p.resolved.accelerator ? ` +${p.resolved.accelerator.count}×${p.resolved.accelerator.type}` : ''}${p.resolved.pricePerHour !== null ? ` $${p.resolved.pricePerHour}/h` : ''}`
    : Object.entries(p.settings)
        .filter(([k]) => !k.startsWith('max'))
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(' ');
  return `${p.name}\t${p.kind}\t${where}\tmax ${p.limits.maxInstances}`;
}

/** Reads a secret field: `@FILE` reads the file, `-` reads stdin; never from argv for real secrets in scripts. */
function secretValue(v: string): string {
  if (v === '-') return readFileSync(0, 'utf8');
  if (v.startsWith('@')) return readFileSync(v.slice(1), 'utf8');
  return v;
}

export function registerCompute(program: Command): void {
  const compute = program.command('compute').description('compute profiles and credentials');
  compute
    .command('add')
    .description(
      'define a compute profile (settings per kind: see docs; KEY=VALUE, dotted keys nest, JSON values parse)',
    )
    .argument('<name>', 'profile name, used as `--target NAME`')
    .requiredOption('--kind <kind>', `one of ${ComputeKind.options.join('|')}`)
    .option('--set <key=value>', 'a setting (repeatable)', collect, [])
    .option('--json', 'print the profile as JSON')
    .action(async (raw: string, opts: { kind: string; set: string[]; json?: boolean }, cmd: Command) => {
      const kind = ComputeKind.safeParse(opts.kind);
      if (!kind.success) throw new CliError(`--kind must be one of ${ComputeKind.options.join(', ')}`, 2);
      let settings: Record<string, unknown>;
      try {
        settings = settingsFromPairs(opts.set);
      } catch (err) {
        throw new CliError(err instanceof Error ? err.message : String(err), 2);
      }
      const client = new ApiClient(clientOptions(cmd), process.env);
      const p = await client.request('POST', '/api/compute/profiles', ComputeProfile, {
        name: name(raw),
        kind: kind.data,
        settings,
      });
      console.log(opts.json ? JSON.stringify(p, null, 2) : line(p));
    });
  compute
    .command('list')
    .description('list compute profiles')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const client = new ApiClient(clientOptions(cmd), process.env);
      const { profiles } = await client.request('GET', '/api/compute/profiles', ComputeProfileList);
      if (opts.json) console.log(JSON.stringify(profiles, null, 2));
      else if (profiles.length === 0)
        console.log('no compute profiles: kiln compute add NAME --kind KIND --set KEY=VALUE');
      else for (const p of profiles) console.log(line(p));
    });
  compute
    .command('remove')
    .description('remove a compute profile')
    .argument('<name>')
    .action(async (raw: string, _o: unknown, cmd: Command) => {
      const client = new ApiClient(clientOptions(cmd), process.env);
      await client.request('DELETE', `/api/compute/profiles/${encodeURIComponent(name(raw))}`, z.unknown());
    });

  const cred = compute
    .command('credential')
    .description('provider credentials (sealed at rest, never shown again)');
  cred
    .command('add')
    .description('store a credential; secret fields accept @FILE or - (stdin)')
    .argument('<name>')
    .requiredOption('--kind <kind>', 'aws|gcp|azure|kubernetes|ssh')
    .option(
      '--set <key=value>',
      'a field: accessKeyId, secretAccessKey, sessionToken, serviceAccountJson, tenantId, clientId, clientSecret, subscriptionId, kubeconfig, privateKey, passphrase',
      collect,
      [],
    )
    .action(async (raw: string, opts: { kind: string; set: string[] }, cmd: Command) => {
      const fields: Record<string, string> = { kind: opts.kind };
      for (const pair of opts.set) {
        const eq = pair.indexOf('=');
        if (eq <= 0) throw new CliError(`--set takes KEY=VALUE, got "${pair.split('=')[0] ?? ''}=…"`, 2);
        fields[pair.slice(0, eq)] = secretValue(pair.slice(eq + 1));
      }
      const secret = CredentialSecret.safeParse(fields);
      if (!secret.success) {
        const first = secret.error.issues[0];
        throw new CliError(
          `invalid ${opts.kind} credential: ${first?.path.join('.') ?? ''} ${first?.message ?? ''}`,
          2,
        );
      }
      const client = new ApiClient(clientOptions(cmd), process.env);
      const c = await client.request('POST', '/api/compute/credentials', Credential, {
        name: name(raw),
        secret: secret.data,
      });
      console.log(`${c.name}\t${c.kind}\t${c.summary}`);
    });
  cred
    .command('list')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const client = new ApiClient(clientOptions(cmd), process.env);
      const { credentials } = await client.request('GET', '/api/compute/credentials', CredentialList);
      if (opts.json) console.log(JSON.stringify(credentials, null, 2));
      else for (const c of credentials) console.log(`${c.name}\t${c.kind}\t${c.summary}`);
    });
  cred
    .command('test')
    .description('check a credential with a read-only provider call')
    .argument('<name>')
    .action(async (raw: string, _o: unknown, cmd: Command) => {
      const client = new ApiClient(clientOptions(cmd), process.env);
      const r = await client.request(
        'POST',
        `/api/compute/credentials/${encodeURIComponent(name(raw))}/test`,
        CredentialTest,
      );
      console.log(`${r.ok ? 'ok' : 'failed'}\t${r.call}\t${r.detail}`);
      if (!r.ok) throw new CliError(`credential ${raw} failed its check`);
    });
  cred
    .command('remove')
    .argument('<name>')
    .action(async (raw: string, _o: unknown, cmd: Command) => {
      const client = new ApiClient(clientOptions(cmd), process.env);
      await client.request(
        'DELETE',
        `/api/compute/credentials/${encodeURIComponent(name(raw))}`,
        z.unknown(),
      );
    });
}
