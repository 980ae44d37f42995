import { useCallback, useEffect, useState } from 'react';
import { readGoals, writeGoals, type Goal, type Goals } from './goals.js';

const CHANGED = 'kiln:goals-changed';

/** Column goals of a project, kept in localStorage and shared live by every view that shows them. */
export function useGoals(project: string): [Goals, (column: string, goal: Goal | undefined) => void] {
  const [goals, setGoals] = useState<Goals>(() => readGoals(project));
  useEffect(() => {
    const sync = () => setGoals(readGoals(project));
    sync();
    window.addEventListener(CHANGED, sync);
    window.addEventListener('storage', sync);
    return () => {
      window.removeEventListener(CHANGED, sync);
      window.removeEventListener('storage', sync);
    };
  }, [project]);
  const setGoal = useCallback(
    (column: string, goal: Goal | undefined) => {
      const next: Record<string, Goal> = { ...readGoals(project) };
      if (goal === undefined) delete next[column];
      else next[column] = goal;
      writeGoals(project, next);
      window.dispatchEvent(new Event(CHANGED));
    },
    [project],
  );
  return [goals, setGoal];
}
