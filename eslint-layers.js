// A local ESLint rule that guards the dependency direction of docs/ARCHITECTURE.md on *resolved*
// paths, so `src/core/dvc` (pure models) and `src/dvc` (the adapter) are told apart whatever the
// depth.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.dirname(fileURLToPath(import.meta.url));
const ADAPTERS = ['git', 'dvc', 'store', 'forge', 'compute'];

/** What each layer may import, besides itself. */
const ALLOWED = {
  contracts: [],
  core: ['contracts'],
  ...Object.fromEntries(ADAPTERS.map((a) => [a, ['contracts', 'core', ...ADAPTERS]])),
  server: ['contracts', 'core', ...ADAPTERS],
  agent: ['contracts', 'core', ...ADAPTERS],
  cli: ['contracts', 'core', ...ADAPTERS, 'server', 'agent'],
  web: ['contracts'],
};

function layerOf(file) {
  const rel = path.relative(ROOT, file).split(path.sep);
  if (rel[0] === 'web') return 'web';
  if (rel[0] === 'src' && rel[1] && rel[1] in ALLOWED) return rel[1];
  return null;
}

const rule = {
  meta: {
    type: 'problem',
    schema: [],
    messages: {
      layer:
        '{{from}} may not import {{to}}: imports go contracts → core → adapters → server/agent → cli, web imports contracts only (docs/ARCHITECTURE.md, "Layers and the dependency rule")',
    },
  },
  create(context) {
    const file = context.filename;
    // Tests are integration tests: they may start a real server from any layer.
    if (/\.test\.tsx?$/.test(file)) return {};
    const from = layerOf(file);
    if (!from) return {};
    const check = (node, source) => {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const to = layerOf(path.resolve(path.dirname(file), source));
      if (!to || to === from || ALLOWED[from].includes(to)) return;
      context.report({
        node,
        messageId: 'layer',
        data: { from: from === 'web' ? 'web' : `src/${from}`, to: `src/${to}` },
      });
    };
    return {
      ImportDeclaration: (n) => check(n, n.source.value),
      ExportNamedDeclaration: (n) => n.source && check(n, n.source.value),
      ExportAllDeclaration: (n) => check(n, n.source.value),
      ImportExpression: (n) => n.source.type === 'Literal' && check(n, n.source.value),
    };
  },
};

/** `./x.js` as written under NodeNext → the `.ts`/`.tsx` file it names, or null (a package, an asset). */
function resolveImport(from, spec) {
  if (!spec.startsWith('.')) return null;
  const base = path.resolve(path.dirname(from), spec).replace(/\.js$/, '');
  for (const ext of ['.ts', '.tsx']) {
    try {
      if (statSync(base + ext).isFile()) return base + ext;
    } catch {
      // Not this extension.
    }
  }
  return null;
}

const IMPORTS =
  /(?:^|[\n;])\s*(?:import|export)\s[^'";]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)|(?:^|[\n;])\s*import\s*['"](\.[^'"]+)['"]/g;

/** Relative imports of each file (type-only ones too: a cycle of types is still a knot), by mtime. */
const depsCache = new Map();
function depsOf(file) {
  let mtime = 0;
  try {
    mtime = statSync(file).mtimeMs;
  } catch {
    return [];
  }
  const hit = depsCache.get(file);
  if (hit && hit.mtime === mtime) return hit.deps;
  const text = readFileSync(file, 'utf8');
  const deps = new Set();
  for (const m of text.matchAll(IMPORTS)) {
    const to = resolveImport(file, m[1] ?? m[2] ?? m[3]);
    if (to) deps.add(to);
  }
  const value = { mtime, deps: [...deps] };
  depsCache.set(file, value);
  return value.deps;
}

/** A path of imports from `start` back to `target`, or null. */
function pathBack(start, target) {
  const seen = new Set();
  const stack = [[start, [start]]];
  while (stack.length) {
    const [file, trail] = stack.pop();
    for (const next of depsOf(file)) {
      if (next === target) return trail;
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push([next, [...trail, next]]);
    }
  }
  return null;
}

const noCycle = {
  meta: {
    type: 'problem',
    schema: [],
    messages: {
      cycle:
        'import cycle: {{chain}}. Move what both sides need into a module of its own (docs/ARCHITECTURE.md, "Layers and the dependency rule")',
    },
  },
  create(context) {
    const file = context.filename;
    if (/\.test\.tsx?$/.test(file)) return {};
    const rel = (f) => path.relative(ROOT, f).split(path.sep).join('/');
    const check = (node, source) => {
      if (typeof source !== 'string') return;
      const to = resolveImport(file, source);
      if (!to || to === file) return;
      const trail = pathBack(to, file);
      if (trail)
        context.report({
          node,
          messageId: 'cycle',
          data: { chain: [file, ...trail, file].map(rel).join(' → ') },
        });
    };
    return {
      ImportDeclaration: (n) => check(n, n.source.value),
      ExportNamedDeclaration: (n) => n.source && check(n, n.source.value),
      ExportAllDeclaration: (n) => check(n, n.source.value),
      ImportExpression: (n) => n.source.type === 'Literal' && check(n, n.source.value),
    };
  },
};

export default { rules: { direction: rule, 'no-cycle': noCycle } };
