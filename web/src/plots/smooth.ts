/**
 * Exponential moving average with TensorBoard's debiasing, so the first points are not pulled
 * towards zero. `weight` 0 returns the values; 0.99 is very smooth. Non-finite values pass through.
 */
export function smooth(values: readonly number[], weight: number): number[] {
  const w = Math.min(Math.max(weight, 0), 0.999);
  let last = 0;
  let n = 0;
  return values.map((v) => {
    if (!Number.isFinite(v)) return v;
    n++;
    last = last * w + (1 - w) * v;
    const debias = 1 - Math.pow(w, n);
    return debias === 0 ? v : last / debias;
  });
}
