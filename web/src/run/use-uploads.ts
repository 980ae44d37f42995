import { useCallback, useEffect, useRef, useState } from 'react';
import { uploadFile, type UploadHandle } from '../api-runs.js';
import type { ReplacedFile } from './run-form.js';

export interface UploadProgress {
  path: string;
  fileName: string;
  sent: number;
  total: number;
  startedAt: number;
  error: unknown;
}

export interface Uploads {
  /** Uploads still going or failed, by repo path. */
  progress: ReadonlyMap<string, UploadProgress>;
  start: (path: string, file: File) => void;
  cancel: (path: string) => void;
  busy: boolean;
}

/** Streams replacement files to the server; each finished one is handed to `onDone`. */
export function useUploads(project: string, onDone: (f: ReplacedFile) => void): Uploads {
  const [progress, setProgress] = useState<Map<string, UploadProgress>>(new Map());
  const handles = useRef(new Map<string, UploadHandle>());
  const doneRef = useRef(onDone);
  doneRef.current = onDone;

  const patch = useCallback((path: string, p: Partial<UploadProgress> | null) => {
    setProgress((prev) => {
      const next = new Map(prev);
      const cur = next.get(path);
      if (p === null) next.delete(path);
      else if (cur) next.set(path, { ...cur, ...p });
      return next;
    });
  }, []);

  const start = useCallback(
    (path: string, file: File) => {
      handles.current.get(path)?.abort();
      setProgress((prev) =>
        new Map(prev).set(path, {
          path,
          fileName: file.name,
          sent: 0,
          total: file.size,
          startedAt: Date.now(),
          error: null,
        }),
      );
      const h = uploadFile(project, path, file, (sent, total) => patch(path, { sent, total }));
      handles.current.set(path, h);
      h.done.then(
        (u) => {
          handles.current.delete(path);
          patch(path, null);
          doneRef.current({ path, uploadId: u.uploadId, size: u.size, fileName: file.name });
        },
        (error: unknown) => {
          handles.current.delete(path);
          patch(path, { error });
        },
      );
    },
    [project, patch],
  );

  const cancel = useCallback(
    (path: string) => {
      handles.current.get(path)?.abort();
      patch(path, null);
    },
    [patch],
  );

  useEffect(() => {
    const all = handles.current;
    return () => all.forEach((h) => h.abort());
  }, []);

  const busy = [...progress.values()].some((p) => p.error === null);
  return { progress, start, cancel, busy };
}
