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

/**
 * The floors of src/, bottom first: a room imports only rooms on floors below its own, so no import runs back up.
 * Workflows call activities through the contract in workflows/activityTypes.ts, which src/activities implements.
 */
const FLOORS = [
  ['shared', 'types'],
  ['domain'],
  ['observability'],
  ['starkbank', 'temporal'],
  ['config'],
  ['workflows'],
  ['decisions'],
  ['events', 'schedules', 'gauges'],
  ['activities', 'webhook', 'setup'],
];
const ENTRY_POINTS = ['ops', 'worker', 'webhook', 'setup', 'healthcheck'];

/** What a room on `floor` must not import: every other room on its floor or above, and the entry points. */
function notAbove(room, floor) {
  const higher = [...FLOORS.slice(floor).flat(), ...ENTRY_POINTS].filter((other) => other !== room);
  return [...new Set(higher)].map((other) => ({
    group: [`../${other}`, `../${other}/**`],
    message: `src/${room}/ is on floor ${floor + 1} of eslint.config.mjs's FLOORS: it must not import ${other} (same floor or above).`,
  }));
}

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
  // src/*.ts and src/ops/ are the entry points: above every floor, they may import any room.
  {
    files: ['src/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: notProduct }] },
  },
  ...FLOORS.flatMap((rooms, floor) =>
    rooms.map((room) => ({
      files: [`src/${room}/**/*.ts`],
      rules: {
        '@typescript-eslint/no-restricted-imports': ['error', { patterns: [...notProduct, ...notAbove(room, floor)] }],
      },
    })),
  ),
  {
    // Workflow code must replay deterministically: no Node built-ins, no I/O, activities only through proxies.
    files: ['src/workflows/**/*.ts'],
    rules: {
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
