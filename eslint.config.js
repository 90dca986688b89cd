// Lint: strict typed rules; `any` and floating promises are errors.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'node_modules/', 'bpf/', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test registers tests with test()/describe(); their promises are the runner's
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-unnecessary-condition': 'off',
    },
  },
  // Layers: cli/ (wiring) -> ui/ (views) -> src/ (core). A lower layer never imports a higher one.
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/ui/*', '**/ui/**'], message: 'src/ is the core: it never imports a view (ui/)' },
            { group: ['**/cli/*', '**/cli/**'], message: 'src/ is the core: it never imports the CLI (cli/)' },
          ],
        },
      ],
    },
  },
  {
    files: ['ui/**/*.ts', 'ui/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/cli/*', '**/cli/**'], message: 'views (ui/) never import the CLI (cli/)' }] },
      ],
    },
  },
);
