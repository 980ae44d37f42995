import { ExperimentStatus } from '../../contracts/api.js';
import { ChangeSet, Experiment, TimelineEntry, Target, experimentRef } from '../../contracts/experiments.js';
import type { ExperimentRecord } from '../../store/port.js';
import { z } from 'zod';
import type { ResolvedMachine } from '../../contracts/compute.js';
import { profileOf } from '../compute/variants.js';

const Timeline = z.array(TimelineEntry);

/**
 * The API shape of a stored experiment; stored JSON is validated on the way out too. The target
 * is the profile's name, also for a run on a variant of it (`PROFILE~hash`, another machine):
 * `machine` says which machine it asked for.
 */
export function presentExperiment(
  r: ExperimentRecord,
  logSeq: number,
  machine?: ResolvedMachine | null,
): Experiment {
  return {
    id: r.id,
    project: r.project,
    name: r.name,
    baseline: r.baseline,
    message: r.message,
    changeSet: ChangeSet.parse(JSON.parse(r.changeSetJson)),
    target: Target.parse(profileOf(r.target)),
    timeoutSec: r.timeoutSec,
    priority: r.priority,
    status: ExperimentStatus.parse(r.status),
    timeline: Timeline.parse(JSON.parse(r.timelineJson)),
    exitCode: r.exitCode,
    error: r.error,
    resultCommit: r.resultCommit,
    ref: experimentRef(r.baseline, r.name),
    sweepId: r.sweepId,
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    logSeq,
    ...(machine !== undefined ? { machine } : {}),
  };
}

/** The timeline with one more entry. */
export function addToTimeline(r: ExperimentRecord, status: ExperimentStatus, at: string): string {
  return JSON.stringify([...Timeline.parse(JSON.parse(r.timelineJson)), { status, at }]);
}
