// Browser pass over the service hall (政务服务中心) against a private `tongban serve --demo`:
// a citizen finds the demo hall by links from the home page and, on a 360 px phone, books the
// next bookable day's slot for 个体工商户设立登记, sees it in 我的预约 and is reminded at once (in-site
// and by text: reminders go 14 days ahead here); cancelling asks first. At the kiosk the citizen
// checks in (today's appointment if one could be booked, else the refusal) and takes a walk-in
// ticket with the identity card; the display (1920×1080) shows the call live when window staff
// call the ticket at window 1; the window accepts an application for the person called
// (one-window acceptance), finishes the ticket, and the citizen rates the visit on the window's
// device; the platform administrator's figures count it. axe-core WCAG 2.1 A/AA on every page
// (kiosk and booking also in English).

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
const ADMIN = { name: '赵六', id: '440106199202290349', phone: '13612345678' };

// The demo hall and the services of its 市场监管专窗.
const HALL = { id: 'h_demo_dongcheng', name: '北京市东城区政务服务中心（演示）' };
const OFFERING = { code: '1111010143783071XP0700105001000', name: '个体工商户设立登记' };
const OTHER = { code: '1111010143783071XP0700105002000', name: '个体工商户注销登记' };
const AGENCY_NAME = '北京市东城区市场监督管理局';

let server;
let browser;
let setupError = null;
/** Today's appointment, if the booking page still offered a slot today when the test ran. */
let bookedToday = null;

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

/** Each person's cookies after logging in with the form once (20 logins a minute per address). */
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

/** `YYYY-MM-DD` of the days from `first` to `last`. */
function daysBetween(first, last) {
  const out = [];
  for (let d = new Date(`${first}T00:00:00Z`); d <= new Date(`${last}T00:00:00Z`); d.setUTCDate(d.getUTCDate() + 1)) {
    out.push(d.toISOString().slice(0, 10));
  }
  return out;
}

/** Shows the slots of `day` for the offering chosen on the booking page; the first free one. */
async function showSlots(page, offering, day) {
  await page.getByLabel('办理事项').selectOption(offering.code);
  await page.getByLabel('日期', { exact: true }).fill(day);
  await submit(page, page.getByRole('button', { name: '查看可约时段' }));
  const free = page.locator('input[name="start"]:not([disabled])');
  return (await free.count()) ? free.first() : null;
}

/** Books the first free slot of `day` (shown by showSlots): its start time. */
async function bookFirstFree(page, offering, day) {
  const radio = await showSlots(page, offering, day);
  assert.ok(radio, `a free slot on ${day}`);
  const start = await radio.getAttribute('value');
  await radio.check();
  await submit(page, page.getByRole('button', { name: '确认预约' }));
  assert.match(page.url(), /\/appointments\?done=booked$/, `booked ${offering.name} ${day} ${start}: ${await mainText(page)}`);
  assert.match(await page.getByRole('status').innerText(), /预约成功/);
  return start;
}

/** The number on the ticket page (after its hidden 号码 for screen readers). */
async function ticketNumber(page) {
  return (await page.locator('p.ticket-number').textContent()).trim().split(/\s+/).pop();
}

/** Waits until the display has received `n` calls and shows `text` as the one being called. */
async function displayShows(display, n, text) {
  await display.waitForFunction(
    ([calls, now]) => document.body.dataset.calls === calls && document.getElementById('now').textContent === now,
    [String(n), text],
    { timeout: 10_000 },
  );
}

