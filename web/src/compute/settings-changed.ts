import { useEffect, useRef } from 'react';

/** What changed on the Settings page: every list that shows it reloads. */
export type SettingsTopic = 'credentials' | 'profiles';

const EVENT = 'kiln:settings-changed';

/** Tells every section on the page (and other views) that a list changed. */
export function announceChange(topic: SettingsTopic): void {
  window.dispatchEvent(new CustomEvent<SettingsTopic>(EVENT, { detail: topic }));
}

/** Calls `reload` whenever `topic` changes anywhere in this page visit. */
export function useOnChange(topic: SettingsTopic, reload: () => void): void {
  const ref = useRef(reload);
  ref.current = reload;
  useEffect(() => {
    const on = (e: Event) => {
      if (e instanceof CustomEvent && e.detail === topic) ref.current();
    };
    window.addEventListener(EVENT, on);
    return () => window.removeEventListener(EVENT, on);
  }, [topic]);
}
