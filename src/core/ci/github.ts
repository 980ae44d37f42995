import type { WizardConfig } from '../../contracts/ci.js';
import { cloudSecrets, cmlImage, launchCommand, REPO_TOKEN, STUDIO_SECRETS, usesGpu } from './runner.js';
import { jobScript } from './script.js';

const secret = (name: string) => `\${{ secrets.${name} }}`;
const envOf = (names: readonly string[]) => Object.fromEntries(names.map((n) => [n, secret(n)]));

/** A GitHub Actions workflow: a `deploy-runner` job launches the cloud runner, `train` runs on it. */
export function githubWorkflow(c: WizardConfig): Record<string, unknown> {
  const gpu = usesGpu(c);
  const cloud = cloudSecrets(c.cloud);
  return {
    name: 'CML',
    on: ['push', 'workflow_dispatch'],
    jobs: {
      'deploy-runner': {
        'runs-on': 'ubuntu-latest',
        steps: [
          { uses: 'actions/checkout@v4' },
          { uses: 'iterative/setup-cml@v2' },
          {
            name: `Deploy a runner on ${c.cloud}`,
            env: envOf([REPO_TOKEN, ...cloud]),
            run: launchCommand(c),
          },
        ],
      },
      train: {
        needs: 'deploy-runner',
        'runs-on': ['self-hosted', c.labels[0] ?? 'cml'],
        // Self-hosted runners allow jobs up to 35 days, as CML's examples set.
        'timeout-minutes': 50400,
        container: gpu
          ? { image: `docker://${cmlImage(true)}`, options: '--gpus all' }
          : `docker://${cmlImage(false)}`,
        env: envOf([REPO_TOKEN, ...STUDIO_SECRETS, ...cloud]),
        steps: [
          { uses: 'actions/checkout@v4', with: { 'fetch-depth': 0 } },
          { name: 'Train and report', run: jobScript(c) + '\n' },
        ],
      },
    },
  };
}
