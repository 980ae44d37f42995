/* global process */
// Bundles the agent into one file, dist/agent.mjs, that runs on any machine with Node 20:
// copy it over and run `node agent.mjs --url URL --token TOKEN`.
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
await build({
  entryPoints: [path.join(root, 'src/agent/main.ts')],
  outfile: path.join(root, 'dist/agent.mjs'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: false,
  logLevel: 'warning',
  banner: {
    js: "import { createRequire as __kilnRequire } from 'node:module'; const require = __kilnRequire(import.meta.url);",
  },
});
process.stdout.write('dist/agent.mjs\n');
