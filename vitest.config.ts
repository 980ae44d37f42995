import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'web/**/*.test.ts', 'web/e2e/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Three files at a time on two cores: most of a file's time is spent waiting on the servers,
    // agents, browsers and timers it starts, and the suite must fit CI's 25 minutes.
    poolOptions: { forks: { maxForks: 3 } },
  },
});
