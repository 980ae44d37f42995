import type { WizardConfig } from '../../contracts/ci.js';
import { cmlImage, launchCommand, usesGpu } from './runner.js';
import { jobScript } from './script.js';

/**
 * A GitLab CI pipeline. GitLab passes CI/CD variables (REPO_TOKEN, cloud credentials,
 * DVC_STUDIO_URL, DVC_STUDIO_TOKEN) to every job's environment, so no mapping is needed.
 */
export function gitlabPipeline(c: WizardConfig): Record<string, unknown> {
  return {
    stages: ['deploy', 'train'],
    'deploy-runner': {
      stage: 'deploy',
      image: cmlImage(false),
      script: [launchCommand(c)],
    },
    train: {
      stage: 'train',
      needs: ['deploy-runner'],
      tags: [...c.labels],
      image: cmlImage(usesGpu(c)),
      timeout: '72h',
      script: [jobScript(c)],
    },
  };
}
