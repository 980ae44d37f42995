import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ESLint } from 'eslint';
import { expect, it } from 'vitest';
import layers from '../eslint-layers.js';

// The lint rule that keeps import cycles out (docs/ARCHITECTURE.md), on files of its own.
it('lint refuses an import cycle, type-only and dynamic imports included, naming the chain', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kiln-cycle-'));
  writeFileSync(path.join(dir, 'a.ts'), "import { b } from './b.js';\nexport const a = () => b;\n");
  writeFileSync(
    path.join(dir, 'b.ts'),
    "import type { C } from './c.js';\nexport const b: C | null = null;\n",
  );
  writeFileSync(
    path.join(dir, 'c.ts'),
    "export type C = number;\nexport const later = () => import('./a.js');\n",
  );
  writeFileSync(path.join(dir, 'd.ts'), "import { a } from './a.js';\nexport const d = a;\n");
  const eslint = new ESLint({
    cwd: dir,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: (await import('typescript-eslint')).parser },
        plugins: { layers },
        rules: { 'layers/no-cycle': 'error' },
      },
    ],
  });
  const results = await eslint.lintFiles(['a.ts', 'b.ts', 'c.ts', 'd.ts']);
  const messages = Object.fromEntries(
    results.map((r) => [path.basename(r.filePath), r.messages.map((m) => m.message.split('. ')[0])]),
  );
  const chain = (...files: string[]) =>
    `import cycle: ${files.map((f) => path.relative(path.resolve(import.meta.dirname, '..'), path.join(dir, f))).join(' → ')}`;
  expect(messages['a.ts']).toEqual([chain('a.ts', 'b.ts', 'c.ts', 'a.ts')]);
  expect(messages['c.ts']).toEqual([chain('c.ts', 'a.ts', 'b.ts', 'c.ts')]);
  expect(messages['d.ts']).toEqual([]); // imports into a cycle, but is not in it
});
