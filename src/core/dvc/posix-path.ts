/** POSIX path helpers for repo-relative paths ("" is the repo root). */

export function normalizePath(p: string): string {
  const out: string[] = [];
  const abs = p.startsWith('/');
  for (const seg of p.replace(/\\/g, '/').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else if (seg === '..' && abs) continue;
    else out.push(seg);
  }
  return (abs ? '/' : '') + out.join('/');
}

export function joinPath(...parts: string[]): string {
  let acc = '';
  for (const p of parts) {
    if (p === '') continue;
    acc = p.startsWith('/') || acc === '' ? p : `${acc}/${p}`;
  }
  return normalizePath(acc);
}

export function dirnamePath(p: string): string {
  const n = normalizePath(p);
  const i = n.lastIndexOf('/');
  return i < 0 ? '' : n.slice(0, i);
}
