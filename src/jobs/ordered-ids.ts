import { randomBytes } from 'node:crypto';

/** Values of the 12-bit counter that follows the millisecond clock in an id. */
const PER_MS = 4096;

/**
 * `count` version-7 UUIDs (RFC 9562) in strictly ascending order: the Unix time in milliseconds, the version, a
 * 12-bit counter in place of `rand_a` (the next millisecond after 4,096 ids), the variant, then 62 random bits.
 * PostgreSQL compares uuids byte by byte, so they sort in the order they were made: the queue breaks ties between
 * jobs created in one transaction (one `created_on`) by id, and these ids keep the order the jobs were given in.
 */
export function orderedUuids(count: number, now: number = Date.now()): string[] {
  const out: string[] = [];
  const random = randomBytes(8 * count);
  for (let i = 0; i < count; i++) {
    const ms = (now + Math.floor(i / PER_MS)).toString(16).padStart(12, '0');
    const counter = (i % PER_MS).toString(16).padStart(3, '0');
    const tail = random.subarray(8 * i, 8 * i + 8);
    tail[0] = ((tail[0] ?? 0) & 0x3f) | 0x80;
    const hex = tail.toString('hex');
    out.push(`${ms.slice(0, 8)}-${ms.slice(8)}-7${counter}-${hex.slice(0, 4)}-${hex.slice(4)}`);
  }
  return out;
}
