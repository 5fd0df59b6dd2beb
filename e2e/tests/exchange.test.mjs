// Browser pass over data sharing against a private `tongban serve` with its demo data: the
// platform administrator (the data authority, made with the CLI) makes 王五 data steward of
// 北京市公安局东城分局 and 李四 of 北京市东城区市场监督管理局; 王五 registers the population check
// (有条件共享, two personal items) and publishes it; 李四 finds it and requests one item for
// 个体工商户设立登记; the administrator's conformity review passes it on, 王五 approves with a quota;
// 李四 registers the bureau's system and is shown its secret once. 张三 applies for a service whose
// guide takes the data by sharing: she sees what will be fetched from whom, submits without
// uploading it, and the approver sees it fetched with its call-log place. Then a real HTTP client (Node's
// fetch) takes a client-credentials token and queries for a case 张三 submitted: only the granted
// item comes back, an item not granted is 403 naming it, a stranger's id is 403; the monitoring
// page shows the calls; 王五 revokes (asked first) and the next call is 403 grant_required.
// Last, a department system served by Node (the housing register) answers a second resource,
// granted through the API; 张三 starts an application whose form pre-fills the premises from it
// and is shown which agency's resource and item the value came from.
// axe-core WCAG 2.1 A/AA on every page in zh, en for the catalog and a request, 360 px phones.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import http from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test as nodeTest } from 'node:test';
import { assertNoAxeViolations, assertNoHorizontalScroll, DESKTOP, launchBrowser, newContext, PHONE } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';

// People of datasets/registry/demo.csv (fictional).
const PASSWORD = 'Tongban-2026';
const CITIZEN = { name: '张三', id: '110101199003070011', phone: '13812345678' };
const CONSUMER_STEWARD = { name: '李四', id: '110105198511200127', phone: '13912345678' };
const PROVIDER_STEWARD = { name: '王五', id: '310104197806150231', phone: '13712345678' };
const ADMIN = { name: '赵六', id: '440106199202290349', phone: '13612345678' };
const STRANGER_ID = '510104200001010452';

const PROVIDER = { code: '111101015425293395', name: '北京市公安局东城分局' };
const CONSUMER = { code: '1111010143783071XP', name: '北京市东城区市场监督管理局' };
const OFFERING = '1111010143783071XP0700105001000';
// The same service with the operator's household registration taken by data sharing (published in
// the first test with the CLI).
const SHARED_OFFERING = '1111010143783071XP0700105001998';
const SHARED_MATERIAL = '经营者户籍信息';
const RESOURCE = { id: '110101-GA-RK-0001', name: '人口基本信息核验' };
const HOUSE = { id: '110101-GT-FC-0001', name: '房屋登记信息', address: '北京市东城区东华门街道南池子大街 8 号' };

let server;
let browser;
let setupError = null;
let requestPath = null;
let system = null;
let caseNumber = null;
let houseSystem = null;

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

async function submit(page, button) {
  await Promise.all([page.waitForNavigation(), button.click()]);
}

const mainText = (page) => page.locator('main').innerText();

async function register(page, person) {
  await page.context().clearCookies();
  await page.goto('/register');
  await page.getByLabel('姓名').fill(person.name);
  await page.getByLabel('居民身份证号码').fill(person.id);
  await page.getByLabel('手机号码').fill(person.phone);
  await page.getByLabel('口令', { exact: true }).fill(PASSWORD);
  await page.getByLabel('再次输入口令').fill(PASSWORD);
  await submit(page, page.getByRole('button', { name: '注册' }));
  assert.match(page.url(), /\/account$/, `${person.name} is registered: ${await mainText(page)}`);
}

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

/** A JSON call to the server, as a department system makes it. */
async function call(method, path, { token, body, form } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  let payload;
  if (form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    payload = new URLSearchParams(form).toString();
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(`${server.baseURL}${path}`, { method, headers, body: payload, redirect: 'manual' });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, json, text, headers: res.headers };
}

async function query(token, items) {
  return call('POST', `/exchange/v1/resources/${RESOURCE.id}/query`, {
    token,
    body: { case_number: caseNumber, params: { id_number: CITIZEN.id, name: CITIZEN.name }, ...(items ? { items } : {}) },
  });
}

