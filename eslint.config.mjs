// @ts-check
import { builtinModules } from 'node:module';
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const nodeBuiltins = builtinModules.filter((name) => !name.startsWith('_'));

/** Rooms outside the product: src/ never depends on them. */
const notProduct = ['emulator', 'tools', 'testkit', 'test', 'bench', 'chaos'].map((room) => ({
  group: [`**/${room}`, `**/${room}/**`],
  message: `src/ is the product alone: it must not import ${room}/.`,
}));

export default tseslint.config(
  { ignores: ['lib/**', 'coverage/**', 'node_modules/**', '.data/**', 'reports/**', '.stryker-tmp/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: notProduct }] },
  },
  {
    // Workflow code must replay deterministically: no Node built-ins, no I/O, activities only through proxies.
    files: ['src/workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            ...notProduct,
            {
              group: ['../activities', '../activities/*'],
              allowTypeImports: true,
              message: 'Workflows reach activities only through proxyActivities: use `import type`.',
            },
          ],
        },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: [...nodeBuiltins, ...nodeBuiltins.map((m) => `node:${m}`)].map((name) => ({
            name,
            message: 'Workflow code must be deterministic: Node built-ins are not allowed in src/workflows/.',
          })),
        },
      ],
      'no-restricted-properties': [
        'error',
        {
          object: 'Math',
          property: 'random',
          message: "Tracing draws span ids from the workflow's Math.random: draw business values from seededRandom.",
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // mocha's describe/it return values are not promises to await.
      '@typescript-eslint/no-unused-expressions': 'off',
    },
  },
  { files: ['**/*.mjs', '**/*.js', '**/*.cjs'], ...tseslint.configs.disableTypeChecked },
  prettier,
);
