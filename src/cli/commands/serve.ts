import type { Command } from 'commander';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('start the Kiln server (HTTP API, web UI, scheduler)')
    .option('--home <dir>', 'data directory (env KILN_HOME, default ./.kiln)')
    .option('--port <n>', 'port (env KILN_PORT, default 8080; 0 picks a free one)')
    .option('--host <host>', 'address to bind (env KILN_HOST, default 127.0.0.1)')
    .action(async (opts: { home?: string; port?: string; host?: string }) => {
      const [{ configFromEnv }, { startServer }] = await Promise.all([
        import('../../server/config.js'),
        import('../../server/app.js'),
      ]);
      const config = configFromEnv(process.env, opts);
      const server = await startServer(config);
      const stop = (signal: string) => {
        console.log(`${signal}: shutting down`);
        void server.close().then(() => process.exit(0));
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
}