/** 张三's draft of `offering` through the API: the form filled in, the files uploaded. */
async function apiDraft(offering) {
  const login = await call('POST', '/api/v1/sessions', { body: { identifier: CITIZEN.phone, password: PASSWORD } });
  assert.equal(login.status, 201, login.text);
  const token = login.json.token;
  const started = await call('POST', '/api/v1/applications', { token, body: { offering_code: offering } });
  assert.equal(started.status, 201, started.text);
  const id = started.json.id;
  const data = {
    operator_name: CITIZEN.name, phone: CITIZEN.phone, organization_form: '个人经营',
    address: '北京市东城区东四北大街 107 号', business_scope: '小吃服务', employees: 2, capital: 5,
  };
  const saved = await call('PUT', `/api/v1/applications/${id}`, { token, body: { data } });
  assert.equal(saved.status, 200, saved.text);
  for (const m of started.json.materials.filter((m) => m.required && m.source === 'applicant' && m.files.length === 0)) {
    const form = new FormData();
    form.append('material', m.name);
    form.append('file', new Blob([Buffer.from('%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n')], { type: 'application/pdf' }), 'file.pdf');
    const res = await fetch(`${server.baseURL}/api/v1/applications/${id}/materials`, {
      method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form,
    });
    assert.ok(res.status < 300, `${m.name}: ${res.status} ${await res.text()}`);
  }
  return { token, id };
}

async function systemToken() {
  const t = await call('POST', '/oauth/token', {
    form: { grant_type: 'client_credentials', client_id: system.id, client_secret: system.secret },
  });
  assert.equal(t.status, 200, t.text);
  return t.json.access_token;
}

