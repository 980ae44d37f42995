/**
 * A compute backend starts agents for one target; agents then pull jobs from the server. No
 * backend runs a job any other way, so every target runs the same agent code.
 */
export interface ComputeBackend {
  readonly target: string;
  /** Makes sure `count` agents are running (or starting) for this target. */
  ensureAgents(count: number): Promise<void>;
  /**
   * The next `ensureAgents` really tries, even within the backend's own pause after a failed
   * launch: the server's lease monitor keeps the retry schedule (in the Store, for every server).
   */
  retryNow?(): void;
  /** Number of agents this backend knows to be alive. */
  alive(): Promise<number>;
  /** Stops the agents this backend started, and their jobs' process trees. */
  stop(): Promise<void>;
}
