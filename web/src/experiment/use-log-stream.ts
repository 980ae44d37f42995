import { useEffect, useRef, useState } from 'react';
import type { ExperimentStatus } from '../../../src/contracts/api.js';
import { LogStreamEvent, type LogChunk } from '../../../src/contracts/experiments.js';
import { assertNever } from '../../../src/contracts/errors.js';
import { runsApi } from '../api-runs.js';
import { appendChunks, emptyLog, type LogModel } from './log-model.js';

export interface LogStreamState {
  log: LogModel;
  /** Set once the server said the run ended and every chunk arrived. */
  ended: { status: ExperimentStatus; exitCode: number | null } | null;
  connected: boolean;
  /** Reconnect attempts since the last good message. */
  retries: number;
}

/**
 * The experiment's log over `…/logs/stream`: everything so far, then live chunks. Chunks are
 * applied once per animation frame; after a dropped connection it resumes from the last seq.
 */
export function useLogStream(project: string, name: string): LogStreamState {
  const [state, setState] = useState<LogStreamState>({
    log: emptyLog,
    ended: null,
    connected: false,
    retries: 0,
  });

  const pending = useRef<LogChunk[]>([]);
  const frame = useRef(0);

  useEffect(() => {
    let source: EventSource | null = null;
    let timer = 0;
    let closed = false;
    let lastSeq = 0;
    let retries = 0;
    setState({ log: emptyLog, ended: null, connected: false, retries: 0 });

    const flush = () => {
      frame.current = 0;
      const chunks = pending.current;
      pending.current = [];
      setState((s) => ({ ...s, log: appendChunks(s.log, chunks) }));
    };
    const connect = () => {
      source = new EventSource(runsApi.logStreamUrl(project, name, lastSeq));
      source.onopen = () => {
        retries = 0;
        setState((s) => ({ ...s, connected: true, retries: 0 }));
      };
      source.onmessage = (msg: MessageEvent<string>) => {
        let json: unknown;
        try {
          json = JSON.parse(msg.data);
        } catch {
          return;
        }
        const parsed = LogStreamEvent.safeParse(json);
        if (!parsed.success) return;
        const e = parsed.data;
        switch (e.type) {
          case 'chunk':
            lastSeq = Math.max(lastSeq, e.chunk.seq);
            pending.current.push(e.chunk);
            if (!frame.current) frame.current = requestAnimationFrame(flush);
            return;
          case 'status':
            return;
          case 'end':
            source?.close();
            closed = true;
            if (frame.current) cancelAnimationFrame(frame.current);
            flush();
            setState((s) => ({ ...s, connected: false, ended: { status: e.status, exitCode: e.exitCode } }));
            return;
          default:
            assertNever(e);
        }
      };
      // EventSource would reconnect from the original `after`; reconnect ourselves from the last seq.
      source.onerror = () => {
        source?.close();
        if (closed) return;
        retries++;
        setState((s) => ({ ...s, connected: false, retries }));
        timer = window.setTimeout(connect, Math.min(10_000, 500 * 2 ** Math.min(retries, 5)));
      };
    };
    connect();
    return () => {
      closed = true;
      source?.close();
      window.clearTimeout(timer);
      if (frame.current) cancelAnimationFrame(frame.current);
      frame.current = 0;
      pending.current = [];
    };
  }, [project, name]);

  return state;
}
