// Browser tests of the Khabar web UI: node tests/web/browser.mjs http://127.0.0.1:PORT/
// Drives the system Chromium through playwright-core; prints TAP lines and
// exits 1 when a check fails.  Screenshots go to tests/web/artifacts/.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const base = new URL(process.argv[2] || 'http://127.0.0.1:8080/');
const artifacts = join(dirname(fileURLToPath(import.meta.url)), 'artifacts');
mkdirSync(artifacts, { recursive: true });

const TIMEOUT = 10000;
let failures = 0;
let count = 0;
const consoleErrors = [];
const foreignRequests = [];
const expectedErrors = new Set(); // URLs whose failing status a check provokes on purpose

function assert(cond, why) {
  if (!cond) throw new Error(why);
}

async function check(name, fn) {
  count++;
  try {
    await fn();
    console.log(`ok ${count} - ${name}`);
  } catch (e) {
    failures++;
    const why = String((e && e.message) || e).split('\n')[0];
    console.log(`not ok ${count} - ${name}: ${why}`);
  }
}

async function api(path) {
  const res = await fetch(new URL(path, base));
  assert(res.ok, `GET ${path}: HTTP ${res.status}`);
  return res.json();
}

function watch(page, label) {
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const loc = msg.location() || {};
    if (loc.url && [...expectedErrors].some((u) => loc.url.startsWith(u))) return;
    consoleErrors.push(`${label} ${page.url()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => consoleErrors.push(`${label} ${page.url()}: uncaught ${err.message}`));
  page.on('request', (req) => {
    const u = new URL(req.url());
    if (u.protocol === 'data:' || u.protocol === 'blob:') return;
    if (u.hostname !== '127.0.0.1') foreignRequests.push(req.url());
  });
}

// Waits until the view has rendered the page's current URL (the app sets
// view.dataset.url when it is done), and that URL satisfies `pred`.
async function settled(page, pred) {
  if (pred) await page.waitForURL((u) => pred(u), { timeout: TIMEOUT });
  await page.waitForFunction(() => {
    const v = document.getElementById('view');
    return v && v.getAttribute('aria-busy') === 'false' && v.dataset.url === location.pathname + location.search;
  }, null, { timeout: TIMEOUT });
}

async function hitIds(page) {
  return page.$$eval('[data-testid=result-item]', (els) => els.map((e) => e.dataset.id));
}

async function searchFromForm(page, fields) {
  await page.fill('[data-testid=search-input]', fields.q || '');
  const source = page.locator('[data-testid=source-input]');
  if (fields.source || await source.isVisible()) await source.fill(fields.source || '');
  await page.click('[data-testid=search-submit]');
  await settled(page, (u) => u.pathname === '/search');
}

async function overflow(page) {
  return page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
}

const shots = [];
async function shoot(page, name) {
  await page.evaluate(() => document.fonts && document.fonts.ready);
  const file = join(artifacts, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  shots.push(file);
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const desktop = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ar' });
const page = await desktop.newPage();
page.setDefaultTimeout(TIMEOUT);
watch(page, 'desktop');

const state = {};
const QUERY = 'ولي العهد';

await check('(a) search from the home page: results, <mark> in snippets, q= in URL, dir=rtl', async () => {
  await page.goto(new URL('/', base).href);
  await settled(page);
  await shoot(page, 'home-desktop');
  await searchFromForm(page, { q: QUERY });
  const ids = await hitIds(page);
  assert(ids.length > 0, 'no result items');
  const marks = await page.locator('[data-testid=snippet] mark').count();
  assert(marks > 0, 'no <mark> in any snippet');
  const u = new URL(page.url());
  assert(u.searchParams.get('q') === QUERY, `URL has no q=${QUERY}: ${page.url()}`);
  const html = await page.evaluate(() => ({ dir: document.documentElement.dir, lang: document.documentElement.lang }));
  assert(html.dir === 'rtl' && html.lang === 'ar', `html dir=${html.dir} lang=${html.lang}`);
  const title = await page.locator('[data-testid=result-link]').first().textContent();
  assert(title && title.trim().length > 0, 'first result has no title');
  state.total = Number(await page.getAttribute('[data-testid=result-total]', 'data-total'));
  state.sources = await page.$$eval('[data-testid=result-item]', (els) => els.map((e) => e.dataset.source));
  await shoot(page, 'search-desktop');
});

await check('(b) the source filter narrows the results to that source', async () => {
  assert(state.sources && state.sources.length, 'no sources from (a)');
  const source = state.sources[0];
  await searchFromForm(page, { q: QUERY, source });
  const u = new URL(page.url());
  assert(u.searchParams.get('source') === source, `URL has no source=${source}`);
  const got = await page.$$eval('[data-testid=result-item]', (els) => els.map((e) => e.dataset.source));
  assert(got.length > 0, 'no results with the filter');
  const other = got.filter((s) => s !== source);
  assert(other.length === 0, `hits from other sources: ${other.join(',')}`);
  const total = Number(await page.getAttribute('[data-testid=result-total]', 'data-total'));
  assert(total < state.total, `filtered total ${total} not below unfiltered ${state.total}`);
  await page.fill('[data-testid=source-input]', '');
});

await check('(c) paging: page 2 shows other hits; the back button returns to page 1', async () => {
  await searchFromForm(page, { q: 'الحكومة السعودية' });
  const first = await hitIds(page);
  assert(first.length > 0, 'no results on page 1');
  await page.click('[data-testid=pager-next]');
  await settled(page, (u) => u.searchParams.get('page') === '2');
  const second = await hitIds(page);
  assert(second.length > 0, 'no results on page 2');
  const common = second.filter((id) => first.includes(id));
  assert(common.length === 0, `page 2 repeats ${common.join(',')}`);
  assert(await page.locator('[data-testid=pager-prev]').count() === 1, 'no previous link on page 2');
  await page.goBack();
  await settled(page, (u) => !u.searchParams.has('page'));
  const back = await hitIds(page);
  assert(JSON.stringify(back) === JSON.stringify(first), 'back button did not restore page 1');
  assert(await page.inputValue('[data-testid=search-input]') === 'الحكومة السعودية', 'search box not restored');
});

await check('(d) the first result opens its article: title and body', async () => {
  const href = await page.locator('[data-testid=result-link]').first().getAttribute('href');
  await page.locator('[data-testid=result-link]').first().click();
  await settled(page, (u) => u.pathname.startsWith('/article/'));
  assert(new URL(page.url()).pathname === href, `landed on ${page.url()}, link was ${href}`);
  const title = (await page.textContent('[data-testid=article-title]')).trim();
  assert(title.length > 0, 'empty article title');
  const body = (await page.textContent('[data-testid=article-body]')).trim();
  assert(body.length > 20, `article body too short (${body.length} chars)`);
  assert(await page.locator('[data-testid=article-body] p').count() >= 1, 'no paragraphs in the body');
  state.article = new URL(page.url()).pathname;
  await page.waitForSelector('[data-testid=story-link]');
  await page.waitForSelector('.related h2 + *:not(.loading)');
  await shoot(page, 'article-desktop');
});

await check('(e) a "قد يعجبك ايضا" link leads to another article', async () => {
  const heading = await page.locator('#related-heading').textContent();
  assert(heading.includes('قد يعجبك ايضا'), `related heading is ${heading}`);
  const link = page.locator('[data-testid=related-list] a').first();
  await link.waitFor();
  const href = await link.getAttribute('href');
  assert(/^\/article\/[^/]+$/.test(href), `related link ${href}`);
  assert(href !== state.article, 'related link is the article itself');
  await link.click();
  await settled(page, (u) => u.pathname.startsWith('/article/'));
  assert(new URL(page.url()).pathname === href, `landed on ${page.url()}`);
  const title = (await page.textContent('[data-testid=article-title]')).trim();
  assert(title.length > 0, 'empty title on the related article');
});

await check('(f) the story page shows a timeline of articles', async () => {
  const link = page.locator('[data-testid=story-link]');
  await link.waitFor();
  assert((await link.textContent()).includes('تسلسل القصة'), 'story link text');
  await link.click();
  await settled(page, (u) => u.pathname.startsWith('/story/'));
  const items = await page.locator('[data-testid=story-timeline] [data-testid=timeline-item]').count();
  assert(items >= 1, 'no article in the timeline');
  const label = (await page.textContent('[data-testid=story-title]')).trim();
  assert(label.length > 0, 'story has no label');
});

// A search whose first page has a wire group (copies >= 2), found through the API.
async function findWire() {
  for (const q of ['خادم الحرمين', 'ولي العهد', 'واس', 'الرياض', 'وزير', 'الملك']) {
    const d = await api(`/api/search?q=${encodeURIComponent(q)}&n=100`);
    const h = (d.hits || []).find((x) => x.copies >= 2 && Array.isArray(x.sources));
    if (h) return h;
  }
  return null;
}

let wire = null;
await check('(i) a wire story shows "نُشر في" with its sources; its story lists several articles', async () => {
  wire = await findWire();
  assert(wire, 'no hit with copies >= 2 found through the API');
  // Search for the wire story's own headline: it comes first.
  await searchFromForm(page, { q: `"${wire.title}"` });
  const item = page.locator(`[data-testid=result-item][data-id="${wire.id}"]`);
  assert(await item.count() === 1, `${wire.id} not on the first page for its title`);
  const badge = item.locator('[data-testid=wire-badge]');
  assert(await badge.count() === 1, 'no wire badge');
  const text = await badge.textContent();
  assert(text.includes('نُشر في'), `badge text: ${text}`);
  const listed = await badge.locator('[data-source]').evaluateAll((els) => els.map((e) => e.dataset.source));
  assert(JSON.stringify(listed) === JSON.stringify(wire.sources), `badge sources ${listed} vs API ${wire.sources}`);
  await shoot(page, 'search-wire-desktop');
  await page.goto(new URL(`/story/${encodeURIComponent(wire.id)}`, base).href);
  await settled(page);
  const items = await page.locator('[data-testid=timeline-item]').count();
  assert(items >= 2, `only ${items} timeline items on the story of a hit with ${wire.copies} copies`);
  const dates = await page.$$eval('[data-testid=timeline-item] time', (els) => els.map((e) => e.getAttribute('datetime')));
  const sorted = [...dates].sort();
  assert(JSON.stringify(dates) === JSON.stringify(sorted), 'timeline not oldest first');
  await shoot(page, 'story-desktop');
});

await check('(g1) the subscription form confirms a valid request', async () => {
  await page.goto(new URL(`/search?q=${encodeURIComponent(QUERY)}`, base).href);
  await settled(page);
  const prefilled = await page.inputValue('[data-testid=subscribe-query]');
  assert(prefilled === QUERY, `subscription query not prefilled: "${prefilled}"`);
  await page.fill('[data-testid=subscribe-email]', 'reader@example.com');
  await page.selectOption('[data-testid=subscribe-frequency]', 'weekly');
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/subscriptions')),
    page.click('[data-testid=subscribe-submit]'),
  ]);
  assert(resp.status() === 202, `POST /api/subscriptions: HTTP ${resp.status()}`);
  const status = page.locator('[data-testid=subscribe-status][data-state=ok]');
  await status.waitFor();
  const text = await status.textContent();
  assert(text.includes('شكرًا'), `confirmation text: ${text}`);
  await shoot(page, 'subscribe-ok-desktop');
});

await check('(g2) the subscription form shows the error of an invalid e-mail', async () => {
  expectedErrors.add(new URL('/api/subscriptions', base).href);
  await page.evaluate(() => { document.getElementById('subscribe-form').noValidate = true; });
  await page.fill('[data-testid=subscribe-email]', 'not-an-address');
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/subscriptions')),
    page.click('[data-testid=subscribe-submit]'),
  ]);
  assert(resp.status() === 400, `POST /api/subscriptions with a bad e-mail: HTTP ${resp.status()}`);
  const status = page.locator('[data-testid=subscribe-status][data-state=error]');
  await status.waitFor();
  const text = await status.textContent();
  assert(text.includes('البريد الإلكتروني'), `error does not name the e-mail field: ${text}`);
  await shoot(page, 'subscribe-error-desktop');
  await page.evaluate(() => { document.getElementById('subscribe-form').noValidate = false; });
});

await check('(k) a query syntax error is shown in Arabic with the server message', async () => {
  expectedErrors.add(new URL('/api/search', base).href);
  await page.goto(new URL(`/search?q=${encodeURIComponent('(ولي')}`, base).href);
  await settled(page);
  const err = page.locator('[data-testid=error]');
  assert(await err.count() === 1, 'no error box');
  const text = await err.textContent();
  assert(text.includes('خطأ في الطلب'), `error text: ${text}`);
  assert(/[a-z]/i.test(text), `no server message in: ${text}`);
});

// ---- phone width ----
const phone = await browser.newContext({
  viewport: { width: 375, height: 800 }, locale: 'ar', deviceScaleFactor: 2, isMobile: true, hasTouch: true,
});
const mobile = await phone.newPage();
mobile.setDefaultTimeout(TIMEOUT);
watch(mobile, 'phone');

await check('(h) phone width 375: no horizontal overflow on any page', async () => {
  const pages = [['home', '/']];
  pages.push(['search', `/search?q=${encodeURIComponent(QUERY)}`]);
  if (state.article) pages.push(['article', state.article]);
  if (wire) {
    pages.push(['search-wire', `/search?q=${encodeURIComponent(`"${wire.title}"`)}`]);
    pages.push(['story', `/story/${encodeURIComponent(wire.id)}`]);
  }
  const bad = [];
  for (const [name, path] of pages) {
    await mobile.goto(new URL(path, base).href);
    await settled(mobile);
    if (name === 'article') await mobile.waitForSelector('.related h2 + *:not(.loading)');
    const o = await overflow(mobile);
    if (o.scroll > 375) bad.push(`${name}: scrollWidth ${o.scroll}`);
    await shoot(mobile, `${name}-phone`);
  }
  assert(bad.length === 0, bad.join('; '));
});

await check('(j) no console errors and no request to another host', async () => {
  const why = [];
  if (consoleErrors.length) why.push(`${consoleErrors.length} console errors: ${consoleErrors.slice(0, 3).join(' | ')}`);
  if (foreignRequests.length) why.push(`${foreignRequests.length} requests to other hosts: ${[...new Set(foreignRequests)].slice(0, 3).join(' ')}`);
  assert(why.length === 0, why.join('; '));
});

await browser.close();
console.log(`1..${count}`);
console.log(`# ${count - failures} passed, ${failures} failed; screenshots: ${shots.length} in ${artifacts}`);
process.exit(failures ? 1 : 0);
