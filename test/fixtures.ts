/**
 * The shared fixtures (../shared/fixtures), kept in the repository so a clean clone runs its
 * tests and benchmarks with nothing beside it: `make-dvc-project` makes a runnable DVC project
 * repo with a local DVC remote; `live-protocol/` holds requests as DVCLive's client sends them.
 */
import path from 'node:path';

export const FIXTURES_DIR = path.join(import.meta.dirname, 'fixtures');
export const MAKE_DVC_PROJECT = path.join(FIXTURES_DIR, 'make-dvc-project');
export const LIVE_PROTOCOL = path.join(FIXTURES_DIR, 'live-protocol');
