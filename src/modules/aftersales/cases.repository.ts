// Reading and writing after-sales cases, their append-only transition log, their images, and the serials recorded
// as shipped (one row type per table, one mapper each). The caller owns the transaction (CONVENTIONS 3); a case and
// its first transition are written by one call so no case exists without its submission in the log (AS-12).
import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { CaseKind, CaseState, ReasonCode, Remedy } from './cases.rules.ts';
import type { EligibilityDecision, OrderSource } from './eligibility.rules.ts';
import { aftersalesTables, type CaseActorRole, type CaseRow, type ImageRow, type ShipmentSerialRow, type TransitionRow } from './aftersales.table.ts';

export const openCaseStates = ['submitted', 'under_review', 'needs_info', 'approved', 'awaiting_return', 'received'] as const satisfies readonly CaseState[];

export interface Case {
  id: string;
  memberId: string | null;
  guestEmail: string | null;
  contactName: string;
  kind: CaseKind;
  state: CaseState;
  reason: ReasonCode;
  remedy: Remedy;
  orderRef: string;
  orderSource: OrderSource;
  orderLineId: string | null;
  productSku: string;
  serial: string | null;
  details: string;
  priority: boolean;
  eligibility: EligibilityDecision;
  stateEnteredAtMs: number;
  createdAtMs: number;
  updatedAtMs: number;
  resolvedAtMs: number | null;
  emailConfirmedAtMs: number | null;
  /** Null until the case is resolved with a remedy that did something (AS-11). */
  resolution: CaseResolution | null;
  /** AS-13: the support case this warranty claim was turned from, and the claim a support case became. */
  convertedFromCaseId: string | null;
  convertedToCaseId: string | null;
  /** Set while a refund resolution is under way (between the refund's reservation and the resolve); else null. */
  resolvingSinceMs: number | null;
}

/** What a resolution did, recorded by the resolution flow in the transaction that resolves the case. */
export interface CaseResolution {
  refundId: string | null;
  /** The zero-price replacement order, or the replacement redemption of a reward. */
  orderId: string | null;
  amountMinor: number | null;
  creditsReversed: number | null;
  creditsRestored: number | null;
  detail: string | null;
}

function toResolution(row: CaseRow): CaseResolution | null {
  const resolution: CaseResolution = {
    refundId: row.resolution_refund_id,
    orderId: row.resolution_order_id,
    amountMinor: numberOrNull(row.resolution_amount_minor),
    creditsReversed: numberOrNull(row.resolution_credits_reversed),
    creditsRestored: numberOrNull(row.resolution_credits_restored),
    detail: row.resolution_detail,
  };
  return Object.values(resolution).every((value) => value === null) ? null : resolution;
}

const numberOrNull = (value: number | null): number | null => (value === null ? null : Number(value));

export function toCase(row: CaseRow): Case {
  return {
    id: row.id,
    memberId: row.member_id,
    guestEmail: row.guest_email,
    contactName: row.contact_name,
    kind: row.kind,
    state: row.state,
    reason: row.reason,
    remedy: row.remedy,
    orderRef: row.order_ref,
    orderSource: row.order_source,
    orderLineId: row.order_line_id,
    productSku: row.product_sku,
    serial: row.serial,
    details: row.details,
    priority: Number(row.priority) === 1,
    eligibility: JSON.parse(row.eligibility) as EligibilityDecision,
    stateEnteredAtMs: Number(row.state_entered_at_ms),
    createdAtMs: Number(row.created_at_ms),
    updatedAtMs: Number(row.updated_at_ms),
    resolvedAtMs: numberOrNull(row.resolved_at_ms),
    emailConfirmedAtMs: numberOrNull(row.email_confirmed_at_ms),
    resolution: toResolution(row),
    convertedFromCaseId: row.converted_from_case_id ?? null,
    convertedToCaseId: row.converted_to_case_id ?? null,
    resolvingSinceMs: numberOrNull(row.resolving_since_ms ?? null),
  };
}

export interface CaseTransition {
  id: string;
  caseId: string;
  seq: number;
  fromState: CaseState | null;
  toState: CaseState;
  action: TransitionRow['action'];
  actorRole: CaseActorRole;
  actorId: string | null;
  reasonCode: string | null;
  note: string | null;
  atMs: number;
}

function toTransition(row: TransitionRow): CaseTransition {
  return {
    id: row.id,
    caseId: row.case_id,
    seq: Number(row.seq),
    fromState: row.from_state,
    toState: row.to_state,
    action: row.action,
    actorRole: row.actor_role,
    actorId: row.actor_id,
    reasonCode: row.reason_code,
    note: row.note,
    atMs: Number(row.at_ms),
  };
}