/** Waits for a line of the development outbox to `phone` matching `re`. */
async function outboxLine(phone, re) {
  let lines = [];
  for (let i = 0; i < 40; i++) {
    const text = await readFile(path.join(server.dataDir, 'dev-outbox.txt'), 'utf8').catch(() => '');
    lines = text.split('\n').filter((l) => l.includes(`to ${phone}`));
    const hit = lines.find((l) => re.test(l));
    if (hit) return hit;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  assert.fail(`no text to ${phone} matching ${re}:\n${lines.join('\n')}`);
}

describe('Tongban service hall in Chromium', () => {
  before(async () => {
    try {
      server = await startServer({
        readyTimeoutMs: 60_000,
        logName: 'server-hall.log',
        settings: { TONGBAN_APPOINTMENT_REMIND_DAYS: '14' },
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

  test('a citizen finds the hall from the home page, books on a phone, is reminded, and cancelling asks first', () =>
    withPage(PHONE, async (page) => {
      await register(page, CITIZEN);
      await submit(page, page.getByRole('button', { name: '进行实名核验' }));
      assert.match(await page.getByRole('status').innerText(), /实名核验已通过/);

      // From the home page by links: 办事大厅, the hall, 预约办理 beside the service.
      await page.goto('/');
      await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '办事大厅' }).click();
      await page.waitForURL(/\/halls$/);
      assert.ok(await page.getByRole('heading', { name: '政务服务中心', level: 1 }).isVisible());
      await assertNoAxeViolations(page, 'halls (zh, 360px)');
      await page.getByRole('link', { name: HALL.name }).click();
      await page.waitForURL(new RegExp(`/halls/${HALL.id}$`));
      assert.ok(await page.getByRole('heading', { name: HALL.name, level: 1 }).isVisible());
      assert.match(await mainText(page), /09:00-12:00,13:30-17:00/);
      await assertNoAxeViolations(page, 'hall (zh, 360px)');
      const line = page.locator('main li').filter({ has: page.getByRole('link', { name: OFFERING.name, exact: true }) });
      await line.getByRole('link', { name: '预约办理' }).click();
      await page.waitForURL(new RegExp(`/halls/${HALL.id}/book\\?offering_code=${OFFERING.code}$`));
      assert.ok(await page.getByRole('heading', { name: '预约到中心办理', level: 1 }).isVisible());
      assert.equal(await page.getByLabel('办理事项').inputValue(), OFFERING.code, 'the service is chosen');
      await assertNoAxeViolations(page, 'book (zh, 360px)');

      // The next bookable day: the first day after today with a free slot (today's may be over).
      const dayInput = page.getByLabel('日期', { exact: true });
      const today = await dayInput.getAttribute('min');
      const lastDay = await dayInput.getAttribute('max');
      let next = null;
      let todayFree = false;
      for (const day of daysBetween(today, lastDay)) {
        const free = await showSlots(page, OFFERING, day);
        if (day === today) {
          todayFree = free !== null;
          continue;
        }
        const text = await mainText(page);
        if (free) {
          next = day;
          break;
        }
        assert.match(text, /非工作日|未放号|已约满|没有可预约/, `${day} says why there is no slot: ${text}`);
      }
      assert.ok(next, `a day from ${today} to ${lastDay} has a free slot`);
      await showSlots(page, OFFERING, next);
      const slots = page.getByRole('group', { name: `可约时段 · ${next}` });
      assert.match(await slots.getByRole('radio').first().evaluate((r) => r.labels[0].innerText), /^09:00 · 余 3$/);
      await assertNoAxeViolations(page, 'book with the slots (zh, 360px)');
      await page.screenshot({ path: path.join(RESULTS_DIR, 'hall-book-zh-360.png'), fullPage: true });
      const start = await bookFirstFree(page, OFFERING, next);
      await assertNoAxeViolations(page, 'my appointments, booked (zh, 360px)');
      const card = page.locator('li.card').filter({ hasText: OFFERING.name });
      assert.equal(await card.count(), 1);
      assert.match(await card.innerText(), new RegExp(`${next} ${start}[\\s\\S]*${HALL.name}[\\s\\S]*已预约`));

      // The reminder, at once (the day is within 14 days): in-site and by text.
      const title = `预约提醒：${next} ${start} ${HALL.name}`;
      await page.goto('/cases');
      const inbox = page.locator('section', { has: page.getByRole('heading', { name: '站内消息' }) });
      assert.match(await inbox.innerText(), new RegExp(title.replace(/[（）]/g, '.')), 'the in-site reminder');
      await assertNoAxeViolations(page, 'my cases with the reminder (zh, 360px)');
      const text = await outboxLine(CITIZEN.phone, /预约提醒/);
      assert.ok(text.includes(next) && text.includes(start), text);

      // Cancelling asks first; not cancelling goes back with the appointment kept.
      await page.goto(`/halls/${HALL.id}/book`);
      await bookFirstFree(page, OTHER, next);
      const other = page.locator('li.card').filter({ hasText: OTHER.name });
      // Each card's links name their appointment (for a screen reader's list of links).
      assert.equal(await other.getByRole('link', { name: `取消预约 ${OTHER.name} ${next}`, exact: false }).count(), 1);
      await other.getByRole('link', { name: '取消预约' }).click();
      await page.waitForURL(/\/appointments\/[^/]+\/cancel$/);
      assert.ok(await page.getByRole('heading', { name: '取消预约', level: 1 }).isVisible());
      assert.match(await page.getByRole('note').innerText(), /号源会放给其他人/);
      await assertNoAxeViolations(page, 'cancel the appointment? (zh, 360px)');
      await page.getByRole('link', { name: '不取消，返回' }).click();
      await page.waitForURL(/\/appointments$/);
      assert.match(await other.innerText(), /已预约/);
      await other.getByRole('link', { name: '取消预约' }).click();
      await submit(page, page.getByRole('button', { name: '取消预约' }));
      assert.match(page.url(), /\/appointments\?done=cancelled$/);
      assert.match(await page.getByRole('status').innerText(), /预约已取消/);
      assert.match(await other.innerText(), /已取消/);
      assert.equal(await other.getByRole('link', { name: '取消预约' }).count(), 0);
      assert.match(await card.innerText(), /已预约/, 'the other appointment stands');

      // Today's slot, if the booking page still offers one: the kiosk checks it in later.
      if (todayFree) {
        await page.goto(`/halls/${HALL.id}/book`);
        bookedToday = { day: today, start: await bookFirstFree(page, OFFERING, today) };
      }

      // Kiosk and booking pages in English.
      await page.goto(`/halls/${HALL.id}/book?lang=en&offering_code=${OFFERING.code}&day=${next}`);
      assert.ok(await page.getByRole('heading', { name: 'Book a visit to the hall', level: 1 }).isVisible());
      await assertNoAxeViolations(page, 'book (en, 360px)');
      await page.goto(`/halls/${HALL.id}/kiosk?lang=en`);
      assert.ok(await page.getByRole('heading', { name: /^Ticket kiosk/, level: 1 }).isVisible());
      await assertNoAxeViolations(page, 'kiosk (en, 360px)');
      await page.goto('/halls?lang=zh');
    }));

  test('the platform administrator makes 李四 window staff at the agency', () =>
    withPage(DESKTOP, async (page) => {
      for (const person of [WINDOW, ADMIN]) {
        await page.context().clearCookies();
        await register(page, person);
      }
      const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TONGBAN_')));
      await promisify(execFile)(server.bin, ['staff', 'add-platform-admin', ADMIN.phone, '--data-dir', server.dataDir], {
        env,
      });
      await login(page, ADMIN);
      await page.goto('/staff');
      await page.getByLabel('工作人员证件号码或手机号码').fill(WINDOW.phone);
      await page.getByLabel('角色', { exact: true }).selectOption('window_staff');
      await page.getByLabel('部门', { exact: true }).fill(AGENCY_NAME);
      await page.getByLabel('辖区', { exact: true }).fill('');
      await submit(page, page.getByRole('button', { name: '指定', exact: true }));
      assert.match(await page.getByRole('status').innerText(), /角色已指定/);
    }));

  test('kiosk, live display, window desk, one-window acceptance, the rating device and the figures', async () => {
    if (setupError) throw setupError;
    // The display on a large screen, open throughout, in a context of its own.
    const screen = await newContext(browser, server.baseURL, { name: 'screen', viewport: { width: 1920, height: 1080 } });
    try {
      const display = await screen.newPage();
      await display.goto(`/halls/${HALL.id}/display`);
      assert.equal(await display.locator('#now').innerText(), '暂无叫号');
      assert.ok(await display.getByRole('button', { name: '开启语音播报' }).isVisible(), 'sound can be turned on');
      await assertNoAxeViolations(display, 'display (zh, 1920×1080)');
      await assertNoHorizontalScroll(display, 1920);

      // The kiosk on a phone-sized screen: check-in, then a walk-in ticket with the card.
      let ticket;
      await withPage(PHONE, async (page) => {
        await page.goto(`/halls/${HALL.id}/kiosk`);
        assert.ok(await page.getByRole('heading', { name: /^自助取号/, level: 1 }).isVisible());
        await assertNoAxeViolations(page, 'kiosk (zh, 360px)');
        const checkIn = page.getByRole('region', { name: '预约签到' });
        await checkIn.getByLabel(/^身份证号码/).fill(CITIZEN.id);
        await submit(page, checkIn.getByRole('button', { name: '签到取号' }));
        if (bookedToday) {
          assert.match(page.url(), /\/tickets\/tk_/);
          assert.match(await ticketNumber(page), /^P\d{3}$/);
          assert.match(await mainText(page), /预约/);
        } else {
          // No appointment today (today's slots were over or not released when this ran).
          const alert = page.getByRole('alert');
          assert.match(await alert.innerText(), /未找到您今天在本中心的预约，请取普通号/);
          assert.ok(!/appointment/.test(await alert.innerText()), 'no English on a Chinese page');
          await alert.getByRole('link', { name: /未找到/ }).click();
          assert.equal(await page.evaluate(() => document.activeElement?.id), 'checkin_card', 'the error leads to the field');
          await assertNoAxeViolations(page, 'kiosk, check-in refused (zh, 360px)');
        }
        await page.goto(`/halls/${HALL.id}/kiosk`);
        const take = page.getByRole('region', { name: '现场取号' });
        await take.getByLabel('办理事项').selectOption(OFFERING.code);
        await take.getByLabel('身份证号码（可选）', { exact: true }).fill(CITIZEN.id);
        await submit(page, take.getByRole('button', { name: '取号', exact: true }));
        assert.match(page.url(), /\/tickets\/tk_/);
        assert.ok(await page.getByRole('heading', { name: '您的号票', level: 1 }).isVisible());
        ticket = await ticketNumber(page);
        assert.equal(await page.getByText(`号码 ${ticket}`).count(), 1, 'the number is read out as a number');
        assert.match(ticket, /^A\d{3}$/);
        const text = await mainText(page);
        assert.match(text, /前面等候\s*\d+/);
        assert.match(text, /预计等候\s*\d+ 分钟/);
        assert.match(text, /市场监管专窗 · 现场/);
        await assertNoAxeViolations(page, 'ticket (zh, 360px)');
      });
      const first = bookedToday ? 'P001' : ticket;

      await withPage(DESKTOP, async (page) => {
        // 李四 signs in at window 1 and calls the next ticket.
        await login(page, WINDOW);
        await page.goto('/');
        await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '窗口叫号' }).click();
        await page.waitForURL(/\/workbench\/hall$/);
        await assertNoAxeViolations(page, 'hall windows (zh)');
        const hall = page.getByRole('region', { name: HALL.name });
        await hall.getByLabel('窗口', { exact: true }).selectOption('1');
        await submit(page, hall.getByRole('button', { name: '在此窗口登录' }));
        assert.match(page.url(), new RegExp(`/workbench/hall/${HALL.id}$`));
        assert.ok(await page.getByRole('heading', { name: `${HALL.name} · 窗口 1`, level: 1 }).isVisible());
        const waiting = page.getByRole('table', { name: '等候人数' });
        assert.match(await waiting.getByRole('row').filter({ hasText: '市场监管专窗' }).innerText(), bookedToday ? /2$/ : /1$/);
        await assertNoAxeViolations(page, 'desk, nothing called (zh)');
        await submit(page, page.getByRole('button', { name: '叫下一位' }));
        const serving = page.getByRole('region', { name: /^正在办理/ });
        assert.equal(await serving.locator('.ticket-number').innerText(), first);
        await assertNoAxeViolations(page, 'desk, serving (zh)');

        // The display shows the call without reloading.
        await displayShows(display, 1, `请 ${first} 号到 1 号窗口办理`);
        assert.match(await display.locator('#calls li').first().innerText(), new RegExp(`^${first}\\s+窗口 1$`));
        await assertNoAxeViolations(display, 'display with a call (zh, 1920×1080)');
        await display.screenshot({ path: path.join(RESULTS_DIR, 'hall-display-1920.png') });

        // When today's appointment came first, it is finished at once and the walk-in called.
        if (bookedToday) {
          await submit(page, serving.getByRole('button', { name: '办结' }));
          await submit(page, page.getByRole('button', { name: '叫下一位' }));
          assert.equal(await serving.locator('.ticket-number').innerText(), ticket);
          await displayShows(display, 2, `请 ${ticket} 号到 1 号窗口办理`);
        }

        // One-window acceptance for the person called.
        await serving.getByRole('link', { name: '前台受理申请' }).click();
        await page.waitForURL(/\/workbench\/walk-in\?/);
        assert.equal(await page.getByLabel('事项实施编码').inputValue(), OFFERING.code, 'the ticket\'s service');
        await assertNoAxeViolations(page, 'walk-in from the desk (zh)');
        await page.getByLabel('申请人的身份证号码或手机号码（须已注册）').fill(CITIZEN.phone);
        await page.getByLabel('申请人出示的居民身份证号码').fill(CITIZEN.id);
        await submit(page, page.getByRole('button', { name: '核验证件并开始申请' }));
        assert.match(page.url(), /\/applications\/[^/]+\?page=1$/, await mainText(page));
        assert.equal(await page.getByLabel('经营者姓名').inputValue(), CITIZEN.name);
        await page.getByLabel('联系电话').fill(CITIZEN.phone);
        await submit(page, page.getByRole('button', { name: '保存并继续' }));
        await page.getByLabel('组成形式').selectOption('个人经营');
        await page.getByLabel('经营场所').fill('北京市东城区东四北大街 107 号');
        await page.getByLabel('经营范围').fill('小吃服务');
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
        const caseNumber = new URL(page.url()).pathname.split('/').pop();
        const accept = page.getByRole('form', { name: '受理', exact: true });
        await submit(page, accept.getByRole('button', { name: '受理', exact: true }));
        assert.match(page.url(), /\?done=acted$/, await mainText(page));

        // Back at the desk: finish the ticket; the case records the visit.
        await page.goto(`/workbench/hall/${HALL.id}`);
        assert.equal(await serving.locator('.ticket-number').innerText(), ticket);
        await submit(page, serving.getByRole('button', { name: '办结' }));
        assert.equal(await page.getByRole('region', { name: /^正在办理/ }).count(), 0);
        assert.ok(await page.getByRole('button', { name: '叫下一位' }).isVisible());
        await page.goto(`/workbench/cases/${caseNumber}`);
        // Submitted, accepted, and the visit with its hall, window and ticket.
        const entries = await page.getByRole('region', { name: '办理过程' }).locator('ol.timeline > li').allInnerTexts();
        assert.equal(entries.length, 3, `the case records the visit: ${entries.join('\n')}`);
        assert.match(entries[2], new RegExp(`政务服务中心（演示）1号窗口办理（号票 ${ticket}）`), entries[2]);

        // The window's rating device, facing the citizen.
        await page.goto(`/workbench/hall/${HALL.id}/device`);
        assert.ok(await page.getByRole('heading', { name: '请对本次服务评价', level: 1 }).isVisible());
        // It faces the person served: no site header with the staff member's name and links.
        assert.equal(await page.locator('header').count(), 0, 'no site header on the device');
        assert.match(await mainText(page), new RegExp(`${ticket}\\s*·\\s*${OFFERING.name}`));
        assert.deepEqual(
          await page.getByRole('radio').evaluateAll((rs) => rs.map((r) => r.labels[0].innerText.trim())),
          ['非常满意', '满意', '基本满意', '不满意', '非常不满意'],
        );
        await assertNoAxeViolations(page, 'rating device (zh)');
        // A bad review (不满意) of a visit whose card was read: real-name, so called back.
        await page.getByRole('radio', { name: '不满意', exact: true }).check();
        await page.getByLabel('意见建议（差评时必填）').fill('等候时间太长，<script>没有人引导</script>');
        const realName = page.getByRole('checkbox', { name: /^实名评价/ });
        assert.equal(await realName.isChecked(), false, 'anonymous unless the person chooses');
        await realName.check();
        await submit(page, page.getByRole('button', { name: '提交评价' }));
        assert.match(await page.getByRole('status').innerText(), /感谢您的评价！/);
        assert.match(await mainText(page), /暂无待评价的办理/, 'rated once');
        await assertNoAxeViolations(page, 'rating device, thanks (zh)');

        // The window agency's rectification queue holds the visit's bad review: callback, answer.
        await page.goto('/workbench');
        await page.getByRole('link', { name: '差评整改' }).click();
        await page.waitForURL(/\/workbench\/rectifications$/);
        const card = page.getByRole('region', { name: new RegExp(`窗口办理.*1 号窗口 ${ticket}`) });
        assert.match(await card.innerText(), /等候时间太长，<script>没有人引导<\/script>/, 'the comment shown as text');
        await card.getByRole('link', { name: /显示联系电话/ }).click();
        assert.match(await card.innerText(), new RegExp(CITIZEN.phone));
        await card.getByLabel('回访情况').fill('已电话联系，致歉并说明改进措施');
        await submit(page, card.getByRole('button', { name: '记录回访' }));
        await card.getByLabel('整改答复').fill('高峰时段增派导办人员');
        await submit(page, card.getByRole('button', { name: '提交整改答复' }));
        assert.match(await card.innerText(), /已答复|待评价人/);
        await assertNoAxeViolations(page, 'rectification of a visit (zh)');
      });

      // The visitor finds it under 我的评价 and is satisfied.
      await withPage(PHONE, async (page) => {
        await login(page, CITIZEN);
        await page.goto('/account');
        await page.getByRole('link', { name: '我的评价' }).click();
        await page.waitForURL(/\/account\/ratings$/);
        const card = page.getByRole('region', { name: new RegExp(`窗口办理.*${ticket}`) });
        assert.match(await card.innerText(), /高峰时段增派导办人员/);
        await assertNoAxeViolations(page, 'my ratings (zh, 360px)');
        await assertNoHorizontalScroll(page, 360);
        await submit(page, card.getByRole('button', { name: '满意', exact: true }));
        assert.match(await page.getByRole('status').innerText(), /已收到您对整改的评价/);
        assert.match(await card.innerText(), /您对整改的评价\s*满意/);
        await page.goto('/account/ratings?lang=en');
        assert.ok(await page.getByRole('heading', { name: 'My ratings', level: 1 }).isVisible());
        await assertNoAxeViolations(page, 'my ratings (en, 360px)');
        await page.goto('/account/ratings?lang=zh');
      });

      // The platform administrator's figures count the ticket at window 1.
      await withPage(DESKTOP, async (page) => {
        await login(page, ADMIN);
        await page.goto('/workbench/hall');
        await page.getByRole('link', { name: '大厅统计' }).first().click();
        await page.waitForURL(new RegExp(`/workbench/hall/${HALL.id}/figures$`));
        assert.ok(await page.getByRole('heading', { name: `大厅统计 · ${HALL.name}`, level: 1 }).isVisible());
        const table = page.getByRole('table');
        const headers = await table.getByRole('columnheader').allInnerTexts();
        const row = table.locator('tbody tr').filter({ has: page.locator('td:nth-child(2)', { hasText: /^1$/ }) });
        assert.equal(await row.count(), 1, 'one row of window 1 today');
        const values = await row.locator('td').allInnerTexts();
        const cells = Object.fromEntries(headers.map((h, i) => [h.trim(), (values[i] ?? '').trim()]));
        const served = bookedToday ? '2' : '1';
        assert.equal(cells['取号数'], served, JSON.stringify(cells));
        assert.equal(cells['办结'], served, JSON.stringify(cells));
        assert.equal(cells['评价数'], '1', JSON.stringify(cells));
        assert.equal(cells['预约'], bookedToday ? '1' : '0', JSON.stringify(cells));
        await assertNoAxeViolations(page, 'hall figures (zh)');

        // The hall's settings: a line that cannot be read is named; the hall saved unchanged.
        await page.goto('/workbench/hall');
        await page.getByRole('link', { name: '设置' }).first().click();
        await page.waitForURL(new RegExp(`/workbench/hall/${HALL.id}/edit$`));
        await assertNoAxeViolations(page, 'hall settings (zh)');
        const windows = page.getByLabel('窗口', { exact: true });
        const kept = await windows.inputValue();
        await windows.fill(`${kept}\n9`);
        await submit(page, page.getByRole('button', { name: '保存' }));
        assert.match(await page.getByRole('alert').innerText(), /「9」应为 窗口号 \| 部门代码 \| 分组代码/);
        assert.equal(await windows.inputValue(), `${kept}\n9`, 'what was typed stays');
        await windows.fill(kept);
        await submit(page, page.getByRole('button', { name: '保存' }));
        assert.match(page.url(), new RegExp(`/halls/${HALL.id}$`));
      });
    } finally {
      await screen.close();
    }
  });
});
