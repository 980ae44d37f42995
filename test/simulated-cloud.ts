import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CloudKind, ResolvedMachine } from '../src/contracts/compute.js';
import type { CloudInstance, CloudProvider, LaunchRequest } from '../src/compute/cloud/provider.js';

/**
 * A cloud that "boots" each VM as a bash process running the real startup script in a clean
 * temp dir; terminate kills it. It implements the same port as AWS, GCP and Azure.
 */
export class SimulatedCloud implements CloudProvider {
  /** Every VM launched, with the machine it was asked for. */
  readonly instances = new Map<
    string,
    CloudInstance & { proc: ChildProcess; dir: string; machine: ResolvedMachine }
  >();
  /** A metadata stand-in the simulated machines ask for spot notices. */
  metadataUrl?: string;
  /**
   * How long a launched VM stays out of `listTagged`, as EC2's eventually consistent describe
   * may leave it (0: listed at once); `describe` by id knows it at once.
   */
  listDelayMs = 0;
  /** How long a terminated VM is still listed, shutting down (0: it ends at once). */
  terminateDelayMs = 0;
  /** While set, every launch is refused with this message (no capacity, no quota…). */
  refuse: string | null = null;
  /** When each refused launch was asked for (ms since the epoch). */
  readonly refused: number[] = [];
  private n = 0;

  constructor(
    readonly cloud: CloudKind,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  async launch(req: LaunchRequest): Promise<CloudInstance> {
    if (this.refuse !== null) {
      this.refused.push(Date.now());
      throw new Error(this.refuse);
    }
    const id = `sim-${++this.n}`;
    const dir = await mkdtemp(path.join(tmpdir(), `kiln-vm-${id}-`));
    await writeFile(path.join(dir, 'user-data'), req.userData, { mode: 0o700 });
    // The script powers its VM off at the end: here that only ends the "VM", never this machine.
    await mkdir(path.join(dir, 'bin'));
    await writeFile(path.join(dir, 'bin', 'shutdown'), '#!/bin/sh\nexit 0\n', { mode: 0o700 });
    const proc = spawn('bash', [path.join(dir, 'user-data')], {
      cwd: dir,
      env: { ...this.env, KILN_DIR: dir, PATH: `${path.join(dir, 'bin')}:${this.env.PATH ?? ''}` },
      stdio: 'ignore',
      detached: true,
    });
    const inst = {
      id,
      zone: req.machine.zone,
      state: 'running' as const,
      tags: { ...req.tags },
      launchedAt: new Date().toISOString(),
      proc,
      dir,
      machine: req.machine,
    };
    proc.on('exit', () => {
      const cur = this.instances.get(id);
      if (cur) this.instances.set(id, { ...cur, state: 'terminated' });
    });
    this.instances.set(id, inst);
    return { id, zone: inst.zone, state: inst.state, tags: inst.tags, launchedAt: inst.launchedAt };
  }

  async describe(id: string): Promise<CloudInstance | null> {
    const i = this.instances.get(id);
    return i ? { id: i.id, zone: i.zone, state: i.state, tags: i.tags, launchedAt: i.launchedAt } : null;
  }

  async terminate(id: string): Promise<void> {
    const i = this.instances.get(id);
    if (!i || i.state === 'terminated') return;
    this.instances.set(id, { ...i, state: 'stopping' });
    const kill = () => {
      try {
        if (i.proc.pid) process.kill(-i.proc.pid, 'SIGKILL');
      } catch {
        // Already exited.
      }
    };
    if (this.terminateDelayMs > 0) setTimeout(kill, this.terminateDelayMs);
    else kill();
  }

  async listTagged(install: string): Promise<CloudInstance[]> {
    const shown = Date.now() - this.listDelayMs;
    return [...this.instances.values()]
      .filter(
        (i) =>
          i.tags['kiln-install'] === install && i.state !== 'terminated' && Date.parse(i.launchedAt) <= shown,
      )
      .map((i) => ({ id: i.id, zone: i.zone, state: i.state, tags: i.tags, launchedAt: i.launchedAt }));
  }
}
