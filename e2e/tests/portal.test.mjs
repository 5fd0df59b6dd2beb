// Browser pass over the portal pages: Debian's Chromium (playwright-core) against a private
// `tongban serve`, axe-core WCAG 2.1 A/AA on every page, phone and desktop widths, zh and en.

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test as nodeTest } from 'node:test';
import { assertNoAxeViolations, DESKTOP, launchBrowser, newContext, PHONE } from '../lib/browser.mjs';
import { RESULTS_DIR, startServer } from '../lib/server.mjs';

const SITE_ZH = '一网通办政务服务平台';
const SITE_EN = 'Tongban Government Services';

let server;
let browser;
let setupError = null;

/**
 * A test that fails (not merely cancelled) with the setup error, e.g. a missing binary, so the
 * summary counts it under `# fail`.
 */
function test(name, fn) {
  nodeTest(name, async (t) => {
    if (setupError) throw setupError;
    await fn(t);
  });
}

/** Opens `url` in a fresh context of `device`; returns { context, page, response }. */
async function open(url, device = DESKTOP, extra = {}) {
  const context = await newContext(browser, server.baseURL, device, extra);
  const page = await context.newPage();
  const response = await page.goto(url);
  return { context, page, response };
}

async function htmlLang(page) {
  return page.evaluate(() => document.documentElement.getAttribute('lang'));
}

async function assertNoHorizontalScroll(page, width) {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  assert.ok(
    scrollWidth <= width,
    `page scrolls horizontally at ${width}px: scrollWidth ${scrollWidth} (clientWidth ${clientWidth})`,
  );
}

/** Tab to the skip link (first focusable), activate it, and check focus lands on #main. */
async function assertSkipLink(page, text) {
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => ({
    cls: document.activeElement?.className,
    href: document.activeElement?.getAttribute('href'),
    text: document.activeElement?.textContent?.trim(),
  }));
  assert.deepEqual(focused, { cls: 'skip-link', href: '#main', text }, 'first Tab focuses the skip link');
  const box = await page.locator('a.skip-link').boundingBox();
  const vp = page.viewportSize();
  assert.ok(box && box.x >= 0 && box.y >= 0 && box.x + box.width <= vp.width, `focused skip link is on screen: ${JSON.stringify(box)}`);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => location.hash === '#main');
  const activeId = await page.evaluate(() => document.activeElement?.id);
  assert.equal(activeId, 'main', 'the skip link moves focus to <main id="main">');
}

async function assertSearchLabelled(page, label) {
  const box = page.getByRole('searchbox', { name: label, exact: true });
  assert.equal(await box.count(), 1, `one search box labelled "${label}"`);
  assert.equal(await box.getAttribute('id'), 'q');
  assert.equal(await page.getByLabel(label, { exact: true }).getAttribute('name'), 'q');
  assert.equal(await page.getByRole('search').count(), 1, 'the search form is a search landmark');
}

/** Submits a GET form by clicking its button; returns the HTTP response of the new page. */
async function submit(page, buttonName, urlPattern) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => urlPattern.test(r.url()) && r.request().isNavigationRequest()),
    page.getByRole('button', { name: buttonName, exact: true }).click(),
  ]);
  await page.waitForLoadState('load');
  return response;
}

