/**
 * The encoding checks of the text files bonbench reads as JSON (sample dumps, bench.config.json,
 * results.json, journal.jsonl): editors on Windows may save UTF-8 with a byte-order mark, or save
 * UTF-16, and JSON.parse names neither (`Unexpected token '\uFEFF'`, an invisible character).
 */

/** The byte-order mark U+FEFF, as UTF-8 text decodes it. */
const BOM = 0xfeff

/** The text without a leading UTF-8 byte-order mark; one check of its first character. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === BOM ? text.slice(1) : text
}

/**
 * What shows that file bytes are UTF-16 rather than UTF-8 (a phrase, e.g. "it starts with the
 * UTF-16LE byte-order mark FF FE"), or undefined: a UTF-16 byte-order mark, or NUL bytes every
 * other byte in its first two pairs (UTF-16 of ASCII; UTF-8 JSON never holds a NUL byte). Pure;
 * the check of every reader that has the bytes ({@link looksUtf16} is the same on decoded text).
 */
export function utf16Sign(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'it starts with the UTF-16LE byte-order mark FF FE'
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'it starts with the UTF-16BE byte-order mark FE FF'
  if (bytes.length >= 4 && ((bytes[1] === 0 && bytes[3] === 0) || (bytes[0] === 0 && bytes[2] === 0)))
    return 'every other byte of its start is a NUL byte, as in UTF-16 text'
  return undefined
}

/**
 * {@link utf16Sign} for a reader that has only text decoded as UTF-8 (a line of a gunzipped
 * stream): whether it starts as UTF-16 would: its byte-order mark (FF FE or FE FF, bytes
 * UTF-8 never holds, each decoded as U+FFFD) before a character and a NUL, or, without it, a NUL
 * byte beside each of its first two characters (`{\0"\0` little-endian, `\0{\0"` big-endian). Reads
 * the first six characters only.
 */
export function looksUtf16(text: string): boolean {
  const start = text.slice(0, 6)
  if (start.startsWith('\uFFFD\uFFFD')) return start.length === 2 || /^(?:[^\0]\0|\0[^\0])/.test(start.slice(2))
  return /^(?:[^\0]\0[^\0]\0|\0[^\0]\0[^\0])/.test(start)
}

/** The clause of every reader's error for a UTF-16 file: `<what> <file> ${UTF16_FIX}`. */
export const UTF16_FIX = 'is UTF-16: re-save it as UTF-8'
