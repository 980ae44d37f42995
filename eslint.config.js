// Lint guards the architecture: each folder may import only the layers DESIGN.md allows.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const layer = (folder, forbidden) => ({
  files: [`${folder}/**/*.ts`, `${folder}/**/*.tsx`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: forbidden.map((f) => ({
          group: [`**/${f}/*`, `**/${f}`],
          message: `${folder} may not import ${f} (see DESIGN.md dependency direction)`,
        })),
      },
    ],
  },
});

const adapters = ['git', 'dvc', 'store', 'forge', 'compute'];
export default tseslint.config(
  { ignores: ['node_modules', 'dist', 'web/dist', '.kiln', 'bin'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-warning-comments': ['error', { terms: ['todo', 'fixme', 'xxx'], location: 'start' }],
    },
  },
  layer('src/contracts', ['core', ...adapters, 'server', 'agent', 'cli']),
  layer('src/core', [...adapters, 'server', 'agent', 'cli']),
  ...adapters.map((a) => layer(`src/${a}`, ['server', 'agent', 'cli'])),
  layer('src/server', ['agent', 'cli']),
  layer('src/agent', ['server', 'cli']),
  layer('web', ['core', ...adapters, 'server', 'agent', 'cli']),
);
