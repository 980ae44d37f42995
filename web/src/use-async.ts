import { useCallback, useEffect, useRef, useState } from 'react';

export interface AsyncState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** Refetch; keeps the current data on screen until the new data arrives. */
  reload: () => void;
  setData: (update: (prev: T | undefined) => T | undefined) => void;
}

/** Loads once per `key`; late responses for an old key are dropped. */
export function useAsync<T>(load: () => Promise<T>, key: string): AsyncState<T> {
  const [data, setDataState] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  const reload = useCallback(() => {
    const gen = ++generation.current;
    setLoading(true);
    loadRef.current().then(
      (d) => {
        if (gen !== generation.current) return;
        setDataState(d);
        setError(null);
        setLoading(false);
      },
      (err: unknown) => {
        if (gen !== generation.current) return;
        setError(err);
        setLoading(false);
      },
    );
  }, []);

  useEffect(() => {
    setDataState(undefined);
    reload();
  }, [key, reload]);

  const setData = useCallback((update: (prev: T | undefined) => T | undefined) => setDataState(update), []);
  return { data, error, loading, reload, setData };
}
