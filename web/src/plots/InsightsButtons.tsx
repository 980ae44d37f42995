import { useEffect, useRef } from 'react';
import { navigate } from '../router.js';
import { comparePath } from './insight-paths.js';

interface Props {
  project: string;
  /** Pinned rows and the selected one. */
  chosen: readonly string[];
  plotsOpen: boolean;
  onPlots: () => void;
}

const typingIn = (t: EventTarget | null): boolean =>
  t instanceof HTMLInputElement ||
  t instanceof HTMLTextAreaElement ||
  t instanceof HTMLSelectElement ||
  (t instanceof HTMLElement && t.isContentEditable);

/** Toolbar buttons for Plots and Compare, with `p` and `c` as keys (Trends and the CI wizard are in the project header). */
export function InsightsButtons({ project, chosen, plotsOpen, onPlots }: Props) {
  const latest = useRef({ project, chosen, onPlots });
  latest.current = { project, chosen, onPlots };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || typingIn(e.target)) return;
      const l = latest.current;
      if (e.key === 'p') l.onPlots();
      else if (e.key === 'c' && l.chosen.length > 0) navigate(comparePath(l.project, l.chosen));
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <>
      <button
        className={plotsOpen ? 'btn active' : 'btn'}
        aria-pressed={plotsOpen}
        onClick={onPlots}
        title="Plots of the selected and pinned rows (p)"
      >
        Plots
      </button>
      <button
        className="btn"
        disabled={chosen.length === 0}
        onClick={() => navigate(comparePath(project, chosen))}
        title="Compare the selected and pinned rows side by side (c)"
      >
        Compare{chosen.length > 1 ? ` ${String(chosen.length)}` : ''}
      </button>
    </>
  );
}