describe('Tongban portal in Chromium', () => {
  before(async () => {
    try {
      server = await startServer({ readyTimeoutMs: 60_000 });
      browser = await launchBrowser();
    } catch (e) {
      setupError = e;
    }
  });

  after(async () => {
    await browser?.close();
    // Normally stopped by the last test; this only cleans up after an earlier failure.
    if (server?.isRunning()) await server.stop();
  });

  for (const device of [DESKTOP, PHONE]) {
    const width = device.viewport.width;

    test(`home page in Chinese (default) at ${width}px`, async () => {
      const { context, page, response } = await open('/', device);
      try {
        assert.equal(response.status(), 200);
        assert.equal(await htmlLang(page), 'zh-CN');
        assert.equal(await page.title(), SITE_ZH);
        const h1 = page.getByRole('heading', { level: 1, name: SITE_ZH });
        assert.ok(await h1.isVisible(), `the site name "${SITE_ZH}" is visible as the page heading`);
        assert.ok(await page.locator('.brand-name', { hasText: SITE_ZH }).isVisible(), 'the site name is visible in the header');
        await assertSearchLabelled(page, '搜索政务服务事项');
        if (device === PHONE) await assertNoHorizontalScroll(page, width);
        await page.screenshot({ path: path.join(RESULTS_DIR, `home-zh-${width}.png`), fullPage: true });
        await assertNoAxeViolations(page, `home (zh, ${width}px)`);
        await assertSkipLink(page, '跳到主要内容');
      } finally {
        await context.close();
      }
    });

    test(`home page in English via ?lang=en, remembered by cookie, at ${width}px`, async () => {
      const { context, page, response } = await open('/?lang=en', device);
      try {
        assert.equal(response.status(), 200);
        assert.equal(await htmlLang(page), 'en');
        assert.ok(await page.getByRole('heading', { level: 1, name: SITE_EN }).isVisible(), 'English site name visible');
        await assertSearchLabelled(page, 'Search government services');
        const link = page.locator('a.lang-switch');
        assert.equal(await link.getAttribute('lang'), 'zh-CN', 'the switch link names its own language');
        const cookies = await context.cookies();
        assert.ok(cookies.some((c) => c.name === 'lang' && c.value === 'en'), `lang=en cookie set: ${JSON.stringify(cookies)}`);
        if (device === PHONE) await assertNoHorizontalScroll(page, width);
        await page.screenshot({ path: path.join(RESULTS_DIR, `home-en-${width}.png`), fullPage: true });
        await assertNoAxeViolations(page, `home (en, ${width}px)`);

        // Next visit without the query: the cookie keeps English.
        const again = await page.goto('/');
        assert.equal(again.status(), 200);
        assert.equal(await htmlLang(page), 'en', 'language remembered by cookie on the next visit to /');
        assert.ok(await page.getByRole('heading', { level: 1, name: SITE_EN }).isVisible());
        await assertSkipLink(page, 'Skip to main content');
      } finally {
        await context.close();
      }
    });
  }

  test('code check: a valid citizen id, then an invalid check character', async () => {
    // No JavaScript needed: the form is a plain GET form.
    const noJs = await newContext(browser, server.baseURL, DESKTOP, { javaScriptEnabled: false });
    let validUrl;
    let invalidUrl;
    try {
      const page = await noJs.newPage();
      const first = await page.goto('/tools/code');
      assert.equal(first.status(), 200);
      const field = page.getByLabel('代码', { exact: true });

      await field.fill('11010519491231002X');
      let res = await submit(page, '校验', /\/tools\/code\?/);
      assert.equal(res.status(), 200);
      assert.match(page.url(), /value=11010519491231002X/);
      const result = page.getByRole('status');
      assert.equal((await page.locator('#result-title').innerText()).trim(), '校验结果：有效');
      assert.match(await result.innerText(), /citizen-id/);
      validUrl = page.url();

      await page.getByLabel('代码', { exact: true }).fill('11010519491231002Y');
      res = await submit(page, '校验', /\/tools\/code\?/);
      assert.equal(res.status(), 200);
      assert.equal((await page.locator('#result-title').innerText()).trim(), '校验结果：无效');
      const reason = await page.locator('.result dd').last().innerText();
      assert.match(reason, /第\s*18\s*位|position 18/, `reason mentions position 18: ${reason}`);
      invalidUrl = page.url();
    } finally {
      await noJs.close();
    }

    // axe needs script, so scan the same result pages in an ordinary context.
    for (const [url, label] of [
      [validUrl, 'code check (valid result)'],
      [invalidUrl, 'code check (invalid result)'],
    ]) {
      const { context, page, response } = await open(url, DESKTOP);
      try {
        assert.equal(response.status(), 200);
        await assertNoAxeViolations(page, label);
      } finally {
        await context.close();
      }
    }
  });

  test('deadline: 20 working days from 2026-02-12 is 2026-03-18', async () => {
    const { context, page, response } = await open('/tools/deadline', DESKTOP);
    try {
      assert.equal(response.status(), 200);
      await assertNoAxeViolations(page, 'deadline (empty form)');
      await page.getByLabel('受理日期（YYYY-MM-DD）').fill('2026-02-12');
      await page.getByLabel('工作日数').fill('20');
      const res = await submit(page, '计算', /\/tools\/deadline\?/);
      assert.equal(res.status(), 200);
      const due = page.locator('#due-title');
      assert.match(await due.innerText(), /到期日：\s*2026-03-18/);
      assert.equal(await due.locator('time').getAttribute('datetime'), '2026-03-18');
      await assertNoAxeViolations(page, 'deadline (result)');
    } finally {
      await context.close();
    }
  });

  test('deadline: workdays "abc" shows an error block with status 400', async () => {
    const { context, page, response } = await open('/tools/deadline?from=2026-02-12&workdays=abc', PHONE);
    try {
      assert.equal(response.status(), 400);
      assert.match(response.headers()['content-type'] ?? '', /text\/html/);
      const alert = page.getByRole('alert');
      assert.ok(await alert.isVisible(), 'error block visible');
      assert.match(await alert.innerText(), /请修改以下内容/);
      assert.match(await alert.innerText(), /工作日数应为 0 到 10000 的整数，收到“abc”/);
      assert.equal(await alert.locator('a[href="#workdays"]').count(), 1, 'the error links to its field');
      assert.equal(await page.locator('#due-title').count(), 0, 'no due date on bad input');
      await assertNoHorizontalScroll(page, 360);
      await assertNoAxeViolations(page, 'deadline (error, 360px)');
    } finally {
      await context.close();
    }
  });

  test('the footer leads integrators to the API reference, rendered here from the OpenAPI document; a favicon', async () => {
    for (const device of [DESKTOP, PHONE]) {
      const { context, page } = await open('/', device);
      try {
        assert.equal(await page.locator('link[rel=icon]').getAttribute('href'), '/favicon.svg');
        // Signed out, the header offers logging in and registering.
        const header = page.locator('header');
        assert.ok(await header.getByRole('link', { name: '登录', exact: true }).isVisible());
        assert.ok(await header.getByRole('link', { name: '注册', exact: true }).isVisible());
        await page.locator('footer').getByRole('link', { name: '开放接口' }).click();
        await page.waitForURL(/\/api-docs$/);
        assert.ok(await page.getByRole('heading', { level: 1, name: '开放接口文档' }).isVisible());
        const op = page.getByRole('article', { name: 'POST /api/v1/sessions' });
        assert.match(await op.innerText(), /201[\s\S]*SessionCreated|201/);
        // An upload says it is multipart and what it holds; an enumeration lists its values;
        // the English descriptions are marked as English.
        const upload = page.getByRole('article', { name: 'POST /api/v1/applications/{id}/materials' });
        assert.match(await upload.innerText(), /multipart\/form-data[\s\S]*material/);
        assert.ok((await page.locator('main p', { hasText: /^取值：/ }).count()) > 0, 'enumerations list their values');
        assert.equal(await op.locator('p > span').first().getAttribute('lang'), 'en');
        // A tagged union lists each variant with its fields; code in the descriptions is code.
        const action = page.getByRole('article', { name: 'CaseAction' });
        assert.match(await action.getByRole('row').filter({ hasText: 'refuse' }).innerText(), /legal_basis: string, reason: string/);
        assert.ok(await action.getByRole('row').filter({ hasText: 'deliver' }).getByRole('link', { name: 'Delivery' }).isVisible());
        assert.ok((await page.locator('main [lang=en] code').count()) > 0, 'backticks become code');
        assert.equal(await page.locator('main').getByText('`', { exact: false }).count(), 0, 'no raw backticks');
        await op.getByRole('link').first().click();
        assert.match(page.url(), /#schema-/, 'a type links to its schema');
        const raw = await page.request.get(await page.getByRole('link', { name: /OpenAPI 3\.1/ }).getAttribute('href'));
        assert.equal(raw.status(), 200);
        assert.ok((await raw.json()).paths['/api/v1/sessions']);
        await assertNoAxeViolations(page, `API reference (zh, ${device.name})`);
        const icon = await page.request.get('/favicon.ico');
        assert.equal(icon.status(), 200);
        assert.equal(icon.headers()['content-type'], 'image/svg+xml');
      } finally {
        await context.close();
      }
    }
  });

  test('what people say finds the service: 生孩子 finds 生育登记服务 first, 补办身份证 a 身份证 service', async () => {
    const { context, page } = await open('/search?q=' + encodeURIComponent('生孩子'), PHONE);
    try {
      assert.match(await page.locator('li.hit').first().innerText(), /^生育登记服务/);
      await page.goto('/search?q=' + encodeURIComponent('补办身份证'));
      assert.match(await page.locator('li.hit').first().innerText(), /^居民身份证/);
      await assertNoAxeViolations(page, 'search with a synonym (zh, 360px)');
    } finally {
      await context.close();
    }
  });

  test('unknown page: 404 HTML error page', async () => {
    const { context, page, response } = await open('/no-such-page', DESKTOP);
    try {
      assert.equal(response.status(), 404);
      assert.match(response.headers()['content-type'] ?? '', /text\/html/);
      assert.equal(await htmlLang(page), 'zh-CN');
      assert.ok(await page.getByRole('heading', { level: 1, name: '出错了' }).isVisible());
      assert.ok(await page.getByText('您访问的页面不存在。').isVisible());
      assert.ok(await page.getByRole('link', { name: '返回首页' }).isVisible());
      await assertNoAxeViolations(page, '404 page');
    } finally {
      await context.close();
    }
  });

  test('server exits on SIGTERM', async () => {
    await browser.close();
    browser = null;
    const { code, signal } = await server.stop({ timeoutMs: 15_000 });
    assert.equal(signal, null, `server ended by signal ${signal}, not a graceful exit`);
    assert.equal(code, 0, `server exit code ${code}`);
  });
});
