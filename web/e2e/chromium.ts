import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's Chromium, headless, with no background networking (this machine's network is closed).
 * Free of vitest, so the bench and the measuring scripts launch it the way the browser tests do.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
