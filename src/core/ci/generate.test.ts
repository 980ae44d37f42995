import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as WorkflowParser from '@actions/workflow-parser';
import { parseExpressionAt, type Node as JsNode } from 'acorn';
import { Ajv } from 'ajv';
import { tsImport } from 'tsx/esm/api';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { CiCloud, WizardInput, type WizardInput as Input } from '../../contracts/ci.js';
import { generateFromInput, generateWorkflow } from './generate.js';

function gen(input: Input) {
  return generateWorkflow(WizardInput.parse(input));
}

/** Parses with GitHub's own workflow parser and converts to its workflow model; returns every error. */
async function githubErrors(text: string): Promise<string[]> {
  const parsed = parseWorkflow({ name: 'cml.yaml', content: text }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (parsed.value) {
    const template = await convertWorkflowTemplate(parsed.context, parsed.value);
    errors.push(...(template.errors ?? []).map((e) => e.Message));
  } else errors.push('no workflow');
  return errors;
}

/** Rebuilds a value from a JS literal's syntax tree: objects, arrays, constants (`!0` is true, as minifiers write it). */
function literal(n: JsNode): unknown {
  switch (n.type) {
    case 'ObjectExpression':
      return Object.fromEntries(
        (n as unknown as { properties: JsNode[] }).properties.map((p) => {
          const prop = p as unknown as { type: string; computed: boolean; key: JsNode; value: JsNode };
          if (prop.type !== 'Property' || prop.computed) throw new Error(`not a JSON literal: ${p.type}`);
          const k = prop.key as unknown as { type: string; name?: string; value?: unknown };
          return [k.type === 'Identifier' ? k.name : String(k.value), literal(prop.value)];
        }),
      );
    case 'ArrayExpression':
      return (n as unknown as { elements: JsNode[] }).elements.map(literal);
    case 'Literal':
      return (n as unknown as { value: unknown }).value;
    case 'TemplateLiteral': {
      const t = n as unknown as { expressions: unknown[]; quasis: Array<{ value: { cooked: string } }> };
      if (t.expressions.length > 0) throw new Error('not a JSON literal: template with expressions');
      return t.quasis.map((q) => q.value.cooked).join('');
    }
    case 'UnaryExpression': {
      const u = n as unknown as { operator: string; argument: JsNode };
      const v = literal(u.argument);
      if (u.operator === '!') return !v;
      if (u.operator === '-' && typeof v === 'number') return -v;
      throw new Error(`not a JSON literal: ${u.operator}`);
    }
    default:
      throw new Error(`not a JSON literal: ${n.type}`);
  }
}

/**
 * GitLab's own CI JSON schema (`app/assets/javascripts/editor/schema/ci.json`, draft-07), as the
 * gitlab-ci-local package ships it: inlined as an object literal in its bundle. The literal is
 * read with a JS parser and rebuilt from its constants only; nothing of the bundle runs.
 */
function gitlabCiSchema(): Record<string, unknown> {
  const bundle = readFileSync(createRequire(import.meta.url).resolve('gitlab-ci-local'), 'utf8');
  const at = bundle.indexOf('$id:"https://gitlab.com/.gitlab-ci.yml"');
  const start = bundle.lastIndexOf('{$schema:', at);
  if (at < 0 || start < 0) throw new Error("GitLab's CI schema is not in gitlab-ci-local's bundle");
  return z
    .record(z.string(), z.unknown())
    .parse(literal(parseExpressionAt(bundle, start, { ecmaVersion: 'latest' })));
}

const validateGitlab = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(
  gitlabCiSchema(),
);

const GitlabRefs = z.object({ stage: z.string().optional(), needs: z.array(z.string()).optional() });

/**
 * Validates a GitLab pipeline against GitLab's CI JSON schema, then what the schema cannot see:
 * every job's stage is declared and every `needs` names a job. Returns every error.
 */
function gitlabErrors(text: string): string[] {
  const doc: unknown = parse(text);
  if (!validateGitlab(doc))
    return (validateGitlab.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
  const jobs = z.record(z.string(), z.unknown()).parse(doc);
  const stages = z.array(z.string()).default(['build', 'test', 'deploy']).parse(jobs.stages);
  const errors: string[] = [];
  for (const [name, raw] of Object.entries(jobs)) {
    const job = GitlabRefs.safeParse(raw);
    if (name === 'stages' || !job.success) continue;
    if (job.data.stage && !stages.includes(job.data.stage)) errors.push(`${name}: unknown stage`);
    for (const n of job.data.needs ?? []) if (!(n in jobs)) errors.push(`${name}: needs unknown ${n}`);
  }
  return errors;
}

const BitbucketStep = z.object({
  step: z
    .object({
      name: z.string(),
      script: z.array(z.string()).min(1),
      'runs-on': z.array(z.string()).optional(),
      'max-time': z.number().int().optional(),
    })
    .strict(),
});
const BitbucketDoc = z
  .object({ image: z.string(), pipelines: z.object({ default: z.array(BitbucketStep) }).strict() })
  .strict();

// The parser imports its JSON schemas without import attributes, which Node refuses; tsx's loader accepts them.
const { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow }: typeof WorkflowParser =
  await tsImport('@actions/workflow-parser', import.meta.url);

describe('CI workflow generation', () => {
  it("GitLab's schema rejects a broken pipeline (the check below is real)", () => {
    expect(gitlabErrors('train:\n  script: 3\n  when: sometimes\n')).not.toEqual([]);
    expect(gitlabErrors('stages: [a]\njob:\n  stage: a\n  script: [echo]\n  tagz: [x]\n')).not.toEqual([]);
    expect(gitlabErrors('stages: [a]\njob:\n  stage: b\n  script: [echo]\n')).toEqual(['job: unknown stage']);
    expect(gitlabErrors('stages: [a]\njob:\n  stage: a\n  script: [echo]\n')).toEqual([]);
  });

  it("GitHub's parser rejects a broken workflow (the check below is real)", async () => {
    expect(await githubErrors('on: push\njobs:\n  x:\n    steps: 3\n')).not.toEqual([]);
  });

  for (const cloud of CiCloud.options)
    for (const spot of [false, true])
      for (const gpu of [false, true]) {
        const input: Input = {
          ci: 'github',
          cloud,
          region: 'us-east',
          type: gpu ? 'm+v100' : 'l',
          ...(gpu ? { gpu: 'v100' } : {}),
          hdd: 120,
          spot,
          labels: ['cml-gpu', 'team'],
          idleTimeout: 900,
        };
        const name = `${cloud}, ${spot ? 'spot' : 'on-demand'}, ${gpu ? 'GPU' : 'CPU'}`;

        it(`github: ${name} parses and validates with @actions/workflow-parser`, async () => {
          const w = gen(input);
          expect(w.path).toBe('.github/workflows/cml.yaml');
          expect(await githubErrors(w.workflow)).toEqual([]);
          const doc = z
            .object({ jobs: z.record(z.string(), z.record(z.string(), z.unknown())) })
            .parse(parse(w.workflow));
          const train = doc.jobs.train ?? {};
          expect(train['runs-on']).toEqual(['self-hosted', 'cml-gpu']);
          expect(train.needs).toBe('deploy-runner');
          expect(w.workflow).toContain('DVC_STUDIO_URL: ${{ secrets.DVC_STUDIO_URL }}');
          expect(w.workflow).toContain('DVC_STUDIO_TOKEN: ${{ secrets.DVC_STUDIO_TOKEN }}');
          expect(w.workflow).toContain('REPO_TOKEN: ${{ secrets.REPO_TOKEN }}');
          for (const s of w.secrets.filter((x) => !x.startsWith('DVC_')))
            expect(w.workflow).toContain(`${s}: \${{ secrets.${s} }}`);
          expect(w.workflow).toContain(`--cloud=${cloud}`);
          expect(w.workflow.includes('--cloud-region=us-east')).toBe(cloud !== 'kubernetes');
          expect(w.workflow.includes('--cloud-spot')).toBe(spot);
          expect(w.workflow.includes('--cloud-gpu=v100')).toBe(gpu);
          expect(w.workflow.includes('--gpus all')).toBe(gpu);
          expect(w.workflow).toContain('--labels=cml-gpu,team');
          expect(w.workflow).toContain('--cloud-hdd-size=120');
          expect(w.workflow).toContain('--idle-timeout=900');
          expect(w.warnings.some((x) => x.includes('spot instances are not available'))).toBe(
            cloud === 'kubernetes' && spot,
          );
        });

        it(`gitlab: ${name} validates against GitLab's CI JSON schema`, () => {
          const w = gen({ ...input, ci: 'gitlab' });
          expect(w.path).toBe('.gitlab-ci.yml');
          expect(gitlabErrors(w.workflow)).toEqual([]);
          expect(w.workflow).toContain(`--cloud=${cloud}`);
          expect(w.workflow.includes('--cloud-spot')).toBe(spot);
          expect(w.workflow.includes('base1-gpu')).toBe(gpu);
        });

        it(`bitbucket: ${name} is a well-formed pipeline (structural check)`, () => {
          const w = gen({ ...input, ci: 'bitbucket' });
          expect(w.path).toBe('bitbucket-pipelines.yml');
          const doc = BitbucketDoc.parse(parse(w.workflow));
          expect(doc.pipelines.default[1]?.step['runs-on']).toEqual(['self.hosted', 'cml-gpu', 'team']);
          expect(w.workflow.includes('--cloud-spot')).toBe(spot);
        });
      }

  it('each cloud names its own credentials', () => {
    const secrets = (cloud: Input['cloud']) => gen({ ci: 'github', cloud }).secrets;
    expect(secrets('aws')).toEqual(
      expect.arrayContaining(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'REPO_TOKEN']),
    );
    expect(secrets('azure')).toEqual(
      expect.arrayContaining([
        'AZURE_CLIENT_ID',
        'AZURE_CLIENT_SECRET',
        'AZURE_SUBSCRIPTION_ID',
        'AZURE_TENANT_ID',
      ]),
    );
    expect(secrets('gcp')).toContain('GOOGLE_APPLICATION_CREDENTIALS_DATA');
    expect(secrets('kubernetes')).toContain('KUBERNETES_CONFIGURATION');
  });

  it('reuse flags, defaults and warnings', () => {
    expect(gen({ ci: 'github', cloud: 'aws', reuse: 'reuse' }).workflow).toMatch(/--reuse \\/);
    expect(gen({ ci: 'github', cloud: 'aws', reuse: 'reuse-idle' }).workflow).toContain('--reuse-idle');
    const d = gen({ ci: 'github', cloud: 'aws' });
    expect(d.workflow).toContain('--cloud-region=us-west');
    expect(d.workflow).toContain('--cloud-type=m');
    expect(d.workflow).toContain('--labels=cml');
    expect(d.workflow).not.toContain('--reuse');
    expect(d.warnings.join()).toContain('100 GB or more');
    expect(gen({ ci: 'github', cloud: 'aws', hdd: 40 }).warnings.join()).toContain('HDD size 40 GB is small');
    expect(gen({ ci: 'github', cloud: 'aws', hdd: 100 }).warnings).toEqual([]);
    expect(
      gen({ ci: 'github', cloud: 'aws', hdd: 100, region: 'eu-central-1', type: 'p3.2xlarge' }).warnings,
    ).toHaveLength(2);
  });

  it('the default script installs, pulls, runs, pushes and reports; a custom one replaces it', () => {
    const w = gen({ ci: 'github', cloud: 'gcp', hdd: 100 }).workflow;
    const order = [
      'pip install -r requirements.txt',
      'dvc pull',
      'dvc exp run',
      'dvc push',
      'cml comment create report.md',
    ];
    const at = order.map((s) => w.indexOf(s));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(gen({ ci: 'github', cloud: 'gcp', pipeline: 'repro' }).workflow).toContain('dvc repro');
    const custom = gen({
      ci: 'gitlab',
      cloud: 'gcp',
      script: 'python train.py\ncml comment create r.md',
    }).workflow;
    expect(custom).toContain('python train.py');
    expect(custom).not.toContain('dvc exp run');
  });

  it('rejects values that could break out of the shell command', () => {
    const r = generateFromInput({ ci: 'github', cloud: 'aws', region: 'us-east; rm -rf /' });
    expect(r).toEqual({ ok: false, error: expect.stringContaining('region') });
    expect(generateFromInput({ ci: 'jenkins', cloud: 'aws' }).ok).toBe(false);
    expect(generateFromInput({ ci: 'github', cloud: 'aws', labels: ['a b'] }).ok).toBe(false);
  });
});
