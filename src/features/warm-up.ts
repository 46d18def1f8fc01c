/** Where a column's values start. */

/** Index of the first non-NaN value of a column (its warm-up length); the column's length if none. */
export function warmUpLength(column: ArrayLike<number>): number {
  for (let i = 0; i < column.length; i++) if (column[i] === column[i]) return i;
  return column.length;
}
