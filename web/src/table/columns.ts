import type { TableColumn } from '../../../src/contracts/api.js';

/** The group labels above a leaf: kind ▸ file ▸ every key but the last. */
export function groupPath(col: TableColumn): string[] {
  return [col.kind, col.file, ...col.path.slice(0, -1)];
}

export const leafName = (col: TableColumn): string => col.path[col.path.length - 1] ?? col.file;

/** Number of group header rows needed above the leaf headers. */
export function headerDepth(cols: readonly TableColumn[]): number {
  let depth = 0;
  for (const c of cols) depth = Math.max(depth, groupPath(c).length);
  return depth;
}

export interface HeaderSegment {
  /** Unique among the segments of one level: the group path joined. */
  key: string;
  label: string;
  kind: TableColumn['kind'];
  /** Leaf indices, inclusive. */
  from: number;
  to: number;
}

/**
 * The group cells of one header level for leaves in their shown order: adjacent leaves that share
 * the group path up to `level` merge into one cell, so a moved column splits its group honestly.
 */
export function headerSegments(cols: readonly TableColumn[], level: number): HeaderSegment[] {
  const out: HeaderSegment[] = [];
  let current: HeaderSegment | null = null;
  cols.forEach((col, i) => {
    const path = groupPath(col);
    const label = path[level];
    if (label === undefined) {
      current = null;
      return;
    }
    const key = path.slice(0, level + 1).join('\u0000');
    if (current && current.key === key && current.to === i - 1) {
      current.to = i;
      return;
    }
    current = { key, label, kind: col.kind, from: i, to: i };
    out.push(current);
  });
  return out.map((s, i) => ({ ...s, key: `${s.key}\u0000${String(i)}` }));
}

export interface ColumnNode {
  key: string;
  label: string;
  children: ColumnNode[];
  /** Every leaf column id under this node, in order. */
  leafIds: string[];
  column?: TableColumn;
}

/** A kind ▸ file ▸ key tree for the columns menu. */
export function buildColumnTree(cols: readonly TableColumn[]): ColumnNode[] {
  const root: ColumnNode = { key: '', label: '', children: [], leafIds: [] };
  for (const col of cols) {
    let node = root;
    node.leafIds.push(col.id);
    for (const label of groupPath(col)) {
      const key = `${node.key}/${label}`;
      let child = node.children.find((c) => c.key === key && !c.column);
      if (!child) {
        child = { key, label, children: [], leafIds: [] };
        node.children.push(child);
      }
      child.leafIds.push(col.id);
      node = child;
    }
    node.children.push({
      key: `${node.key}/=${col.id}`,
      label: leafName(col),
      children: [],
      leafIds: [col.id],
      column: col,
    });
  }
  return root.children;
}

/** Moves `ids` (kept in their relative order) to just before `targetId`, or to the end when null. */
export function moveIds(order: readonly string[], ids: readonly string[], targetId: string | null): string[] {
  if (targetId !== null && ids.includes(targetId)) return [...order];
  const moving = new Set(ids);
  const kept = order.filter((id) => !moving.has(id));
  const moved = order.filter((id) => moving.has(id));
  const at = targetId === null ? kept.length : kept.indexOf(targetId);
  if (at < 0) return [...order];
  return [...kept.slice(0, at), ...moved, ...kept.slice(at)];
}

/**
 * The saved order, reconciled with the columns the server sends now: new ones are appended,
 * metrics before params, since the results are what people scan first.
 */
export function reconcileOrder(saved: readonly string[], cols: readonly TableColumn[]): string[] {
  const present = new Set(cols.map((c) => c.id));
  const kept = saved.filter((id) => present.has(id));
  const seen = new Set(kept);
  const fresh = cols.filter((c) => !seen.has(c.id));
  const byKind = (kind: TableColumn['kind']) => fresh.filter((c) => c.kind === kind).map((c) => c.id);
  return [...kept, ...byKind('metrics'), ...byKind('params')];
}
