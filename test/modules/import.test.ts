// `patron import` (PL-11) on both databases: Patron's members format and a Smile.io export, balances as migrated lots
// the auditor accepts, rejected rows by line with nothing of them written, idempotent re-runs, dry runs, orders.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DAY_MS } from '../../src/platform/clock.ts';
import { countUsers, findImportedMemberId } from '../../src/modules/accounts/index.ts';
import { getBalance, getHistory, runCreditsAudit } from '../../src/modules/credits/index.ts';
import { listExternalOrders } from '../../src/modules/store/index.ts';
import { runImport, ImportFileError, type ImportOptions } from '../../src/flows/import.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import type { TestDeps } from '../support/deps.ts';

function source(text: string): AsyncIterable<string> {
  // Small chunks, so records cross chunk boundaries as they do when a large file is streamed.
  return (async function* () {
    for (let index = 0; index < text.length; index += 7) yield text.slice(index, index + 7);
  })();
}

function importText(deps: TestDeps, kind: ImportOptions['kind'], text: string, options: Partial<ImportOptions> = {}) {
  return runImport(deps, { kind, source: source(text), ...options });
}

async function memberId(deps: TestDeps, email: string): Promise<string> {
  const id = await findImportedMemberId(deps, email);
  assert.ok(id, `${email} was imported`);
  return id;
}

async function auditClean(deps: TestDeps): Promise<void> {
  const audit = await runCreditsAudit(deps);
  assert.equal(audit.ok, true, JSON.stringify(audit.problems));
}

const patronMembers = [
  'email,first_name,last_name,country,date_of_birth,credits,credits_expire_on',
  'ann@example.com,Ann,Lee,US,1990-04-12,250,2026-12-31',
  'bob@example.com,Bob,"Smith, Jr.",FR,1985-01-30,0,',
  'cy@example.com,,,US,2001-07-01,40,',
].join('\n');

