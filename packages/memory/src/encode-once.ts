// What lets a write encode each value once and keep few objects: texts
// remembered by object identity within one put, a list compared element by
// element with one already encoded, and flat keys.

// A key the storage keeps: the same text as `${a}\u0000${b}` (channelVersionKey's
// for a channel value), built flat. A template builds a rope that a Map
// flattens into a second string and keeps both: two objects for the
// collector to trace per key, for as long as the thread lives.
export function keptKey(a: string, b: string): string {
  return [a, b].join("\u0000");
}

// How many distinct objects a put remembers the text of (a put has a few channels).
export const SHARED_TEXTS = 8;

export function textOf(
  texts: readonly [value: object, text: string][],
  value: object,
): string | undefined {
  for (const [seen, text] of texts) if (seen === value) return text;
  return undefined;
}

// True when two lists encode to the same text: same length, holes and
// elements (the encoder reads nothing else of a list).
export function sameElements(a: unknown, b: readonly unknown[]): boolean {
  if (a === b) return true;
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if ((a as { toJSON?: unknown }).toJSON !== (b as { toJSON?: unknown }).toJSON) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] || i in a !== i in b) return false;
  return true;
}
