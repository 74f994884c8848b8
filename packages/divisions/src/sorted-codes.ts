/** Index of the first code ≥ `code` in codes sorted ascending (numbers or 12-digit strings): where `code` is or would be. */
export function lowerBound<T extends number | string>(codes: ArrayLike<T>, code: T): number {
  let [lo, hi] = [0, codes.length];
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (codes[mid]! < code) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of `code` in codes sorted ascending, or -1. */
export function indexOfCode(codes: Float64Array, code: number): number {
  const i = lowerBound(codes, code);
  return i < codes.length && codes[i] === code ? i : -1;
}
