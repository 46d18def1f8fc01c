/**
 * Distribution drift between a reference sample (e.g. a model's training features) and new values:
 * the reference is summarised once as quantile bin edges and the reference's share in each bin
 * (equal shares unless values tie), and the population stability index compares the new values'
 * bin shares p with the reference's q,
 * PSI = Σ (p_i − q_i)·ln(p_i / q_i). Rules of thumb: < 0.1 stable, 0.1–0.25 moderate, > 0.25 major.
 */

/** Share floor inside the logarithm, so an empty bin does not give an infinite index. */
export const PSI_EPSILON = 1e-4;

/**
 * The `bins − 1` interior edges splitting the finite values into `bins` groups of equal mass
 * (type-7 quantiles, numpy's default); NaN and ±∞ are ignored. Empty when no value is finite.
 */
export function quantileEdges(values: ArrayLike<number>, bins = 10): number[] {
  const finite: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) finite.push(values[i]!);
  if (finite.length === 0) return [];
  finite.sort((a, b) => a - b);
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    const position = (k / bins) * (finite.length - 1);
    const low = Math.floor(position);
    const high = Math.min(low + 1, finite.length - 1);
    edges.push(finite[low]! + (position - low) * (finite[high]! - finite[low]!));
  }
  return edges;
}

/** Bin of x for sorted interior edges: how many edges lie strictly below x (bins closed on the right). */
function binOf(edges: readonly number[], x: number): number {
  let low = 0;
  let high = edges.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (x > edges[middle]!) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** A reference distribution summarised for drift: interior bin edges and the reference's share per bin. */
export interface DriftReference {
  edges: number[];
  shares: number[];
}

/** Shares of the finite `values` in the bins of `edges` (null when none is finite). */
export function binShares(edges: readonly number[], values: ArrayLike<number>): number[] | null {
  const counts = new Float64Array(edges.length + 1);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (!Number.isFinite(x)) continue;
    counts[binOf(edges, x)]! += 1;
    n++;
  }
  return n === 0 ? null : Array.from(counts, (c) => c / n);
}

/** Summarise reference values: `bins` quantile bins and their shares (null when none is finite). */
export function driftReference(values: ArrayLike<number>, bins = 10): DriftReference | null {
  const edges = quantileEdges(values, bins);
  const shares = binShares(edges, values);
  return shares === null ? null : { edges, shares };
}

/** PSI = Σ (p − q)·ln(p / q) of `values` against a reference (shares floored at PSI_EPSILON); NaN when no value is finite. */
export function populationStabilityIndex(reference: DriftReference, values: ArrayLike<number>): number {
  const shares = binShares(reference.edges, values);
  if (shares === null) return Number.NaN;
  let psi = 0;
  for (let b = 0; b < shares.length; b++) {
    const p = Math.max(shares[b]!, PSI_EPSILON);
    const q = Math.max(reference.shares[b]!, PSI_EPSILON);
    psi += (p - q) * Math.log(p / q);
  }
  return psi;
}
