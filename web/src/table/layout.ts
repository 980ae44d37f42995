export const ROW_HEIGHT = 28;
export const GROUP_ROW_HEIGHT = 22;
export const LEAF_ROW_HEIGHT = 30;

/** Left offset of each column and the total width: offsets[i] is where column i starts. */
export function prefixOffsets(widths: readonly number[]): { offsets: number[]; total: number } {
  const offsets: number[] = [];
  let x = 0;
  for (const w of widths) {
    offsets.push(x);
    x += w;
  }
  return { offsets, total: x };
}
