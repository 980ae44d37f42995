import { describe, expect, it } from 'vitest';
import type { ServerEvent } from '../../contracts/events.js';
import type { LiveUpdate } from '../../contracts/live.js';
import { EventBus } from '../event-bus.js';
import { LiveFanout, type LiveChange } from './fanout.js';

type State = Omit<LiveUpdate, 'plots' | 'images'>;

const state = (step: number): State => ({
  project: 'p',
  id: 'x',
  name: 'exp',
  baseline: 'b'.repeat(40),
  status: 'running',
  step,
  row: {
    rev: 'x',
    message: '',
    author: '',
    date: '',
    branches: [],
    tags: [],
    hidden: false,
    parents: [],
    params: {},
    metrics: { 'm.json': { step } },
    errors: {},
  },
});

const change = (step: number, read: (s: State) => State | Promise<State> = (s) => s): LiveChange => ({
  id: 'x',
  state: () => read(state(step)),
  plots: { 'loss.tsv': [{ step, loss: 1 / (step + 1) }] },
  images: [],
});

function listen(bus: EventBus) {
  const got: Extract<ServerEvent, { type: 'live.update' }>[] = [];
  bus.subscribe((e) => {
    if (e.type === 'live.update') got.push(e);
  });
  return got;
}

const until = async (ok: () => boolean) => {
  while (!ok()) await new Promise((r) => setTimeout(r, 5));
};

describe('live fan-out', () => {
  it('sends the first update at once and merges the rest of the interval into one, every row once', async () => {
    const bus = new EventBus();
    const got = listen(bus);
    const fanout = new LiveFanout(bus, 50);
    for (let step = 0; step < 5; step++) fanout.push(change(step));
    expect(got.map((u) => u.step)).toEqual([0]);
    await until(() => got.length === 2);
    expect(got[1]?.step).toBe(4);
    expect(got.flatMap((u) => u.plots['loss.tsv'] ?? []).map((r) => r.step)).toEqual([0, 1, 2, 3, 4]);
    fanout.close();
  });

  it('keeps an experiment’s updates in order when its state is read asynchronously', async () => {
    const bus = new EventBus();
    const got = listen(bus);
    const fanout = new LiveFanout(bus, 10);
    // The first read is the slowest: the updates after it must still come after it.
    const delays = [60, 0, 0];
    let i = 0;
    const slow = (s: State) => new Promise<State>((r) => setTimeout(() => r(s), delays[i++] ?? 0));
    fanout.push(change(0, slow));
    await new Promise((r) => setTimeout(r, 20));
    fanout.push(change(1, slow));
    await new Promise((r) => setTimeout(r, 20));
    fanout.push(change(2, slow));
    await until(() => got.length === 3);
    expect(got.map((u) => u.step)).toEqual([0, 1, 2]);
    expect(got.flatMap((u) => u.plots['loss.tsv'] ?? []).map((r) => r.step)).toEqual([0, 1, 2]);
    fanout.close();
  });

  it('serializes each event once for every SSE connection', () => {
    const bus = new EventBus();
    const frames: string[] = [];
    for (let n = 0; n < 3; n++) bus.subscribe((_e, frame) => frames.push(frame()));
    const event: ServerEvent = { type: 'table.changed', project: 'p' };
    let serialized = 0;
    Object.defineProperty(event, 'toJSON', {
      value: () => {
        serialized++;
        return { type: 'table.changed', project: 'p' };
      },
    });
    bus.publish(event);
    expect(serialized).toBe(1);
    expect(frames).toEqual(Array(3).fill('data: {"type":"table.changed","project":"p"}\n\n'));
  });
});
