import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';

export interface AsyncState<T> {
  data: T | undefined;
  error: unknown;
  /** True while a request for `key` is in flight (a refresh keeps the current data on screen). */
  loading: boolean;
  /** Refetch; keeps the current data on screen until the new data arrives. */
  reload: () => void;
  /** Changes what every component showing `key` has, without a request. */
  setData: (update: (prev: T | undefined) => T | undefined) => void;
}

/**
 * Server state for one `key` (see query.ts): components that use the same key share one request
 * and one answer; an answer for a key the component has moved away from is never shown for the
 * new one. `load` must fetch what `key` names, in one shape: two loaders that answer in different
 * shapes need two keys.
 */
export function useAsync<T>(load: () => Promise<T>, key: string): AsyncState<T> {
  const client = useQueryClient();
  const q = useQuery({ queryKey: [key], queryFn: load });
  const { refetch } = q;
  const reload = useCallback(() => void refetch(), [refetch]);
  const setData = useCallback(
    (update: (prev: T | undefined) => T | undefined) => client.setQueryData<T>([key], update),
    [client, key],
  );
  return { data: q.data, error: q.error, loading: q.isFetching, reload, setData };
}
