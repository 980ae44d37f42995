import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the cloud metadata services' spot-notice endpoints, answering in each
 * provider's documented shapes (EC2 IMDSv2, GCE metadata, Azure scheduled events). Tests flip
 * `notice` on to announce a reclaim. Test-only.
 */
export async function startMetadataStandIn(): Promise<{
  url: string;
  notice: boolean;
  requests: string[];
  close: () => Promise<void>;
}> {
  const state = { notice: false, requests: [] as string[] };
  const token = 'imds-token-1';
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '';
    state.requests.push(`${req.method} ${url}`);
    if (req.method === 'PUT' && url === '/latest/api/token') {
      if (!req.headers['x-aws-ec2-metadata-token-ttl-seconds']) return void res.writeHead(400).end();
      return void res.writeHead(200, { 'content-type': 'text/plain' }).end(token);
    }
    if (url === '/latest/meta-data/spot/instance-action') {
      if (req.headers['x-aws-ec2-metadata-token'] !== token) return void res.writeHead(401).end();
      if (!state.notice) return void res.writeHead(404).end();
      return void res
        .writeHead(200, { 'content-type': 'text/plain' })
        .end(JSON.stringify({ action: 'terminate', time: new Date(Date.now() + 120_000).toISOString() }));
    }
    if (url === '/computeMetadata/v1/instance/preempted') {
      if (req.headers['metadata-flavor'] !== 'Google') return void res.writeHead(403).end();
      return void res.writeHead(200, { 'content-type': 'text/plain' }).end(state.notice ? 'TRUE' : 'FALSE');
    }
    if (url.startsWith('/metadata/scheduledevents')) {
      if (req.headers['metadata'] !== 'true') return void res.writeHead(400).end();
      const events = state.notice
        ? [
            {
              EventId: '602d9444-d2cd-49c7-8624-8643e7171297',
              EventType: 'Preempt',
              ResourceType: 'VirtualMachine',
              Resources: ['kiln-vm'],
              EventStatus: 'Scheduled',
              NotBefore: new Date(Date.now() + 30_000).toUTCString(),
              Description: 'Virtual machine is being evicted',
              EventSource: 'Platform',
              DurationInSeconds: -1,
            },
          ]
        : [];
      return void res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ DocumentIncarnation: 1, Events: events }));
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get notice() {
      return state.notice;
    },
    set notice(v: boolean) {
      state.notice = v;
    },
    requests: state.requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