/** Who changed a case, and why (AS-12). */
export interface TransitionEntry {
  id: string;
  action: TransitionRow['action'];
  actorRole: CaseActorRole;
  actorId: string | null;
  reasonCode?: string | null;
  note?: string | null;
  atMs: number;
}

export type NewCase = Omit<Case, 'state' | 'stateEnteredAtMs' | 'updatedAtMs' | 'resolvedAtMs' | 'emailConfirmedAtMs' | 'resolution' | 'resolvingSinceMs' | 'convertedFromCaseId' | 'convertedToCaseId'> & {
  state: CaseState;
  emailConfirmedAtMs?: number | null;
  convertedFromCaseId?: string | null;
};

/** Writes a case and its first transition (from nothing to its first state) together. */
export async function insertCase(db: Executor, record: NewCase, first: TransitionEntry): Promise<void> {
  const t = aftersalesTables(db);
  await t
    .insertInto('aftersales_cases')
    .values({
      id: record.id,
      member_id: record.memberId,
      guest_email: record.guestEmail,
      contact_name: record.contactName,
      kind: record.kind,
      state: record.state,
      reason: record.reason,
      remedy: record.remedy,
      order_ref: record.orderRef,
      order_source: record.orderSource,
      order_line_id: record.orderLineId,
      product_sku: record.productSku,
      serial: record.serial,
      details: record.details,
      priority: record.priority ? 1 : 0,
      eligibility: JSON.stringify(record.eligibility),
      state_entered_at_ms: record.createdAtMs,
      created_at_ms: record.createdAtMs,
      updated_at_ms: record.createdAtMs,
      resolved_at_ms: null,
      email_confirmed_at_ms: record.emailConfirmedAtMs ?? null,
      resolution_refund_id: null,
      resolution_order_id: null,
      resolution_amount_minor: null,
      resolution_credits_reversed: null,
      resolution_credits_restored: null,
      resolution_detail: null,
      converted_from_case_id: record.convertedFromCaseId ?? null,
      converted_to_case_id: null,
    })
    .execute();
  await insertTransitionRow(db, { caseId: record.id, memberId: record.memberId, seq: 1, fromState: null, toState: record.state }, first);
}

async function insertTransitionRow(
  db: Executor,
  at: { caseId: string; memberId: string | null; seq: number; fromState: CaseState | null; toState: CaseState },
  entry: TransitionEntry,
): Promise<void> {
  await aftersalesTables(db)
    .insertInto('aftersales_transitions')
    .values({
      id: entry.id,
      case_id: at.caseId,
      member_id: at.memberId,
      seq: at.seq,
      from_state: at.fromState,
      to_state: at.toState,
      action: entry.action,
      actor_role: entry.actorRole,
      actor_id: entry.actorId,
      reason_code: entry.reasonCode ?? null,
      note: entry.note ?? null,
      at_ms: entry.atMs,
    })
    .execute();
}

export async function findCase(db: Executor, id: string): Promise<Case | undefined> {
  const row = await aftersalesTables(db).selectFrom('aftersales_cases').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toCase(row);
}

/**
 * Moves a case from `expected` to `to` only if it is still in `expected` (a guarded update: two agents acting on
 * the same case, or an expiry sweep racing an answer, cannot both win). False when the state had moved on. The
 * caller checks the move with assertCaseTransition and appends the transition in the same transaction.
 */
