import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { CiSummaries, CommitCiSummary } from '../../../src/contracts/ci.js';
import { CiBadge } from './CiBadge.js';
import { CiSummaryCache } from './ci-summary-cache.js';

const sha = (i: number) => i.toString(16).padStart(40, '0');
const tick = () => new Promise((r) => setTimeout(r, 5));

function recorder(answer: (sha: string) => CommitCiSummary) {
  const calls: Array<{ project: string; shas: string[] }> = [];
  const fetch = async (project: string, shas: string[]): Promise<CiSummaries> => {
    calls.push({ project, shas });
    return Object.fromEntries(shas.map((s) => [s, answer(s)]));
  };
  return { calls, fetch };
}

const running: CommitCiSummary = { state: 'running', url: 'https://ci/1', pr: null, cml: null };
const passed: CommitCiSummary = { state: 'passed', url: null, pr: null, cml: null };

describe('CiSummaryCache', () => {
  it('coalesces asks made in one tick into batches of at most 200 and never asks twice for what it holds', async () => {
    const r = recorder(() => passed);
    const cache = new CiSummaryCache(r.fetch);
    const all = Array.from({ length: 450 }, (_, i) => sha(i));
    cache.use('p', all.slice(0, 300));
    cache.use('p', all.slice(250));
    await tick();
    expect(r.calls.map((c) => c.shas.length)).toEqual([200, 200, 50]);
    expect(new Set(r.calls.flatMap((c) => c.shas)).size).toBe(450);
    cache.use('p', all.slice(0, 10));
    await tick();
    expect(r.calls).toHaveLength(3);
    expect(cache.get('p', sha(7))).toEqual(passed);
  });

  it('refetches what an event names and what is still running, only while a view wants it', async () => {
    const r = recorder((s) => (s === sha(1) ? running : passed));
    const cache = new CiSummaryCache(r.fetch);
    let notified = 0;
    cache.subscribe(() => notified++);
    const release = cache.use('p', [sha(1), sha(2)]);
    await tick();
    expect(notified).toBe(1);
    cache.invalidate('p', [sha(2), sha(9)]);
    await tick();
    expect(r.calls.at(-1)?.shas).toEqual([sha(2)]);
    cache.pollActive();
    await tick();
    expect(r.calls.at(-1)?.shas).toEqual([sha(1)]);
    cache.invalidate('p', []);
    await tick();
    expect(r.calls.at(-1)?.shas.sort()).toEqual([sha(1), sha(2)]);
    release();
    const before = r.calls.length;
    cache.invalidate('p', []);
    cache.pollActive();
    await tick();
    expect(r.calls).toHaveLength(before);
  });

  it('a failed fetch is reported and leaves the cache as it was', async () => {
    const errors: unknown[] = [];
    const cache = new CiSummaryCache(
      () => Promise.reject(new Error('down')),
      (e) => errors.push(e),
    );
    cache.use('p', [sha(1)]);
    await tick();
    expect(errors).toHaveLength(1);
    expect(cache.get('p', sha(1))).toBeUndefined();
  });
});

describe('CiBadge', () => {
  const html = (summary: CommitCiSummary | undefined) =>
    renderToStaticMarkup(createElement(CiBadge, { summary }));

  it('links the status to the CI run, the PR as #N and the CML report, with accessible names', () => {
    const out = html({
      state: 'failed',
      url: 'https://ci.example/run/3',
      pr: { url: 'https://forge.test/o/r/pull/12', number: 12 },
      cml: { url: 'https://forge.test/o/r/commit/abc#comment-1' },
    });
    expect(out).toContain('href="https://ci.example/run/3"');
    expect(out).toContain('aria-label="CI failed: open the CI run"');
    expect(out).toContain('aria-label="Pull request #12"');
    expect(out).toContain('>#12</a>');
    expect(out).toContain('aria-label="CML report"');
  });

  it('renders nothing without CI, and never links non-http URLs', () => {
    expect(html(undefined)).toBe('');
    expect(html({ state: 'none', url: null, pr: null, cml: null })).toBe('');
    const out = html({ state: 'running', url: 'javascript:alert(1)', pr: null, cml: null });
    expect(out).not.toContain('href');
    expect(out).toContain('aria-label="CI running"');
  });
});
