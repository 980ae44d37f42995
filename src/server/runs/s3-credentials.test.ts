import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TablePage } from '../../contracts/api.js';
import { Experiment, isFinished, LogPage } from '../../contracts/experiments.js';
import { git } from '../../git/run-git.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';

// The S3 remote is s3rver (an S3-compatible server from npm); the keys come from the project's
// stored AWS credential, never from the environment, which this test empties.
const AWS_VARS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'];
const saved: Record<string, string | undefined> = {};
const KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const KEY_SECRET = 'wJalrXUtnFEMI/K7MDENG';
let s3: S3rver;
let s: TestServer;
let tmp = '';
let endpoint = '';

beforeAll(async () => {
  for (const k of AWS_VARS) {
    saved[k] = process.env[k];
    delete process.env[k];
  }
  process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/credentials';
  process.env.AWS_CONFIG_FILE = '/nonexistent/config';
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  tmp = await mkdtemp(path.join(tmpdir(), 'kiln-s3-creds-'));
  s3 = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: path.join(tmp, 's3'),
    configureBuckets: [{ name: 'bucket' }],
  });
  // s3rver knows one key pair; it also checks signatures made with the project's keys.
  const account = createRequire(import.meta.url)('s3rver/lib/models/account.js') as {
    DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void };
  };
  account.DUMMY_ACCOUNT.createKeyPair(KEY_ID, KEY_SECRET);
  const { port } = await s3.run();
  endpoint = `http://127.0.0.1:${port}`;

  // Metrics the pipeline caches: Git holds only their md5 in dvc.lock; the bytes are in S3.
  const metrics = JSON.stringify({ score: 14 });
  const md5 = createHash('md5').update(metrics).digest('hex');
  await new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  }).send(
    new PutObjectCommand({
      Bucket: 'bucket',
      Key: `store/files/md5/${md5.slice(0, 2)}/${md5.slice(2)}`,
      Body: metrics,
    }),
  );
  const work = path.join(tmp, 'work');
  await mkdir(path.join(work, '.dvc'), { recursive: true });
  await writeFile(
    path.join(work, 'dvc.yaml'),
    'stages:\n  score:\n    cmd: python3 score.py\n    metrics: [metrics.json]\n',
  );
  await writeFile(
    path.join(work, 'dvc.lock'),
    `schema: '2.0'\nstages:\n  score:\n    cmd: python3 score.py\n    outs:\n    - path: metrics.json\n      hash: md5\n      md5: ${md5}\n      size: ${metrics.length}\n`,
  );
  await writeFile(
    path.join(work, '.dvc', 'config'),
    `[core]\n    remote = s3\n['remote "s3"']\n    url = s3://bucket/store\n    endpointurl = ${endpoint}\n    region = us-east-1\n`,
  );
  await writeFile(path.join(work, '.gitignore'), '/metrics.json\n');
  await git(['init', '--quiet', '-b', 'main'], { cwd: work });
  await git(['add', '.'], { cwd: work });
  await git(['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '--quiet', '-m', 'metrics in S3'], {
    cwd: work,
  });
  s = await startTestServer();
  await s.addProject('s3p', work);
}, 120_000);

afterAll(async () => {
  await s?.close();
  await s3?.close();
  for (const k of AWS_VARS) if (saved[k] !== undefined) process.env[k] = saved[k];
  delete process.env.AWS_SHARED_CREDENTIALS_FILE;
  delete process.env.AWS_CONFIG_FILE;
  delete process.env.AWS_EC2_METADATA_DISABLED;
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function mainRow() {
  const table = TablePage.parse((await s.api('GET', '/api/projects/s3p/table')).json);
  return table.rows.find((r) => r.branches.includes('main'));
}

it("reads an S3 DVC remote with the project's stored AWS credential, only at the credential's endpoints, and refuses a credential that is not AWS", async () => {
  // No keys anywhere: the row says the remote could not be read.
  const before = await mainRow();
  expect(before?.metrics['metrics.json']).toBeUndefined();
  expect(before?.errors['metrics.json']).toMatch(/could not be read from the DVC remote/);

  const cred = await s.api('POST', '/api/compute/credentials', {
    name: 's3-keys',
    secret: { kind: 'aws', accessKeyId: KEY_ID, secretAccessKey: KEY_SECRET },
  });
  expect(cred.status, JSON.stringify(cred.json)).toBe(201);
  const bad = await s.api('PATCH', '/api/projects/s3p', { settings: { dvcCredential: 'nope' } });
  expect(bad.status).toBe(400);
  expect(JSON.stringify(bad.json)).toContain('is not an AWS credential');

  const ok = await s.api('PATCH', '/api/projects/s3p', { settings: { dvcCredential: 's3-keys' } });
  expect(ok.status, JSON.stringify(ok.json)).toBe(200);
  // The repository's endpointurl is not among the credential's endpoints: the keys are not sent.
  const pinned = await mainRow();
  expect(pinned?.metrics['metrics.json']).toBeUndefined();
  expect(pinned?.errors['metrics.json']).toMatch(
    /the DVC remote's endpointurl http:\/\/127\.0\.0\.1:\d+ is not an endpoint of the credential "s3-keys"/,
  );
  const wrong = await s.api('POST', '/api/compute/credentials', {
    name: 's3-keys',
    secret: { kind: 'aws', accessKeyId: KEY_ID, secretAccessKey: KEY_SECRET, endpoints: 'not a url' },
  });
  expect(wrong.status).toBe(400);
  expect(JSON.stringify(wrong.json)).toContain('endpoints must be http:// or https:// URLs');
  const withEndpoint = await s.api('POST', '/api/compute/credentials', {
    name: 's3-keys',
    secret: { kind: 'aws', accessKeyId: KEY_ID, secretAccessKey: KEY_SECRET, endpoints: endpoint },
  });
  expect(withEndpoint.status, JSON.stringify(withEndpoint.json)).toBe(201);
  await s.api('PATCH', '/api/projects/s3p', { settings: { dvcCredential: 's3-keys' } });
  const after = await mainRow();
  expect(after?.metrics['metrics.json'], JSON.stringify(after?.errors)).toEqual({ score: 14 });
  expect(after?.errors['metrics.json']).toBeUndefined();
}, 120_000);

it('a run of the project gets the stored keys as AWS_* variables, the secret masked in its log', async () => {
  const r = await s.api('POST', '/api/projects/s3p/experiments', {
    rev: 'main',
    name: 'keyed-run',
    script: 'echo "id=$AWS_ACCESS_KEY_ID secret=$AWS_SECRET_ACCESS_KEY"\n',
  });
  expect(r.status, JSON.stringify(r.json)).toBe(201);
  let log = '';
  for (const until = Date.now() + 120_000; Date.now() < until;) {
    const e = Experiment.parse((await s.api('GET', '/api/projects/s3p/experiments/keyed-run')).json);
    if (isFinished(e.status)) {
      log = LogPage.parse((await s.api('GET', '/api/projects/s3p/experiments/keyed-run/logs')).json)
        .chunks.map((c) => c.text)
        .join('');
      expect(e.status, log).toBe('succeeded');
      break;
    }
    await new Promise((res) => setTimeout(res, 200));
  }
  expect(log).toContain(`id=${KEY_ID}`);
  expect(log).not.toContain(KEY_SECRET);
}, 180_000);
