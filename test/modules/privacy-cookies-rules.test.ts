// The cookie banner's pure rules (PV-23..PV-25): the sign-in merge, what blocks advertising and in which order, when
// the banner asks, and the under-16 check on calendar dates.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { advertisingBlock, bannerAsks, effectiveCategories, isUnderSixteen, mergedChoice, regionFromHeader } from '../../src/modules/privacy/index.ts';

const at = (iso: string) => Date.parse(iso);

test('PV-23 at sign-in the stricter choice wins for advertising whichever is newer; the newer wins for the rest', () => {
  const older = { recordedAtMs: 1 };
  const newer = { recordedAtMs: 2 };
  assert.equal(mergedChoice('advertising', { choice: 'granted', ...newer }, { choice: 'denied', ...older }), 'denied');
  assert.equal(mergedChoice('advertising', { choice: 'denied', ...older }, { choice: 'granted', ...newer }), 'denied');
  assert.equal(mergedChoice('advertising', { choice: 'granted', ...older }, { choice: 'granted', ...newer }), 'granted');
  assert.equal(mergedChoice('analytics', { choice: 'granted', ...newer }, { choice: 'denied', ...older }), 'granted');
  assert.equal(mergedChoice('analytics', { choice: 'granted', ...older }, { choice: 'denied', ...newer }), 'denied');
  assert.equal(mergedChoice('personalization', null, { choice: 'granted', ...older }), 'granted');
  assert.equal(mergedChoice('personalization', null, null), null);
});

test('PV-24 PV-25 advertising is blocked by age first, then restriction, an opt-out request, GPC, and only then consent', () => {
  const none = { underSixteen: false, restricted: false, optedOut: false, gpc: false };
  assert.equal(advertisingBlock({ ...none, consent: 'granted' }), null);
  assert.equal(advertisingBlock({ ...none, underSixteen: true, restricted: true, consent: 'granted' }), 'under_16');
  assert.equal(advertisingBlock({ ...none, gpc: true, consent: 'granted' }), 'gpc');
  assert.equal(advertisingBlock({ ...none, optedOut: true, gpc: true, consent: 'granted' }), 'opt_out_request');
  assert.equal(advertisingBlock({ ...none, consent: 'denied' }), 'consent');
  assert.deepEqual(effectiveCategories({ analytics: 'granted', advertising: 'granted', personalization: 'granted' }, { ...none, restricted: true }), { necessary: true, analytics: false, advertising: false, personalization: false });
});

test('PV-22 PV-23 the banner asks in an opt-in region until every purpose is chosen, and anywhere for a stale choice', () => {
  const chosen = { recorded: true, stale: false };
  const open = { recorded: false, stale: false };
  assert.equal(bannerAsks('DE', { analytics: chosen, advertising: chosen, personalization: open }), true);
  assert.equal(bannerAsks('DE', { analytics: chosen, advertising: chosen, personalization: chosen }), false);
  assert.equal(bannerAsks('US-CA', { analytics: open, advertising: open, personalization: open }), false);
  assert.equal(bannerAsks('US-CA', { analytics: { recorded: false, stale: true }, advertising: chosen, personalization: chosen }), true);
  assert.equal(bannerAsks(null, { analytics: open, advertising: open, personalization: open }), true);
});

test('PV-25 under 16 is counted on calendar dates; an unknown date of birth is not "known to be under 16"', () => {
  assert.equal(isUnderSixteen('2010-03-02', at('2026-03-01T23:00:00Z')), true, 'the day before the 16th birthday');
  assert.equal(isUnderSixteen('2010-03-02', at('2026-03-02T00:00:00Z')), false, 'the birthday itself');
  assert.equal(isUnderSixteen(null, at('2026-03-02T00:00:00Z')), false);
});

test('PV-23 the region header is read as a region; unknown and Tor codes are none', () => {
  assert.equal(regionFromHeader('de'), 'DE');
  assert.equal(regionFromHeader(' US-CA '), 'US-CA');
  assert.equal(regionFromHeader('XX'), null);
  assert.equal(regionFromHeader('T1'), null);
  assert.equal(regionFromHeader('not a region'), null);
  assert.equal(regionFromHeader(undefined), null);
});
