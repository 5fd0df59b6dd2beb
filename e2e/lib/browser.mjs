// Debian's Chromium driven by playwright-core (no browser download), and the axe-core check.

import assert from 'node:assert/strict';
import { access, constants as fsConstants } from 'node:fs';
import { promisify } from 'node:util';
import AxeBuilder from '@axe-core/playwright';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const DESKTOP = { name: 'desktop', viewport: { width: 1280, height: 800 } };
export const PHONE = {
  name: 'phone',
  viewport: { width: 360, height: 740 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
};

/** Plain launch: Playwright gives the browser a new, empty, temporary profile. */
export async function launchBrowser() {
  try {
    await promisify(access)(CHROMIUM, fsConstants.X_OK);
  } catch {
    throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium (never a downloaded browser)`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** A fresh context (own cookies) for one device profile. */
export async function newContext(browser, baseURL, device = DESKTOP, extra = {}) {
  const { name: _name, ...opts } = device;
  return browser.newContext({ baseURL, locale: 'zh-CN', ...opts, ...extra });
}

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Human-readable listing of axe violations. */
export function formatViolations(violations) {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .map((n) => {
          const summary = (n.failureSummary || '').split('\n').map((l) => `        ${l}`).join('\n');
          return `    - ${n.target.join(' ')}\n      ${n.html}\n${summary}`;
        })
        .join('\n');
      return `  [${v.impact}] ${v.id}: ${v.help}\n    ${v.helpUrl}\n${nodes}`;
    })
    .join('\n');
}

/** Asserts the page does not scroll sideways at its viewport's width. */
export async function assertNoHorizontalScroll(page, width = page.viewportSize().width) {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  assert.ok(
    scrollWidth <= width,
    `page scrolls horizontally at ${width}px: scrollWidth ${scrollWidth} (clientWidth ${clientWidth}) on ${page.url()}`,
  );
}

/**
 * Runs axe-core (WCAG 2.0/2.1 A and AA) on the page and asserts there is no violation; on a
 * phone-sized viewport, also that the page does not scroll sideways.
 */
export async function assertNoAxeViolations(page, label) {
  if (page.viewportSize().width <= 480) await assertNoHorizontalScroll(page);
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const { violations } = results;
  if (violations.length > 0) {
    assert.fail(
      `axe found ${violations.length} WCAG 2.1 A/AA violation(s) on ${label} (${page.url()}):\n${formatViolations(violations)}`,
    );
  }
  return results;
}
