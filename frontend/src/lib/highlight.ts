/**
 * Which parts of a name a search matched, the way the backend's full-text search matches
 * (pure, no React): each word of the query is a prefix of a word of the name, compared
 * without case or diacritics ("cafe" marks "Café", "sd" marks "sd_xl" and "SDXL").
 */
export interface Piece {
  text: string;
  hit: boolean;
}

const WORD = /[\p{L}\p{N}]+/gu;

export function fold(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

export function queryWords(query: string): string[] {
  return [...new Set((query.match(WORD) ?? []).map(fold))].sort((a, b) => b.length - a.length);
}

/** The length of the start of `word` whose folded form covers `folded` (a prefix of it). */
function prefixLength(word: string, length: number): number {
  let end = 0;
  while (end < word.length && fold(word.slice(0, end)).length < length) end += 1;
  return end;
}

export function highlight(name: string, query: string): Piece[] {
  const words = queryWords(query);
  if (words.length === 0) return [{ text: name, hit: false }];
  const pieces: Piece[] = [];
  let at = 0;
  for (const match of name.matchAll(WORD)) {
    const word = match[0];
    const start = match.index;
    const folded = fold(word);
    const hit = words.find((w) => folded.startsWith(w));
    if (!hit) continue;
    const end = start + prefixLength(word, hit.length);
    if (start > at) pieces.push({ text: name.slice(at, start), hit: false });
    pieces.push({ text: name.slice(start, end), hit: true });
    at = end;
  }
  if (at < name.length) pieces.push({ text: name.slice(at), hit: false });
  return pieces;
}
