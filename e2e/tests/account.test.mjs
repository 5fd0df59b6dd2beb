// Browser pass over the account pages against a private `tongban serve` with its demo data (the
// demo population registry included): a new person registers with one of the registry's demo
// identities, sees only masked numbers, passes real-name verification (level 2) and the phone
// code (level 3), logs out, is
// refused a wrong password, logs in with the phone. axe-core WCAG 2.1 A/AA on every page and
// state, zh and en, desktop and 360 px phone.

import path from 'node:path';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { after, before, describe, test as nodeTest } from 'node:test';
import { assertNoAxeViolations, DESKTOP, launchBrowser, newContext, PHONE } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';

// 张三 of datasets/registry/demo.csv (fictional).
const PERSON = { name: '张三', id: '110101199003070011', phone: '13812345678', password: 'Tongban-2026' };

let server;
let browser;
let setupError = null;

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

/** The current RFC 6238 code (SHA-1, 30 s, 6 digits) of a base32 secret, as an authenticator app shows it. */
function totp(secretBase32, shiftSeconds = 0) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secretBase32.replace(/=+$/, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor((Date.now() / 1000 + shiftSeconds) / 30)));
  const h = createHmac('sha1', key).update(counter).digest();
  const offset = h[19] & 0xf;
  return String((h.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/** Submits the form that holds `button` and waits for the page it leads to. */
async function submit(page, button) {
  await Promise.all([page.waitForNavigation(), button.click()]);
}

describe('Tongban account pages in Chromium', () => {
  before(async () => {
    try {
      server = await startServer({ readyTimeoutMs: 60_000, logName: 'server-account.log' });
      browser = await launchBrowser();
    } catch (e) {
      setupError = e;
    }
  });

  after(async () => {
    await browser?.close();
    if (server?.isRunning()) await server.stop();
  });

  test('register, see only masked numbers, verify the real name, log out, log in with the phone', () =>
    withPage(DESKTOP, async (page) => {
      await page.goto('/account');
      assert.match(page.url(), /\/login\?next=%2Faccount$/, 'my account asks to log in first');
      await page.getByRole('link', { name: '还没有账号？注册' }).click();
      await page.waitForURL(/\/register$/);
      await assertNoAxeViolations(page, 'register (zh)');

      await page.getByLabel('姓名').fill(PERSON.name);
      await page.getByLabel('居民身份证号码').fill(PERSON.id);
      await page.getByLabel('手机号码').fill(PERSON.phone);
      await page.getByLabel('口令', { exact: true }).fill(PERSON.password);
      await page.getByLabel('再次输入口令').fill('Something-else-1');
      await submit(page, page.getByRole('button', { name: '注册' }));
      assert.ok(await page.getByRole('alert').isVisible(), 'the mismatch is reported');
      assert.match(await page.getByRole('alert').innerText(), /两次输入的口令不一致/);
      await assertNoAxeViolations(page, 'register with an error (zh)');
      assert.equal(await page.getByLabel('居民身份证号码').inputValue(), PERSON.id, 'the form keeps what was typed');

      await page.getByLabel('口令', { exact: true }).fill(PERSON.password);
      await page.getByLabel('再次输入口令').fill(PERSON.password);
      await submit(page, page.getByRole('button', { name: '注册' }));
      assert.match(page.url(), /\/account$/);
      await assertNoAxeViolations(page, 'my account (zh)');
      const body = await page.locator('main').innerText();
      assert.ok(body.includes('1101**********0011') && body.includes('138****5678'), body);
      assert.ok(!(await page.content()).includes(PERSON.id), 'the full id number is nowhere in the page');
      assert.ok(body.includes('一级：自行声明'));

      await submit(page, page.getByRole('button', { name: '进行实名核验' }));
      assert.match(page.url(), /done=verified/);
      assert.match(await page.getByRole('status').innerText(), /实名核验已通过/);
      assert.ok((await page.locator('main').innerText()).includes('二级：实名核验'));
      assert.equal(await page.getByRole('button', { name: '进行实名核验' }).count(), 0);
      await assertNoAxeViolations(page, 'my account after verification (zh)');

      // Level 3: the demo's development outbox (a file in the data directory) has the text; the
      // log never has a code.
      await submit(page, page.getByRole('button', { name: '发送验证码' }));
      assert.match(await page.getByRole('status').innerText(), /验证码已发送/);
      const outbox = await readFile(path.join(server.dataDir, 'dev-outbox.txt'), 'utf8');
      const codes = [...outbox.matchAll(/验证码为 (\d{6})/g)].map((m) => m[1]);
      assert.ok(codes.length > 0, 'the code is in the development outbox');
      const log = await readFile(server.logFile, 'utf8');
      assert.ok(!log.includes(codes.at(-1)), 'no code in the log');
      assert.ok(!log.includes(PERSON.phone) && !log.includes(PERSON.id), 'the log masks the phone and id');
      await page.getByLabel('短信验证码').fill(codes.at(-1));
      await submit(page, page.getByRole('button', { name: '确认' }));
      assert.match(await page.getByRole('status').innerText(), /手机验证已通过/);
      assert.ok((await page.locator('main').innerText()).includes('三级：实名核验并验证手机'));
      await assertNoAxeViolations(page, 'my account at level 3 (zh)');

      await submit(page, page.getByRole('button', { name: '退出登录' }));
      assert.equal(new URL(page.url()).pathname, '/');
      await page.goto('/login');
      await assertNoAxeViolations(page, 'login (zh)');
      await page.getByLabel('证件号码或手机号码').fill(PERSON.phone);
      await page.getByLabel('口令').fill('wrong-password-1');
      await submit(page, page.getByRole('button', { name: '登录' }));
      assert.match(await page.getByRole('alert').innerText(), /不正确/);
      await assertNoAxeViolations(page, 'login with an error (zh)');
      await page.getByLabel('口令').fill(PERSON.password);
      await submit(page, page.getByRole('button', { name: '登录' }));
      assert.match(page.url(), /\/account$/);
      assert.ok((await page.locator('main').innerText()).includes('三级'), 'the level stays verified');
    }));

  for (const device of [DESKTOP, PHONE]) {
    const width = device.viewport.width;
    for (const path of ['/register?lang=en', '/login?lang=en', '/register', '/login']) {
      test(`${path} is accessible and fits ${width}px`, () =>
        withPage(device, async (page) => {
          const res = await page.goto(path);
          assert.equal(res.status(), 200);
          const lang = await page.evaluate(() => document.documentElement.getAttribute('lang'));
          assert.equal(lang, path.includes('lang=en') ? 'en' : 'zh-CN');
          await assertNoAxeViolations(page, `${path} at ${width}px`);
          await assertNoHorizontalScroll(page, width);
        }));
    }
  }

  test('my account in English at 360px: masked numbers, devices, no sideways scroll', () =>
    withPage(PHONE, async (page) => {
      await page.goto('/login?lang=en');
      await page.getByLabel('Id number or mobile phone').fill(PERSON.id);
      await page.getByLabel('Password').fill(PERSON.password);
      await submit(page, page.getByRole('button', { name: 'Log in' }));
      assert.match(page.url(), /\/account$/);
      const text = await page.locator('main').innerText();
      assert.ok(text.includes('Devices logged in') && text.includes('This device'), text);
      assert.ok(text.includes('1101**********0011'));
      await assertNoAxeViolations(page, 'my account (en, 360px)');
      await assertNoHorizontalScroll(page, 360);
    }));

  test('case notices: a person chooses their channels, and e-mail only with an address', () =>
    withPage(PHONE, async (page) => {
      await page.goto('/login?lang=zh');
      await page.getByLabel('证件号码或手机号码').fill(PERSON.id);
      await page.getByLabel('口令').fill(PERSON.password);
      await submit(page, page.getByRole('button', { name: '登录' }));
      const notices = () => page.getByRole('region', { name: '办件通知' });
      const sms = () => notices().getByRole('checkbox', { name: /^短信/ });
      assert.ok(await sms().isChecked(), 'text messages at first');
      assert.match(await notices().innerText(), /几分钟内的多项进展合为一条/);
      // 张三 registered without an e-mail address: e-mail is not offered.
      assert.equal(await notices().getByRole('checkbox', { name: /^电子邮件/ }).count(), 0);
      assert.match(await notices().innerText(), /未填写电子邮箱，通知不能以邮件发送/);
      await sms().uncheck();
      await submit(page, notices().getByRole('button', { name: '保存通知方式' }));
      assert.match(await page.getByRole('status').innerText(), /通知方式已保存/);
      assert.ok(!(await sms().isChecked()), 'the choice is kept');
      await assertNoAxeViolations(page, 'my account, notices saved (zh, 360px)');
      await assertNoHorizontalScroll(page, 360);
      await sms().check();
      await submit(page, notices().getByRole('button', { name: '保存通知方式' }));
      assert.ok(await sms().isChecked());
    }));

  test('a forgotten password is reset with a code texted to the phone', () =>
    withPage(DESKTOP, async (page) => {
      const li = { name: '李四', id: '110105198511200127', phone: '13912345678' };
      await page.goto('/register');
      await page.getByLabel('姓名').fill(li.name);
      await page.getByLabel('居民身份证号码').fill(li.id);
      await page.getByLabel('手机号码').fill(li.phone);
      await page.getByLabel('口令', { exact: true }).fill('Old-password-1');
      await page.getByLabel('再次输入口令').fill('Old-password-1');
      await submit(page, page.getByRole('button', { name: '注册' }));
      await submit(page, page.getByRole('button', { name: '退出登录' }));

      await page.goto('/login');
      await page.getByRole('link', { name: '忘记口令？' }).click();
      await page.waitForURL(/\/password\/forgot$/);
      await assertNoAxeViolations(page, 'forgot password (zh)');
      await page.getByLabel('证件号码或手机号码').fill(li.phone);
      await submit(page, page.getByRole('button', { name: '发送验证码' }));
      assert.ok(!page.url().includes('13912345678'), 'the phone is in no URL');
      assert.ok(await page.getByRole('heading', { name: '重置口令' }).isVisible());
      await assertNoAxeViolations(page, 'reset password (zh)');
      const outbox = await readFile(path.join(server.dataDir, 'dev-outbox.txt'), 'utf8');
      const code = [...outbox.matchAll(/重置口令的验证码为 (\d{6})/g)].map((m) => m[1]).at(-1);
      assert.ok(code, 'the reset code is in the development outbox');
      await page.getByLabel('短信验证码').fill(code);
      await page.getByLabel('新口令').fill('New-password-2');
      await page.getByLabel('再次输入口令').fill('New-password-2');
      await submit(page, page.getByRole('button', { name: '重置口令' }));
      assert.match(await page.getByRole('status').innerText(), /口令已重置/);
      await page.getByLabel('证件号码或手机号码').fill(li.id);
      await page.getByLabel('口令').fill('New-password-2');
      await submit(page, page.getByRole('button', { name: '登录' }));
      assert.match(page.url(), /\/account$/);
    }));

  test('the legal representative authorizes an agent, who acts for the organization only within the grant', () =>
    withPage(DESKTOP, async (page) => {
      const ORG = { code: '91110101MA01TB014X', name: '北京通办示范科技有限公司' };
      const login = async (identifier, password) => {
        await page.goto('/login');
        await page.getByLabel('证件号码或手机号码').fill(identifier);
        await page.getByLabel('口令').fill(password);
        await submit(page, page.getByRole('button', { name: '登录' }));
        assert.match(page.url(), /\/account$/);
      };
      // 张三 (level 3 from the first test) is the legal representative in the demo legal registry.
      await login(PERSON.phone, PERSON.password);
      await page.getByLabel('统一社会信用代码').fill(ORG.code);
      await submit(page, page.getByRole('button', { name: '注册单位' }));
      assert.match(await page.getByRole('status').innerText(), /单位已注册/);
      await submit(page, page.getByRole('button', { name: '以该单位身份办事' }));
      assert.match(page.url(), /\/org\?done=switched$/);
      await assertNoAxeViolations(page, 'organization page, legal representative (zh)');
      await page.getByLabel('经办人证件号码或手机号码').fill('13912345678');
      await page.getByLabel('申办事项').check();
      await page.getByLabel('授权天数').fill('30');
      await submit(page, page.getByRole('button', { name: '授权', exact: true }));
      assert.match(await page.getByRole('status').innerText(), /已授权经办人/);
      assert.ok((await page.locator('main').innerText()).includes('139****5678'));
      await page.context().clearCookies();

      // 李四 (whose password the reset test changed) switches to the organization.
      await login('13912345678', 'New-password-2');
      assert.ok((await page.locator('main').innerText()).includes(ORG.name));
      await submit(page, page.getByRole('button', { name: '以该单位身份办事' }));
      const text = await page.locator('main').innerText();
      assert.ok(text.includes('经办人') && text.includes('申办事项'), text);
      assert.ok(!text.includes('使用单位电子证照') && !text.includes('办件查询与补正'), 'only the granted scope');
      assert.equal(await page.getByRole('button', { name: '授权', exact: true }).count(), 0, 'no agents section');
      await assertNoAxeViolations(page, 'organization page, agent (zh)');
    }));

  test('two-step verification: turned on with an authenticator code, then asked at login', () =>
    withPage(DESKTOP, async (page) => {
      const wang = { name: '王五', id: '310104197806150231', phone: '13712345678', password: 'Wang-password-1' };
      await page.goto('/register');
      await page.getByLabel('姓名').fill(wang.name);
      await page.getByLabel('居民身份证号码').fill(wang.id);
      await page.getByLabel('手机号码').fill(wang.phone);
      await page.getByLabel('口令', { exact: true }).fill(wang.password);
      await page.getByLabel('再次输入口令').fill(wang.password);
      await submit(page, page.getByRole('button', { name: '注册' }));

      await submit(page, page.getByRole('button', { name: '开启两步验证' }));
      await assertNoAxeViolations(page, 'my account, setting up two-step verification (zh)');
      const secret = (await page.locator('#totp-secret').innerText()).trim();
      // Each code is accepted once: confirm with the previous step's (drift allowed), log in with now's.
      await page.getByLabel('动态口令').fill(totp(secret, -30));
      await submit(page, page.getByRole('button', { name: '确认开启' }));
      assert.match(await page.getByRole('status').innerText(), /两步验证已开启/);
      await assertNoAxeViolations(page, 'my account with two-step verification on (zh)');

      await submit(page, page.getByRole('button', { name: '退出登录' }));
      await page.goto('/login');
      await page.getByLabel('证件号码或手机号码').fill(wang.phone);
      await page.getByLabel('口令').fill(wang.password);
      await submit(page, page.getByRole('button', { name: '登录' }));
      assert.match(await page.getByRole('alert').innerText(), /动态口令/);
      await assertNoAxeViolations(page, 'login asking for the code (zh)');
      await page.getByLabel('口令', { exact: true }).fill(wang.password);
      await page.getByLabel('动态口令').fill(totp(secret));
      await submit(page, page.getByRole('button', { name: '登录' }));
      assert.match(page.url(), /\/account$/);
    }));

  test('staff administration: a platform administrator assigns a role, zh and en', () =>
    withPage(DESKTOP, async (page) => {
      // The first platform administrator comes from the command line, beside the running server.
      // TONGBAN_* variables are the server's configuration: the test runner's own are left out.
      const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TONGBAN_')));
      await promisify(execFile)(server.bin, ['staff', 'add-platform-admin', PERSON.phone, '--data-dir', server.dataDir], {
        env,
      });
      await page.goto('/login');
      await page.getByLabel('证件号码或手机号码').fill(PERSON.phone);
      await page.getByLabel('口令').fill(PERSON.password);
      await submit(page, page.getByRole('button', { name: '登录' }));
      assert.ok((await page.locator('main').innerText()).includes('平台管理员'));
      await page.getByRole('link', { name: '工作人员管理' }).click();
      await page.waitForURL(/\/staff$/);
      await assertNoAxeViolations(page, 'staff administration (zh)');
      // An agency may also be given by its credit code, and a division by its code.
      await page.getByLabel('工作人员证件号码或手机号码').fill('13912345678');
      await page.getByLabel('角色', { exact: true }).selectOption('window_staff');
      await page.getByLabel('部门', { exact: true }).fill('11110000000000019K');
      await page.getByLabel('辖区', { exact: true }).fill('110105');
      await submit(page, page.getByRole('button', { name: '指定', exact: true }));
      assert.match(await page.getByRole('status').innerText(), /角色已指定/);
      assert.match(await page.locator('main li', { hasText: '窗口人员' }).innerText(), /北京市朝阳区[\s\S]*110105/, 'the division by name');
      // The same role again is refused; an unknown agency is named by its label; what was typed is kept.
      await page.getByLabel('工作人员证件号码或手机号码').fill('13912345678');
      await page.getByLabel('角色', { exact: true }).selectOption('window_staff');
      await page.getByLabel('部门', { exact: true }).fill('11110000000000019K');
      await page.getByLabel('辖区', { exact: true }).fill('110105');
      await submit(page, page.getByRole('button', { name: '指定', exact: true }));
      assert.match(await page.getByRole('alert').innerText(), /已在此部门和辖区担任此角色/);
      await page.getByLabel('部门', { exact: true }).fill('没有这个局');
      await submit(page, page.getByRole('button', { name: '指定', exact: true }));
      assert.match(await page.getByRole('alert').innerText(), /部门：未找到名为“没有这个局”的机构，请从列表中选择/);
      assert.equal(await page.getByLabel('部门', { exact: true }).getAttribute('aria-invalid'), 'true', 'the field is marked');
      assert.match(await page.locator('#agency_code-error').innerText(), /未找到名为“没有这个局”的机构/, 'the message beside the field');
      assert.equal(await page.getByLabel('辖区', { exact: true }).inputValue(), '110105', 'what was typed is kept');
      assert.equal(await page.getByLabel('角色', { exact: true }).inputValue(), 'window_staff');
      assert.equal((await page.locator('main li', { hasText: '窗口人员' }).count()), 1, 'one row, not two');
      // 撤销角色 asks first, on a page of its own; not withdrawing keeps the role.
      await page.goto('/staff');
      await page.locator('main li', { hasText: '窗口人员' }).getByRole('link', { name: /^撤销角色/ }).click();
      await page.waitForURL(/\/staff\?revoke=/);
      assert.ok(await page.getByRole('heading', { level: 1, name: '确认撤销角色' }).isVisible());
      assert.match(await page.locator('main').innerText(), /立即失去此角色的权限[\s\S]*窗口人员/);
      assert.equal(await page.getByRole('button', { name: '确认撤销角色' }).getAttribute('class'), 'danger');
      await assertNoAxeViolations(page, 'confirm 撤销角色 (zh)');
      await page.getByRole('link', { name: '不撤销，返回工作人员管理' }).click();
      await page.waitForURL(/\/staff$/);
      assert.equal((await page.locator('main li', { hasText: '窗口人员' }).count()), 1, 'the role is kept');
      await page.goto('/staff?lang=en');
      await assertNoAxeViolations(page, 'staff administration (en)');
      await page.setViewportSize({ width: 360, height: 740 });
      await assertNoHorizontalScroll(page, 360);

      // 李四, now window staff, verifies 王五 (of the two-step test) face to face: level 4.
      await page.context().clearCookies();
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.goto('/login?lang=zh');
      await page.getByLabel('证件号码或手机号码').fill('13912345678');
      await page.getByLabel('口令').fill('New-password-2');
      await submit(page, page.getByRole('button', { name: '登录' }));
      await page.getByRole('link', { name: '窗口当面核验' }).click();
      await page.waitForURL(/\/staff\/verify$/);
      await assertNoAxeViolations(page, 'verify in person (zh)');
      await page.getByLabel('证件号码或手机号码').fill('13712345678');
      await page.getByLabel('所持居民身份证号码').fill('310104197806150231');
      await submit(page, page.getByRole('button', { name: '核验通过' }));
      assert.match(await page.getByRole('status').innerText(), /四级认证/);
    }));

  test('single sign-on: a department system asks, the consent page lists the claims, zh and en', () =>
    withPage(DESKTOP, async (page) => {
      const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TONGBAN_')));
      const back = `${server.baseURL}/`;
      const { stdout } = await promisify(execFile)(
        server.bin,
        ['oidc', 'add-client', '--name', '不动产登记系统', '--redirect-uri', back, '--json', '--data-dir', server.dataDir],
        { env },
      );
      const client = JSON.parse(stdout);
      const query = new URLSearchParams({
        client_id: client.client_id,
        redirect_uri: back,
        response_type: 'code',
        scope: 'openid profile',
        state: 'st',
        nonce: 'n',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      });
      await page.goto(`/oauth/authorize?${query}`);
      assert.match(page.url(), /\/login\?next=/, 'log in first');
      await page.getByLabel('证件号码或手机号码').fill(PERSON.phone);
      await page.getByLabel('口令').fill(PERSON.password);
      await submit(page, page.getByRole('button', { name: '登录' }));
      assert.match(page.url(), /\/oauth\/authorize\?/, 'back to the request after logging in');
      const text = await page.locator('main').innerText();
      assert.ok(text.includes('不动产登记系统') && text.includes('身份认证等级') && text.includes('姓名'), text);
      await assertNoAxeViolations(page, 'consent (zh)');
      await page.goto(`/oauth/authorize?${query}&lang=en`);
      await assertNoAxeViolations(page, 'consent (en)');
      await submit(page, page.getByRole('button', { name: 'Agree and continue' }));
      const url = new URL(page.url());
      assert.equal(url.searchParams.get('state'), 'st');
      assert.ok(url.searchParams.get('code'), 'a code for the department system');
      // A logout link from elsewhere asks first (no ID token names the person).
      await page.goto(`/oauth/logout?client_id=${client.client_id}&post_logout_redirect_uri=${encodeURIComponent(back)}&lang=zh`);
      assert.ok(await page.getByRole('heading', { name: '退出登录' }).isVisible());
      await assertNoAxeViolations(page, 'logout confirmation (zh)');
      await submit(page, page.getByRole('button', { name: '退出登录' }));
      assert.equal(page.url(), back, 'back to the registered address, logged out');
    }));

  test('a form posted without its token is refused', async () => {
    const res = await fetch(`${server.baseURL}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ identifier: PERSON.phone, password: PERSON.password }),
      redirect: 'manual',
    });
    assert.equal(res.status, 403);
    assert.ok(!res.headers.get('set-cookie')?.includes('tb_session='), 'no session');
  });
});
