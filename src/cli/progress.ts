/** Where a progress line goes: stderr, or in tests any stream that says whether it is a terminal. */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressLineOptions {
  /** default process.stderr */
  stream?: ProgressStream;
  /** `--json` and the like: never draw */
  quiet?: boolean;
  /** KILN_PROGRESS=always draws on any stream, =never on none; otherwise only on a TTY */
  env?: Readonly<Record<string, string | undefined>>;
  /** the least time between two draws; default 100 ms (10 per second) */
  intervalMs?: number;
}

export interface ProgressLine {
  /** whether anything is drawn: on a TTY (or KILN_PROGRESS=always), never with `quiet` */
  readonly live: boolean;
  /**
   * The current state, drawn with the elapsed time; updates come as fast as they like. `now`
   * draws it at once (a new step, say), else it waits for the next tick.
   */
  update(text: string, now?: boolean): void;
  /** clears the line, then writes `summary` (TTY or not) on a line of its own; later calls do nothing */
  end(summary?: string): void;
}

/** "14s", "2m05s", "1h02m". */
export function formatElapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

const CLEAR = '\r\x1b[2K';

/**
 * A single line of progress on stderr for long CLI work, `text · 14s`: the first update drawn at
 * once, then redrawn in place at most every `intervalMs` when the text or the elapsed second
 * changed, so the time moves while one big file goes. Off a TTY it draws nothing, so CI logs get
 * only the summary.
 */
export function progressLine(opts: ProgressLineOptions = {}): ProgressLine {
  const stream = opts.stream ?? process.stderr;
  const mode = (opts.env ?? process.env)['KILN_PROGRESS'];
  const live = opts.quiet !== true && mode !== 'never' && (mode === 'always' || stream.isTTY === true);
  const interval = opts.intervalMs ?? 100;
  const started = Date.now();
  let text: string | undefined;
  let shown = '';
  let ended = false;
  let timer: ReturnType<typeof setInterval> | undefined;

  const draw = (): void => {
    if (text === undefined) return;
    let line = `${text} · ${formatElapsed(Date.now() - started)}`;
    const width = stream.columns;
    if (width !== undefined && width > 1 && line.length >= width) line = `${line.slice(0, width - 2)}…`;
    if (line === shown) return;
    stream.write(`${CLEAR}${line}`);
    shown = line;
  };

  return {
    live,
    update(next, now = false) {
      if (!live || ended) return;
      text = next;
      if (timer !== undefined) {
        if (now) draw();
        return;
      }
      // the first state at once, then whatever is current at each tick
      draw();
      timer = setInterval(draw, interval);
      timer.unref();
    },
    end(summary) {
      if (ended) return;
      ended = true;
      clearInterval(timer);
      if (shown !== '') stream.write(CLEAR);
      if (summary !== undefined) stream.write(`${summary}\n`);
    },
  };
}
