// Lint rules: typescript-eslint's recommended set, plus the conventions a reviewer would otherwise repeat.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Randomness has one home (src/platform/ids.ts); these selectors apply everywhere.
const randomnessSelectors = [
  { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'Use the injected ID generator (PL-3).' },
  { selector: "CallExpression[callee.name='randomUUID']", message: 'Use the injected ID generator (PL-3).' },
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
      // `new Date()` and `Date()` without an argument read the system time just as Date.now() does; a flat config
      // replaces a rule's options, so the randomness selectors are repeated here.
      'no-restricted-syntax': [
        'error',
        ...randomnessSelectors,
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Use the injected clock (PL-1): new Date(ctx.clock.nowMs()).' },
        { selector: "CallExpression[callee.name='Date']", message: 'Use the injected clock (PL-1): new Date(ctx.clock.nowMs()).' },
      ],
    },
  },
);