describeEachDatabase('import', (suite) => {
  test('PL-11 a Patron members file imports members and their balances as migrated lots, available now, and the auditor balances', async () => {
    const deps = suite.deps();
    const report = await importText(deps, 'members', patronMembers);
    assert.deepEqual({ rows: report.rows, created: report.created, unchanged: report.unchanged, rejected: report.rejected, format: report.format, credits: report.creditsImported }, { rows: 3, created: 3, unchanged: 0, rejected: 0, format: 'patron', credits: 290 });
    const ann = await memberId(deps, 'ann@example.com');
    const balance = await getBalance(deps, ann);
    assert.equal(balance.available, 250, 'a migrated balance is available at once');
    assert.equal(balance.pendingTotal, 0);
    const history = await getHistory(deps, ann);
    assert.equal(history.entries.length, 1, 'no sign-up bonus for a migrated member: only the migrated balance');
    assert.equal(history.entries[0]!.reason, 'migrated');
    assert.equal(history.entries[0]!.adjustment?.reasonCode, 'migrated');
    assert.equal((await getBalance(deps, await memberId(deps, 'bob@example.com'))).available, 0);
    // The file's expiry date: usable through 2026-12-31, expired the day after.
    deps.clock.setMs(Date.parse('2026-12-31T23:00:00Z'));
    assert.equal((await getBalance(deps, ann)).available, 250);
    deps.clock.setMs(Date.parse('2027-01-01T00:30:00Z'));
    assert.equal((await getBalance(deps, ann)).available, 0);
    // No expiry in the file: the standard lifetime (12 months) from the import.
    const cy = await memberId(deps, 'cy@example.com');
    assert.equal((await getBalance(deps, cy)).available, 40);
    await auditClean(deps);

    // PL-11 a second run changes nothing.
    const usersBefore = await countUsers(deps);
    const again = await importText(deps, 'members', patronMembers);
    assert.deepEqual({ created: again.created, unchanged: again.unchanged, rejected: again.rejected, credits: again.creditsImported }, { created: 0, unchanged: 3, rejected: 0, credits: 0 });
    assert.equal(await countUsers(deps), usersBefore);
    assert.equal((await getHistory(deps, cy)).entries.length, 1);
    await auditClean(deps);
  });

  test('PL-11 rejected rows are reported by line with a reason, and nothing of them is written', async () => {
    const deps = suite.deps();
    const before = await countUsers(deps);
    const text = [
      'email,first_name,country,date_of_birth,credits,credits_expire_on',
      'good1@example.com,"Multi',
      'line",US,1990-01-01,10,',
      'not-an-email,X,US,1990-01-01,10,',
      'minus@example.com,X,US,1990-01-01,-5,',
      'nodob@example.com,X,US,,5,',
      'young@example.com,X,US,2020-01-01,5,',
      // The member would be valid, but the balance expired already: the whole row is refused, the member too.
      'expired@example.com,X,US,1990-01-01,5,2020-01-01',
      'badcountry@example.com,X,USA,1990-01-01,5,',
      'good2@example.com,Y,US,1990-01-01,7,',
    ].join('\n');
    const report = await importText(deps, 'members', text);
    assert.equal(report.created, 2);
    assert.equal(report.rejected, 6);
    assert.deepEqual(report.rejectedRows.map((row) => row.line), [4, 5, 6, 7, 8, 9]);
    assert.match(report.rejectedRows[0]!.reason, /not an email address/);
    assert.match(report.rejectedRows[1]!.reason, /negative/);
    assert.match(report.rejectedRows[2]!.reason, /date of birth/);
    assert.match(report.rejectedRows[4]!.reason, /expired/);
    assert.match(report.rejectedRows[5]!.reason, /two-letter/);
    assert.equal(await countUsers(deps), before + 2);
    assert.equal(await findImportedMemberId(deps, 'expired@example.com'), undefined, 'a row whose balance failed leaves no member behind');
    assert.equal(await findImportedMemberId(deps, 'young@example.com'), undefined);
    await auditClean(deps);
  });

  test('PL-11 a dry run reports what would happen and writes nothing', async () => {
    const deps = suite.deps();
    const before = await countUsers(deps);
    const text = patronMembers.replaceAll('@example.com', '@dry.example.com').replace(',2026-12-31', ',');
    const report = await importText(deps, 'members', `${text}\nbad,,US,1990-01-01,1,`, { dryRun: true });
    assert.equal(report.dryRun, true);
    assert.equal(report.created, 3);
    assert.equal(report.creditsImported, 290);
    assert.deepEqual(report.rejectedRows.map((row) => row.line), [5]);
    assert.equal(await countUsers(deps), before, 'no member written');
    assert.equal(await findImportedMemberId(deps, 'ann@dry.example.com'), undefined);
  });

  test('PL-11 a Smile.io customer export: extra columns ignored, US dates, points expiry, one point one credit', async () => {
    const deps = suite.deps();
    const expiry = new Date(deps.clock.nowMs() + 100 * DAY_MS).toISOString().slice(0, 10);
    const text = [
      '"Customer ID","First Name","Last Name","Email","Points Balance","Points Earned","Date of Birth","Points Expiry","VIP Tier","Membership Status"',
      `"1001","Dana","Ng","Dana@Smile.example.com","1,200","3000","04/12/1990","${expiry}","Gold","member"`,
      '"1002","Eli","Fox","eli@smile.example.com","0","10","1988-02-29","","","member"',
      '"1003","Fay","Oh","fay@smile.example.com","75","75","1975-12-01","","","member"',
    ].join('\r\n');
    const report = await importText(deps, 'members', text, { defaultCountry: 'US' });
    assert.equal(report.format, 'smile');
    assert.deepEqual({ created: report.created, rejected: report.rejected, credits: report.creditsImported }, { created: 3, rejected: 0, credits: 1275 }, JSON.stringify(report.rejectedRows));
    const dana = await memberId(deps, 'dana@smile.example.com');
    const balance = await getBalance(deps, dana);
    assert.equal(balance.available, 1200);
    const fay = await memberId(deps, 'fay@smile.example.com');
    deps.clock.advanceMs(300 * DAY_MS);
    assert.equal((await getBalance(deps, fay)).available, 75, 'no expiry in the export: the standard 12 months');
    assert.equal((await getBalance(deps, dana)).available, 0, 'expired after the export\'s points expiry date');
    await auditClean(deps);
    // Without --country and without a country column, every row says what is missing.
    const noCountry = await importText(deps, 'members', text.replaceAll('smile.example', 'other.example'));
    assert.equal(noCountry.rejected, 3);
    assert.match(noCountry.rejectedRows[0]!.reason, /--country/);
  });

  test('PL-11 an unusable header refuses the whole file', async () => {
    const deps = suite.deps();
    await assert.rejects(importText(deps, 'members', 'mail,credits\nx@example.com,1'), ImportFileError);
    await assert.rejects(importText(deps, 'orders', 'email,total\n'), ImportFileError);
    await assert.rejects(importText(deps, 'members', ''), ImportFileError);
  });

  test('PL-11 orders: one row per line, grouped by order_id, matched to members by email, idempotent, bad orders by line', async () => {
    const deps = suite.deps();
    await importText(deps, 'members', 'email,country,date_of_birth\nbuyer@example.com,US,1990-01-01');
    const buyer = await memberId(deps, 'buyer@example.com');
    const text = [
      'order_id,email,purchased_at,currency,total,item_name,item_sku,quantity,unit_price,serial_number',
      'A-1,buyer@example.com,2025-11-02T10:00:00Z,USD,59.90,Charger,CH-1,1,39.90,SN1',
      'A-1,buyer@example.com,2025-11-02T10:00:00Z,USD,59.90,Cable,CB-2,2,10.00,',
      'A-2,guest@example.com,2025-11-03,EUR,15,Case,,1,,',
      'A-3,guest@example.com,2025-11-03,USD,abc,Case,,1,,',
      'A-4,guest@example.com,2999-01-01,USD,1.00,Case,,1,,',
      'A-5,guest@example.com,2025-11-03,JPY,1.00,Case,,1,,',
    ].join('\n');
    const report = await importText(deps, 'orders', text);
    assert.equal(report.created, 2);
    assert.equal(report.rows, 6);
    assert.deepEqual(report.rejectedRows.map((row) => row.line), [5, 6, 7]);
    assert.match(report.rejectedRows[2]!.reason, /currency/);
    assert.match(report.rejectedRows[0]!.reason, /total/);
    assert.match(report.rejectedRows[1]!.reason, /future/);
    const orders = await listExternalOrders(deps, { memberId: buyer });
    assert.equal(orders.length, 1);
    assert.equal(orders[0]!.externalOrderId, 'A-1');
    assert.equal(orders[0]!.totalMinor, 5990);
    assert.deepEqual(orders[0]!.items.map((item) => [item.name, item.quantity]), [['Charger', 1], ['Cable', 2]]);
    const again = await importText(deps, 'orders', text);
    assert.deepEqual({ created: again.created, unchanged: again.unchanged, rejected: again.rejected }, { created: 0, unchanged: 2, rejected: 3 });
    assert.equal((await listExternalOrders(deps, {})).length, 2);
  });
});
