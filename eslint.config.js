// Lint rules: typescript-eslint's recommended set, plus the conventions a reviewer would otherwise repeat.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'web/dist/**', 'data/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': ['error', { ignoreRestArgs: true }],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'Use the injected ID generator (PL-3).' },
        { selector: "CallExpression[callee.name='randomUUID']", message: 'Use the injected ID generator (PL-3).' },
      ],
    },
  },
  {
    // Module-level mutable state would be shared by every installation in one process (tests open many) and hide
    // dependencies: state lives in the database, adapters in Deps, pure caches in platform/memo.ts, per-database
    // caches in db/database-memo.ts.
    files: ['src/modules/**/*.ts', 'src/flows/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'Use the injected ID generator (PL-3).' },
        { selector: "CallExpression[callee.name='randomUUID']", message: 'Use the injected ID generator (PL-3).' },
        { selector: "Program > VariableDeclaration[kind!='const']", message: 'No module-level mutable state: keep it in the database, in Deps, or in a memo (platform/memo.ts, db/database-memo.ts).' },
        { selector: "Program > ExportNamedDeclaration > VariableDeclaration[kind!='const']", message: 'No module-level mutable state.' },
        { selector: "Program > VariableDeclaration > VariableDeclarator > NewExpression[callee.name=/^(Map|WeakMap|WeakSet|WeakRef)$/]", message: 'No module-level caches or service locators: use platform/memo.ts (pure) or db/database-memo.ts (per database), or a port in Deps.' },
        { selector: "Program > ExportNamedDeclaration > VariableDeclaration > VariableDeclarator > NewExpression[callee.name=/^(Map|WeakMap|WeakSet|WeakRef)$/]", message: 'No module-level caches or service locators.' },
      ],
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
    },
  },
);
