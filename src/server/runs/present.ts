import { ExperimentStatus } from '../../contracts/api.js';
import { ChangeSet, Experiment, TimelineEntry, Target, experimentRef } from '../../contracts/experiments.js';
import type { ExperimentRecord } from '../../store/port.js';
import { z } from 'zod';

const Timeline = z.array(TimelineEntry);

/** The API shape of a stored experiment; stored JSON is validated on the way out too. */
export function presentExperiment(r: ExperimentRecord, logSeq: number): Experiment {
  return {
    id: r.id,
    project: r.project,
    name: r.name,
    baseline: r.baseline,
    message: r.message,
    changeSet: ChangeSet.parse(JSON.parse(r.changeSetJson)),
    target: Target.parse(r.target),
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
  };
}

/** The timeline with one more entry. */
export function addToTimeline(r: ExperimentRecord, status: ExperimentStatus, at: string): string {
  return JSON.stringify([...Timeline.parse(JSON.parse(r.timelineJson)), { status, at }]);
}
