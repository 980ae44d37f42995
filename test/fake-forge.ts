import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface Recorded {
  method: string;
  path: string;
  query: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export type Answer = { status?: number; json: unknown };

/**
 * A forge on 127.0.0.1 answering recorded, documented JSON per `METHOD /path` (query ignored);
 * every request is kept for the test to check what the adapter sent.
 */
export class FakeForge {
  readonly requests: Recorded[] = [];
  private server: Server | null = null;
  url = '';

  constructor(private readonly routes: Record<string, Answer>) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const [rawPath = '', query = ''] = (req.url ?? '').split('?');
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = null;
        try {
          body = text ? JSON.parse(text) : null;
        } catch {
          body = text;
        }
        this.requests.push({ method: req.method ?? '', path: rawPath, query, headers: req.headers, body });
        const answer = this.routes[`${req.method ?? ''} ${rawPath}`];
        res.writeHead(answer ? (answer.status ?? 200) : 404, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer ? answer.json : { message: 'Not Found' }));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const addr = this.server.address();
    this.url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    return this;
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
