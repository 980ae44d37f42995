// A server in its own process for the restart test: `node --import tsx serve-child.ts HOME PORT`.
import { startServer } from '../src/server/app.js';

const [home, port] = process.argv.slice(2);
if (!home || !port) throw new Error('usage: serve-child.ts HOME PORT');
const server = await startServer(
  { home, port: Number(port), host: '127.0.0.1', fetchIntervalSec: 0, createDemo: true },
  () => undefined,
);
await server.store.setSetting('runs.leaseMs', '5000');
const { user } = await server.store.ensureAdmin();
const { token } = await server.auth.createToken(user.id, 'restart test', 'user');
process.stdout.write(`READY ${token}\n`);
