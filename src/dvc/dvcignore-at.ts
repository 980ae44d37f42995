import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import path from 'node:path/posix';
import {
  dvcIgnoreMatcher,
  isDvcIgnoreFile,
  pipelineFilesOf,
  type DvcIgnoreText,
} from '../core/dvc/dvcignore.js';
import { dirnamePath } from '../core/dvc/posix-path.js';
import { git, GitError } from '../git/run-git.js';
import type { IgnorePredicate } from './hash.js';
import { PipelineError } from './pipeline/project.js';
import type { DirIgnore } from './workspace.js';

/** More `.dvcignore` files than this are not read (each is one `git show`). */
const MAX_IGNORE_FILES = 200;

/**
 * The dvc.yaml files of a commit that DVC collects (no `.dvcignore` excludes them), the top-level
 * one first. `tree` lists the commit's files relative to the project directory `subdir`.
 */
export async function pipelineFilesAt(
  mirror: string,
  sha: string,
  subdir: string,
  tree: readonly string[],
): Promise<string[]> {
  const ignores: DvcIgnoreText[] = [];
  for (const f of tree.filter(isDvcIgnoreFile).slice(0, MAX_IGNORE_FILES)) {
    try {
      ignores.push({ path: f, text: await git(['show', `${sha}:${path.join(subdir, f)}`], { cwd: mirror }) });
    } catch (err) {
      if (!(err instanceof GitError)) throw err;
    }
  }
  return pipelineFilesOf(tree, ignores);
}

type Matcher = (p: string, isDir?: boolean) => boolean;

const isEnoent = (e: unknown): boolean =>
  e instanceof Error && 'code' in e && (e.code === 'ENOENT' || e.code === 'ENOTDIR');

/**
 * The `.dvcignore` rules of a project's work tree as DVC applies them to what it collects. The
 * files are read afresh, from the project root down to the directory asked about, each time (a
 * stage may write them); one that is itself ignored is not read, as in DVC.
 */
export class WorkTreeDvcIgnore implements DirIgnore {
  private readonly matchers = new Map<string, Matcher>();

  constructor(readonly root: string) {}

  /** The project-relative POSIX path of `abs`, or undefined when it is outside the project. */
  private rel(abs: string): string | undefined {
    const r = relative(this.root, abs);
    if (r === '') return '';
    if (r.startsWith('..') || isAbsolute(r)) return undefined;
    return r.split(sep).join('/');
  }

  /** The rules that apply below the project-relative directory `dir`: DVC's defaults and `.dvcignore` files in and above it. */
  private async matcherAt(dir: string): Promise<{ match: Matcher; files: number }> {
    const texts: DvcIgnoreText[] = [];
    let match = this.memo(texts);
    const parts = dir === '' ? [] : dir.split('/');
    for (let i = 0; i <= parts.length; i++) {
      const file = [...parts.slice(0, i), '.dvcignore'].join('/');
      if (match(file)) continue;
      let text: string;
      try {
        text = await readFile(join(this.root, file), 'utf8');
      } catch (e) {
        if (isEnoent(e) || (e instanceof Error && 'code' in e && e.code === 'EISDIR')) continue;
        throw e;
      }
      texts.push({ path: file, text });
      match = this.memo(texts);
    }
    return { match, files: texts.length };
  }

  private memo(texts: DvcIgnoreText[]): Matcher {
    const key = JSON.stringify(texts);
    let m = this.matchers.get(key);
    if (m === undefined) {
      m = dvcIgnoreMatcher(texts);
      this.matchers.set(key, m);
    }
    return m;
  }

  /**
   * Whether DVC leaves out the path `abs`: as what it is when it exists, else as a file or as a
   * directory; never a path outside the project.
   */
  async ignores(abs: string): Promise<boolean> {
    const r = this.rel(abs);
    if (r === undefined || r === '') return false;
    const { match } = await this.matcherAt(dirnamePath(r));
    const st = await stat(abs).catch(() => undefined);
    if (st?.isDirectory() === true) return match(r, true);
    if (st !== undefined) return match(r, false);
    return match(r, false) || match(r, true);
  }

  async under(dir: string, collect: boolean): Promise<IgnorePredicate | undefined> {
    const r = this.rel(dir);
    if (r === undefined) return undefined;
    const { match, files } = await this.matcherAt(dirnamePath(r));
    const refuse = (p: string): never => {
      const file = r === '' ? p : `${r}/${p}`;
      throw new PipelineError(
        `'${file}': DVC does not collect a tracked directory holding a .dvcignore; ` +
          `put its rules in a .dvcignore above '${r}'`,
      );
    };
    const isIgnoreFile = (p: string): boolean => p === '.dvcignore' || p.endsWith('/.dvcignore');
    if (files === 0 && r !== '') {
      // DVC's defaults alone (.git and .hg anywhere; /.dvc/ only at the root): no matcher per path
      return (p, isDir) => {
        const name = p.slice(p.lastIndexOf('/') + 1);
        if (name === '.git' || (isDir && name === '.hg')) return true;
        if (collect && !isDir && name === '.dvcignore') refuse(p);
        return false;
      };
    }
    const prefix = r === '' ? '' : `${r}/`;
    return (p, isDir) => {
      if (match(prefix + p, isDir)) return true;
      if (collect && !isDir && isIgnoreFile(p)) refuse(p);
      return false;
    };
  }
}
