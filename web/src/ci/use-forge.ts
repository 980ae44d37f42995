import { useEffect, useState } from 'react';
import type { ProjectForge } from '../../../src/contracts/ci.js';
import { ciApi } from './ci-api.js';

/** The project's forge: whether pull requests can be opened (and why not), and its Kiln workflow. */
export function useForge(project: string): ProjectForge | null {
  const [forge, setForge] = useState<ProjectForge | null>(null);
  useEffect(() => {
    let live = true;
    ciApi.forge(project).then(
      (f) => live && setForge(f),
      () => live && setForge(null),
    );
    return () => {
      live = false;
    };
  }, [project]);
  return forge;
}
