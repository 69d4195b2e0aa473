/**
 * Whether a refresh may replace a query's membership (enterprise-catalog.md §3.3 step 2, §3.6 / ADR 0009).
 *
 * - An empty result never replaces a non-empty membership: an upstream outage that answers "nothing" must not
 *   empty every catalog using the query. (Upstream returns early on any empty result; with no members there is
 *   nothing to protect, so that case is an ordinary, unchanged refresh here.)
 * - The guardrail: when the query has more members than the floor, was not modified today (UTC), and the size
 *   changes by more than the allowed share (growth or shrink), the old membership is kept. Saving the query
 *   (which moves its `modified`) is the escape hatch, as upstream.
 */
export interface GuardrailSettings {
  /** The guardrail considers only queries with more members than this (upstream 50). */
  floor: number;
  /** Largest allowed size change, in percent of the current size (upstream 80). */
  maxDeltaPercent: number;
}

export const UPSTREAM_GUARDRAIL: GuardrailSettings = { floor: 50, maxDeltaPercent: 80 };

/** Above this share of change a refresh is applied but logged as a warning (upstream 50 %). */
export const WARN_DELTA_PERCENT = 50;

export type MembershipVerdict =
  | { apply: true; deltaPercent: number; warning: string | null }
  | { apply: false; reason: 'empty_result' | 'guardrail'; deltaPercent: number; detail: string };

export interface MembershipChangeFacts {
  /** Members now. */
  before: number;
  /** Members the refresh would set. */
  after: number;
  /** The query's `modified`. */
  queryModified: Date;
  now: Date;
}

function startOfUtcDay(d: Date): number {
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

const round1 = (n: number): number => Math.round(n * 10) / 10;

export function judgeMembershipChange(facts: MembershipChangeFacts, settings: GuardrailSettings): MembershipVerdict {
  const { before, after } = facts;
  const deltaPercent = before === 0 ? (after === 0 ? 0 : Infinity) : (Math.abs(after - before) / before) * 100;
  if (after === 0 && before > 0) {
    return { apply: false, reason: 'empty_result', deltaPercent, detail: `upstream returned no content; kept the ${before} current members` };
  }
  const modifiedToday = facts.queryModified.getTime() >= startOfUtcDay(facts.now);
  const describe = `${before} → ${after} members (${after >= before ? '+' : '−'}${round1(deltaPercent)} %)`;
  if (before > settings.floor && !modifiedToday && deltaPercent > settings.maxDeltaPercent) {
    return {
      apply: false,
      reason: 'guardrail',
      deltaPercent,
      detail: `${describe} exceeds the ${settings.maxDeltaPercent} % guardrail; kept the current members (save the query to allow it today)`,
    };
  }
  const warning = before > settings.floor && deltaPercent > WARN_DELTA_PERCENT ? `${describe}${modifiedToday ? ', allowed: query modified today' : ''}` : null;
  return { apply: true, deltaPercent, warning };
}
