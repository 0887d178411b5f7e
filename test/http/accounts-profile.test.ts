// The member's own profile and addresses over HTTP (AC-8), with eligibility re-checked on later changes (AC-2)
// and every change audited by field name, never by value.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.ts';
import type { ZodApp } from '../../src/http/types.ts';
import { listAuditEntries } from '../../src/modules/audit/index.ts';
import { describeEachDatabase } from '../support/each-database.ts';

let addressCounter = 0;
function nextAddress(): string {
  addressCounter++;
  return `10.5.${Math.floor(addressCounter / 250)}.${(addressCounter % 250) + 1}`;
}

function errorOf(response: LightMyRequestResponse): { code: string; message: string; details?: unknown } {
  return (response.json() as { error: { code: string; message: string; details?: unknown } }).error;
}

interface Member {
  memberId: string;
  cookie: string;
  csrfToken: string;
}

describeEachDatabase('accounts: profile and addresses', (suite) => {
  let app: ZodApp;
  let memberCount = 0;
  before(async () => {
    app = await buildApp(suite.deps());
  });
  after(async () => {
    await app.close();
  });

  async function newMember(country: string, dateOfBirth: string): Promise<Member> {
    memberCount++;
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      payload: { email: `profile.member${memberCount}@example.com`, password: 'pebble-horizon-55', country, dateOfBirth },
      remoteAddress: nextAddress(),
    });
    assert.equal(response.statusCode, 201, response.body);
    const body = response.json() as { member: { id: string }; csrfToken: string };
    return { memberId: body.member.id, cookie: response.cookies.find((c) => c.name === 'patron_session')!.value, csrfToken: body.csrfToken };
  }

  const send = (member: Member, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: Record<string, unknown>) =>
    app.inject({ method, url, cookies: { patron_session: member.cookie }, headers: { 'x-csrf-token': member.csrfToken }, ...(payload ? { payload } : {}) });

  test('AC-8: names, phone (stored in E.164 with the member’s country as region) and language are saved', async () => {
    const member = await newMember('FR', '1992-08-21');
    const response = await send(member, 'PATCH', '/api/v1/me', { firstName: ' Camille ', lastName: 'Roux', preferredName: 'Cam', phone: '06 12 34 56 78', language: 'fr-fr' });
    assert.equal(response.statusCode, 200, response.body);
    const me = response.json() as Record<string, unknown>;
    assert.equal(me.firstName, 'Camille');
    assert.equal(me.lastName, 'Roux');
    assert.equal(me.preferredName, 'Cam');
    assert.equal(me.phone, '+33612345678');
    assert.equal(me.language, 'fr-FR');
    assert.equal(me.profileComplete, true, 'first and last name, phone and date of birth make a complete profile');
    const read = (await send(member, 'GET', '/api/v1/me')).json() as Record<string, unknown>;
    assert.equal(read.phone, '+33612345678');
  });

  test('AC-8: profile changes are audited with who and which fields, never the values', async () => {
    const member = await newMember('DE', '1980-01-01');
    await send(member, 'PATCH', '/api/v1/me', { firstName: 'Jonas', phone: '+49 30 901820' });
    await send(member, 'PATCH', '/api/v1/me', { firstName: 'Jonas' });
    const entries = (await listAuditEntries(suite.deps(), { memberId: member.memberId, limit: 20 })).filter((e) => e.action === 'profile.updated');
    assert.equal(entries.length, 1, 'a change to the same value records nothing');
    const entry = entries[0]!;
    assert.deepEqual(entry.actor, { id: member.memberId, role: 'member' });
    assert.deepEqual(entry.details, { fields: ['firstName', 'phone'] });
    assert.doesNotMatch(JSON.stringify(entry), /Jonas|4930901820|901820/);
  });

  test('AC-2: a later date of birth under the minimum age is refused with a clear error, and nothing changes', async () => {
    const member = await newMember('US', '1990-05-05');
    const response = await send(member, 'PATCH', '/api/v1/me', { dateOfBirth: '2012-06-01', firstName: 'Kid' });
    assert.equal(response.statusCode, 422);
    assert.equal(errorOf(response).code, 'not_eligible');
    assert.match(errorOf(response).message, /at least 14 years old/);
    const me = (await send(member, 'GET', '/api/v1/me')).json() as Record<string, unknown>;
    assert.equal(me.dateOfBirth, '1990-05-05');
    assert.equal(me.firstName, null, 'the whole change was refused');
    const ok = await send(member, 'PATCH', '/api/v1/me', { dateOfBirth: '1990-05-06' });
    assert.equal(ok.statusCode, 200);
  });

  test('AC-2: a 13-year-old French member cannot move their country to the US', async () => {
    const member = await newMember('FR', '2012-06-01');
    const response = await send(member, 'PATCH', '/api/v1/me', { country: 'US' });
    assert.equal(response.statusCode, 422);
    assert.equal(errorOf(response).code, 'not_eligible');
    assert.equal(((await send(member, 'GET', '/api/v1/me')).json() as { country: string }).country, 'FR');
  });

  test('AC-8: an invalid phone number is refused with a clear message', async () => {
    const member = await newMember('US', '1990-05-05');
    const response = await send(member, 'PATCH', '/api/v1/me', { phone: '555-0000' });
    assert.equal(response.statusCode, 400);
    assert.match(errorOf(response).message, /phone number is not valid/);
  });

  test('PL-13: a profile change with an unknown field, or a field members cannot set, is refused with 400', async () => {
    const member = await newMember('US', '1990-05-05');
    for (const payload of [{ nickname: 'x' }, { role: 'admin' }, { email: 'other@example.com' }]) {
      const response = await send(member, 'PATCH', '/api/v1/me', payload);
      assert.equal(response.statusCode, 400, JSON.stringify(payload));
      assert.equal(errorOf(response).code, 'validation');
    }
  });

  test('AC-8: addresses can be added, listed, changed and removed, each change audited', async () => {
    const member = await newMember('ES', '1975-12-12');
    const created = await send(member, 'POST', '/api/v1/me/addresses', { line1: 'Calle Mayor 1', city: 'Madrid', postalCode: '28013', country: 'es' });
    assert.equal(created.statusCode, 201, created.body);
    const address = created.json() as { id: number; country: string; line2: string | null };
    assert.equal(address.country, 'ES');
    assert.equal(address.line2, null);
    const second = (await send(member, 'POST', '/api/v1/me/addresses', { line1: 'Rua Augusta 10', city: 'Lisboa', country: 'PT' })).json() as { id: number };
    assert.notEqual(second.id, address.id);

    const list = (await send(member, 'GET', '/api/v1/me/addresses')).json() as { addresses: { id: number }[] };
    assert.deepEqual(list.addresses.map((a) => a.id), [address.id, second.id]);

    const changed = await send(member, 'PATCH', `/api/v1/me/addresses/${address.id}`, { line2: 'Piso 3', city: 'Madrid' });
    assert.equal(changed.statusCode, 200, changed.body);
    assert.equal((changed.json() as { line2: string }).line2, 'Piso 3');

    assert.equal((await send(member, 'DELETE', `/api/v1/me/addresses/${second.id}`)).statusCode, 204);
    assert.equal((await send(member, 'GET', `/api/v1/me/addresses/${second.id}`)).statusCode, 404);

    const actions = (await listAuditEntries(suite.deps(), { memberId: member.memberId, limit: 20 })).map((e) => [e.action, e.details]);
    assert.deepEqual(actions.filter(([action]) => String(action).startsWith('address.')).reverse(), [
      ['address.added', {}],
      ['address.added', {}],
      ['address.updated', { fields: ['line2'] }],
      ['address.removed', {}],
    ]);
  });

  test('PL-15: another member’s address is not found, for reading, changing or removing', async () => {
    const owner = await newMember('US', '1990-05-05');
    const other = await newMember('US', '1990-05-05');
    const address = (await send(owner, 'POST', '/api/v1/me/addresses', { line1: '1 Main St', city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' })).json() as { id: number };
    const otherAddress = (await send(other, 'GET', '/api/v1/me/addresses')).json() as { addresses: unknown[] };
    assert.deepEqual(otherAddress.addresses, []);
    // Address numbers are per member: the other member's "address 1" is their own, which does not exist.
    assert.equal((await send(other, 'GET', `/api/v1/me/addresses/${address.id}`)).statusCode, 404);
    assert.equal((await send(other, 'PATCH', `/api/v1/me/addresses/${address.id}`, { city: 'Shelbyville' })).statusCode, 404);
    assert.equal((await send(other, 'DELETE', `/api/v1/me/addresses/${address.id}`)).statusCode, 404);
    const still = (await send(owner, 'GET', `/api/v1/me/addresses/${address.id}`)).json() as { city: string };
    assert.equal(still.city, 'Springfield');
  });

  test('PL-13: an address with an unknown field or an invalid country is refused', async () => {
    const member = await newMember('US', '1990-05-05');
    assert.equal((await send(member, 'POST', '/api/v1/me/addresses', { line1: '1 Main St', city: 'X', country: 'US', floor: 2 })).statusCode, 400);
    assert.equal((await send(member, 'POST', '/api/v1/me/addresses', { line1: '1 Main St', city: 'X', country: 'XX' })).statusCode, 400);
    assert.equal((await send(member, 'POST', '/api/v1/me/addresses', { line1: '', city: 'X', country: 'US' })).statusCode, 400);
  });

  test('AC-8: without a session the profile routes answer 401', async () => {
    assert.equal((await app.inject({ method: 'GET', url: '/api/v1/me' })).statusCode, 401);
    assert.equal((await app.inject({ method: 'GET', url: '/api/v1/me/addresses' })).statusCode, 401);
  });
});