describe('Tongban data sharing in Chromium', () => {
  before(async () => {
    try {
      // The housing register's system: answers any query about 张三's home.
      houseSystem = http.createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ address: HOUSE.address, owner: CITIZEN.name }));
        });
      });
      await new Promise((resolve) => houseSystem.listen(0, '127.0.0.1', resolve));
      server = await startServer({
        readyTimeoutMs: 60_000, logName: 'server-exchange.log', settings: { TONGBAN_OUTBOUND_ALLOW: '127.0.0.1/32' },
      });
      browser = await launchBrowser();
    } catch (e) {
      setupError = e;
    }
  });

  after(async () => {
    await browser?.close();
    if (server?.isRunning()) await server.stop();
    houseSystem?.close();
  });

  test('the data authority makes a data steward of each agency', () =>
    withPage(DESKTOP, async (page) => {
      for (const person of [CONSUMER_STEWARD, PROVIDER_STEWARD, ADMIN]) await register(page, person);
      const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TONGBAN_')));
      await promisify(execFile)(server.bin, ['staff', 'add-platform-admin', ADMIN.phone, '--data-dir', server.dataDir], { env });
      await login(page, ADMIN);
      await page.goto('/staff');
      for (const [person, agency] of [[PROVIDER_STEWARD, PROVIDER], [CONSUMER_STEWARD, CONSUMER]]) {
        await page.getByLabel('工作人员证件号码或手机号码').fill(person.phone);
        await page.getByLabel('角色', { exact: true }).selectOption('data_steward');
        await page.getByLabel('部门', { exact: true }).fill(agency.name);
        await page.getByLabel('辖区', { exact: true }).fill('');
        await submit(page, page.getByRole('button', { name: '指定', exact: true }));
        assert.match(await page.getByRole('status').innerText(), /角色已指定/);
        assert.match(await page.locator('main li').filter({ hasText: person.name }).innerText(), /数据管理员/);
      }
      // 李四 also decides the bureau's cases (to see what a case fetched).
      await page.getByLabel('工作人员证件号码或手机号码').fill(CONSUMER_STEWARD.phone);
      await page.getByLabel('角色', { exact: true }).selectOption('approver');
      await page.getByLabel('部门', { exact: true }).fill(CONSUMER.name);
      await submit(page, page.getByRole('button', { name: '指定', exact: true }));
      assert.match(await page.getByRole('status').innerText(), /角色已指定/);
      // A guide whose material is taken by data sharing, published with the CLI.
      const demo = (await readFile(new URL('../../datasets/catalog/demo.jsonl', import.meta.url), 'utf8'))
        .split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((o) => o.offering_code === OFFERING);
      demo.offering_code = SHARED_OFFERING;
      demo.materials.push({ name: SHARED_MATERIAL, original: 'original', copies: 1, form: 'electronic', required: true,
        source: { kind: 'shared', resource: RESOURCE.id } });
      // Its premises field is pre-filled from the housing register (granted later).
      const premises = demo.form.sections.flatMap((sec) => sec.fields).find((f) => f.name === 'address');
      premises.prefill = ['shared'];
      premises.shared = { resource: HOUSE.id, item: 'address' };
      const file = path.join(server.dataDir, 'shared-offering.json');
      await writeFile(file, JSON.stringify(demo));
      for (const args of [['catalog', 'draft', file], ['catalog', 'publish', SHARED_OFFERING]]) {
        await promisify(execFile)(server.bin, [...args, '--data-dir', server.dataDir], { env });
      }
      // The header links the data authority to the data pages.
      await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '数据共享' }).click();
      await page.waitForURL(/\/data$/);
      assert.ok(await page.getByRole('heading', { name: '数据共享交换', level: 1 }).isVisible());
      await assertNoAxeViolations(page, 'data home, the authority (zh)');
    }));

  test('a steward registers a resource, sees a field-named error, and publishes it', () =>
    withPage(DESKTOP, async (page) => {
      await login(page, PROVIDER_STEWARD);
      await page.goto('/data');
      await page.getByRole('link', { name: '登记数据资源' }).click();
      await page.waitForURL(/\/data\/resources\/new$/);
      await assertNoAxeViolations(page, 'register a resource (zh)');
      await page.getByLabel('资源代码').fill(RESOURCE.id);
      await page.getByLabel('资源名称').fill(RESOURCE.name);
      await page.getByLabel('资源摘要').fill('核验公民姓名与公民身份号码是否一致、是否在册');
      await page.getByLabel('资源分类').fill('基础信息资源/人口');
      await page.getByLabel('信息项').fill('registered,是否在册,boolean,个人信息\nname_matches,姓名是否一致,boolean');
      await page.getByLabel('共享属性').selectOption('conditional');
      await page.getByLabel('数据来源').selectOption('population');
      await submit(page, page.getByRole('button', { name: '保存' }));
      // The second item lacks its sensitivity; the condition is missing: both named.
      const alert = await page.getByRole('alert').innerText();
      assert.match(alert, /信息项[\s\S]*第 2 行/, alert);
      assert.equal(await page.getByLabel('信息项').getAttribute('aria-invalid'), 'true');
      assert.equal(await page.getByLabel('资源名称').inputValue(), RESOURCE.name, 'what was typed is kept');
      await assertNoAxeViolations(page, 'register a resource with errors (zh)');
      await page.getByLabel('信息项').fill('registered,是否在册,boolean,个人信息\nname_matches,姓名是否一致,boolean,个人信息');
      await submit(page, page.getByRole('button', { name: '保存' }));
      assert.match(await page.getByRole('alert').innerText(), /共享条件或不予共享的依据/);
      await page.getByLabel('共享条件或不予共享的依据').fill('仅用于办理申请人本人的政务服务事项');
      await submit(page, page.getByRole('button', { name: '保存' }));
      assert.match(page.url(), new RegExp(`/data/resources/${RESOURCE.id}\\?done=saved`));
      assert.match(await page.getByRole('status').innerText(), /已保存/);
      assert.match(await mainText(page), /未发布/);
      await assertNoAxeViolations(page, 'a saved resource (zh)');
      await submit(page, page.getByRole('button', { name: '发布此版本 (v1)' }));
      assert.match(await page.getByRole('status').innerText(), /已发布/);
    }));

  test('another agency finds it and requests one item for a service', () =>
    withPage(PHONE, async (page) => {
      await login(page, CONSUMER_STEWARD);
      await page.goto('/data?q=人口核验');
      await assertNoHorizontalScroll(page);
      await assertNoAxeViolations(page, 'data catalog search (zh, phone)');
      await page.getByRole('link', { name: RESOURCE.name }).click();
      await page.waitForURL(new RegExp(`/data/resources/${RESOURCE.id}$`));
      await assertNoHorizontalScroll(page);
      await assertNoAxeViolations(page, 'a resource, to request (zh, phone)');
      await page.getByLabel('用途').fill('个体工商户登记时核验经营者身份');
      await page.getByLabel('依据').fill('《促进个体工商户发展条例》');
      await page.getByLabel('使用的事项（实施编码）').fill(`${OFFERING}\n${SHARED_OFFERING}`);
      await page.getByLabel(/是否在册/).check();
      await page.getByLabel('每日调用上限').fill('100');
      await submit(page, page.getByRole('button', { name: '提交申请' }));
      assert.match(page.url(), /\/data\/requests\/SQ\d+$/, await mainText(page));
      requestPath = new URL(page.url()).pathname;
      assert.match(await mainText(page), /待合规审核[\s\S]*剩余工作日 2/);
      await assertNoHorizontalScroll(page);
      await assertNoAxeViolations(page, 'a request in review (zh, phone)');
      await page.goto(`${requestPath}?lang=en`);
      await assertNoAxeViolations(page, 'a request in review (en, phone)');
      await page.goto('/data?lang=en');
      await assertNoAxeViolations(page, 'data catalog (en, phone)');
      await page.goto('/data?lang=zh');
    }));

  test('the conformity review passes it on and the provider approves with a quota', () =>
    withPage(DESKTOP, async (page) => {
      await login(page, ADMIN);
      await page.goto('/data/requests?state=review');
      await page.getByRole('link', { name: requestPath.split('/').pop() }).click();
      await page.waitForURL(new RegExp(`${requestPath}$`));
      await assertNoAxeViolations(page, 'a request to review (zh)');
      await submit(page, page.getByRole('button', { name: '同意', exact: true }));
      assert.match(await page.getByRole('status').innerText(), /已提交审核意见/);
      assert.match(await mainText(page), /待提供方答复[\s\S]*剩余工作日 5/);

      await login(page, PROVIDER_STEWARD);
      await page.goto(requestPath);
      // A refusal without reasons is refused, naming the field.
      await submit(page, page.getByRole('button', { name: '不同意' }));
      assert.match(await page.getByRole('alert').innerText(), /理由/);
      await assertNoAxeViolations(page, 'a refusal without reasons (zh)');
      await page.getByLabel('核定的每日调用上限（不填则按申请）').fill('4');
      await submit(page, page.getByRole('button', { name: '同意', exact: true }));
      const text = await mainText(page);
      assert.match(text, /已授权/);
      assert.match(text, /每日调用上限\s*4/);
      assert.match(text, /核定每日调用上限 4 次/, 'the trail records the quota granted');
      await assertNoAxeViolations(page, 'a grant (zh)');
    }));

  test('the consuming agency registers its system and sees the secret once', () =>
    withPage(DESKTOP, async (page) => {
      await login(page, CONSUMER_STEWARD);
      await page.goto('/data');
      await page.getByRole('link', { name: '部门系统' }).click();
      await page.waitForURL(/\/data\/systems$/);
      await assertNoAxeViolations(page, 'systems (zh)');
      await page.getByLabel('系统名称').fill('市场监管登记系统');
      await submit(page, page.getByRole('button', { name: '登记系统' }));
      const secret = page.getByRole('status');
      assert.match(await secret.innerText(), /离开本页后将无法再次查看/);
      const codes = await secret.locator('code').allInnerTexts();
      system = { id: codes[0], secret: codes[1] };
      assert.match(system.id, /^c_/);
      await assertNoAxeViolations(page, 'a system registered (zh)');
      await page.goto('/data/systems');
      assert.ok(!(await mainText(page)).includes(system.secret), 'never shown again');
    }));

  test('an applicant sees what will be fetched, submits without it, and the approver sees it fetched', () =>
    withPage(PHONE, async (page) => {
      await register(page, CITIZEN);
      await submit(page, page.getByRole('button', { name: '进行实名核验' }));
      assert.match(await page.getByRole('status').innerText(), /实名核验已通过/);
      sessions.set(CITIZEN.phone, await page.context().cookies());
      // The form filled in through the API (the form pages are the cases pass's), then the pages.
      const { token, id } = await apiDraft(SHARED_OFFERING);
      await page.goto(`/applications/${id}/materials`);
      const item = page.locator('li').filter({ has: page.getByRole('heading', { name: SHARED_MATERIAL }) });
      const preview = await item.innerText();
      assert.match(preview, /免提交：提交后将由系统从以下部门获取/);
      assert.match(preview, new RegExp(`${PROVIDER.name}[\\s\\S]*${RESOURCE.name}`));
      assert.match(preview, /是否在册、姓名是否一致/);
      assert.equal(await item.getByLabel('选择文件').count(), 0, 'no upload asked');
      await assertNoHorizontalScroll(page);
      await assertNoAxeViolations(page, 'materials with a shared material (zh, phone)');
      // Declining asks for the file; changing back does not.
      await submit(page, item.getByRole('button', { name: '不同意获取，我自行上传' }));
      assert.match(await page.getByRole('status').innerText(), /已改为自行上传/);
      assert.equal(await item.getByLabel('选择文件').count(), 1);
      await assertNoAxeViolations(page, 'a shared material declined (zh, phone)');
      await submit(page, item.getByRole('button', { name: '改为由系统获取' }));
      assert.match(await page.getByRole('status').innerText(), /已改为由系统获取/);
      await page.goto(`/applications/${id}/check`);
      assert.match(await mainText(page), new RegExp(`${SHARED_MATERIAL}\\s*免提交`));
      await assertNoAxeViolations(page, 'check with a shared material (zh, phone)');
      await submit(page, page.getByRole('button', { name: '提交申请' }));
      const number = (await page.getByRole('status').filter({ hasText: '申请已提交' }).innerText()).match(/办件编号：\s*(\S+)/)?.[1];
      assert.ok(number, await mainText(page));
      assert.ok(token);

      await login(page, CONSUMER_STEWARD);
      await page.goto(`/workbench/cases/${number}`);
      const fetched = page.getByRole('region', { name: '共享获取的材料（免提交）' });
      const text = await fetched.innerText();
      assert.match(text, /是否在册\s*是/, text);
      assert.ok(!/姓名是否一致/.test(text), `only the granted item: ${text}`);
      assert.match(text, /调用日志\s*1-\d+/);
      await assertNoHorizontalScroll(page);
      await assertNoAxeViolations(page, 'a case with a fetched material (zh, phone)');
    }));

  test('a department system queries for a case and gets only the granted item', async () => {
    const { token, id } = await apiDraft(OFFERING);
    const submitted = await call('POST', `/api/v1/applications/${id}/submit`, { token });
    assert.ok([200, 201].includes(submitted.status), submitted.text);
    caseNumber = submitted.json.case_number;

    const sys = await systemToken();
    const a = await query(sys);
    assert.equal(a.status, 200, a.text);
    assert.deepEqual(a.json.data, { registered: true }, 'name_matches is not granted');
    assert.match(a.headers.get('x-tongban-call'), /^1-\d+$/);
    const notGranted = await query(sys, ['name_matches']);
    assert.equal(notGranted.status, 403);
    assert.equal(notGranted.json.error.code, 'item_not_granted');
    assert.ok(notGranted.json.error.fields.name_matches, 'names the item');
    const stranger = await call('POST', `/exchange/v1/resources/${RESOURCE.id}/query`, {
      token: sys, body: { case_number: caseNumber, params: { id_number: STRANGER_ID } },
    });
    assert.equal(stranger.json.error.code, 'not_the_subject', stranger.text);
    assert.equal((await call('POST', `/exchange/v1/resources/${RESOURCE.id}/query`, { body: {} })).status, 401);
    // The quota of 4, one used by the case's fetch: two more, then 429 with Retry-After.
    assert.equal((await query(sys)).status, 200);
    assert.equal((await query(sys)).status, 200);
    const spent = await query(sys);
    assert.equal(spent.status, 429, spent.text);
    assert.ok(Number(spent.headers.get('retry-after')) > 0);
  });

  test('the monitoring page shows the calls; revoking refuses the next call', () =>
    withPage(DESKTOP, async (page) => {
      await login(page, PROVIDER_STEWARD);
      await page.goto('/data');
      await page.getByRole('link', { name: '调用监测' }).click();
      await page.waitForURL(/\/data\/monitoring$/);
      const row = page.getByRole('row').filter({ hasText: RESOURCE.id }).filter({ hasText: CONSUMER.name });
      assert.equal(await row.count(), 1, await mainText(page));
      // The case's fetch and six calls after the token: 4 answered, item, subject, 429 — quota 4 of 4.
      assert.match(await row.innerText(), /7\s+3\s+\d+\s+\d+\s+4 \/ 4/, await row.innerText());
      await assertNoAxeViolations(page, 'monitoring (zh)');

      await page.goto(requestPath);
      await page.getByRole('link', { name: '撤销授权' }).click();
      await page.waitForURL(/\?revoke=1$/);
      assert.match(await mainText(page), /下一次调用即被拒绝/);
      await assertNoAxeViolations(page, 'revoke, asked first (zh)');
      await page.getByLabel('理由').fill('用途已变更，停止共享');
      await submit(page, page.getByRole('button', { name: '确认撤销授权' }));
      assert.match(await page.getByRole('status').innerText(), /已撤销授权/);
      const after = await query(await systemToken());
      assert.equal(after.status, 403, after.text);
      assert.equal(after.json.error.code, 'grant_required');
    }));

  test('a form field is pre-filled from a shared resource and says where it came from', async () => {
    const session = async (who) => {
      const r = await call('POST', '/api/v1/sessions', { body: { identifier: who.phone, password: PASSWORD } });
      assert.equal(r.status, 201, r.text);
      return r.json.token;
    };
    const provider = await session(PROVIDER_STEWARD);
    const item = (name, label) => ({ name, label, type: 'string', sensitivity: 'personal' });
    const registered = await call('POST', '/api/v1/data/resources', {
      token: provider,
      body: {
        identifier: HOUSE.id, name: HOUSE.name, abstract: '房屋坐落与权利人', agency_code: PROVIDER.code,
        classification: '基础信息资源/不动产', items: [item('address', '房屋坐落'), item('owner', '权利人')],
        sharing: 'unconditional', open_class: 'closed', update_cycle: '实时', format: 'JSON',
        provider: { kind: 'upstream', url: `http://127.0.0.1:${houseSystem.address().port}/q` }, subject: 'id_number',
      },
    });
    assert.equal(registered.status, 201, registered.text);
    const published = await call('POST', `/api/v1/data/resources/${HOUSE.id}/publication`, {
      token: provider, body: { version: 1 },
    });
    assert.equal(published.status, 200, published.text);
    const expires = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);
    const requested = await call('POST', '/api/v1/data/requests', {
      token: await session(CONSUMER_STEWARD),
      body: {
        resource: HOUSE.id, consumer_agency: CONSUMER.code, purpose: '个体工商户登记时填写经营场所',
        legal_basis: '《促进个体工商户发展条例》', offerings: [SHARED_OFFERING], items: ['address'],
        quota_per_day: 100, expires_on: expires,
      },
    });
    assert.equal(requested.status, 201, requested.text);
    const granted = await call('POST', `/api/v1/data/requests/${requested.json.id}/decision`, {
      token: await session(ADMIN), body: { decision: 'approve', reasons: '' },
    });
    assert.equal(granted.json?.state, 'granted', granted.text);

    await withPage(PHONE, async (page) => {
      await login(page, CITIZEN);
      await page.goto(`/offerings/${SHARED_OFFERING}`);
      await page.getByRole('link', { name: '在线申请' }).click();
      await page.waitForURL(new RegExp(`/apply/${SHARED_OFFERING}$`));
      await submit(page, page.getByRole('button', { name: '在线申请' }));
      await submit(page, page.getByRole('button', { name: '保存并继续' }));
      assert.match(page.url(), /\?page=2$/);
      const premises = page.getByLabel('经营场所', { exact: false }).first();
      assert.equal(await premises.inputValue(), HOUSE.address, await mainText(page));
      const text = await mainText(page);
      assert.match(text, new RegExp(`由数据共享获取：${PROVIDER.name}“${HOUSE.name}”· 房屋坐落`), text);
      await assertNoHorizontalScroll(page);
      await assertNoAxeViolations(page, 'a form pre-filled from a shared resource (zh, phone)');
    });
  });

  test('the call log verifies with the CLI', async () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TONGBAN_')));
    const { stdout } = await promisify(execFile)(
      server.bin, ['exchange', 'verify-log', '--seal', '--data-dir', server.dataDir], { env },
    );
    assert.match(stdout, /完整 \(intact\)/, stdout);
  });
});
