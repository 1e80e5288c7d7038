// ESLint flat config: typescript-eslint + the process-boundary rules of docs/architecture.md.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const nodeBuiltins = {
  patterns: [{ group: ['node:*'], message: 'No Node built-ins here: this code also runs in the renderer.' }],
};

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
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'electron only under src/main/electron' },
            { name: 'react', message: 'no React in src/main' },
            { name: 'react-dom', message: 'no React in src/main' },
          ],
        },
      ],
    },
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
