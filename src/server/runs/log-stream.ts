import type { FastifyReply, FastifyRequest } from 'fastify';
import { isFinished, type LogStreamEvent } from '../../contracts/experiments.js';
import type { ExperimentService } from './experiment-service.js';

/** `…/logs/stream`: the log so far, then each new chunk, as server-sent events; ends with the run. */
export async function streamLog(
  experiments: ExperimentService,
  project: string,
  name: string,
  after: number,
  req: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const exp = await experiments.record(project, name);
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    'x-accel-buffering': 'no',
  });
  const send = (e: LogStreamEvent) => res.write(`data: ${JSON.stringify(e)}\n\n`);
  let seq = after;
  let closed = false;
  const pending: Array<LogStreamEvent & { type: 'chunk' }> = [];
  const off = experiments.logs.subscribe(exp.id, (chunk) => pending.push({ type: 'chunk', chunk }));
  const flush = async () => {
    for (const c of await experiments.logs.read(project, exp.id, seq)) {
      send({ type: 'chunk', chunk: c });
      seq = c.seq;
    }
  };
  await flush();
  let lastStatus = '';
  const stop = () => {
    closed = true;
    off();
    clearInterval(timer);
  };
  const timer = setInterval(() => {
    void (async () => {
      if (closed) return;
      pending.length = 0;
      await flush();
      const cur = await experiments.get(project, name);
      if (cur.status !== lastStatus) {
        lastStatus = cur.status;
        send({ type: 'status', status: cur.status });
      }
      if (isFinished(cur.status) && seq >= cur.logSeq) {
        send({ type: 'end', status: cur.status, exitCode: cur.exitCode });
        stop();
        res.end();
      }
    })();
  }, 200);
  req.raw.on('close', stop);
}
