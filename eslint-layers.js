// A local ESLint rule that guards the dependency direction of docs/ARCHITECTURE.md on *resolved*
// paths, so `src/core/dvc` (pure models) and `src/dvc` (the adapter) are told apart whatever the
// depth.
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

export default { rules: { direction: rule } };
