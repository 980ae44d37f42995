import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface AxeResult {
  violations: { id: string; impact?: string | null; help: string; nodes: { target: unknown[] }[] }[];
}

/**
 * Runs axe-core in the page (on `include`, or the whole document) and returns its serious and
 * critical violations, one line each with where they are: a test expects none.
 */
export async function seriousViolations(page: Page, include?: string): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async (sel) => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<unknown> } })
      .axe;
    return axe.run(sel ? { include: [sel] } : document, { resultTypes: ['violations'] });
  }, include);
  return (result as AxeResult).violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact ?? ''}): ${v.help} at ${v.nodes
          .slice(0, 4)
          .map((n) => JSON.stringify(n.target))
          .join(', ')}`,
    );
}

/** Whether the focused element shows where focus is (an outline or a focus ring drawn as a shadow). */
export function focusVisible(page: Page): Promise<{ what: string; visible: boolean }> {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { what: 'body', visible: false };
    // A field may show focus on its box (`:focus-within`), a switch on its track: look two levels up.
    const shows = (e: Element | null): boolean => {
      if (!e) return false;
      const s = getComputedStyle(e);
      return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
    };
    const track = el.nextElementSibling;
    const visible =
      shows(el) || shows(el.parentElement) || shows(el.parentElement?.parentElement ?? null) || shows(track);
    const label =
      el.getAttribute('aria-label') ?? (el instanceof HTMLInputElement ? el.labels?.[0]?.textContent : null);
    const what = `${el.tagName.toLowerCase()}${label ? `[${label}]` : ''} ${(el.textContent ?? '').trim().slice(0, 30)}`;
    return { what, visible };
  });
}
