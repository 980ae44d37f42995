import type { JobRecord } from '../../store/port.js';

/**
 * The agent token that claimed each job. An agent id alone proves nothing (every message carries
 * it): only the claiming token may report on a job. After a restart the claiming token comes from
 * the run's record (`lookup`); null there means a claim from before tokens were recorded.
 */
export class JobOwners {
  private readonly owners = new Map<string, string | null>();

  constructor(private readonly lookup: (experimentId: string) => Promise<string | null>) {}

  claimed(jobId: string, tokenId: string | null): void {
    this.owners.set(jobId, tokenId);
  }

  forget(jobId: string): void {
    this.owners.delete(jobId);
  }

  async owns(job: JobRecord, tokenId: string | null): Promise<boolean> {
    let owner = this.owners.get(job.id);
    if (owner === undefined) {
      owner = await this.lookup(job.experimentId);
      this.owners.set(job.id, owner);
    }
    return owner === null || owner === tokenId;
  }
}
