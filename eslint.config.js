// ESLint flat config: typescript-eslint's recommended rules plus a few that catch real bugs
// (floating promises, misused promises, awaiting non-thenables), type-aware through the project
// service (tsconfig.json). Run by `npm test` (test/unit/lint.test.ts) and by `npx eslint .`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['dist/**', 'dist.build.*/**', 'dist.old/**', 'node_modules/**', 'bench/results/**', '**/cdk.out/**', '**/.terraform/**', '.next-build/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mts', '**/*.cts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  // The house's sizes: one concern per file (≤ 200 lines: test/checks/file-sizes.test.ts), functions ≤ 40
  // lines of code in what ships (comments and blank lines aside).
  {
    files: ['extension/**/*.ts', 'client/**/*.ts', 'shared/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 40, skipBlankLines: true, skipComments: true }] },
  },
  // The house's layers (docs/how-it-works.md, "Where things live"): the extension's core imports
  // only itself and shared/, and touches no process or Node builtin (they are injected); shared/
  // imports nothing of the client or the extension; the client never imports the extension.
  {
    files: ['extension/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(?!\\./[\\w-]+\\.ts$|\\.\\./\\.\\./shared/[\\w-]+\\.ts$)', message: 'extension/core/ imports only extension/core/ and shared/ (inject adapters and Node builtins).' }] }],
      'no-restricted-globals': ['error', ...['process', 'globalThis', 'setImmediate', 'setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'performance'].map((name) => ({
        name, message: 'extension/core/ touches no process, globals or timers: inject what it needs (main.ts wires it).',
      }))],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^\\.\\./(client|extension)(/|$)', message: 'shared/ imports nothing of client/ or extension/ (both bundle it).' }] }],
    },
  },
  {
    files: ['client/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '(^|/)extension/', message: 'client/ never imports extension/ (the npm package is built from client/ and shared/).' }] }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: {
      // Node's globals, and `awslambda` (the Lambda Node.js runtime's global: streamifyResponse).
      globals: {
        process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly',
        setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', Buffer: 'readonly',
        URL: 'readonly', URLSearchParams: 'readonly', fetch: 'readonly', AbortController: 'readonly',
        AbortSignal: 'readonly', performance: 'readonly', queueMicrotask: 'readonly', globalThis: 'readonly',
        require: 'readonly', module: 'writable', exports: 'writable', __dirname: 'readonly', __filename: 'readonly',
        Request: 'readonly', Response: 'readonly', Headers: 'readonly',
        awslambda: 'readonly', structuredClone: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', SharedArrayBuffer: 'readonly', Atomics: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
);
