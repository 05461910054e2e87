// Whether two lists hold the same things in the same order (by identity): what a long-lived host
// asks before it redoes work for a list it may have seen (the import resolver of the same paths,
// the panel's ranking sent again, the Explorer's badges drawn again).

export function sameElements(a: readonly unknown[] | undefined, b: readonly unknown[] | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
