import type { Page } from 'playwright-core';

/**
 * What a page did wrong as a person would see it in DevTools: console errors (a failed request
 * logs one too), uncaught exceptions, requests that failed and answers of 400 and above.
 * Requests a test makes itself through `page.request` are not counted.
 */
export function watchPage(page: Page): { problems: string[] } {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`exception: ${e.message}`));
  page.on('requestfailed', (r) => {
    // An EventSource or fetch the app ends itself when leaving a page is not a failure.
    if (r.failure()?.errorText === 'net::ERR_ABORTED') return;
    problems.push(`failed: ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ''}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${String(r.status())}: ${r.request().method()} ${r.url()}`);
  });
  return { problems };
}