export async function updateCaseState(db: Executor, id: string, expected: CaseState, to: CaseState, atMs: number, changes: { remedy?: Remedy } = {}): Promise<boolean> {
  let query = aftersalesTables(db)
    .updateTable('aftersales_cases')
    .set({
      state: to,
      state_entered_at_ms: atMs,
      updated_at_ms: atMs,
      ...(to === 'resolved' ? { resolved_at_ms: atMs, resolving_since_ms: null } : {}),
      ...(changes.remedy ? { remedy: changes.remedy } : {}),
    })
    .where('id', '=', id)
    .where('state', '=', expected);
  // A case whose refund is on its way can only be resolved (claimCaseResolution).
  if (to !== 'resolved') query = query.where('resolving_since_ms', 'is', null);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Takes a case for a refund resolution (AS-11) while it is still in `expected` and nobody else took it: guarded like
 * a state change, so a cancel or a second resolution racing it loses. False when the case moved on or was taken.
 */
export async function claimCaseResolution(db: Executor, id: string, expected: CaseState, atMs: number): Promise<boolean> {
  const result = await aftersalesTables(db)
    .updateTable('aftersales_cases')
    .set({ resolving_since_ms: atMs, updated_at_ms: atMs })
    .where('id', '=', id)
    .where('state', '=', expected)
    .where('resolving_since_ms', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Gives the case back when its refund was refused (the case stays where it was). Idempotent. */
export async function releaseCaseResolution(db: Executor, id: string, atMs: number): Promise<void> {
  await aftersalesTables(db).updateTable('aftersales_cases').set({ resolving_since_ms: null, updated_at_ms: atMs }).where('id', '=', id).where('state', '!=', 'resolved').where('resolving_since_ms', 'is not', null).execute();
}

/** Which of these refunds already resolve a case. */
export async function findRefundsLinkedToCases(db: Executor, refundIds: readonly string[]): Promise<Set<string>> {
  if (refundIds.length === 0) return new Set();
  const rows = await aftersalesTables(db).selectFrom('aftersales_cases').select('resolution_refund_id').where('resolution_refund_id', 'in', refundIds).execute();
  return new Set(rows.map((row) => row.resolution_refund_id!));
}

/** Records what the resolution did (AS-11), in the transaction that resolves the case. */
export async function recordCaseResolution(db: Executor, id: string, resolution: CaseResolution): Promise<void> {
  await aftersalesTables(db)
    .updateTable('aftersales_cases')
    .set({
      resolution_refund_id: resolution.refundId,
      resolution_order_id: resolution.orderId,
      resolution_amount_minor: resolution.amountMinor,
      resolution_credits_reversed: resolution.creditsReversed,
      resolution_credits_restored: resolution.creditsRestored,
      resolution_detail: resolution.detail,
    })
    .where('id', '=', id)
    .execute();
}

export async function markCaseEmailConfirmed(db: Executor, id: string, atMs: number): Promise<void> {
  await aftersalesTables(db).updateTable('aftersales_cases').set({ email_confirmed_at_ms: atMs, updated_at_ms: atMs }).where('id', '=', id).where('email_confirmed_at_ms', 'is', null).execute();
}

/** Appends one state change to the case's log, numbered after the last one. */
export async function appendTransition(db: Executor, caseRecord: Pick<Case, 'id' | 'memberId'>, fromState: CaseState, toState: CaseState, entry: TransitionEntry): Promise<void> {
  const last = await aftersalesTables(db).selectFrom('aftersales_transitions').select((eb) => eb.fn.max('seq').as('seq')).where('case_id', '=', caseRecord.id).executeTakeFirst();
  const seq = Number(last?.seq ?? 0) + 1;
  await insertTransitionRow(db, { caseId: caseRecord.id, memberId: caseRecord.memberId, seq, fromState, toState }, entry);
}

export async function listTransitions(db: Executor, caseId: string): Promise<CaseTransition[]> {
  const rows = await aftersalesTables(db).selectFrom('aftersales_transitions').selectAll().where('case_id', '=', caseId).orderBy('seq', 'asc').execute();
  return rows.map(toTransition);
}

export interface QueueFilter {
  kind?: CaseKind;
  state?: CaseState;
  reason?: ReasonCode;
  limit: number;
  /** The last case of the previous page (its priority, creation time and ID). */
  after?: QueueCursor;
}

export interface QueueCursor {
  priority: boolean;
  createdAtMs: number;
  id: string;
}

export function queueCursorOf(record: Case): QueueCursor {
  return { priority: record.priority, createdAtMs: record.createdAtMs, id: record.id };
}

/**
 * The queue's conditions as literal SQL, written exactly as migration 0720's partial index `aftersales_cases_agent_queue`
 * states them: SQLite uses a partial index only when it can prove the query implies the index's condition, which it
 * cannot do through bound parameters. A guest's case joins the queue once its email is confirmed (AS-1).
 */
const openStatesCondition = sql<boolean>`state in ('submitted', 'under_review', 'needs_info', 'approved', 'awaiting_return', 'received')`;
const requesterKnownCondition = sql<boolean>`(email_confirmed_at_ms is not null or member_id is not null)`;

/**
 * AS-10: the agent queue, priority first, then oldest (ID breaks ties), one page at a time; open cases only unless
 * a state is asked for. Priority is 0 or 1, so a page reads at most two bands (1, then 0), each with an equality on
 * priority and a row-value range on (created_at_ms, id): both databases seek straight to the cursor in the index
 * instead of walking the rows before it, so the 1,000th page costs what the first does (docs/SCALING.md).
 */
export async function listQueue(db: Executor, filter: QueueFilter): Promise<Case[]> {
  const after = filter.after;
  const cases: Case[] = [];
  const bands = after ? (after.priority ? [1, 0] : [0]) : [1, 0];
  for (const band of bands) {
    const remaining = filter.limit - cases.length;
    if (remaining <= 0) break;
    let query = aftersalesTables(db).selectFrom('aftersales_cases').selectAll().where(requesterKnownCondition).where('priority', '=', band as 0 | 1);
    const openState = filter.state === undefined || (openCaseStates as readonly CaseState[]).includes(filter.state);
    if (openState) query = query.where(openStatesCondition);
    if (filter.state) query = query.where('state', '=', filter.state);
    if (filter.kind) query = query.where('kind', '=', filter.kind);
    if (filter.reason) query = query.where('reason', '=', filter.reason);
    if (after && band === (after.priority ? 1 : 0)) query = query.where((eb) => eb(eb.refTuple('created_at_ms', 'id'), '>', eb.tuple(after.createdAtMs, after.id)));
    const rows = await query.orderBy('created_at_ms', 'asc').orderBy('id', 'asc').limit(remaining).execute();
    cases.push(...rows.map(toCase));
  }
  return cases;
}

/** States in which a case's remedy counts as granted, for the serial-reuse flag (AS-2). */
export const grantedStates = ['approved', 'awaiting_return', 'received', 'resolved'] as const satisfies readonly CaseState[];

/**
 * AS-2: the cases, of any member or guest, that already refunded or replaced an item with this serial (approved or
 * further, remedy refund or replacement), so an agent sees the serial being used again. `exceptCaseId` leaves out
 * the case being looked at.
 */
export async function findGrantedCasesBySerial(db: Executor, serial: string, exceptCaseId?: string): Promise<Case[]> {
  let query = aftersalesTables(db)
    .selectFrom('aftersales_cases')
    .selectAll()
    .where('serial', '=', serial)
    .where('state', 'in', grantedStates)
    .where('remedy', 'in', ['refund', 'replacement']);
  if (exceptCaseId) query = query.where('id', '!=', exceptCaseId);
  const rows = await query.orderBy('created_at_ms', 'asc').execute();
  return rows.map(toCase);
}

export interface CaseImage {
  id: string;
  caseId: string;
  storageKey: string;
  contentType: string;
  sizeBytes: number;
  width: number;
  height: number;
  sha256: string;
  createdAtMs: number;
}

function toImage(row: ImageRow): CaseImage {
  return {
    id: row.id,
    caseId: row.case_id,
    storageKey: row.storage_key,
    contentType: row.content_type,
    sizeBytes: Number(row.size_bytes),
    width: Number(row.width),
    height: Number(row.height),
    sha256: row.sha256,
    createdAtMs: Number(row.created_at_ms),
  };
}

export async function insertImage(db: Executor, memberId: string | null, image: CaseImage): Promise<void> {
  await aftersalesTables(db)
    .insertInto('aftersales_images')
    .values({
      id: image.id,
      case_id: image.caseId,
      member_id: memberId,
      storage_key: image.storageKey,
      content_type: image.contentType,
      size_bytes: image.sizeBytes,
      width: image.width,
      height: image.height,
      sha256: image.sha256,
      created_at_ms: image.createdAtMs,
    })
    .execute();
}

export async function listImages(db: Executor, caseId: string): Promise<CaseImage[]> {
  const rows = await aftersalesTables(db).selectFrom('aftersales_images').selectAll().where('case_id', '=', caseId).orderBy('created_at_ms', 'asc').orderBy('id', 'asc').execute();
  return rows.map(toImage);
}

/** How many images a case holds (the service allows 5, AS-9). */
export async function countImages(db: Executor, caseId: string): Promise<number> {
  const row = await aftersalesTables(db).selectFrom('aftersales_images').select((eb) => eb.fn.countAll().as('n')).where('case_id', '=', caseId).executeTakeFirst();
  return Number(row?.n ?? 0);
}

export interface ShipmentSerial {
  id: string;
  orderId: string;
  orderLineId: string;
  memberId: string | null;
  serial: string;
  recordedBy: string;
  recordedAtMs: number;
}

export function toShipmentSerial(row: ShipmentSerialRow): ShipmentSerial {
  return {
    id: row.id,
    orderId: row.order_id,
    orderLineId: row.order_line_id,
    memberId: row.member_id,
    serial: row.serial,
    recordedBy: row.recorded_by,
    recordedAtMs: Number(row.recorded_at_ms),
  };
}

/** Records that `serial` shipped on the order line; a second row for the same (line, serial) is refused by the database. */
export async function insertShipmentSerial(db: Executor, record: ShipmentSerial): Promise<void> {
  await aftersalesTables(db)
    .insertInto('aftersales_shipment_serials')
    .values({
      id: record.id,
      order_id: record.orderId,
      order_line_id: record.orderLineId,
      member_id: record.memberId,
      serial: record.serial,
      recorded_by: record.recordedBy,
      recorded_at_ms: record.recordedAtMs,
    })
    .execute();
}

/** The serials recorded as shipped on an order line (empty when none were recorded: checkSerialAgainstShipment). */
export async function findShipmentSerials(db: Executor, orderLineId: string): Promise<ShipmentSerial[]> {
  const rows = await aftersalesTables(db).selectFrom('aftersales_shipment_serials').selectAll().where('order_line_id', '=', orderLineId).orderBy('serial', 'asc').execute();
  return rows.map(toShipmentSerial);
}
