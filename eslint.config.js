// ESLint flat config: typescript-eslint + the process-boundary rules of docs/architecture.md.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const nodeBuiltins = {
  patterns: [{ group: ['node:*'], message: 'No Node built-ins here: this code also runs in the renderer.' }],
};

/** What no file of src/main (outside src/main/electron) may import. */
const mainPaths = [
  { name: 'electron', message: 'electron only under src/main/electron' },
  { name: 'react', message: 'no React in src/main' },
  { name: 'react-dom', message: 'no React in src/main' },
];

/**
 * Import directions between the folders of src/main (docs/architecture.md, "Source layout"): a layer imports
 * the layers below it, never those above. A relative import going up (`../`, `../../`) into one of `folders`
 * is refused; `layer` names the importing folder in the message.
 */
const layerPattern = (layer, folders, why) => ({
  regex: `^(\\.\\./)+(${folders.join('|')})(/|$)`,
  message: `${layer} may not import ${folders.join(', ')}: ${why}`,
});
const storeFolders = ['engine', 'campaign', 'api', 'inmail', 'reports', 'node', 'electron', 'app'];
const storeWhy = 'the store is the bottom layer; move the code it needs down to it (or to src/shared)';
const storeLayer = layerPattern('src/main/store', storeFolders, storeWhy);
const defaultsLayer = layerPattern(
  'src/main/defaults',
  ['store', ...storeFolders],
  'the shipped default tables are data below the store and the engine (they may import src/shared only)',
);
const reportsLayer = layerPattern(
  'src/main/reports',
  ['api', 'node', 'electron', 'app'],
  'reports read the store; the entry points give them what they print with',
);
const engineLayer = layerPattern(
  'src/main/engine',
  ['api', 'node', 'campaign', 'inmail', 'reports', 'app', 'electron'],
  'the engine is driven through its seams (engine/types.ts), it does not call its users',
);

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'release/**', 'coverage/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/switch-exhaustiveness-check': 'off',
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: 'electron only under src/main/electron' }] },
      ],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...nodeBuiltins,
          paths: [
            { name: 'electron', message: 'src/shared runs everywhere' },
            { name: 'react', message: 'no React in src/shared' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          ...nodeBuiltins,
          paths: [{ name: 'electron', message: 'the renderer talks through the preload bridge' }],
        },
      ],
    },
  },
  {
    files: ['src/main/**/*.ts'],
    ignores: ['src/main/electron/**'],
    rules: { 'no-restricted-imports': ['error', { paths: mainPaths }] },
  },
  // Flat config replaces a rule's options per matching block: each layer repeats `mainPaths`.
  {
    files: ['src/main/store/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: mainPaths, patterns: [storeLayer] }] },
  },
  {
    files: ['src/main/defaults/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: mainPaths, patterns: [defaultsLayer] }] },
  },
  {
    files: ['src/main/reports/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: mainPaths, patterns: [reportsLayer] }] },
  },
  {
    files: ['src/main/engine/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: mainPaths, patterns: [engineLayer] }] },
  },
  {
    files: ['src/main/engine/**/*.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'use the injected clock' },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'use the injected clock' },
        { name: 'setInterval', message: 'use the injected clock' },
      ],
    },
  },
  {
    files: ['src/main/electron/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
