/** Text helpers shared by the LMS mappings: HTML to text, HTML escaping, truncation. */

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  ndash: '–',
  mdash: '—',
  hellip: '…',
  rsquo: '’',
  lsquo: '‘',
  rdquo: '”',
  ldquo: '“',
  copy: '©',
  reg: '®',
  trade: '™',
};

/**
 * Plain text from an HTML fragment (discovery descriptions are HTML): tags removed, block ends turned into spaces,
 * entities decoded, whitespace collapsed. Scripts and styles are dropped with their content.
 */
export function stripHtml(html: string): string {
  return decodeEntities(
    html
      .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
      .replace(/<!--[\s\S]*?-->/g, ' ')
      .replace(/<\/?(p|div|br|li|ul|ol|h[1-6]|tr|td|th|table|section|article|blockquote)\b[^>]*>/gi, ' ')
      .replace(/<[^>]+>/g, ''),
  )
    .replace(/\s+/g, ' ')
    .trim();
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, code: string) => {
    if (code[0] === '#') {
      const n = code[1] === 'x' || code[1] === 'X' ? parseInt(code.slice(2), 16) : parseInt(code.slice(1), 10);
      return Number.isFinite(n) && n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : whole;
    }
    return NAMED_ENTITIES[code.toLowerCase()] ?? whole;
  });
}

/** Escape text for an HTML body or a double-quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * Cut `text` to at most `max` characters (code points, so an emoji is never split), ending with `ellipsis` when
 * cut. The ellipsis counts towards `max`.
 */
export function truncate(text: string, max: number, ellipsis = '...'): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  const keep = Math.max(0, max - [...ellipsis].length);
  return chars.slice(0, keep).join('').trimEnd() + ellipsis;
}

/** Length in code points, the unit `truncate` and the LMS limits use. */
export function charLength(text: string): number {
  return [...text].length;
}
