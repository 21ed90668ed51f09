// For values the surrounding code guarantees (set before use, looked up from a table it built):
// the type system cannot see the guarantee, so this states it and fails loudly if it is ever broken,
// instead of a non-null assertion that would let an undefined travel on.

/** `value`, or an internal error naming `what` was missing when it is null or undefined. */
export function required<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`internal error: ${what} is missing`);
  return value;
}
