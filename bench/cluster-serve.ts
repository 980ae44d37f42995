// One server of the cluster bench: `kiln serve` configured from the environment, except that its
// local agents are processes that never connect (the bench's simulated agents claim instead).
import { configFromEnv } from '../src/server/config.js';
import { startServer } from '../src/server/app.js';

const [home, port] = process.argv.slice(2);
const config = configFromEnv(process.env, { home, port });
await startServer({ ...config, agentCommand: ['bash', '-c', 'exec sleep 900'] });
