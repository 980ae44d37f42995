import { useEffect, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { Experiment } from '../../../src/contracts/experiments.js';
import { isFinished } from '../../../src/contracts/experiments.js';
import { downloadText } from '../table/download.js';
import { stripAnsi } from './ansi.js';
import { LogLineView } from './LogLineView.js';
import { visibleText } from './log-model.js';
import { useLogStream } from './use-log-stream.js';

const LINE = 18;

export function LogView({ exp }: { exp: Experiment }) {
  const { log, ended, connected, retries } = useLogStream(exp.project, exp.name);
  const [follow, setFollow] = useState(true);
  const scrollRef = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({
    count: log.lines.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => LINE,
    overscan: 20,
  });

  useEffect(() => {
    if (follow && log.lines.length > 0) v.scrollToIndex(log.lines.length - 1, { align: 'end' });
  }, [follow, log.lines.length, v]);

  const onScroll = () => {
    const el = scrollRef.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < LINE * 2;
    if (!atBottom && follow) setFollow(false);
    else if (atBottom && !follow && !isFinished(exp.status)) setFollow(true);
  };

  const download = () =>
    downloadText(
      `${exp.project}-${exp.name}.log`,
      log.lines.map((l) => stripAnsi(visibleText(l))).join('\n') + '\n',
    );

  const waiting = log.lines.length === 0;
  const finished = ended !== null || isFinished(exp.status);
  return (
    <div className="log">
      <div className="log-bar">
        <span className={connected ? 'log-live on' : 'log-live'}>
          {connected
            ? 'live'
            : ended
              ? 'complete'
              : retries > 0
                ? `reconnecting (${String(retries)})…`
                : 'connecting…'}
        </span>
        <span className="muted">
          {log.lines.length.toLocaleString()} line{log.lines.length === 1 ? '' : 's'}
        </span>
        <span className="grow" />
        <label className="check" title="Keep the newest line in view">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} />
          Follow
        </label>
        <button className="btn btn-sm" onClick={download} disabled={waiting}>
          ↓ Download
        </button>
      </div>
      <div className="log-scroll" ref={scrollRef} onScroll={onScroll} role="log" aria-live="off">
        {waiting ? (
          <div className="log-empty">
            {finished
              ? 'This run wrote no output.'
              : exp.status === 'queued'
                ? 'Queued — the log starts when an agent picks the run up.'
                : 'Waiting for the first line of output…'}
          </div>
        ) : (
          <div className="log-inner" style={{ height: v.getTotalSize() }}>
            {v.getVirtualItems().map((item) => {
              const line = log.lines[item.index];
              return line ? (
                <LogLineView key={item.index} line={line} n={item.index + 1} top={item.start} />
              ) : null;
            })}
          </div>
        )}
      </div>
      {ended && (
        <div className={`log-end log-end-${ended.status}`}>
          Run {ended.status}
          {ended.exitCode !== null ? ` · exit code ${String(ended.exitCode)}` : ''}
        </div>
      )}
    </div>
  );
}
