/**
 * The element at `index` of a list whose length the caller computed the index from (a rank, a midpoint, the
 * last element of a list known not to be empty). A missing element is a bug in that computation, so it throws
 * instead of letting `undefined` pass for a value.
 *
 * @example itemAt(sorted, Math.floor(sorted.length / 2)) // the median of a non-empty sorted list
 */
export function itemAt<T>(list: ArrayLike<T>, index: number): T {
  const item = list[index];
  if (item === undefined) throw new RangeError(`index ${index} is outside a list of ${list.length}`);
  return item;
}
