import { useEffect, useRef } from 'react';

interface Keys {
  /** `r`: open the Run drawer from the selected row. */
  onRun?: () => void;
  /** Enter: open the selected experiment. */
  onOpen?: () => void;
}

const interactive = (t: EventTarget | null): boolean =>
  t instanceof HTMLInputElement ||
  t instanceof HTMLTextAreaElement ||
  t instanceof HTMLSelectElement ||
  t instanceof HTMLButtonElement ||
  t instanceof HTMLAnchorElement;

/** Table-page shortcuts for running and opening; ignored while typing or with a modifier held. */
export function useRunKeys(keys: Keys): void {
  const ref = useRef(keys);
  ref.current = keys;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.metaKey || e.ctrlKey || e.altKey || interactive(e.target)) return;
      if (document.querySelector('[aria-modal="true"]')) return;
      if (e.key === 'r' && ref.current.onRun) {
        e.preventDefault();
        ref.current.onRun();
      } else if (e.key === 'Enter' && ref.current.onOpen) {
        e.preventDefault();
        ref.current.onOpen();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
