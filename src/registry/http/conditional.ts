import crypto from 'node:crypto';

/**
 * Conditional GETs (RFC 9110 §8.8.3 entity tags, §13.1.2 If-None-Match): pollers such
 * as the web console and `pulumi preview` send back the tag of the representation they
 * hold and get `304 Not Modified` instead of the body while it has not changed.
 */

/** A strong entity tag for `body`: a digest of its bytes, so every process agrees on it. */
export function entityTag(body: Buffer): string {
  return `"${crypto.createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/**
 * One element of an If-None-Match list, from where the scan stands: optional space, an
 * entity-tag (`"…"` or `W/"…"`, etagc = %x21 / %x23-7E / obs-text) or nothing (empty
 * list elements are allowed), optional space, then a comma or the end.
 */
const ELEMENT = /[ \t]*(?:(?:W\/)?"([\x21\x23-\x7e\x80-\xff]*)")?[ \t]*(,|$)/y;

/**
 * Whether a GET with this If-None-Match header is answered `304` for a representation
 * tagged `etag`: `*`, or a listed tag equal to it by the weak comparison (§13.1.2: the
 * opaque tags match, `W/` or not). A header that does not parse as `*` or a list of
 * entity tags is ignored (the request is answered normally), as is a missing one.
 */
export function notModified(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  const wanted = etag.startsWith('W/') ? etag.slice(2) : etag;
  let matched = false;
  let tags = 0;
  ELEMENT.lastIndex = 0;
  while (ELEMENT.lastIndex < header.length) {
    const at = ELEMENT.lastIndex;
    const element = ELEMENT.exec(header);
    if (!element || ELEMENT.lastIndex === at) return false;
    if (element[1] !== undefined) {
      tags++;
      if (`"${element[1]}"` === wanted) matched = true;
    }
    if (element[2] === '') break;
  }
  return tags > 0 && matched;
}
