import type { WizardConfig } from '../../contracts/ci.js';
import { cmlImage, launchCommand } from './runner.js';
import { jobScript } from './script.js';

/**
 * Bitbucket Pipelines: the first step launches the runner, the second runs on it. Repository
 * variables (secured) reach every step's environment.
 */
export function bitbucketPipelines(c: WizardConfig): Record<string, unknown> {
  return {
    image: cmlImage(false),
    pipelines: {
      default: [
        { step: { name: 'Deploy runner', script: [launchCommand(c)] } },
        {
          step: {
            name: 'Train and report',
            'runs-on': ['self.hosted', ...c.labels],
            'max-time': 720,
            script: [jobScript(c)],
          },
        },
      ],
    },
  };
}
