/**
 * Boolean query flags (`get_catalog_list`, `get_catalogs_containing_specified_content_ids`,
 * `traverse_pagination`, `skip_customer_fetch`, …).
 *
 * Deliberate deviation from upstream: enterprise-catalog treats *any non-empty value* as true, so
 * `?traverse_pagination=false` turns pagination off (reference §8 lists this as a gotcha). We accept the usual
 * spellings in either case — `true/1/yes` and `false/0/no/""` — and answer anything else with a 400 instead of
 * guessing. Upstream clients send `True`, `true` or `1`, which keep their meaning.
 */
import { badRequest } from '../shared/errors.js';

const TRUE_VALUES = new Set(['true', '1', 'yes']);
const FALSE_VALUES = new Set(['false', '0', 'no', '']);

/**
 * Parses one boolean query flag.
 *
 * @param name  the parameter name, used in the error message
 * @param value the raw query value: absent (`undefined`), one string, or the list a repeated parameter gives;
 *              for a list the last value counts, as Django's `QueryDict.get` does
 * @param defaultValue returned when the parameter is absent
 * @throws AppError `bad_request` / `invalid_boolean_flag` for any other spelling
 */
export function parseBooleanFlag(
  name: string,
  value: string | readonly string[] | undefined,
  defaultValue = false,
): boolean {
  const raw = typeof value === 'string' ? value : value?.[value.length - 1];
  if (raw === undefined) return defaultValue;
  const normalised = raw.trim().toLowerCase();
  if (TRUE_VALUES.has(normalised)) return true;
  if (FALSE_VALUES.has(normalised)) return false;
  throw badRequest(
    'invalid_boolean_flag',
    `Invalid value for "${name}": ${JSON.stringify(raw)}. Use true/false, 1/0 or yes/no.`,
  );
}
