// Browser pass over applications and cases against a private `tongban serve` with its demo data:
// a citizen finds 个体工商户设立登记 of 北京市东城区, applies online (pre-filled fields marked by
// their source, a field-named error, check your answers with a change link, the receipt); the
// platform administrator (made with the CLI) gives the agency a window and an approver; window
// staff accept, the approver passes the first review step and asks for a supplement once listing
// everything (the clock pauses), the citizen answers it, the approver approves and concludes,
// window staff deliver online; the citizen sees the final state, the clock and the whole
// timeline in plain words. Also: refused staff actions name the field and keep what was typed,
// a person without real-name verification keeps the draft but cannot submit, another citizen
// gets 404 for the case. axe-core WCAG 2.1 A/AA on every page and state in zh; en and the 360 px
// phone for the form, check, case and workbench pages.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test as nodeTest } from 'node:test';
import { assertNoAxeViolations, DESKTOP, launchBrowser, newContext, PHONE } from '../lib/browser.mjs';
import { RESULTS_DIR, startServer } from '../lib/server.mjs';

// People of datasets/registry/demo.csv (fictional).
const PASSWORD = 'Tongban-2026';
const CITIZEN = { name: '张三', id: '110101199003070011', phone: '13812345678' };
const WINDOW = { name: '李四', id: '110105198511200127', phone: '13912345678' };
const APPROVER = { name: '王五', id: '310104197806150231', phone: '13712345678' };
const ADMIN = { name: '赵六', id: '440106199202290349', phone: '13612345678' };
const STRANGER = { name: '陈晓明', id: '510104200001010452', phone: '13512345678' };

// 个体工商户设立登记 at 北京市东城区市场监督管理局 in the demo catalog.
const OFFERING = {
  code: '1111010143783071XP0700105001000',
  name: '个体工商户设立登记',
  agency: '1111010143783071XP',
  agencyName: '北京市东城区市场监督管理局',
  division: '110101',
};
const MISSING = ['经营场所使用证明（房屋租赁合同）', '经营者身份证复印件（正反面）'];

let server;
let browser;
let setupError = null;
/** The case number the journey makes; later tests read it. */
let caseNumber = null;

function test(name, fn, options = {}) {
  nodeTest(name, options, async (t) => {
    if (setupError) throw setupError;
    await fn(t);
  });
}

async function withPage(device, fn) {
  const context = await newContext(browser, server.baseURL, device);
  const page = await context.newPage();
  try {
    return await fn(page, context);
  } finally {
    await context.close();
  }
}

async function assertNoHorizontalScroll(page, width) {
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scrollWidth <= width, `page scrolls horizontally at ${width}px: ${scrollWidth} on ${page.url()}`);
}

/** Submits the form that holds `button` and waits for the page it leads to. */
async function submit(page, button) {
  await Promise.all([page.waitForNavigation(), button.click()]);
}

/** A table row's cells keyed by their column headers. */
async function withHeaders(page, row) {
  const headers = await page.getByRole('columnheader').allInnerTexts();
  const cells = await row.locator('th, td').allInnerTexts();
  return Object.fromEntries(headers.map((h, i) => [h.trim(), (cells[i] ?? '').trim()]));
}

/** The text of `main`, one string. */
const mainText = (page) => page.locator('main').innerText();

async function register(page, person) {
  await page.goto('/register');
  await page.getByLabel('姓名').fill(person.name);
  await page.getByLabel('居民身份证号码').fill(person.id);
  await page.getByLabel('手机号码').fill(person.phone);
  await page.getByLabel('口令', { exact: true }).fill(PASSWORD);
  await page.getByLabel('再次输入口令').fill(PASSWORD);
  await submit(page, page.getByRole('button', { name: '注册' }));
  if (!page.url().endsWith('/account')) {
    const why = (await page.getByRole('alert').count()) ? await page.getByRole('alert').innerText() : await mainText(page);
    assert.fail(`${person.name} is not registered: ${why}`);
  }
}

/** Each person's cookies after logging in with the form once: the server allows 20 login and
 * registration attempts a minute from one address, and this file makes more than that. */
const sessions = new Map();

async function login(page, person) {
  const context = page.context();
  await context.clearCookies();
  if (sessions.has(person.phone)) {
    await context.addCookies(sessions.get(person.phone));
    return;
  }
  await page.goto('/login?lang=zh');
  await page.getByLabel('证件号码或手机号码').fill(person.phone);
  await page.getByLabel('口令').fill(PASSWORD);
  await submit(page, page.getByRole('button', { name: '登录' }));
  assert.match(page.url(), /\/account$/, `${person.name} is logged in`);
  sessions.set(person.phone, await context.cookies());
}

/** Opens the case from the workbench queue whose heading starts with `side` and checks its row. */
async function openFromQueue(page, side, state) {
  await page.goto('/workbench');
  assert.ok(await page.getByRole('heading', { name: '办件工作台', level: 1 }).isVisible());
  const queue = page.getByRole('region', { name: new RegExp(`^${side}`) });
  const row = queue.getByRole('row').filter({ hasText: caseNumber });
  assert.equal(await row.count(), 1, `the case is in the ${side} queue`);
  assert.ok((await row.innerText()).includes(state), `shown as ${state}: ${await row.innerText()}`);
  await assertNoAxeViolations(page, `workbench, ${side} (zh)`);
  await row.getByRole('link', { name: caseNumber }).click();
  await page.waitForURL(new RegExp(`/workbench/cases/${caseNumber}$`));
}

/** Takes a staff action on the open workbench case page: fills its form and presses its button. */
async function act(page, action, fill = async () => {}) {
  const form = page.getByRole('form', { name: action, exact: true });
  await fill(form);
  await submit(page, form.getByRole('button', { name: action, exact: true }));
  assert.match(page.url(), /\?done=acted$/, `${action}: ${await mainText(page)}`);
  assert.match(await page.getByRole('status').innerText(), /操作已完成/);
}

/** The case state the case facts show (without the supervision colour beside it). */
async function caseState(page) {
  const dd = page.locator('dl.kv dt', { hasText: '办理状态' }).first().locator('xpath=following-sibling::dd[1]');
  return (await dd.locator('strong').innerText()).trim();
}

/** The value the case facts list shows for a term. */
async function fact(page, term) {
  const dd = page.locator('dl.kv dt', { hasText: term }).first().locator('xpath=following-sibling::dd[1]');
  return (await dd.innerText()).trim();
}

