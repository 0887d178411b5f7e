// Lint rules: typescript-eslint's recommended set, plus the conventions a reviewer would otherwise repeat.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// A flat config replaces a rule's options rather than adding to them, so each block below lists every
// no-restricted-syntax selector that applies to its files, built from these sets.

// Randomness has one home (src/platform/ids.ts); these selectors apply everywhere.
const randomnessSelectors = [
  { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'Use the injected ID generator (PL-3).' },
  { selector: "CallExpression[callee.name='randomUUID']", message: 'Use the injected ID generator (PL-3).' },
];

// `new Date()` and `Date()` without an argument read the system time just as Date.now() does (outside src/platform).
const clockSelectors = [
  { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Use the injected clock (PL-1): new Date(ctx.clock.nowMs()).' },
  { selector: "CallExpression[callee.name='Date']", message: 'Use the injected clock (PL-1): new Date(ctx.clock.nowMs()).' },
];

// Module-level mutable state would be shared by every installation in one process (tests open many) and hide
// dependencies: state lives in the database, adapters in Deps, pure caches in platform/memo.ts, per-database
// caches in db/database-memo.ts.
const mutableStateSelectors = [
  { selector: "Program > VariableDeclaration[kind!='const']", message: 'No module-level mutable state: keep it in the database, in Deps, or in a memo (platform/memo.ts, db/database-memo.ts).' },
  { selector: "Program > ExportNamedDeclaration > VariableDeclaration[kind!='const']", message: 'No module-level mutable state.' },
  { selector: "Program > VariableDeclaration > VariableDeclarator > NewExpression[callee.name=/^(Map|WeakMap|WeakSet|WeakRef)$/]", message: 'No module-level caches or service locators: use platform/memo.ts (pure) or db/database-memo.ts (per database), or a port in Deps.' },
  { selector: "Program > ExportNamedDeclaration > VariableDeclaration > VariableDeclarator > NewExpression[callee.name=/^(Map|WeakMap|WeakSet|WeakRef)$/]", message: 'No module-level caches or service locators.' },
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'web/dist/**', 'data/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': ['error', { ignoreRestArgs: true }],
      'no-restricted-syntax': ['error', ...randomnessSelectors],
    },
  },
  {
    files: ['src/db/migrations/**', 'src/db/schema-helpers.ts', 'src/db/database.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/platform/**'],
    rules: {
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'Use the injected clock (PL-1).' }],
      'no-restricted-syntax': ['error', ...randomnessSelectors, ...clockSelectors],
    },
  },
  {
    files: ['src/modules/**/*.ts', 'src/flows/**/*.ts'],
    rules: { 'no-restricted-syntax': ['error', ...randomnessSelectors, ...clockSelectors, ...mutableStateSelectors] },
  },
);
