/** Checks shared by the adapters' `validateSettings`. */

/**
 * A base URL that credentials may be sent to: absolute http(s), and https unless the host is the loopback
 * interface (local fakes, development). Answers `field: problem` messages.
 */
export function checkBaseUrl(field: string, value: string): string[] {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [`${field}: must be an absolute URL`];
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return [`${field}: must be an http(s) URL`];
  if (url.username || url.password) return [`${field}: must not contain credentials`];
  const loopback = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  if (url.protocol === 'http:' && !loopback) return [`${field}: must use https`];
  return [];
}
