import path from 'node:path';
import { existsSync } from 'node:fs';
import type { Store } from '../store/port.js';
import { createDemoProject } from './demo/create-demo-project.js';
import type { ProjectService } from './projects/project-service.js';
import { Settings } from './settings.js';

/** On first start, generates the demo repository in the data dir and connects it as project "demo". */
export async function ensureDemoProject(
  store: Store,
  projects: ProjectService,
  home: string,
  log: (line: string) => void,
): Promise<void> {
  const settings = new Settings(store);
  if (await settings.once('demo.created')) return;
  const dir = path.join(home, 'demo-repo');
  if (!existsSync(path.join(dir, '.git'))) {
    log('Creating the demo project (a small logistic-regression DVC project)…');
    // its DVC remote lives in the data dir too: runs pull the data set from it and push to it
    const { commits } = await createDemoProject(dir, { dvcRemote: path.join(home, 'dvc-remote', 'demo') });
    log(`Demo repository ready at ${dir} (${commits} commits).`);
  }
  if (!(await store.getProject('demo'))) {
    await projects.create({ name: 'demo', source: dir });
  }
  await settings.makeOnce('demo.created', () => new Date().toISOString());
}
