// Lint: type-aware TypeScript rules everywhere, and the determinism boundary for workflow code.
// Import boundaries between rooms are checked by dependency-cruiser (.dependency-cruiser.cjs).
import js from '@eslint/js';
import comments from '@eslint-community/eslint-plugin-eslint-comments/configs';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

/** Code the workflow bundle runs: deterministic, no Node built-ins (as temporalio/samples-typescript lints it). */
const WORKFLOW_FILES = [
  '**/*.workflow.ts',
  '**/*.messages.ts',
  'app/workflows.ts',
  'platform/temporal/proxies.ts',
  'platform/temporal/refusal.ts',
  'platform/temporal/contract.ts',
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      '.data/',
      '.build/',
      'test-artifacts/',
      'dev/complete-lockfile.cjs',
      '.dependency-cruiser.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  comments.recommended,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { arguments: false, attributes: false } },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          caughtErrors: 'none',
        },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      'prefer-const': ['error', { destructuring: 'all' }],
      // knex answers rows as `any` by design; the stores type them where they return them, so
      // flagging every member access of a row says nothing a reviewer can act on.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      // Services and stores are factories returning closures, never methods that use `this`.
      '@typescript-eslint/unbound-method': 'off',
      // Route handlers and activities are async by contract, with or without an await inside.
      '@typescript-eslint/require-await': 'off',
      // A disabled rule says why, after `--`.
      '@eslint-community/eslint-comments/require-description': 'error',
      '@eslint-community/eslint-comments/no-unused-disable': 'error',
    },
  },
  {
    // The pages' browser scripts: plain modules bundled by esbuild (platform/pages/scripts.ts), outside the type-checked program.
    files: ['templates/pages/scripts/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'module',
      globals: Object.fromEntries(
        ['document', 'window', 'fetch', 'FormData', 'URLSearchParams', 'Event', 'setTimeout', 'clearTimeout'].map(
          (name) => [name, 'readonly'],
        ),
      ),
    },
  },
  {
    files: WORKFLOW_FILES,
    rules: {
      'no-restricted-imports': ['error', { paths: [...builtinModules, ...builtinModules.map((m) => `node:${m}`)] }],
    },
  },
);
