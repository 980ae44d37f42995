import { z } from 'zod';
import { Value } from '../../contracts/api.js';

/** Schemas for dvc.yaml after interpolation, following DVC 3's schema.py. */

const Str = z.string();
const StrList = z.array(Str).nullable().optional();

export const OutFlags = z.looseObject({
  cache: z.boolean().optional(),
  persist: z.boolean().optional(),
  push: z.boolean().optional(),
  remote: z.string().optional(),
  desc: z.string().optional(),
  type: z.string().optional(),
  labels: z.array(z.string()).optional(),
  meta: Value.optional(),
});
export type OutFlags = z.infer<typeof OutFlags>;

const singleKey = (m: Record<string, unknown>): boolean => Object.keys(m).length === 1;

export const OutEntry = z.union(
  [
    Str,
    z.record(Str, OutFlags.nullable()).refine(singleKey, 'expected one path per entry: "- path: {flags}"'),
  ],
  { error: 'expected a path or a mapping of one path to its flags' },
);
const OutList = z.array(OutEntry).nullable().optional();

export const ParamsEntry = z.union([Str, z.record(Str, z.array(Str).nullable())], {
  error: 'expected a params key or a mapping of a params file to its keys',
});

/** `cmd`: one command or a list of them. */
export const Cmd = z.union([Str, z.array(Str).min(1)], {
  error: 'expected a command: a string or a list of strings',
});

export const RawStage = z.strictObject({
  cmd: Cmd,
  wdir: Str.optional(),
  deps: StrList,
  params: z.array(ParamsEntry).nullable().optional(),
  outs: OutList,
  metrics: OutList,
  plots: OutList,
  frozen: z.boolean().optional(),
  always_changed: z.boolean().optional(),
  desc: Str.optional(),
  meta: Value.optional(),
});
export type RawStage = z.infer<typeof RawStage>;

export const TopPlot = z.union(
  [Str, z.record(Str, z.record(Str, Value).nullable()).refine(singleKey, 'expected one plot per entry')],
  { error: 'expected a plot: a path, or a mapping of one id to its properties' },
);

export const Artifact = z.strictObject({
  path: Str,
  type: Str.optional(),
  desc: Str.optional(),
  labels: z.array(Str).optional(),
  meta: Value.optional(),
});

export const RawTop = z.strictObject({
  stages: z.record(Str, Value).nullable().optional(),
  vars: z
    .array(
      z.union([Str, z.record(Str, Value)], { error: 'expected a params file path or a mapping of vars' }),
    )
    .nullable()
    .optional(),
  params: StrList,
  metrics: StrList,
  plots: z.array(TopPlot).nullable().optional(),
  artifacts: z.record(Str, Artifact).nullable().optional(),
  datasets: z.array(Value).nullable().optional(),
});
export type RawTop = z.infer<typeof RawTop>;
