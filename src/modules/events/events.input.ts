// What an event may carry (checked where it is recorded): a catalogued type, the IDs it is about, and data of IDs,
// codes, amounts and times only — flat, short values, never names, addresses or free text.
//
// A hand-written check rather than a zod schema: every event comes from Patron's own code (no user input reaches it
// unvalidated), and the ledger records one per earn and per sweep event, where zod's object, record and union
// parsing measured 7 % of a sweep batch (docs/PERFORMANCE.md, "Session 20"). A broken rule is a programming error.
import { InvariantError } from '../../platform/assert.ts';
import { eventTypes, type EventType } from './events.catalogue.ts';

export type EventDataValue = string | number | boolean | null | (string | number)[];

export interface RecordEventInput {
  type: EventType;
  subjectId: string;
  memberId: string | null;
  data: Record<string, EventDataValue>;
}

const knownTypes: ReadonlySet<string> = new Set(eventTypes);
const inputKeys: ReadonlySet<string> = new Set(['type', 'subjectId', 'memberId', 'data']);
const dataKey = /^[a-zA-Z][a-zA-Z0-9]*$/;
const maxId = 100;
const maxText = 200;
const maxItems = 100;

function refuse(reason: string): never {
  throw new InvariantError(`event refused: ${reason}`);
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null);

const isId = (value: unknown): value is string => typeof value === 'string' && value.length >= 1 && value.length <= maxId;

function isScalar(value: unknown): boolean {
  return (typeof value === 'string' && value.length <= maxText) || (typeof value === 'number' && Number.isFinite(value));
}

/** Throws unless `input` is a recordable event; answers it typed. */
export function checkEventInput(input: unknown): RecordEventInput {
  if (!isPlainObject(input)) refuse('not an object');
  for (const key in input) if (!inputKeys.has(key)) refuse(`unknown field ${key}`);
  if (typeof input.type !== 'string' || !knownTypes.has(input.type)) refuse(`type ${String(input.type)} is not in the catalogue`);
  if (!isId(input.subjectId)) refuse('subjectId must be 1 to 100 characters');
  if (input.memberId !== null && !isId(input.memberId)) refuse('memberId must be null or 1 to 100 characters');
  const data = input.data;
  if (!isPlainObject(data)) refuse('data must be an object');
  for (const key in data) {
    if (!dataKey.test(key)) refuse(`data key ${key} is not a plain name`);
    const value = data[key];
    if (value === null || typeof value === 'boolean' || isScalar(value)) continue;
    if (Array.isArray(value) && value.length <= maxItems && value.every(isScalar)) continue;
    refuse(`data.${key} is not an ID, code, amount, flag or short list of them`);
  }
  return input as unknown as RecordEventInput;
}