describe('Tongban applications and cases in Chromium', () => {
  before(async () => {
    try {
      // Notices of one case within 3 s go as one text (120 s by default): short enough to see here.
      server = await startServer({
        readyTimeoutMs: 60_000,
        logName: 'server-cases.log',
        settings: { TONGBAN_NOTICE_COMBINE_SECONDS: '3' },
      });
      browser = await launchBrowser();
    } catch (e) {
      setupError = e;
    }
  });

  after(async () => {
    await browser?.close();
    if (server?.isRunning()) await server.stop();
  });

  test('a citizen finds the service, applies online, checks the answers and submits', () =>
    withPage(DESKTOP, async (page) => {
      await register(page, CITIZEN);
      await submit(page, page.getByRole('button', { name: '进行实名核验' }));
      assert.match(await page.getByRole('status').innerText(), /实名核验已通过/);

      // Find the service: the portal search, the 东城区 result, its guide.
      await page.goto('/');
      await page.getByRole('searchbox').first().fill(OFFERING.name);
      await submit(page, page.getByRole('button', { name: '搜索' }).first());
      assert.match(page.url(), /\/search\?/);
      const hit = page.locator('li.hit').filter({ hasText: '北京市东城区市场监督管理局' }).filter({ hasText: OFFERING.name });
      assert.ok((await hit.count()) >= 1, 'the 东城区 offering is among the results');
      // The same service of five places is one line listing them; 东城区's is one of its links.
      await hit.first().locator(`a[href="/offerings/${OFFERING.code}"]`).click();
      await page.waitForURL(new RegExp(`/offerings/${OFFERING.code}$`));
      await page.getByRole('link', { name: '在线申请' }).click();
      await page.waitForURL(new RegExp(`/apply/${OFFERING.code}$`));
      assert.ok(await page.getByRole('heading', { name: OFFERING.name, level: 1 }).isVisible());
      await assertNoAxeViolations(page, 'apply start (zh)');
      await submit(page, page.getByRole('button', { name: '在线申请' }));
      assert.match(page.url(), /\/applications\/[^/?]+\?page=1$/);
      const applicationPath = new URL(page.url()).pathname;

      // Page 1: what the account knows is filled in and says where it came from.
      assert.ok(await page.getByRole('heading', { name: '经营者信息', level: 1 }).isVisible());
      assert.match(await mainText(page), /第 1 页，共 3 页/);
      assert.equal(await page.getByLabel('经营者姓名').inputValue(), CITIZEN.name);
      assert.equal(await page.getByLabel('联系电话').inputValue(), CITIZEN.phone);
      for (const label of ['经营者姓名', '联系电话']) {
        const description = await page.getByLabel(label).getAttribute('aria-describedby');
        const ids = description.split(/\s+/).filter(Boolean);
        const described = await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).allInnerTexts()));
        assert.ok(described.flat().includes('来自您的实名账户'), `${label} is marked with its source: ${described}`);
      }
      assert.equal(await page.getByText('来自您的实名账户').count(), 2);
      await assertNoAxeViolations(page, 'application page 1 (zh)');
      await submit(page, page.getByRole('button', { name: '保存并继续' }));
      assert.match(page.url(), /\?page=2$/);

      // Page 2: a required field left empty is named in the error.
      assert.ok(await page.getByRole('heading', { name: '个体工商户信息', level: 1 }).isVisible());
      assert.deepEqual(
        await page.getByLabel('组成形式').locator('option').allInnerTexts(),
        ['—', '个人经营', '家庭经营'],
      );
      assert.match(await mainText(page), /参加经营的家庭成员（必填）\s*仅在以下情形填写：组成形式 = 家庭经营/);
      assert.match(await mainText(page), /个体工商户名称（选填）/);
      await assertNoAxeViolations(page, 'application page 2 (zh)');
      await page.getByLabel('组成形式').selectOption('个人经营');
      await page.getByLabel('经营范围').fill('小吃服务；食品销售（仅销售预包装食品）');
      await submit(page, page.getByRole('button', { name: '保存并继续' }));
      assert.match(page.url(), /\?page=2$|\/applications\/[^/?]+$/, 'stays on the page');
      const alert = page.getByRole('alert');
      assert.ok(await alert.isVisible(), 'the error is reported');
      assert.equal(await page.evaluate(() => document.activeElement?.className), 'result bad error-summary', 'the summary has the focus');
      const alertText = await alert.innerText();
      assert.ok(alertText.includes('经营场所'), `the error names the field by its label: ${alertText}`);
      assert.ok(!/\baddress\b/.test(alertText), `no machine name in the error: ${alertText}`);
      const address = page.getByLabel('经营场所');
      assert.equal(await address.getAttribute('aria-invalid'), 'true');
      assert.equal(await page.locator('#address-error').innerText(), '请输入经营场所', 'it says what to enter');
      assert.ok(!alertText.includes('required'), `no English on a Chinese page: ${alertText}`);
      assert.equal(await page.getByLabel('组成形式').inputValue(), '个人经营', 'what was chosen is kept');
      await assertNoAxeViolations(page, 'application page 2 with an error (zh)');
      await alert.getByRole('link', { name: /经营场所/ }).click();
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'address', 'the error link leads to the field');
      await address.fill('北京市东城区东四北大街 107 号');
      await submit(page, page.getByRole('button', { name: '保存并继续' }));
      assert.match(page.url(), /\?page=3$/);

      // Page 3.
      assert.ok(await page.getByRole('heading', { name: '从业人员与资金', level: 1 }).isVisible());
      await assertNoAxeViolations(page, 'application page 3 (zh)');
      await page.getByLabel('从业人数').fill('2');
      await page.getByLabel('资金数额（万元）').fill('5');
      await submit(page, page.getByRole('button', { name: '保存并继续' }));
      assert.match(page.url(), /\/materials$/);

      // Materials: the identity proof comes from the licence; the premises document is uploaded.
      assert.ok(await page.getByRole('heading', { name: '上传申请材料', level: 1 }).isVisible());
      assert.match(await mainText(page), /经营者身份证明\s*（必填）\s*由电子证照提供，无需上传/);
      await assertNoAxeViolations(page, 'materials (zh)');
      const premises = page.locator('li').filter({ has: page.getByRole('heading', { name: /经营场所使用相关文件/ }) });
      await premises.getByLabel('选择文件').setInputFiles({ name: 'notes.txt', mimeType: 'application/pdf', buffer: Buffer.from('plain text, not a PDF') });
      await submit(page, premises.getByRole('button', { name: '上传' }));
      assert.match(await page.getByRole('alert').innerText(), /只接受 PDF、OFD、JPEG 或 PNG/, 'judged by content, not by the declared type');
      await assertNoAxeViolations(page, 'materials with an error (zh)');
      const pdf = Buffer.from('%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');
      await premises.getByLabel('选择文件').setInputFiles({ name: '房屋租赁合同.pdf', mimeType: 'application/pdf', buffer: pdf });
      await submit(page, premises.getByRole('button', { name: '上传' }));
      assert.match(await page.getByRole('status').innerText(), /文件已上传/);
      assert.ok(await page.getByRole('link', { name: '房屋租赁合同.pdf' }).isVisible());
      await assertNoAxeViolations(page, 'materials uploaded (zh)');
      await page.getByRole('link', { name: '继续，核对申请内容' }).click();
      await page.waitForURL(/\/check$/);

      // Check your answers, change one, come back.
      assert.ok(await page.getByRole('heading', { name: '核对申请内容', level: 1 }).isVisible());
      let text = await mainText(page);
      for (const shown of [CITIZEN.name, CITIZEN.phone, '个人经营', '北京市东城区东四北大街 107 号', '小吃服务']) {
        assert.ok(text.includes(shown), `check page shows ${shown}: ${text}`);
      }
      assert.ok(!text.includes('参加经营的家庭成员'), 'a field that does not apply is not listed');
      assert.match(text, /个体工商户名称\s*未填写/, 'an optional field left empty says so');
      await assertNoAxeViolations(page, 'check your answers (zh)');
      await page.getByRole('link', { name: '修改 从业人数' }).click();
      await page.waitForURL(/\?page=3#employees$/);
      assert.equal(await page.getByLabel('从业人数').inputValue(), '2');
      await page.getByLabel('从业人数').fill('3');
      await submit(page, page.getByRole('button', { name: '保存并继续' }));
      assert.match(page.url(), /\/materials$/);
      await page.getByRole('link', { name: '继续，核对申请内容' }).click();
      await page.waitForURL(/\/check$/);
      assert.match(await mainText(page), /房屋租赁合同\.pdf/, 'the check page lists the file');
      text = await mainText(page);
      assert.match(text, /从业人数\s*3/);

      await submit(page, page.getByRole('button', { name: '提交申请' }));
      assert.match(page.url(), /\/cases\/[0-9A-Z]+\?done=submitted$/);
      const receipt = page.getByRole('status').filter({ hasText: '申请已提交' });
      assert.ok(await receipt.isVisible(), 'the receipt');
      const receiptText = await receipt.innerText();
      caseNumber = receiptText.match(/办件编号：\s*(\S+)/)?.[1];
      assert.ok(caseNumber, receiptText);
      assert.equal(caseNumber.length, 23, `a 23-character case number: ${caseNumber}`);
      assert.match(receiptText, /预计办结日期（按今日受理计算）：\s*\d{4}-\d{2}-\d{2}/);
      // The receipt's QR code opens the case's rating page (好差评, rated once concluded).
      const rateQr = receipt.getByRole('img', { name: /评价二维码/ });
      assert.ok(await rateQr.locator('svg').isVisible());
      assert.match(await rateQr.getAttribute('aria-label'), new RegExp(`/cases/${caseNumber}/rating$`));
      assert.equal(await caseState(page), '待受理');
      assert.match(await mainText(page), /受理后开始计时/);
      await assertNoAxeViolations(page, 'receipt (zh)');

      // The draft is gone: its page now leads to the case.
      await page.goto(applicationPath);
      assert.match(page.url(), new RegExp(`/cases/${caseNumber}$`));
      await page.goto('/cases');
      assert.ok(await page.getByRole('heading', { name: '我的办件', level: 1 }).isVisible());
      const row = page.getByRole('row').filter({ hasText: caseNumber });
      assert.match(await row.innerText(), /个体工商户设立登记[\s\S]*待受理/);
      assert.match(await page.locator('section', { hasText: '未提交的申请' }).innerText(), /暂无/);
      await assertNoAxeViolations(page, 'my cases (zh)');
    }));

  test('the platform administrator makes 李四 window staff and 王五 approver at the agency', () =>
    withPage(DESKTOP, async (page) => {
      for (const person of [WINDOW, APPROVER, ADMIN]) {
        await page.context().clearCookies();
        await register(page, person);
      }
      const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TONGBAN_')));
      await promisify(execFile)(server.bin, ['staff', 'add-platform-admin', ADMIN.phone, '--data-dir', server.dataDir], {
        env,
      });
      await login(page, ADMIN);
      await page.goto('/staff');
      for (const [person, role, roleName] of [
        [WINDOW, 'window_staff', '窗口人员'],
        [APPROVER, 'approver', '审批人员'],
      ]) {
        await page.getByLabel('工作人员证件号码或手机号码').fill(person.phone);
        await page.getByLabel('角色', { exact: true }).selectOption(role);
        // The agency by its name, offered as one types (a datalist: no script); the division
        // left empty is the agency's own.
        const agency = page.getByLabel('部门', { exact: true });
        const listId = await agency.getAttribute('list');
        const offered = page.locator(`datalist#${listId} option[value="${OFFERING.agencyName}"]`);
        assert.equal(await offered.count(), 1, 'the agency is offered by name');
        assert.match(await offered.getAttribute('label'), new RegExp(`东城区 · ${OFFERING.agency}`), 'its place and code beside');
        await agency.fill(OFFERING.agencyName);
        await page.getByLabel('辖区', { exact: true }).fill(role === 'approver' ? '东城区' : '');
        await submit(page, page.getByRole('button', { name: '指定', exact: true }));
        assert.match(await page.getByRole('status').innerText(), /角色已指定/);
        const line = page.locator('main li').filter({ hasText: person.name });
        const held = new RegExp(`${roleName}[\\s\\S]*${OFFERING.agencyName}[\\s\\S]*北京市东城区[\\s\\S]*${OFFERING.agency}[\\s\\S]*${OFFERING.division}`);
        assert.match(await line.innerText(), held, 'by name, the codes in small print');
      }

      // The administrator holds no queue of the agency.
      await page.goto('/workbench');
      assert.equal(await page.getByRole('row').filter({ hasText: caseNumber }).count(), 0);

      // The header: the administrator's name, 退出, and the staff pages of their roles by link.
      const header = page.locator('header');
      assert.match(await header.innerText(), new RegExp(`已登录：${ADMIN.name}`));
      const nav = page.getByRole('navigation', { name: '主导航' });
      assert.ok(await nav.getByRole('link', { name: '人员管理' }).isVisible());
      assert.equal(await nav.getByRole('link', { name: '电子监察' }).count(), 0, 'no board: the platform role holds no agency');
      assert.equal(await nav.getByRole('link', { name: '工作台' }).count(), 0, 'no queue of their own');

      // The search synonyms: the platform administrator adds one; a search reads it at once.
      await nav.getByRole('link', { name: '人员管理' }).click();
      await page.getByRole('link', { name: '搜索同义词' }).click();
      await page.waitForURL(/\/admin\/synonyms$/);
      await assertNoAxeViolations(page, 'search synonyms (zh)');
      const list = page.getByLabel('同义词表（每行一条）');
      const before = await list.inputValue();
      assert.match(before, /生孩子 => 生育/);
      await list.fill(`${before}\n办执照 =>`);
      await submit(page, page.getByRole('button', { name: '保存同义词表' }));
      assert.match(await page.getByRole('alert').innerText(), /第 \d+ 行/, 'a bad line is named by its number');
      assert.match(await list.inputValue(), /办执照 =>/, 'what was typed is kept');
      await list.fill(`${before}\n吃饭的店 => 食品经营`);
      await submit(page, page.getByRole('button', { name: '保存同义词表' }));
      assert.match(await page.getByRole('status').innerText(), /已保存/);
      await page.goto('/search?q=' + encodeURIComponent('吃饭的店'));
      assert.match(await page.locator('li.hit').first().innerText(), /^食品经营许可/);

      // Logging out from the header asks first, then the header offers logging in again.
      await page.getByRole('link', { name: '退出登录' }).click();
      await page.waitForURL(/\/logout\?next=/);
      assert.equal(await page.getByRole('link', { name: '不退出，返回刚才的页面' }).getAttribute('href'), '/search?q=%E5%90%83%E9%A5%AD%E7%9A%84%E5%BA%97');
      await assertNoAxeViolations(page, 'log out? (zh)');
      await submit(page, page.getByRole('button', { name: '退出登录' }));
      assert.ok(await page.locator('header').getByRole('link', { name: '登录', exact: true }).isVisible());
      sessions.delete(ADMIN.phone);
    }));

  test('the workbench and a case with its action forms in English and at 360 px', () =>
    withPage(PHONE, async (page) => {
      assert.ok(caseNumber, 'the journey made a case');
      await login(page, WINDOW);
      const caseUrl = `/workbench/cases/${caseNumber}`;
      for (const url of ['/workbench?lang=en', `${caseUrl}?lang=en`, '/workbench?lang=zh', caseUrl]) {
        const res = await page.goto(url);
        assert.equal(res.status(), 200);
        await assertNoAxeViolations(page, `${url} at 360px`);
        await assertNoHorizontalScroll(page, 360);
      }
      const refuse = page.getByRole('form', { name: '不予受理' });
      assert.ok(await refuse.getByLabel('法律依据').isVisible());
      await page.screenshot({ path: path.join(RESULTS_DIR, 'cases-workbench-case-zh-360.png'), fullPage: true });
      // Only the window's actions are offered to window staff: no decision.
      assert.equal(await page.getByRole('form', { name: '不予确认' }).count(), 0);
      // 不予受理 asks first, showing what was typed; going back keeps it, and nothing happened.
      await refuse.getByLabel('理由', { exact: true }).fill('不属于本机关职权范围');
      await refuse.getByLabel('法律依据').fill('《行政许可法》第三十二条');
      await submit(page, refuse.getByRole('button', { name: '不予受理' }));
      assert.ok(await page.getByRole('heading', { level: 1, name: '请确认：不予受理' }).isVisible());
      assert.match(await mainText(page), /不能撤销[\s\S]*不属于本机关职权范围[\s\S]*第三十二条/);
      await assertNoAxeViolations(page, 'confirm 不予受理 (zh, 360px)');
      await submit(page, page.getByRole('button', { name: '返回修改' }));
      assert.equal(await page.getByRole('form', { name: '不予受理' }).getByLabel('理由', { exact: true }).inputValue(), '不属于本机关职权范围');
      assert.equal(await caseState(page), '待受理', 'nothing was done');
      await page.goto('/workbench?warning=red');
      assert.equal(await page.getByLabel('预警').inputValue(), 'red', 'the filter is kept');
      assert.equal(await page.getByRole('row').filter({ hasText: caseNumber }).count(), 0, 'not overdue');
    }));

  test('window staff accept; the approver passes the first step and asks for a supplement once', () =>
    withPage(DESKTOP, async (page) => {
      assert.ok(caseNumber, 'the journey made a case');
      await login(page, WINDOW);
      await openFromQueue(page, '收件受理', '待受理');
      let text = await mainText(page);
      for (const shown of ['申请内容', '经营者姓名', CITIZEN.name, '个人经营', '北京市东城区东四北大街 107 号']) {
        assert.ok(text.includes(shown), `the staff case page shows ${shown}`);
      }
      assert.ok(!text.includes(CITIZEN.id), 'no id number on the staff page');
      const file = page.getByRole('link', { name: '房屋租赁合同.pdf' });
      const download = await page.request.get(await file.getAttribute('href'));
      assert.equal(download.status(), 200, 'the window reads the uploaded file');
      assert.equal(download.headers()['content-type'], 'application/pdf');
      assert.ok((await download.body()).toString().startsWith('%PDF'));
      await assertNoAxeViolations(page, 'workbench case, submitted (zh)');
      await act(page, '受理');
      assert.equal(await caseState(page), '办理中');
      assert.equal(await fact(page, '当前环节'), '审核');
      await assertNoAxeViolations(page, 'workbench case, accepted (zh)');
      // The case has left the window's pre-review queue.
      await page.goto('/workbench');
      assert.equal(await page.getByRole('row').filter({ hasText: caseNumber }).count(), 0);

      await login(page, APPROVER);
      await openFromQueue(page, '审查决定', '办理中');
      await act(page, '审查通过，转下一环节');
      assert.equal(await fact(page, '当前环节'), '登记决定');
      assert.equal(await page.getByRole('form', { name: '审查通过，转下一环节' }).count(), 0, 'the last step decides');
      await assertNoAxeViolations(page, 'workbench case, last step (zh)');

      // A supplement with no item is refused, naming the field.
      await submit(page, page.getByRole('form', { name: '一次性告知补正' }).getByRole('button', { name: '一次性告知补正' }));
      const alert = page.getByRole('alert');
      assert.ok(await alert.isVisible(), `an empty supplement is refused: ${await mainText(page)}`);
      assert.match(await alert.innerText(), /需补正的全部内容（每行一项）：/, 'the error names the field by its label');
      assert.equal(await page.getByLabel('需补正的全部内容（每行一项）').getAttribute('aria-invalid'), 'true');
      assert.equal(await alert.getByRole('link', { name: /^需补正的全部内容（每行一项）：/ }).getAttribute('href'), '#missing');
      await assertNoAxeViolations(page, 'workbench case with an error (zh)');

      await act(page, '一次性告知补正', (form) => form.getByLabel('需补正的全部内容（每行一项）').fill(MISSING.join('\n')));
      assert.equal(await caseState(page), '待补正');
      text = await mainText(page);
      assert.match(text, /计时暂停/);
      for (const m of MISSING) assert.ok(text.includes(m), `the notice lists ${m}`);
      await assertNoAxeViolations(page, 'workbench case, supplement requested (zh)');
    }));

  test('the citizen sees the whole supplement notice and answers it', () =>
    withPage(DESKTOP, async (page) => {
      // She answers once the text telling her what is missing has come (the notice waits out
      // the combining window and the sender's round): answering faster would fold it into the
      // next notice, as a quick run on a fast machine did.
      const told = (t) => t.includes(`to ${CITIZEN.phone}`) && t.includes(caseNumber) && t.includes('需补正：');
      for (let i = 0; i < 40; i++) {
        const outbox = await readFile(path.join(server.dataDir, 'dev-outbox.txt'), 'utf8').catch(() => '');
        if (outbox.split('\n').some(told)) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      await login(page, CITIZEN);
      await page.getByRole('link', { name: '我的办件' }).click();
      await page.waitForURL(/\/cases$/);
      const row = page.getByRole('row').filter({ hasText: caseNumber });
      assert.match(await row.innerText(), /待补正/);
      await row.getByRole('link', { name: caseNumber }).click();
      await page.waitForURL(new RegExp(`/cases/${caseNumber}$`));
      assert.equal(await caseState(page), '待补正');
      // Withdrawing asks first; not withdrawing goes back to the case, unchanged.
      await submit(page, page.getByRole('button', { name: '撤回申请' }));
      assert.ok(await page.getByRole('heading', { level: 1, name: /^请确认：撤回/ }).isVisible());
      await assertNoAxeViolations(page, 'confirm withdrawal (zh)');
      await submit(page, page.getByRole('button', { name: '不撤回，返回办件' }));
      assert.equal(await caseState(page), '待补正');
      assert.match(await page.locator('section', { has: page.getByRole('heading', { name: '办理时限' }) }).innerText(), /计时暂停/);
      const notice = page.getByRole('region', { name: '补正告知（一次性告知）' });
      const slots = notice.locator('ol.slots > li');
      assert.deepEqual(await slots.locator('> p > strong').allInnerTexts(), MISSING, 'exactly both items');
      await assertNoAxeViolations(page, 'case, supplement requested (zh)');
      // Each item has its slot: the material it asks for, with its files now and an upload.
      const premises = slots.first();
      assert.match(await premises.innerText(), /对应材料：经营场所使用相关文件（或经营场所申报承诺）/);
      assert.match(await notice.innerText(), /现有材料[\s\S]*房屋租赁合同\.pdf/, 'the files attached now are listed');
      await premises
        .getByLabel(`选择文件：${MISSING[0]}`)
        .setInputFiles({ name: '房屋租赁合同（补正）.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.7\n%%EOF\n') });
      await submit(page, premises.getByRole('button', { name: '上传' }));
      assert.match(page.url(), /\?done=uploaded$/);
      assert.match(await page.getByRole('status').innerText(), /文件已上传/);
      assert.match(
        await notice.locator('ol.slots > li').first().innerText(),
        /房屋租赁合同（补正）\.pdf · 15 B/,
        'the slot lists the new file, its size in bytes',
      );
      await assertNoAxeViolations(page, 'case, supplement file uploaded (zh)');
      await page.setViewportSize({ width: 360, height: 740 });
      await assertNoHorizontalScroll(page, 360);
      await page.setViewportSize({ width: 1280, height: 800 });
      await notice.getByLabel('说明或意见').fill('已上传房屋租赁合同和身份证复印件。');
      await submit(page, notice.getByRole('button', { name: '已补齐，提交补正' }));
      assert.match(page.url(), /\?done=acted$/);
      assert.match(await page.getByRole('status').innerText(), /操作已完成/);
      assert.equal(await caseState(page), '办理中');
      assert.equal(await page.getByRole('region', { name: '补正告知（一次性告知）' }).count(), 0);
      assert.ok(!(await mainText(page)).includes('计时暂停'), 'the clock runs again');
      await assertNoAxeViolations(page, 'case, supplemented (zh)');
    }));

  test('the approver approves and concludes; window staff deliver online', () =>
    withPage(DESKTOP, async (page) => {
      await login(page, APPROVER);
      await openFromQueue(page, '审查决定', '办理中');
      assert.equal(await fact(page, '当前环节'), '登记决定');
      // 个体工商户设立登记 is a 行政确认: its decision reads 予以确认, not 准予许可.
      assert.equal(await page.getByRole('button', { name: '不予确认' }).getAttribute('class'), 'danger');
      await act(page, '予以确认');
      assert.equal(await caseState(page), '准予办理');
      await act(page, '办结');
      assert.equal(await caseState(page), '已办结');
      await assertNoAxeViolations(page, 'workbench case, concluded (zh)');

      await login(page, WINDOW);
      await openFromQueue(page, '收件受理', '已办结');
      // A post without a valid tracking number is refused, and what was chosen and typed is kept.
      let form = page.getByRole('form', { name: '送达' });
      assert.ok(await form.getByRole('radio', { name: '网上送达' }).isChecked(), 'online is the default');
      await form.getByRole('radio', { name: '邮寄' }).check();
      await form.getByLabel('邮件单号').fill('12');
      await submit(page, form.getByRole('button', { name: '送达' }));
      assert.match(await page.getByRole('alert').innerText(), /邮件单号：邮件单号应为 4 至 40 位/);
      form = page.getByRole('form', { name: '送达' });
      assert.ok(await form.getByRole('radio', { name: '邮寄' }).isChecked(), 'the method chosen is kept');
      assert.equal(await form.getByLabel('邮件单号').inputValue(), '12', 'the number typed is kept');
      assert.equal(await form.getByLabel('邮件单号').getAttribute('aria-invalid'), 'true');
      await assertNoAxeViolations(page, 'workbench case, delivery refused (zh)');
      await act(page, '送达', async (f) => {
        await f.getByRole('radio', { name: '网上送达' }).check();
        await f.getByLabel('邮件单号').fill('');
      });
      assert.equal(await caseState(page), '已送达');
      assert.equal(await page.getByRole('region', { name: '办理操作' }).count(), 0, 'nothing left to do');
      await assertNoAxeViolations(page, 'workbench case, delivered (zh)');
    }));

  test('staff find a case by part of its number or its service, and list what they handled (已办)', () =>
    withPage(DESKTOP, async (page) => {
      await login(page, WINDOW);
      await page.goto('/workbench');
      const find = page.getByRole('search');
      await find.getByLabel('办件查询：办件编号或事项名称').fill(caseNumber.slice(-8));
      await submit(page, find.getByRole('button', { name: '查询' }));
      assert.match(await page.getByRole('heading', { name: /^查询结果 \d+$/ }).innerText(), /查询结果 [1-9]/);
      assert.match(await page.getByRole('row').filter({ hasText: caseNumber }).innerText(), /已送达/);
      await assertNoAxeViolations(page, 'workbench search (zh)');
      await find.getByLabel('办件查询：办件编号或事项名称').fill('%');
      await submit(page, find.getByRole('button', { name: '查询' }));
      assert.match(await page.getByRole('alert').innerText(), /办件查询：请输入办件编号中的数字或事项名称中的文字/);
      await page.getByRole('link', { name: '已办' }).click();
      await page.waitForURL(/view=done/);
      assert.equal(await page.getByRole('row').filter({ hasText: caseNumber }).count(), 1, 'the window accepted and delivered it');
      await assertNoAxeViolations(page, 'workbench done (zh)');
      await page.setViewportSize({ width: 360, height: 740 });
      await assertNoHorizontalScroll(page, 360);
      // A citizen has no workbench to search.
      await login(page, CITIZEN);
      assert.equal((await page.goto(`/workbench?find=${caseNumber}`)).status(), 403);
    }));

  test('the citizen sees the case delivered, its clock and the whole timeline in plain words', () =>
    withPage(DESKTOP, async (page) => {
      await login(page, CITIZEN);
      await page.goto(`/cases/${caseNumber}`);
      assert.ok(await page.getByRole('heading', { name: `办件编号 ${caseNumber}`, level: 1 }).isVisible());
      assert.equal(await caseState(page), '已送达');
      const clock = page.locator('section', { has: page.getByRole('heading', { name: '办理时限' }) });
      const clockText = await clock.innerText();
      assert.match(clockText, /承诺时限\s*1 个工作日/);
      assert.match(clockText, /截止日期\s*\d{4}-\d{2}-\d{2}/);
      assert.equal(await page.getByRole('button', { name: '撤回申请' }).count(), 0, 'no withdrawal after delivery');
      // The case says its licence is issued and links to it.
      assert.match(await mainText(page), /电子证照\s*营业执照\s*已签发/);
      assert.match(await page.getByRole('link', { name: '营业执照' }).getAttribute('href'), /^\/licences\/1\.2\.156\./);
      // Every state change reached 张三 as an in-site message, listed on 我的办件.
      await page.goto('/cases');
      const inbox = page.locator('section', { has: page.getByRole('heading', { name: '站内消息' }) });
      const messages = await inbox.getByRole('listitem').allInnerTexts();
      assert.ok(messages.length >= 7, `a receipt and one message per staff action: ${messages.length}`);
      assert.ok(messages.some((m) => m.includes('您的申请已提交')) && messages.some((m) => m.includes('送达')), messages.join('\n'));
      assert.ok(messages.some((m) => m.startsWith('未读')), `new messages are marked unread: ${messages.join('\n')}`);
      assert.ok((await inbox.getByRole('link', { name: `查看办件 ${caseNumber}` }).count()) >= 7, 'each message links to its case');
      assert.ok(messages.some((m) => m.includes('电子证照《营业执照》已签发')), `a message says the licence is issued: ${messages.join('\n')}`);
      await assertNoAxeViolations(page, 'my cases with messages (zh)');
      // The texts: what is missing in the supplement's; the licence's link in the one telling of
      // it; notices of one case within seconds of each other went as one (此前：…).
      // The last ones wait out the window (3 s) and the sender's round (2 s).
      const licenceText = /已签发[\s\S]*详情：http:\/\/127\.0\.0\.1:\d+\/licences\/1\.2\.156\./;
      let texts = [];
      for (let i = 0; i < 40 && !texts.some((t) => licenceText.test(t)); i++) {
        if (i > 0) await new Promise((resolve) => setTimeout(resolve, 500));
        texts = (await readFile(path.join(server.dataDir, 'dev-outbox.txt'), 'utf8'))
          .split('\n')
          .filter((line) => line.includes(`to ${CITIZEN.phone}`) && line.includes(caseNumber));
      }
      assert.ok(texts.some((t) => t.includes(`需补正：${MISSING.join('；')}`)), texts.join('\n'));
      assert.ok(texts.some((t) => licenceText.test(t)), texts.join('\n'));
      assert.ok(texts.some((t) => t.includes('（此前：')), `combined: ${texts.join('\n')}`);
      assert.ok(texts.length < messages.length, `fewer texts (${texts.length}) than changes (${messages.length})`);
      await page.reload();
      const seen = await inbox.getByRole('listitem').allInnerTexts();
      assert.ok(!seen.some((m) => m.startsWith('未读')), 'shown once, then read');
      await page.goto(`/cases/${caseNumber}`);

      const timeline = page.getByRole('region', { name: '办理过程' });
      const entries = await timeline.locator('ol.timeline > li').allInnerTexts();
      const expected = [
        /申请人提交申请，办件待受理/,
        /工作人员受理，办件办理中/,
        /工作人员审查通过（审核），办件办理中/,
        /工作人员要求补正（登记决定），办件待补正/,
        /申请人补正，办件办理中/,
        /工作人员准予（登记决定），办件准予办理/,
        /工作人员办结，办件已办结/,
        /工作人员送达，办件已送达/,
      ];
      assert.equal(entries.length, expected.length, entries.join('\n'));
      expected.forEach((re, i) => assert.match(entries[i], re, `entry ${i + 1}: ${entries[i]}`));
      for (const m of MISSING) assert.ok(entries[3].includes(m), `the request lists ${m}: ${entries[3]}`);
      assert.match(entries[4], /已上传房屋租赁合同和身份证复印件/, 'the applicant\'s note');
      assert.match(entries[7], /送达方式：网上送达/, 'how it was delivered');
      for (const e of entries) assert.match(e, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}/, `each entry has its time: ${e}`);
      await assertNoAxeViolations(page, 'case, delivered (zh)');

      const row = (await page.goto('/cases')) && page.getByRole('row').filter({ hasText: caseNumber });
      assert.match(await row.innerText(), /已送达/);
    }));

  test('the case page in English and at 360 px', async () => {
    for (const device of [DESKTOP, PHONE]) {
      await withPage(device, async (page) => {
        const width = device.viewport.width;
        await login(page, CITIZEN);
        for (const url of [`/cases/${caseNumber}`, `/cases/${caseNumber}?lang=en`, '/cases?lang=en', '/cases?lang=zh']) {
          const res = await page.goto(url);
          assert.equal(res.status(), 200);
          const lang = await page.evaluate(() => document.documentElement.getAttribute('lang'));
          assert.equal(lang, url.includes('lang=en') ? 'en' : 'zh-CN');
          await assertNoAxeViolations(page, `${url} at ${width}px`);
          await assertNoHorizontalScroll(page, width);
        }
        await page.goto(`/cases/${caseNumber}?lang=zh`);
        await page.screenshot({ path: path.join(RESULTS_DIR, `cases-case-zh-${width}.png`), fullPage: true });
        await page.goto(`/cases/${caseNumber}?lang=en`);
        const text = await mainText(page);
        for (const shown of ['Case number', 'Status', 'Delivered', 'Time limit', 'Committed limit', 'Timeline']) {
          assert.ok(text.includes(shown), `English case page shows ${shown}`);
        }
        const entries = await page.getByRole('region', { name: 'Timeline' }).locator('ol.timeline > li').allInnerTexts();
        assert.match(entries[0], /Applicant: Submitted → Awaiting acceptance/);
        assert.match(entries.at(-1), /Staff: Deliver → Delivered/);
        // English words are not marked as Chinese (WCAG 3.1.2, which axe does not check).
        const mislabelled = await page
          .locator('[lang="zh-CN"]')
          .evaluateAll((els) => els.map((e) => e.textContent.trim()).filter((t) => t && !/[\u4e00-\u9fff]/.test(t)));
        assert.deepEqual(mislabelled, [], 'no English text marked lang="zh-CN"');
        await page.goto('/login?lang=zh');
      });
    }
  });

  test('好差评: the citizen rates 2 stars; the approver calls back and answers; the citizen is satisfied; the public figures follow', async () => {
    /** The cells of the agency's row on the public figures page, by column header. */
    const agencyRow = (page) =>
      withHeaders(page, page.getByRole('row').filter({ has: page.getByRole('rowheader').filter({ hasText: OFFERING.agency }) }));
    const before = await withPage(DESKTOP, async (page) => {
      await page.goto('/');
      await submit(page, page.getByRole('link', { name: '好差评公示' }));
      assert.equal(await page.getByRole('heading', { name: '好差评公示', level: 1 }).count(), 1);
      return (await page.getByRole('rowheader').filter({ hasText: OFFERING.agency }).count()) ? (await agencyRow(page))['评价数'] : '0';
    });

    await withPage(DESKTOP, async (page) => {
      await login(page, CITIZEN);
      await page.goto(`/cases/${caseNumber}`);
      await submit(page, page.getByRole('link', { name: '评价本次服务（好差评）' }));
      assert.match(await mainText(page), /评价不影响办件的任何结果/, 'never a condition');
      await assertNoAxeViolations(page, 'rating form (zh)');
      await page.getByLabel('2 · 不满意', { exact: true }).check();
      const [res] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '提交评价' }).click()]);
      assert.equal(res.status(), 400, 'a bad review without a reason is refused');
      const alert = page.getByRole('alert');
      assert.match(await alert.innerText(), /写明不满意的原因/);
      assert.equal(await alert.getByRole('link').getAttribute('href'), '#comment', 'the error names the field');
      await assertNoAxeViolations(page, 'rating form with an error (zh)');
      await page.getByLabel('评价内容').fill('等候时间较长 <b>窗口</b> 人员少');
      await page.getByLabel('办事效率').selectOption('1');
      await submit(page, page.getByRole('button', { name: '提交评价' }));
      assert.match(await page.getByRole('status').innerText(), /已收到您的评价/);
      const text = await mainText(page);
      assert.match(text, /2 \/ 5 · 不满意/);
      assert.match(text, /等候时间较长 <b>窗口<\/b> 人员少/, 'the comment is shown as typed, escaped');
      assert.match(text, /差评整改[\s\S]*整改中/);
      await page.screenshot({ path: path.join(RESULTS_DIR, 'ratings-rated-zh.png'), fullPage: true });
      await assertNoAxeViolations(page, 'rated, rectification open (zh)');
      for (const device of [PHONE]) {
        await page.setViewportSize(device.viewport);
        await page.goto(`/cases/${caseNumber}/rating?lang=en`);
        assert.match(await mainText(page), /Your rating/);
        await assertNoAxeViolations(page, 'rating page (en, 360 px)');
        await assertNoHorizontalScroll(page, device.viewport.width);
        await page.goto(`/cases/${caseNumber}/rating?lang=zh`);
      }
    });

    await withPage(DESKTOP, async (page) => {
      await login(page, APPROVER);
      await page.goto('/workbench');
      await submit(page, page.getByRole('link', { name: '差评整改' }));
      const card = page.locator('section.card').filter({ hasText: caseNumber });
      assert.equal(await card.count(), 1, 'the bad review is on the agency queue');
      assert.match(await card.innerText(), /张\*/, 'the rater is masked');
      assert.doesNotMatch(await card.innerText(), /张三/);
      await assertNoAxeViolations(page, 'rectification queue (zh)');
      // The phone is shown when the callback needs it, on asking (and the asking is logged).
      await submit(page, card.getByRole('link', { name: /显示联系电话/ }));
      assert.match(await page.locator('section.card').filter({ hasText: caseNumber }).innerText(), new RegExp(`张三\\s+${CITIZEN.phone}`));
      await card.getByLabel('回访情况').fill('已电话回访，说明情况并致歉');
      await submit(page, card.getByRole('button', { name: '记录回访' }));
      assert.match(await page.getByRole('status').innerText(), /已保存/);
      // The agency holds the review mistaken and appeals (申诉); the rectification goes on meanwhile.
      const appealing = page.locator('section.card').filter({ hasText: caseNumber });
      await appealing.getByLabel('申诉理由').fill('当日系统故障已公告，等候非窗口原因');
      await submit(page, appealing.getByRole('button', { name: '提出申诉' }));
      assert.match(await page.getByRole('status').innerText(), /已保存/);
      assert.match(await page.locator('section.card').filter({ hasText: caseNumber }).innerText(), /申诉待复核/);
      const again = page.locator('section.card').filter({ hasText: caseNumber });
      await again.getByLabel('整改答复').fill('已增设综合窗口，高峰时段增派人员');
      await submit(page, again.getByRole('button', { name: '提交整改答复' }));
      assert.match(await page.getByRole('status').innerText(), /已保存/);
      assert.match(await page.locator('section.card').filter({ hasText: caseNumber }).innerText(), /已答复，待评价人评价/);
      await page.setViewportSize(PHONE.viewport);
      await page.goto('/workbench/rectifications?all=yes&lang=en');
      await assertNoAxeViolations(page, 'rectification queue (en, 360 px)');
      await assertNoHorizontalScroll(page, PHONE.viewport.width);
    });

    await withPage(DESKTOP, async (page) => {
      await login(page, ADMIN);
      await page.goto('/');
      await submit(page, page.getByRole('link', { name: '差评申诉复核' }));
      const card = page.locator('section.card').filter({ hasText: caseNumber });
      assert.match(await card.innerText(), /当日系统故障已公告/);
      await assertNoAxeViolations(page, 'appeals (zh)');
      await card.getByLabel('复核理由').fill('等候时间确实较长，评价属实');
      await submit(page, card.getByRole('button', { name: '申诉不成立' }));
      assert.match(await page.getByRole('status').innerText(), /已作出复核决定/);
      await page.setViewportSize(PHONE.viewport);
      await page.goto('/admin/appeals?lang=en');
      await assertNoAxeViolations(page, 'appeals (en, 360 px)');
      await assertNoHorizontalScroll(page, PHONE.viewport.width);
    });

    await withPage(DESKTOP, async (page) => {
      await login(page, CITIZEN);
      await page.goto(`/cases/${caseNumber}/rating`);
      assert.match(await mainText(page), /已增设综合窗口/);
      await assertNoAxeViolations(page, 'rectification answered (zh)');
      await submit(page, page.getByRole('button', { name: '满意', exact: true }));
      assert.match(await page.getByRole('status').innerText(), /已收到您对整改的评价/);
      assert.match(await mainText(page), /您对整改的评价\s*满意/);
    });

    await withPage(DESKTOP, async (page) => {
      await page.goto('/ratings');
      const row = await agencyRow(page);
      assert.equal(Number(row['评价数']), Number(before) + 1, 'the new rating is counted at once');
      for (const figure of ['差评回复率', '回访整改率', '整改满意率']) assert.equal(row[figure], '100.0%', figure);
      assert.equal(await page.getByRole('img', { name: '好评率与差评率' }).count(), 1, 'the chart has an accessible name');
      await page.screenshot({ path: path.join(RESULTS_DIR, 'ratings-figures-zh.png'), fullPage: true });
      await assertNoAxeViolations(page, 'public figures (zh)');
      const csv = await page.request.get(await page.getByRole('link', { name: '下载 CSV' }).getAttribute('href'));
      assert.equal(csv.status(), 200);
      assert.match(await csv.text(), new RegExp(`${OFFERING.agency},北京市东城区市场监督管理局,`));
      await page.goto('/ratings?from=2026-13');
      assert.match(await page.getByRole('alert').innerText(), /应为年月/);
      for (const device of [PHONE]) {
        await page.setViewportSize(device.viewport);
        await page.goto('/ratings?lang=en&by=month');
        await assertNoAxeViolations(page, 'public figures (en, 360 px)');
        await assertNoHorizontalScroll(page, device.viewport.width);
      }
    });
  });

  test('咨询投诉: a complaint about the case is routed, transferred and back, answered and rated; an anonymous inquiry is followed with its code and joins the guide', async () => {
    let number;
    await withPage(DESKTOP, async (page) => {
      await login(page, CITIZEN);
      await page.goto(`/cases/${caseNumber}`);
      await submit(page, page.getByRole('link', { name: '对本办件咨询或投诉' }));
      assert.equal(await page.getByLabel('投诉').isChecked(), true, 'a complaint, from the case page');
      assert.match(await mainText(page), new RegExp(`关于办件：${caseNumber}`));
      await assertNoAxeViolations(page, 'inquiry form (zh)');
      await page.getByLabel('标题', { exact: true }).fill('   ');
      await page.getByLabel('内容', { exact: true }).fill('窗口等候两小时，无人引导 <i>排队</i>');
      const [res] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '提交' }).click()]);
      assert.equal(res.status(), 400, 'a blank subject is refused');
      assert.equal(await page.getByRole('alert').getByRole('link').getAttribute('href'), '#subject', 'the error names the field');
      assert.equal(await page.getByLabel('内容', { exact: true }).inputValue(), '窗口等候两小时，无人引导 <i>排队</i>', 'nothing typed is lost');
      await page.getByLabel('标题', { exact: true }).fill('等候时间太长');
      await submit(page, page.getByRole('button', { name: '提交' }));
      assert.match(await page.getByRole('status').innerText(), /查询码只显示这一次/);
      number = (await page.locator('dl.kv dd strong').first().innerText()).trim();
      assert.match(number, /^Q\d{16}$/);
      await page.screenshot({ path: path.join(RESULTS_DIR, 'inquiry-received-zh.png'), fullPage: true });
      await assertNoAxeViolations(page, 'inquiry received (zh)');
      await submit(page, page.getByRole('link', { name: '查看办理情况' }));
      const text = await mainText(page);
      assert.match(text, /窗口等候两小时，无人引导 <i>排队<\/i>/, 'shown as typed, escaped');
      assert.match(text, /办理中/);
      assert.match(text, new RegExp(OFFERING.agencyName));
    });

    await withPage(DESKTOP, async (page) => {
      await login(page, APPROVER);
      await page.goto('/');
      await submit(page, page.getByRole('link', { name: '咨询投诉办理', exact: true }));
      const card = page.locator('section.card').filter({ hasText: number });
      assert.equal(await card.count(), 1, 'on the deciding agency\'s queue');
      await page.screenshot({ path: path.join(RESULTS_DIR, 'inquiry-queue-zh.png'), fullPage: true });
      await assertNoAxeViolations(page, 'inquiry queue (zh)');
      await card.getByLabel('转至', { exact: true }).selectOption({ label: '平台分拨' });
      await card.getByLabel('转办理由（提出人可见）').fill('涉及大厅管理，请平台分拨');
      await submit(page, card.getByRole('button', { name: '转办' }));
      assert.match(await page.getByRole('status').innerText(), /已保存/);
      assert.equal(await page.locator('section.card').filter({ hasText: number }).count(), 0, 'no longer theirs');
    });

    await withPage(DESKTOP, async (page) => {
      await login(page, ADMIN);
      await page.goto('/workbench/inquiries');
      const card = page.locator('section.card').filter({ hasText: number });
      assert.match(await card.innerText(), /平台分拨/);
      await card.getByLabel('转至', { exact: true }).selectOption({ label: '北京市东城区市场监督管理局' });
      await card.getByLabel('转办理由（提出人可见）').fill('属窗口服务，转原部门');
      await submit(page, card.getByRole('button', { name: '转办' }));
      assert.match(await page.getByRole('status').innerText(), /已保存/);
    });

    await withPage(DESKTOP, async (page) => {
      await login(page, APPROVER);
      await page.goto('/workbench/inquiries');
      const card = page.locator('section.card').filter({ hasText: number });
      await card.getByLabel('答复', { exact: true }).fill('已增设引导员，高峰时段加开窗口');
      await submit(page, card.getByRole('button', { name: '答复', exact: true }));
      assert.match(await page.getByRole('status').innerText(), /已保存/);
      await page.setViewportSize(PHONE.viewport);
      await page.goto('/workbench/inquiries?all=yes&lang=en');
      await assertNoAxeViolations(page, 'inquiry queue (en, 360 px)');
      await assertNoHorizontalScroll(page, PHONE.viewport.width);
    });

    await withPage(DESKTOP, async (page) => {
      await login(page, CITIZEN);
      await page.goto('/');
      await submit(page, page.getByRole('link', { name: '咨询投诉', exact: true }));
      await submit(page, page.getByRole('link', { name: number }));
      assert.match(await mainText(page), /已增设引导员/);
      const steps = await page.getByRole('region', { name: '办理过程' }).innerText();
      assert.match(steps, /提出[\s\S]*转办[\s\S]*涉及大厅管理[\s\S]*转办[\s\S]*答复/, 'every step, with the reasons');
      await assertNoAxeViolations(page, 'inquiry answered (zh)');
      await page.getByLabel('4 · 满意').check();
      await submit(page, page.getByRole('button', { name: '提交评价' }));
      assert.match(await page.getByRole('status').innerText(), /评价已提交/);
      assert.match(await mainText(page), /已办结/);
      await page.setViewportSize(PHONE.viewport);
      await page.goto(`/inquiries/${number}?lang=en`);
      await assertNoAxeViolations(page, 'inquiry (en, 360 px)');
      await assertNoHorizontalScroll(page, PHONE.viewport.width);
    });

    // Anyone, not signed in, asks about the service; the answer joins its guide.
    let anonymous;
    await withPage(PHONE, async (page) => {
      await page.goto(`/offerings/${OFFERING.code}`);
      await submit(page, page.getByRole('link', { name: '咨询本事项' }));
      await assertNoAxeViolations(page, 'inquiry form, anonymous (zh, 360 px)');
      await assertNoHorizontalScroll(page, PHONE.viewport.width);
      await page.getByLabel('标题', { exact: true }).fill('营业执照多久能领');
      await page.getByLabel('内容', { exact: true }).fill('个体户营业执照审核通过后多久能领取？');
      await submit(page, page.getByRole('button', { name: '提交' }));
      const strong = await page.locator('dl.kv dd strong').allInnerTexts();
      anonymous = { number: strong[0].trim(), code: strong[1].trim() };
    });
    await withPage(DESKTOP, async (page) => {
      await login(page, APPROVER);
      await page.goto('/workbench/inquiries');
      const card = page.locator('section.card').filter({ hasText: anonymous.number });
      await card.getByLabel('答复', { exact: true }).fill('审核通过后当场发照，也可选择邮寄。');
      await card.getByLabel('公开到该事项的办事指南（常见问题）').check();
      assert.equal(await card.getByLabel('公开的问题').inputValue(), '营业执照多久能领', 'the subject, never the whole text, to start from');
      await card.getByLabel('公开的问题').fill('个体户营业执照审核通过后多久能领取？');
      await submit(page, card.getByRole('button', { name: '答复', exact: true }));
    });
    await withPage(DESKTOP, async (page) => {
      await page.goto(`/offerings/${OFFERING.code}`);
      const answers = page.getByRole('region', { name: '群众问答' });
      assert.match(await answers.innerText(), /个体户营业执照审核通过后多久能领取？[\s\S]*当场发照/);
      await page.goto('/inquiries');
      await page.getByLabel('编号', { exact: true }).fill(anonymous.number);
      await page.getByLabel('查询码', { exact: true }).fill('wrong-code');
      const [res] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '查询' }).click()]);
      assert.equal(res.status(), 404, 'a wrong code opens nothing');
      await page.goto('/inquiries');
      await page.getByLabel('编号', { exact: true }).fill(anonymous.number);
      await page.getByLabel('查询码', { exact: true }).fill(anonymous.code);
      await submit(page, page.getByRole('button', { name: '查询' }));
      assert.match(await mainText(page), /当场发照/);
      await page.getByLabel('5 · 非常满意').check();
      await submit(page, page.getByRole('button', { name: '提交评价' }));
      assert.match(await page.getByRole('status').innerText(), /评价已提交/);
    });
  });

  test('the form and check pages in English and at 360 px', async () => {
    for (const device of [PHONE, DESKTOP]) {
      await withPage(device, async (page) => {
        const width = device.viewport.width;
        await login(page, CITIZEN);
        await page.goto(`/apply/${OFFERING.code}?lang=en`);
        await assertNoAxeViolations(page, `apply start (en) at ${width}px`);
        await assertNoHorizontalScroll(page, width);
        await submit(page, page.getByRole('button', { name: 'Apply online' }));
        assert.ok(await page.getByRole('heading', { name: 'Operator', level: 1 }).isVisible());
        assert.equal(await page.getByLabel("Operator's name").inputValue(), CITIZEN.name);
        assert.match(await mainText(page), /From your verified account/);
        await assertNoAxeViolations(page, `application page 1 (en) at ${width}px`);
        await assertNoHorizontalScroll(page, width);
        await submit(page, page.getByRole('button', { name: 'Save and continue' }));

        assert.ok(await page.getByRole('heading', { name: 'The business', level: 1 }).isVisible());
        assert.match(await mainText(page), /Page 2 of 3/);
        assert.match(await mainText(page), /Family members taking part \(required\)\s*Only when: Form of operation = 家庭经营/);
        // The form's Chinese texts are marked so in the English page (WCAG 3.1.2, which axe does not check).
        const langOf = (locator) => locator.evaluate((el) => el.closest('[lang]').getAttribute('lang'));
        assert.equal(await langOf(page.locator('#business_name-help')), 'zh-CN', 'help texts');
        assert.equal(await langOf(page.locator('#organization_form option[value="家庭经营"]')), 'zh-CN', 'options');
        assert.equal(await langOf(page.locator('#family_members-when span')), 'zh-CN', 'the value a condition needs');
        assert.equal(await langOf(page.locator('label[for="family_members"]')), 'en', 'labels stay English');
        // The earlier application fills the premises in, and says so.
        assert.equal(await page.getByLabel('Business premises').inputValue(), '北京市东城区东四北大街 107 号');
        assert.match(await mainText(page), /From your earlier application/);
        await page.getByLabel('Form of operation').selectOption('家庭经营');
        await page.getByLabel('Business scope').fill('');
        await submit(page, page.getByRole('button', { name: 'Save and continue' }));
        const alert = page.getByRole('alert');
        assert.ok(await alert.isVisible());
        const alertText = await alert.innerText();
        assert.ok(alertText.includes('Business scope'), `the error names the field: ${alertText}`);
        assert.ok(alertText.includes('Family members taking part'), `the family members now apply: ${alertText}`);
        await assertNoAxeViolations(page, `application page 2 with errors (en) at ${width}px`);
        await assertNoHorizontalScroll(page, width);
        await page.screenshot({ path: path.join(RESULTS_DIR, `cases-form-en-${width}.png`), fullPage: true });

        // The same page in Chinese at 360 px.
        await page.goto(`${new URL(page.url()).pathname}?page=2&lang=zh`);
        await assertNoAxeViolations(page, `application page 2 (zh) at ${width}px`);
        await assertNoHorizontalScroll(page, width);
        await page.getByLabel('参加经营的家庭成员').fill('张三、张小三');
        await page.getByLabel('经营范围').fill('日用百货零售');
        await submit(page, page.getByRole('button', { name: '保存并继续' }));
        assert.match(page.url(), /\?page=3$/);
        await page.getByLabel('从业人数').fill('1');
        await submit(page, page.getByRole('button', { name: '保存并继续' }));
        assert.match(page.url(), /\/materials$/);
        await assertNoAxeViolations(page, `materials (zh) at ${width}px`);
        await assertNoHorizontalScroll(page, width);
        await page.getByRole('link', { name: '继续，核对申请内容' }).click();
        await page.waitForURL(/\/check$/);
        assert.match(await mainText(page), /参加经营的家庭成员\s*张三、张小三/);
        await assertNoAxeViolations(page, `check your answers (zh) at ${width}px`);
        await assertNoHorizontalScroll(page, width);
        await page.screenshot({ path: path.join(RESULTS_DIR, `cases-check-zh-${width}.png`), fullPage: true });
        await page.goto(`${new URL(page.url()).pathname}?lang=en`);
        assert.ok(await page.getByRole('heading', { name: 'Check your answers', level: 1 }).isVisible());
        await assertNoAxeViolations(page, `check your answers (en) at ${width}px`);
        await assertNoHorizontalScroll(page, width);
        // Left as a draft: my cases lists it to continue.
        await page.goto('/cases?lang=zh');
        assert.ok((await page.getByRole('link', { name: /继续填写/ }).count()) >= 1);
        await page.goto('/login?lang=zh');
      });
    }
  });

  test('without real-name verification an application is kept but not submitted', () =>
    withPage(DESKTOP, async (page) => {
      await register(page, STRANGER);
      sessions.set(STRANGER.phone, await page.context().cookies());
      await page.goto(`/apply/${OFFERING.code}`);
      await submit(page, page.getByRole('button', { name: '在线申请' }));
      assert.equal(await page.getByLabel('经营者姓名').inputValue(), STRANGER.name);
      await submit(page, page.getByRole('button', { name: '保存并继续' }));
      await page.getByLabel('组成形式').selectOption('个人经营');
      await page.getByLabel('经营场所').fill('四川省成都市锦江区红星路三段 1 号');
      await page.getByLabel('经营范围').fill('日用百货零售');
      await submit(page, page.getByRole('button', { name: '保存并继续' }));
      await page.getByLabel('从业人数').fill('1');
      await submit(page, page.getByRole('button', { name: '保存并继续' }));
      assert.match(page.url(), /\/materials$/);
      await page.getByRole('link', { name: '继续，核对申请内容' }).click();
      await page.waitForURL(/\/check$/);
      const res = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '提交申请' }).click()]).then(
        ([r]) => r,
      );
      assert.equal(res.status(), 403);
      const alert = page.getByRole('alert');
      assert.match(await alert.innerText(), /实名/, await alert.innerText());
      await assertNoAxeViolations(page, 'check your answers, verification needed (zh)');
      await alert.getByRole('link', { name: /实名核验/ }).click();
      await page.waitForURL(/\/account$/);
      assert.equal(await page.getByRole('button', { name: '进行实名核验' }).count(), 1);
      await page.goto('/cases');
      assert.equal(await page.getByRole('link', { name: /继续填写/ }).count(), 1, 'the draft is kept');
    }));

  test('another citizen gets a 404 page for the case, and pages need a login', () =>
    withPage(DESKTOP, async (page) => {
      assert.ok(caseNumber, 'the journey made a case');
      for (const url of [`/cases/${caseNumber}`, '/cases', '/workbench', `/apply/${OFFERING.code}`]) {
        await page.goto(url);
        assert.match(page.url(), /\/login\?next=/, `${url} asks to log in first`);
      }
      await login(page, STRANGER);
      const res = await page.goto(`/cases/${caseNumber}`);
      assert.equal(res.status(), 404);
      const text = await mainText(page);
      assert.ok(!text.includes(OFFERING.name) && !text.includes(CITIZEN.name), 'nothing of the case shows');
      await assertNoAxeViolations(page, 'case of someone else (404, zh)');
      const staffRes = await page.goto(`/workbench/cases/${caseNumber}`);
      assert.ok([403, 404].includes(staffRes.status()), `the staff page refuses a citizen: ${staffRes.status()}`);
      await page.goto('/cases');
      assert.equal(await page.getByRole('row').filter({ hasText: caseNumber }).count(), 0);
      assert.match(await page.locator('section', { hasText: '已提交的办件' }).innerText(), /暂无/);
      await page.goto('/workbench');
      assert.match(await mainText(page), /您目前没有窗口、审批或监察岗位/);
      await assertNoAxeViolations(page, 'workbench without a role (zh)');
    }));

  test('one-window acceptance: the window checks the card and applies for a walk-in applicant', () =>
    withPage(DESKTOP, async (page) => {
      await login(page, WINDOW);
      await page.goto('/workbench');
      await page.getByRole('link', { name: '前台综合受理：代申请人申请' }).click();
      await page.waitForURL(/\/workbench\/walk-in$/);
      await assertNoAxeViolations(page, 'walk-in (zh)');
      await page.getByLabel('申请人的身份证号码或手机号码（须已注册）').fill(STRANGER.phone);
      await page.getByLabel('申请人出示的居民身份证号码').fill(CITIZEN.id);
      await page.getByLabel('事项实施编码').fill(OFFERING.code);
      await submit(page, page.getByRole('button', { name: '核验证件并开始申请' }));
      assert.match(await page.getByRole('alert').innerText(), /证件号码与该账号不符/, 'the card must be the applicant\'s');
      await assertNoAxeViolations(page, 'walk-in with an error (zh)');
      await page.getByLabel('申请人出示的居民身份证号码').fill(STRANGER.id);
      await submit(page, page.getByRole('button', { name: '核验证件并开始申请' }));
      assert.match(page.url(), /\/applications\/[^/]+\?page=1$/);
      assert.equal(await page.getByLabel('经营者姓名').inputValue(), STRANGER.name, 'filled from the applicant\'s account');
      await page.getByLabel('联系电话').fill(STRANGER.phone);
      await submit(page, page.getByRole('button', { name: '保存并继续' }));
      await page.getByLabel('组成形式').selectOption('个人经营');
      await page.getByLabel('经营场所').fill('北京市东城区东四北大街 9 号');
      await page.getByLabel('经营范围').fill('日用百货零售');
      await submit(page, page.getByRole('button', { name: '保存并继续' }));
      await page.getByLabel('从业人数').fill('1');
      await submit(page, page.getByRole('button', { name: '保存并继续' }));
      const premises = page.locator('li').filter({ has: page.getByRole('heading', { name: /经营场所使用相关文件/ }) });
      await premises.getByLabel('选择文件').setInputFiles({ name: '场所证明.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n%%EOF\n') });
      await submit(page, premises.getByRole('button', { name: '上传' }));
      await page.getByRole('link', { name: '继续，核对申请内容' }).click();
      await page.waitForURL(/\/check$/);
      await submit(page, page.getByRole('button', { name: '提交申请' }));
      assert.match(page.url(), /\/workbench\/cases\/\d+/, 'the window goes on at the workbench');
      assert.equal(await caseState(page), '待受理');
      await act(page, '受理');
      assert.equal(await caseState(page), '办理中');
      const number = new URL(page.url()).pathname.split('/').pop();

      // The applicant, now at level 4, finds the case among their own, as if applied online.
      await login(page, STRANGER);
      await page.goto('/cases');
      assert.equal(await page.getByRole('row').filter({ hasText: number }).count(), 1);
      await page.goto('/account');
      assert.match(await mainText(page), /四级/);
    }));

  test('the supervision page counts running cases by colour', () =>
    withPage(DESKTOP, async (page) => {
      await login(page, APPROVER);
      await page.goto('/workbench');
      assert.ok(await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '电子监察' }).isVisible(), 'in the header too');
      await page.locator('main').getByRole('link', { name: '电子监察' }).click();
      await page.waitForURL(/\/supervision$/);
      assert.ok(await page.getByRole('heading', { name: '电子监察', level: 1 }).isVisible());
      assert.match(await mainText(page), /正常/);
      await assertNoAxeViolations(page, 'supervision (zh)');
      await page.goto('/supervision?lang=en');
      await assertNoAxeViolations(page, 'supervision (en)');
    }));
  test('the platform administrator edits the form with a live preview and publishes it', () =>
    withPage(DESKTOP, async (page) => {
      await login(page, ADMIN);
      await page.goto('/staff');
      await page.getByLabel('服务事项实施编码').fill(OFFERING.code);
      await submit(page, page.getByRole('button', { name: '编辑表单' }));
      assert.match(page.url(), new RegExp(`/admin/forms/${OFFERING.code}$`));
      assert.ok(await page.getByRole('heading', { name: '表单管理', level: 1 }).isVisible());
      const preview = page.locator('#preview');
      assert.ok(await preview.getByLabel(/^经营者姓名/).isDisabled(), 'the preview shows the inputs, disabled');
      await assertNoAxeViolations(page, 'form administration (zh)');

      // The preview follows the typing: a broken definition is named, a fixed one is shown.
      const editor = page.getByLabel('表单定义（JSON）');
      const original = await editor.inputValue();
      await editor.fill(original.replace('"label": "经营者姓名"', '"label": "经营者姓名"'.slice(0, -1)));
      await preview.getByRole('alert').waitFor();
      assert.match(await preview.getByRole('alert').innerText(), /form[\s\S]*第 \d+ 行/);
      await assertNoAxeViolations(page, 'form administration with an error (zh)');
      const changed = original.replace('"label": "经营者姓名"', '"label": "经营者姓名（与身份证一致）"');
      assert.notEqual(changed, original, 'the demo form has the label');
      await editor.fill(changed);
      await preview.getByLabel(/^经营者姓名（与身份证一致）/).waitFor();
      assert.equal(await preview.getByRole('alert').count(), 0);

      await submit(page, page.getByRole('button', { name: '发布' }));
      assert.match(await page.getByRole('status').innerText(), /表单已发布/);
      assert.match(await page.locator('main').innerText(), /已发布的第 \d+ 版/);

      // A new application uses the published form.
      await login(page, CITIZEN);
      await page.goto(`/apply/${OFFERING.code}`);
      await submit(page, page.getByRole('button', { name: '在线申请' }));
      assert.ok(await page.getByLabel(/^经营者姓名（与身份证一致）/).isVisible());

      // Staff who do not administer the offering get 403.
      await login(page, WINDOW);
      const res = await page.goto(`/admin/forms/${OFFERING.code}`);
      assert.equal(res.status(), 403);
    }));
  test('a later application uses the 营业执照 instead of a file; the agency sees the annotated copy; the holder sees the use', () =>
    withPage(DESKTOP, async (page) => {
      const FOOD = { code: '1111010143783071XP0100105021000', name: '食品经营许可（新办）' };
      await login(page, CITIZEN);
      await page.goto(`/apply/${FOOD.code}`);
      await submit(page, page.getByRole('button', { name: '在线申请' }));
      assert.match(page.url(), /\/applications\/[^/?]+\?page=1$/);
      await page.getByLabel('申请事项说明').fill('小吃店申请食品经营许可');
      await submit(page, page.getByRole('button', { name: '保存并继续' }));
      assert.match(page.url(), /\/materials$/);

      // The 营业执照 the first journey issued is found and picked; the applicant authorizes its use.
      const material = (name) => page.locator('ol.materials > li').filter({ has: page.getByRole('heading', { name, exact: true }) });
      const licence = material('营业执照');
      assert.match(await licence.innerText(), /可使用您的电子证照，无需上传/);
      const choice = licence.getByRole('radio');
      assert.equal(await choice.count(), 1, 'the 营业执照 is found');
      assert.ok(await choice.isChecked(), 'and picked already');
      await assertNoAxeViolations(page, 'materials, a licence to use (zh)');
      await submit(page, licence.getByRole('button', { name: '授权使用' }));
      assert.match(await page.getByRole('status').innerText(), /已授权使用电子证照/);
      assert.match(await licence.innerText(), /已使用电子证照：营业执照[\s\S]*用证事由\s*办理“食品经营许可（新办）”/);
      assert.equal(await licence.getByLabel('选择文件').count(), 0, 'no upload asked for it');
      await assertNoAxeViolations(page, 'materials, a licence used (zh)');
      const pdf = Buffer.from('%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');
      for (const name of [
        '《食品经营许可申请书》',
        '与食品经营相适应的主要设备设施、经营布局、操作流程等文件',
        '食品安全自查、从业人员健康管理、进货查验记录等食品安全管理制度',
      ]) {
        await material(name).getByLabel('选择文件').setInputFiles({ name: `${name.slice(0, 8)}.pdf`, mimeType: 'application/pdf', buffer: pdf });
        await submit(page, material(name).getByRole('button', { name: '上传' }));
        assert.match(await page.getByRole('status').innerText(), /文件已上传/);
      }
      await page.getByRole('link', { name: '继续，核对申请内容' }).click();
      await page.waitForURL(/\/check$/);
      assert.match(await mainText(page), /营业执照\s*已使用电子证照：营业执照/);
      await submit(page, page.getByRole('button', { name: '提交申请' }));
      assert.match(page.url(), /\/cases\/[0-9A-Z]+\?done=submitted$/, await mainText(page));
      const foodCase = page.url().match(/\/cases\/([0-9A-Z]+)\?/)[1];

      // The agency's window staff read the annotated copy, checked by the platform.
      await login(page, WINDOW);
      await page.goto(`/workbench/cases/${foodCase}`);
      assert.match(await mainText(page), /营业执照\s*已使用电子证照：营业执照/);
      await page.getByRole('link', { name: /查看加注件/ }).click();
      await page.waitForURL(/\/licence-uses\/u_[^/]+$/);
      assert.ok(await page.getByRole('heading', { name: '电子证照加注件', level: 1 }).isVisible());
      assert.match(await page.getByRole('status').innerText(), /证照签章与加注签章均有效[\s\S]*有效/);
      assert.match(await mainText(page), /用证事由\s*办理“食品经营许可（新办）”[\s\S]*使用部门\s*北京市东城区市场监督管理局/);
      assert.match(await mainText(page), /持证人\s*张三/);
      await assertNoAxeViolations(page, 'annotated copy (zh)');
      const copy = await page.request.get(page.url().replace('/licence-uses/', '/api/v1/licence-uses/') + '/annotated-copy');
      assert.equal(copy.status(), 200);
      assert.equal((await copy.json()).check.authentic, true);

      // The holder sees the use beside the licence's history; the guide counts the material saved.
      await login(page, CITIZEN);
      await page.goto('/licences');
      await page.getByRole('link', { name: /证照照面/ }).first().click();
      await page.waitForURL(/\/licences\/1\.2\.156/);
      const uses = page.getByRole('region', { name: '用证记录' });
      assert.match(await uses.innerText(), new RegExp(`北京市东城区市场监督管理局[\\s\\S]*食品经营许可（新办）[\\s\\S]*${foodCase}[\\s\\S]*营业执照`));
      assert.match(await page.getByRole('region', { name: '证照历史' }).innerText(), /新发\s*有效/);
      await assertNoAxeViolations(page, 'licence face with its uses (zh)');
      await page.goto(`/offerings/${FOOD.code}`);
      assert.match(await mainText(page), /本事项已通过电子证照和数据共享免交材料（份）：\s*1/);
    }));
  test('the 营业执照 is in the wallet; a browser not logged in verifies it; after revocation it says revoked', () =>
    withPage(DESKTOP, async (page) => {
      await login(page, CITIZEN);
      await page.goto('/licences');
      assert.ok(await page.getByRole('heading', { name: '我的证照', level: 1 }).isVisible());
      const item = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: '营业执照' }) });
      assert.equal(await item.count(), 1, 'the case journey ended with a licence');
      const id = (await item.locator('code').first().innerText()).trim();
      assert.match(id, /^1\.2\.156\.3005\.2\.11100000000013338W011\.1111010143783071XP\.[0-9A-Z]+\.001\.[0-9A-Z]$/);
      assert.match(await item.innerText(), /张三[\s\S]*有效/);
      await assertNoAxeViolations(page, 'wallet (zh)');

      // The face: the fields under their labels, the seal, and a QR code of the verification address.
      await item.getByRole('link', { name: /证照照面/ }).click();
      await page.waitForURL(new RegExp(`/licences/${id.replaceAll('.', '\\.')}$`));
      assert.ok(await page.getByRole('heading', { name: '营业执照', level: 1 }).isVisible());
      assert.match(await mainText(page), /经营场所[\s\S]*北京市东城区/);
      assert.ok(!(await mainText(page)).includes(CITIZEN.phone), 'the face does not carry the phone');
      const qr = page.getByRole('img', { name: /核验二维码/ });
      assert.ok(await qr.locator('svg').isVisible());
      assert.match(await qr.getAttribute('aria-label'), new RegExp(`/verify/${id.replaceAll('.', '\\.')}$`));
      // And a second one to rate the case the licence came of.
      const rateQr = page.getByRole('img', { name: /评价二维码/ });
      assert.match(await rateQr.getAttribute('aria-label'), /\/cases\/[0-9A-Z]{23}\/rating$/);
      await assertNoAxeViolations(page, 'licence face (zh)');
      await page.screenshot({ path: path.join(RESULTS_DIR, 'licence-face-zh.png'), fullPage: true });
      const pdfHref = await page.getByRole('link', { name: /下载 PDF/ }).getAttribute('href');
      assert.equal(pdfHref, `/licences/${id}/pdf`);
      const pdf = await page.request.get(pdfHref);
      assert.equal(pdf.status(), 200);
      assert.equal(pdf.headers()['content-type'], 'application/pdf');
      const pdfBytes = await pdf.body();
      assert.equal(pdfBytes.subarray(0, 5).toString(), '%PDF-');
      assert.ok(pdfBytes.includes('WenQuanYiMicroHei'), 'the CJK font is embedded');
      const exported = await page.request.get(`/api/v1/licences/${id}/export`);
      assert.equal(exported.status(), 200);
      assert.equal((await exported.json()).seal.algorithm, 'SM2-SM3');

      // Anyone, not logged in, from the QR code's address.
      const anonymous = await newContext(browser, server.baseURL, DESKTOP);
      const stranger = await anonymous.newPage();
      try {
        const res = await stranger.goto(`/verify/${id}`);
        assert.equal(res.status(), 200);
        assert.match(await stranger.getByRole('status').innerText(), /核验通过[\s\S]*核验时间：\d{4}-\d\d-\d\d \d\d:\d\d:\d\d（北京时间）/);
        // What an inspector compares with the paper: the number is the credit code issued to the new
        // 个体工商户 by 东城区's registration authority (92 + 110101), its name, validity, status in words.
        const shown = await stranger.locator('main').innerText();
        const credit = shown.match(/统一社会信用代码\s*(92110101[0-9A-Z]{10})/)?.[1];
        assert.ok(credit, `the credit code is shown: ${shown}`);
        assert.match(shown, new RegExp(`证照编号\\s*${credit}`));
        assert.match(shown, /名称（持证主体）\s*张三[\s\S]*发证机关\s*北京市东城区市场监督管理局[\s\S]*有效期\s*\d{4}-\d\d-\d\d – 长期[\s\S]*状态\s*有效/);
        await assertNoAxeViolations(stranger, 'verification, valid (zh)');
        // On an inspector's phone, 320 px wide: no sideways scroll, the verdict first.
        const phone = await newContext(browser, server.baseURL, { ...PHONE, viewport: { width: 320, height: 640 } });
        try {
          const p = await phone.newPage();
          await p.goto(`/verify/${id}`);
          await assertNoAxeViolations(p, 'verification (zh, 320px)');
          const verdict = await p.getByRole('status').boundingBox();
          assert.ok(verdict.y + verdict.height <= 640, `the verdict is on the first screen: ${JSON.stringify(verdict)}`);
          await p.screenshot({ path: path.join(RESULTS_DIR, 'verify-zh-320.png'), fullPage: true });
          await p.goto(`/verify/${id}?lang=en`);
          assert.match(await p.locator('main').innerText(), /Unified social credit code[\s\S]*Status\s*valid/);
          await assertNoAxeViolations(p, 'verification (en, 320px)');
        } finally {
          await phone.close();
        }

        // The issuing agency's approver revokes it over the API.
        const session = await stranger.request.post('/api/v1/sessions', {
          data: { identifier: APPROVER.phone, password: PASSWORD },
        });
        assert.equal(session.status(), 201);
        const { token } = await session.json();
        const revoked = await stranger.request.post(`/api/v1/licences/${id}/status`, {
          headers: { authorization: `Bearer ${token}` },
          data: { status: '07', reason: '以欺骗手段取得登记' },
        });
        assert.equal(revoked.status(), 200, await revoked.text());
        await stranger.context().clearCookies();
        await stranger.goto(`/verify/${id}`);
        assert.match(await stranger.getByRole('status').innerText(), /吊销/);
        await assertNoAxeViolations(stranger, 'verification, revoked (zh)');
        const unknown = await stranger.goto('/verify/1.2.156.3005.2.NOPE');
        assert.equal(unknown.status(), 404);
        assert.match(await stranger.getByRole('status').innerText(), /未找到/);
        const api = await stranger.request.get(`/api/v1/licences/${id}/verification`);
        const v = await api.json();
        assert.deepEqual([v.authentic, v.status, v.status_name, v.type], [true, '07', '吊销', '营业执照']);
      } finally {
        await anonymous.close();
      }
    }));

  test('administrators import licences with a report of refused lines; the approver renews one and suspends the new version', () =>
    withPage(DESKTOP, async (page) => {
      await login(page, WINDOW);
      assert.equal((await page.goto('/admin/licences')).status(), 403, 'window staff do not administer licences');

      await login(page, ADMIN);
      await page.goto('/staff');
      await page.getByRole('link', { name: /电子证照管理/ }).click();
      await page.waitForURL(/\/admin\/licences$/);
      await assertNoAxeViolations(page, 'licence administration (zh)');
      const good = {
        type_name: '食品经营许可证', issuer_code: OFFERING.agency, issuer_name: '北京市东城区市场监督管理局',
        number: 'JY11101010000077', holder_name: CITIZEN.name, holder_code: CITIZEN.id, division_code: '110101',
      };
      const bad = { ...good, number: 'JY-77' };
      await page.getByLabel('证照数据（每行一份，JSON）').fill(`${JSON.stringify(good)}\n${JSON.stringify(bad)}`);
      await submit(page, page.getByRole('button', { name: '导入并签发' }));
      const report = page.getByRole('region', { name: '导入结果' });
      assert.match(await report.innerText(), /已签发：\s*1/);
      const id = (await report.locator('code').first().innerText()).trim();
      assert.match(id, /\.JY11101010000077\.001\.[0-9A-Z]$/);
      assert.match(await report.getByRole('table').innerText(), /2\s*number/, 'the refused line with its field');
      await assertNoAxeViolations(page, 'licence import report (zh)');

      await login(page, APPROVER);
      await page.goto('/admin/licences');
      const renewal = page.getByRole('region', { name: '证照延续' });
      await renewal.getByLabel('证照标识').fill(id);
      await renewal.getByLabel('理由').fill('有效期届满前申请延续');
      await submit(page, renewal.getByRole('button', { name: '延续' }));
      const notice = await page.getByRole('status').innerText();
      const renewed = notice.match(/(1\.2\.156\.\S+)/)?.[1];
      assert.match(renewed ?? notice, /\.JY11101010000077\.002\./);
      const change = page.getByRole('region', { name: '变更证照状态' });
      await change.getByLabel('证照标识').fill(renewed);
      await change.getByLabel('变更为').selectOption('02');
      await change.getByLabel('理由').fill('责令停业整顿');
      await submit(page, change.getByRole('button', { name: '变更状态' }));
      assert.match(await page.getByRole('status').innerText(), /证照状态已变更/);

      await page.context().clearCookies();
      await page.goto(`/verify/${renewed}`);
      assert.match(await page.getByRole('status').innerText(), /暂扣/);
      await login(page, CITIZEN);
      await page.goto(`/licences/${renewed}`);
      assert.match(await page.getByRole('region', { name: '证照历史' }).innerText(), /延续[\s\S]*暂扣[\s\S]*责令停业整顿/);
    }));
});
