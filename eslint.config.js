// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Import rules of DESIGN §2: the domain stays pure, only db/ touches SQLite, nothing imports server/. */
const noServer = { group: ['**/server/**', '../server/*', '../../server/*'], message: 'Nothing imports server/ (DESIGN §2).' };
const noSqlite = { group: ['better-sqlite3'], message: 'Only db/ may import better-sqlite3.' };
const ioLibraries = ['node:fs', 'node:fs/promises', 'fs', 'node:http', 'node:https', 'node:net', 'express', 'pino', 'archiver', 'unzipper', 'node-cron'];
const layer = (files, patterns, paths = []) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns, paths }] },
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**', '.bench/**', 'device-state/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { parserOptions: { projectService: false } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/ban-ts-comment': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'error',
      'no-console': 'off',
    },
  },
  layer(['licensing/**/*.ts'], [
    noServer, noSqlite,
    { group: ['**/protocol/**', '**/db/**', '**/sync/**', '**/agent/**', '**/scripts/**'], message: 'licensing/ imports only itself (DESIGN §2).' },
    ...ioLibraries.map((name) => ({ group: [name], message: 'licensing/ imports no I/O library (DESIGN §2).' })),
  ]),
  layer(['protocol/**/*.ts'], [
    noServer, noSqlite,
    { group: ['**/db/**', '**/sync/**', '**/agent/**', '**/scripts/**'], message: 'protocol/ imports only licensing/ types (DESIGN §2).' },
  ]),
  layer(['db/**/*.ts'], [
    noServer,
    { group: ['**/protocol/**', '**/sync/**', '**/agent/**', '**/scripts/**'], message: 'db/ imports only licensing/ (DESIGN §2).' },
  ]),
  layer(['sync/**/*.ts'], [noServer, noSqlite, { group: ['**/agent/**', '**/scripts/**'], message: 'sync/ imports licensing/, protocol/ and ports (DESIGN §2).' }]),
  layer(['agent/**/*.ts'], [
    noServer, noSqlite,
    { group: ['**/licensing/**', '**/db/**', '**/sync/**', '**/scripts/**'], message: 'agent/ imports only protocol/ (DESIGN §2).' },
  ]),
  layer(['scripts/**/*.ts'], [noSqlite, { group: ['**/server/**/*-routes*'], message: 'scripts/ may use anything but HTTP routes (DESIGN §2).' }]),
  layer(['server/**/*.ts'], [noSqlite]),
  // The web UI is a client of the admin API and nothing else (DESIGN §10): it imports its generated API
  // types and browser libraries, never the server side's code.
  layer(['web/src/**/*.{ts,tsx}'], [
    { group: ['**/server/**', '**/licensing/**', '**/protocol/**', '**/db/**', '**/sync/**', '**/agent/**', '**/scripts/**', '../../*'],
      message: 'web/ imports nothing from the server side; it talks HTTP (DESIGN §10).' },
    ...ioLibraries.map((name) => ({ group: [name], message: 'web/ runs in the browser: no Node or server library.' })),
    { group: ['node:*', 'better-sqlite3', 'zod', '@peculiar/*'], message: 'web/ runs in the browser: no Node or server library.' },
  ]),
);
