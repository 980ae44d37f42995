import path from 'node:path';
import type { Command } from 'commander';

export function registerAdmin(program: Command): void {
  const admin = program.command('admin').description('work directly on the data directory');
  admin
    .command('token')
    .description('print a new admin access token (for scripts and lost logins)')
    .option('--home <dir>', 'data directory (env KILN_HOME, default ./.kiln)')
    .option('--name <name>', 'a name for the token', 'cli')
    .action(async (opts: { home?: string; name: string }) => {
      const [{ openStore }, { Authenticator }, { configFromEnv }] = await Promise.all([
        import('../../store/open-store.js'),
        import('../../server/auth.js'),
        import('../../server/config.js'),
      ]);
      const config = configFromEnv(process.env, { home: opts.home });
      const store = await openStore(
        config.databaseUrl
          ? { kind: 'postgres', url: config.databaseUrl }
          : { kind: 'sqlite', file: path.join(config.home, 'kiln.db') },
      );
      try {
        const { user } = await store.ensureAdmin();
        const t = await new Authenticator(store).createToken(user.id, opts.name);
        console.log(t.token);
      } finally {
        await store.close();
      }
    });
}
