import ignore from 'ignore';
import { dirnamePath, normalizePath } from './posix-path.js';

/** A `.dvcignore` file of the project: its project-relative path and its text. */
export interface DvcIgnoreText {
  path: string;
  text: string;
}

/** What DVC always ignores, before any `.dvcignore`. */
const DEFAULT_PATTERNS = ['.hg/', '.git/', '.git', '/.dvc/'];

export function isDvcIgnoreFile(p: string): boolean {
  return p === '.dvcignore' || p.endsWith('/.dvcignore');
}

const escapeGlob = (s: string) => s.replace(/[\\*?[\]]/g, (c) => `\\${c}`);

/**
 * One line of `dir/.dvcignore` as a rule of the project's root, as DVC merges them: a pattern
 * without a slash matches at any depth below `dir`, one with a slash is anchored at `dir`.
 */
export function rootRule(line: string, dir: string): string | null {
  const rule = line.replace(/(?<!\\)\s+$/, '');
  if (rule === '' || rule.startsWith('#')) return null;
  if (dir === '') return rule;
  if (rule.startsWith('!')) {
    const inner = rootRule(rule.slice(1), dir);
    return inner === null ? null : `!${inner}`;
  }
  const base = `/${escapeGlob(dir)}`;
  const body = rule.replace(/\/$/, '');
  if (!body.includes('/')) return `${base}/**/${rule}`;
  return `${base}/${rule.replace(/^\//, '')}`;
}

/**
 * Whether a project-relative path is ignored by the project's `.dvcignore` files (gitignore
 * syntax; a file in a subdirectory applies below it, its rules after its parents'), as DVC
 * decides what it collects. A `.dvcignore` that is ignored (inside an ignored directory, or by a
 * rule naming it) is not read, as DVC never reads one. `isDir` marks a directory, which patterns ending in `/` match.
 */
export function dvcIgnoreMatcher(files: readonly DvcIgnoreText[]): (p: string, isDir?: boolean) => boolean {
  const ig = ignore().add(DEFAULT_PATTERNS);
  const depth = (p: string) => p.split('/').length;
  const ordered = files
    .map((f) => ({ dir: dirnamePath(f.path), path: normalizePath(f.path).replace(/^\/+/, ''), text: f.text }))
    .sort((a, b) => depth(a.dir) - depth(b.dir) || (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0));
  for (const f of ordered) {
    // DVC never reads a .dvcignore that is itself ignored (its directory, or the file by name).
    if ((f.dir !== '' && ig.ignores(`${f.dir}/`)) || ig.ignores(f.path)) continue;
    ig.add(f.text.split(/\r?\n/).flatMap((l) => rootRule(l, f.dir) ?? []));
  }
  return (p, isDir = false) => {
    const rel = normalizePath(p).replace(/^\/+/, '');
    if (rel === '') return false;
    return ig.ignores(isDir ? `${rel}/` : rel);
  };
}

/**
 * The dvc.yaml files of a project tree (project-relative file paths, as Git or a walk lists them)
 * that DVC collects: those no `.dvcignore` of the tree excludes, the top-level one first. `ignores`
 * holds the texts of the tree's `.dvcignore` files ({@link isDvcIgnoreFile}).
 */
export function pipelineFilesOf(tree: readonly string[], ignores: readonly DvcIgnoreText[]): string[] {
  const ignored = dvcIgnoreMatcher(ignores);
  return tree
    .filter((f) => (f === 'dvc.yaml' || f.endsWith('/dvc.yaml')) && !ignored(f))
    .sort((a, b) => (a === 'dvc.yaml' ? -1 : b === 'dvc.yaml' ? 1 : a < b ? -1 : a > b ? 1 : 0));
}
