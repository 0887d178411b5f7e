import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';

test('PL-17 defaults give the embedded SQLite database in the data folder, with demo data', () => {
  const config = loadConfig({});
  assert.equal(config.database.url, './data/patron.sqlite');
  assert.equal(config.database.isEmbeddedDefault, true);
  assert.equal(config.demoData, true);
  assert.equal(config.http.port, 3000);
  assert.equal(config.http.publicUrl, 'http://localhost:3000');
  assert.equal(config.clock.mode, 'system');
  assert.ok(Object.isFrozen(config));
});

test('PL-17 PostgreSQL by URL turns demo data off unless asked for', () => {
  const config = loadConfig({ PATRON_DATABASE_URL: 'postgres://u@db/patron', PATRON_PUBLIC_URL: 'https://rewards.example.com/' });
  assert.equal(config.database.isEmbeddedDefault, false);
  assert.equal(config.demoData, false);
  assert.equal(config.http.publicUrl, 'https://rewards.example.com');
  assert.equal(config.http.secureCookies, true);
});

test('PL-17 a bad value is a clear error at start naming the variable', () => {
  assert.throws(() => loadConfig({ PATRON_PORT: 'eighty' }), (error: unknown) => error instanceof ConfigError && /PATRON_PORT/.test(error.message));
  assert.throws(() => loadConfig({ PATRON_CLOCK: 'fast' }), /PATRON_CLOCK/);
  assert.throws(() => loadConfig({ PATRON_SMTP_URL: 'mail.example.com' }), /smtp:\/\//);
  assert.throws(() => loadConfig({ PATRON_OIDC_PROVIDERS: '{not json' }), /PATRON_OIDC_PROVIDERS: not valid JSON/);
  assert.throws(() => loadConfig({ PATRON_OIDC_PROVIDERS: '[{"id":"Google!"}]' }), /PATRON_OIDC_PROVIDERS/);
  assert.throws(() => loadConfig({ PATRON_SECRET: 'short' }), /at least 32/);
});

test('PL-17 OIDC providers parse from JSON', () => {
  const config = loadConfig({
    PATRON_OIDC_PROVIDERS: JSON.stringify([{ id: 'google', name: 'Google', issuer: 'https://accounts.google.com', clientId: 'c', clientSecret: 's' }]),
  });
  assert.equal(config.oidcProviders[0]?.id, 'google');
});
