/**
 * Stored payloads come back from the audit table as untyped JSON. Before sending, each one is checked against its
 * LMS schema; a payload that does not fit is answered with a permanent outcome for its item instead of being sent
 * (or crashing the chunk).
 */
import type { Static, TSchema } from 'typebox';
import { Compile, type Validator } from 'typebox/compile';
import { type ItemOutcome, type OutboundItem, PermanentChannelError } from '../channel-adapter.js';

export interface CheckedItem<T> {
  contentId: string;
  payload: T;
}

/**
 * Each payload schema compiled once, on first use: every item of every chunk is checked, and the interpreted check
 * walked the schema per item (B6 profile: about 25 µs per item, most of a webhook chunk's own CPU).
 */
const validators = new WeakMap<TSchema, Validator>();

function validatorOf(schema: TSchema): Validator {
  let v = validators.get(schema);
  if (v === undefined) validators.set(schema, (v = Compile(schema)));
  return v;
}

/** Split a chunk into items whose metadata fits `schema` and permanent outcomes for those that do not. */
export function checkPayloads<S extends TSchema>(
  items: readonly OutboundItem[],
  schema: S,
): { valid: CheckedItem<Static<S>>[]; rejected: ItemOutcome[] } {
  const valid: CheckedItem<Static<S>>[] = [];
  const rejected: ItemOutcome[] = [];
  const validator = validatorOf(schema);
  for (const item of items) {
    if (validator.Check(item.metadata)) {
      valid.push({ contentId: item.contentId, payload: item.metadata as Static<S> });
    } else {
      const first = validator.Errors(item.metadata)[0];
      const where = first ? `${first.instancePath || '/'}: ${first.message}` : 'does not match the schema';
      rejected.push({
        contentId: item.contentId,
        ok: false,
        error: new PermanentChannelError(`stored channel metadata is not a valid payload (${where})`),
      });
    }
  }
  return { valid, rejected };
}

/** Outcomes in the order of the chunk, whatever order they were produced in. */
export function inChunkOrder(items: readonly OutboundItem[], outcomes: readonly ItemOutcome[]): ItemOutcome[] {
  const byId = new Map(outcomes.map((o) => [o.contentId, o]));
  return items.map((i) => byId.get(i.contentId)).filter((o): o is ItemOutcome => o !== undefined);
}
