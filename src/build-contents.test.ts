import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { expect, it } from 'vitest';

/**
 * `dist/` holds the product only: test kits (servers, harnesses, stand-ins, fakes) live under
 * `test/`. Checked on the build's own file list (tsconfig.build.json, as `npm run build` reads
 * it), so no build is needed: every module tsc would emit must be reached by imports from
 * `kiln`'s entry point (`cli/main.ts`) or the agent's (`agent/main.ts`), and none is a test.
 */
const ROOT = path.resolve(import.meta.dirname, '..');
const ENTRIES = ['src/cli/main.ts', 'src/agent/main.ts'].map((f) => path.join(ROOT, f));

function buildConfig(): ts.ParsedCommandLine {
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.build.json'), undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (!parsed) throw new Error('tsconfig.build.json could not be read');
  return parsed;
}

/** Modules of the project reached from `entries` by static, type-only and dynamic imports. */
function reached(entries: string[], options: ts.CompilerOptions): Set<string> {
  const seen = new Set<string>();
  const stack = [...entries];
  while (stack.length) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const ref of info.importedFiles) {
      const to = ts.resolveModuleName(ref.fileName, file, options, ts.sys).resolvedModule;
      if (to && !to.isExternalLibraryImport) stack.push(path.resolve(to.resolvedFileName));
    }
  }
  return seen;
}

it('the build emits no test and no test kit: every module it ships is reached from kiln or the agent', () => {
  const config = buildConfig();
  const emitted = config.fileNames.map((f) => path.resolve(f)).filter((f) => !f.endsWith('.d.ts'));
  const rel = (f: string) => path.relative(ROOT, f);
  expect(emitted.length).toBeGreaterThan(100); // the list is the real one
  expect(emitted.filter((f) => /\.test\.[cm]?tsx?$/.test(f)).map(rel)).toEqual([]);
  const product = reached(ENTRIES, config.options);
  // Only tests (or benchmarks) import these: they belong under test/.
  expect(emitted.filter((f) => !product.has(f)).map(rel)).toEqual([]);
  // The product never reaches into test/ (its files would ship, outside rootDir).
  expect([...product].filter((f) => !f.startsWith(path.join(ROOT, 'src') + path.sep)).map(rel)).toEqual([]);
});
