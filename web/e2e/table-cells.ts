import type { Page } from 'playwright-core';

/** One drawn cell of a column, with what names its row. */
export interface Cell {
  /** The row's commit message (commit rows) or experiment message. */
  message: string;
  /** The experiment's name on experiment rows, '' on commit rows. */
  exp: string;
  /** The row's branch chips. */
  branches: string[];
  text: string;
  cls: string;
}

/** Scrolls the table sideways until the column labelled `label` is drawn (columns are virtualized). */
export async function reveal(page: Page, label: string): Promise<void> {
  const drawn = () =>
    page.evaluate(
      (label) =>
        [...document.querySelectorAll<HTMLElement>('.leaf-cell')].some(
          (h) => h.title.split('\n')[0] === label,
        ),
      label,
    );
  if (await drawn()) return;
  await page.locator('.grid').evaluate((g) => (g.scrollLeft = 0));
  for (let i = 0; i < 40 && !(await drawn()); i++) {
    await page.locator('.grid').evaluate((g) => (g.scrollLeft += 300));
    await page.waitForTimeout(100);
  }
}

/** The cells under the leaf header whose label (first title line) is `label`, with their row. */
export async function column(page: Page, label: string): Promise<Cell[]> {
  await reveal(page, label);
  return page.evaluate((label) => {
    const header = [...document.querySelectorAll<HTMLElement>('.leaf-cell')].find(
      (h) => h.title.split('\n')[0] === label,
    );
    if (!header) return [];
    const rows = [...document.querySelectorAll<HTMLElement>('.grid .row:not(.row-skeleton)')];
    return rows.map((r) => {
      const cell = [...r.querySelectorAll<HTMLElement>(':scope > .cell')].find(
        (c) => c.style.left === header.style.left,
      );
      const span = cell?.querySelector('span');
      return {
        message: r.querySelector('.message')?.textContent ?? '',
        exp: r.querySelector('.exp-name')?.textContent?.replace(/^└\s*/, '') ?? '',
        branches: [...r.querySelectorAll('.chip-branch')].map((c) => c.textContent ?? ''),
        text: span?.textContent ?? '',
        cls: span?.className ?? '',
      };
    });
  }, label);
}
