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
const cspViolations = [];
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

// Every page reports its Content-Security-Policy violations here.
async function watchCsp(context, sink) {
  await context.exposeBinding('__khabarCsp', ({ page }, what) => sink.push(`${page.url()}: ${what}`));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__khabarCsp(`${e.violatedDirective} ${e.blockedURI || ''}`.trim());
    });
  });
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
    const route = location.hash.startsWith('#/') ? location.hash : '';
    return v && v.getAttribute('aria-busy') === 'false' && v.dataset.url === location.pathname + location.search + route;
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
await watchCsp(desktop, cspViolations);
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

await check('(c2) a page that is not full is the last: no next link to empty pages', async () => {
  // total counts wire copies the hits show as one; find the first short page
  const q = 'الملك';
  const first = await api(`/api/search?q=${encodeURIComponent(q)}&n=10`);
  const pages = Math.ceil(first.total / 10);
  let short = 0;
  for (let p = pages; p >= 1 && !short; p--) {
    const r = await api(`/api/search?q=${encodeURIComponent(q)}&n=10&page=${p}`);
    if (r.hits.length === 10) short = p + 1;
  }
  assert(short > 1 && short < pages, `no short page before the last by total (${short} of ${pages})`);
  await page.goto(new URL(`/search?q=${encodeURIComponent(q)}&page=${short}`, base).href);
  await settled(page);
  const hits = await hitIds(page);
  assert(hits.length > 0 && hits.length < 10, `page ${short} has ${hits.length} hits`);
  assert(await page.locator('[data-testid=pager-next]').count() === 0, `page ${short} links to an empty next page`);
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

// ---- entities ----

const ent = {};
const byDate = (xs) => JSON.stringify(xs) === JSON.stringify([...xs].sort());
const shownEvents = (pg, scope) => pg.$$eval(`${scope} [data-testid=event-item]`,
  (els) => els.map((e) => ({ kind: e.dataset.kind, date: e.dataset.date, id: e.dataset.id })));

await check('(l) entity lookup from the home page, by keyboard: "Obama" lists باراك اوباما with its count', async () => {
  const want = await api('/api/entities?q=Obama');
  assert(want.entities && want.entities.length, 'the API finds no entity for Obama');
  const top = want.entities[0];
  assert(/[اأ]وباما/.test(top.name), `the API's first entity for Obama is ${top.name}`);
  ent.top = top;
  await page.goto(new URL('/', base).href);
  await settled(page);
  await page.focus('[data-testid=entity-search-input]');
  await page.keyboard.type('Obama');
  await page.keyboard.press('Enter');
  await settled(page, (u) => u.hash.startsWith('#/entities?'));
  assert(new URLSearchParams(new URL(page.url()).hash.split('?')[1]).get('q') === 'Obama', `URL ${page.url()}`);
  const rows = await page.$$eval('[data-testid=entity-result]', (els) => els.map((e) => ({
    key: e.dataset.key, articles: Number(e.dataset.articles),
    name: e.querySelector('[data-testid=entity-link]').textContent.trim(),
    count: e.querySelector('[data-testid=entity-count]').textContent.trim(),
    type: e.querySelector('.entity-type').textContent.trim(),
    href: e.querySelector('[data-testid=entity-link]').getAttribute('href'),
  })));
  assert(rows.length === want.entities.length, `${rows.length} rows, the API gave ${want.entities.length}`);
  const first = rows[0];
  assert(first.key === top.key && first.name === top.name, `first row ${first.key} ${first.name}`);
  assert(first.articles === top.articles, `first row count ${first.articles}, API ${top.articles}`);
  const arabicCount = new Intl.NumberFormat('ar').format(top.articles);
  assert(first.count.includes(arabicCount), `count text "${first.count}" lacks ${arabicCount}`);
  assert(first.type === 'شخص', `type shown as ${first.type}`);
  assert(first.href === `/#/entity/${encodeURIComponent(top.key)}`, `link ${first.href}`);
  const keys = rows.map((r) => r.key);
  assert(JSON.stringify(keys) === JSON.stringify(want.entities.map((x) => x.key)), 'rows not in the API order');
  await shoot(page, 'entities-desktop');
});

await check('(m) the entity page: type, count, one SVG bar per day with articles, events in date order', async () => {
  const want = await api(`/api/entities/${encodeURIComponent(ent.top.key)}`);
  ent.data = want;
  await page.locator('[data-testid=entity-link]').first().click();
  await settled(page, (u) => u.hash.startsWith('#/entity/'));
  const name = (await page.textContent('[data-testid=entity-name]')).trim();
  assert(name === want.entity.name, `h1 ${name}, API ${want.entity.name}`);
  assert((await page.textContent('[data-testid=entity-type]')).trim() === 'شخص', 'type is not شخص');
  const shown = Number(await page.getAttribute('[data-testid=entity-articles]', 'data-articles'));
  assert(shown === want.entity.articles, `articles ${shown} vs ${want.entity.articles}`);
  // The plot.
  const svg = page.locator('[data-testid=volume-svg]');
  assert(await svg.count() === 1, `${await svg.count()} plots`);
  const title = await svg.locator('title').first().textContent();
  assert(title.includes(want.entity.name), `SVG <title> "${title}"`);
  assert(await svg.getAttribute('role') === 'img' && (await svg.getAttribute('aria-labelledby')).split(' ').length === 2, 'SVG role/aria-labelledby');
  const volume = want.timeline.volume.filter((v) => v.articles > 0);
  const bars = await svg.locator('rect.bar').evaluateAll((els) => els.map((e) => ({
    day: e.dataset.day, n: Number(e.dataset.articles), x: Number(e.getAttribute('x')), h: Number(e.getAttribute('height')),
  })));
  assert(bars.length === volume.length, `${bars.length} bars, ${volume.length} days with articles`);
  for (let i = 0; i < bars.length; i++) {
    assert(bars[i].day === volume[i].day && bars[i].n === volume[i].articles, `bar ${i}: ${bars[i].day}=${bars[i].n}`);
    if (i) assert(bars[i].x < bars[i - 1].x, `bar ${bars[i].day} not left of ${bars[i - 1].day} (time runs right to left)`);
  }
  const tallest = Math.max(...volume.map((v) => v.articles));
  const hTall = Math.max(...bars.map((b) => b.h));
  assert(bars.every((b) => Math.abs(b.h / hTall - b.n / tallest) < 0.05), 'bar heights not proportional to counts');
  const day = (s) => Date.parse(`${s}T00:00:00Z`) / 86400000;
  const span = day(volume[volume.length - 1].day) - day(volume[0].day) + 1;
  assert(Number(await svg.getAttribute('data-days')) === span, `axis of ${await svg.getAttribute('data-days')} days, expected ${span}`);
  if (span > volume.length) {
    // A continuous axis: bars of days further apart stand further apart.
    const gaps = bars.slice(1).map((b, i) => (bars[i].x - b.x) / (day(b.day) - day(bars[i].day)));
    assert(Math.max(...gaps) - Math.min(...gaps) < 0.5, `distance per day varies: ${gaps.map((g) => g.toFixed(1))}`);
  }
  assert(await svg.locator('text.tick').count() >= 3, 'fewer than 3 axis labels');
  // The events.
  const events = await shownEvents(page, '[data-testid=entity-events]');
  const expected = Math.min(want.timeline.events.length, 40);
  assert(events.length === expected, `${events.length} events shown, expected ${expected}`);
  assert(byDate(events.map((e) => e.date)), 'events not in date order');
  assert(events.some((e) => e.kind === 'published') && events.some((e) => e.kind === 'mentioned'), 'not both kinds of event');
  const look = await page.evaluate(() => {
    const p = document.querySelector('[data-kind=published]');
    const m = document.querySelector('[data-kind=mentioned]');
    return {
      p: getComputedStyle(p, '::before').borderRadius, m: getComputedStyle(m, '::before').borderRadius,
      pKind: p.querySelector('.event-kind').textContent, mKind: m.querySelector('.event-kind').textContent,
      pLink: !!p.querySelector('h3 a[href^="/article/"]'), mQuote: !!m.querySelector('blockquote'),
      mLink: !!m.querySelector('a[href^="/article/"]'), date: p.querySelector('time').textContent,
    };
  });
  assert(look.p !== look.m && look.pKind !== look.mKind, 'published and mentioned events look the same');
  assert(look.pLink && look.mQuote && look.mLink, `event parts: ${JSON.stringify(look)}`);
  // Intl's Arabic: the month's Arabic name (the digits are the browser's choice for "ar").
  const months = ['يناير', 'فبراير', 'مارس', 'أبريل', 'مايو', 'يونيو', 'يوليو', 'أغسطس', 'سبتمبر', 'أكتوبر', 'نوفمبر', 'ديسمبر'];
  assert(months.some((mo) => look.date.includes(mo)) && /[0-9\u0660-\u0669]{4}/.test(look.date), `date not in Arabic: ${look.date}`);
  if (want.timeline.events.length > 40) {
    await page.click('[data-testid=events-more]');
    const all = await shownEvents(page, '[data-testid=entity-events]');
    assert(all.length === Math.min(want.timeline.events.length, 80), `after "more": ${all.length}`);
    assert(byDate(all.map((e) => e.date)), 'events not in date order after "more"');
  }
  await shoot(page, 'entity-desktop');
});

await check('(m2) the entity page links to a search with entity= that names it', async () => {
  const link = page.locator('[data-testid=entity-search-link]');
  const href = await link.getAttribute('href');
  assert(new URL(href, base).searchParams.get('entity') === ent.top.key, `link ${href}`);
  await link.click();
  await settled(page, (u) => u.pathname === '/search');
  const total = Number(await page.getAttribute('[data-testid=result-total]', 'data-total'));
  assert(total > 0 && total <= ent.top.articles, `total ${total} for ${ent.top.articles} articles`);
  await page.locator('[data-testid=entity-filter-name] a').waitFor();
  const note = await page.textContent('[data-testid=entity-filter]');
  assert(note.includes(ent.top.name), `filter note: ${note}`);
  // The filter stays with a new query from the form.
  await page.fill('[data-testid=search-input]', 'الرئيس');
  await page.click('[data-testid=search-submit]');
  await settled(page, (u) => u.searchParams.get('q') === 'الرئيس');
  assert(new URL(page.url()).searchParams.get('entity') === ent.top.key, `entity= lost: ${page.url()}`);
  await shoot(page, 'search-entity-desktop');
});

await check('(n) an article page lists its entities by type, linking to entity pages', async () => {
  // An article naming the entity, through the API.
  const pub = ent.data.timeline.events.find((e) => e.kind === 'published');
  const want = (await api(`/api/articles/${encodeURIComponent(pub.id)}/entities`)).entities;
  assert(want.length > 0, `${pub.id} has no entities in the API`);
  await page.goto(new URL(`/article/${encodeURIComponent(pub.id)}`, base).href);
  await settled(page);
  const box = page.locator('[data-testid=article-entities]');
  await box.locator('[data-testid=entity-group]').first().waitFor();
  assert((await box.locator('h2').textContent()).trim() === 'في هذا الخبر', 'heading');
  const groups = await box.locator('[data-testid=entity-group]').evaluateAll((els) => els.map((g) => ({
    type: g.dataset.type, head: g.querySelector('h3').textContent,
    keys: [...g.querySelectorAll('[data-testid=entity-chip]')].map((a) => a.dataset.key),
    hrefs: [...g.querySelectorAll('[data-testid=entity-chip]')].map((a) => a.getAttribute('href')),
  })));
  const heads = { PER: 'أشخاص', LOC: 'أماكن', ORG: 'منظمات' };
  for (const g of groups) {
    assert(!heads[g.type] || g.head.includes(heads[g.type]), `group ${g.type} headed ${g.head}`);
    const apiKeys = want.filter((x) => x.type === g.type).map((x) => x.key);
    assert(JSON.stringify(g.keys) === JSON.stringify(apiKeys), `group ${g.type}: ${g.keys.length} links, API ${apiKeys.length}`);
    assert(g.hrefs.every((h, i) => h === `/#/entity/${encodeURIComponent(g.keys[i])}`), `group ${g.type} links`);
  }
  assert(groups.reduce((a, g) => a + g.keys.length, 0) === want.length, 'not every entity is listed');
  const order = groups.map((g) => g.type).filter((t) => heads[t]);
  assert(JSON.stringify(order) === JSON.stringify(['PER', 'LOC', 'ORG'].filter((t) => order.includes(t))), `group order ${order}`);
  await shoot(page, 'article-entities-desktop');
  // The entity itself: behind "more" when its group is long.
  const chip = box.locator(`[data-testid=entity-chip][data-key="${ent.top.key}"]`);
  assert(await chip.count() === 1, `${ent.top.key} not among the article's entities`);
  if (!await chip.isVisible()) {
    const more = chip.locator('xpath=ancestor::*[@data-testid="entity-group"]').locator('[data-testid=entities-more]');
    await more.click();
    assert(await more.getAttribute('aria-expanded') === 'true', 'the "more" button is not expanded');
  }
  await chip.click();
  await settled(page, (u) => u.hash.startsWith('#/entity/'));
  assert((await page.textContent('[data-testid=entity-name]')).trim() === ent.top.name, 'the chip did not lead to its entity');
});

await check('(o) a story timeline shows the per-day SVG and its dated sentences in date order', async () => {
  // A story that spans several days, among the articles about Yemen.
  let best = null;
  const hits = (await api(`/api/search?q=${encodeURIComponent('اليمن')}&n=60`)).hits;
  const ids = [...new Set(hits.map((h) => h.id))];
  for (const id of ids) {
    const tl = (await api(`/api/stories/${encodeURIComponent(id)}/timeline`)).timeline;
    const score = tl.volume.length * 100 + tl.events.filter((e) => e.kind === 'mentioned').length;
    if (!best || score > best.score) best = { id, tl, score };
  }
  assert(best, 'no story');
  ent.story = best.id;
  await page.goto(new URL(`/story/${encodeURIComponent(best.id)}`, base).href);
  await settled(page);
  const svg = page.locator('[data-testid=story-volume] [data-testid=volume-svg]');
  await svg.waitFor();
  const bars = await svg.locator('rect.bar').evaluateAll((els) => els.map((e) => e.dataset.day));
  const days = best.tl.volume.filter((v) => v.articles > 0).map((v) => v.day);
  assert(JSON.stringify(bars) === JSON.stringify(days), `bars ${bars} vs days ${days}`);
  assert((await svg.locator('title').first().textContent()).length > 0, 'no <title>');
  assert(await page.locator('[data-testid=story-timeline] [data-testid=timeline-item]').count() >= 1, 'the article list is gone');
  const mentioned = best.tl.events.filter((e) => e.kind === 'mentioned');
  if (mentioned.length) {
    const shown = await shownEvents(page, '[data-testid=story-events]');
    assert(shown.length === Math.min(40, mentioned.length), `${shown.length} dated sentences, API ${mentioned.length}`);
    assert(shown.every((e) => e.kind === 'mentioned'), 'a published event among the dated sentences');
    assert(byDate(shown.map((e) => e.date)), 'dated sentences not in date order');
  }
  await shoot(page, 'story-plot-desktop');
});

await check('(p) entity API errors are shown as messages: unknown key (404), a name with no letter (400)', async () => {
  expectedErrors.add(new URL('/api/entities/XYZ%3ANOPE', base).href);
  expectedErrors.add(new URL('/api/entities?q=123', base).href);
  await page.goto(new URL('/#/entity/XYZ%3ANOPE', base).href);
  await settled(page);
  let text = await page.locator('[data-testid=error]').textContent();
  assert(text.includes('لم يُعثر'), `404 message: ${text}`);
  await page.goto(new URL('/#/entities?q=123', base).href);
  await settled(page);
  text = await page.locator('[data-testid=error]').textContent();
  assert(text.includes('خطأ في الطلب') && text.includes('123'), `400 message: ${text}`);
  assert(await page.locator('[data-testid=entity-search-input]').inputValue() === '123', 'the lookup form is not kept');
});

await check('(q) keyboard: the skip link keeps the entity page; Tab reaches the plot table and the events', async () => {
  await page.goto(new URL(`/#/entity/${encodeURIComponent(ent.top.key)}`, base).href);
  await settled(page);
  const before = page.url();
  await page.keyboard.press('Tab');
  assert(await page.evaluate(() => document.activeElement.classList.contains('skip')), 'first Tab is not the skip link');
  await page.keyboard.press('Enter');
  assert(page.url() === before, `skip link changed the URL to ${page.url()}`);
  assert(await page.evaluate(() => document.activeElement.id === 'view'), 'focus not in the content');
  assert(await page.locator('[data-testid=entity-name]').count() === 1, 'the entity page is gone');
  const seen = new Set();
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab');
    seen.add(await page.evaluate(() => {
      const a = document.activeElement;
      return a.closest('[data-testid=entity-search-link]') ? 'search' : a.closest('.volume-table') ? 'table'
        : a.closest('[data-testid=event-item]') ? 'event' : a.tagName;
    }));
  }
  assert(seen.has('search') && seen.has('table') && seen.has('event'), `Tab reached: ${[...seen]}`);
});

// ---- phone width ----
const phone = await browser.newContext({
  viewport: { width: 375, height: 800 }, locale: 'ar', deviceScaleFactor: 2, isMobile: true, hasTouch: true,
});
await watchCsp(phone, cspViolations);
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
  if (ent.top) {
    pages.push(['entities', '/#/entities?q=Obama']);
    pages.push(['entity', `/#/entity/${encodeURIComponent(ent.top.key)}`]);
  }
  if (ent.story) pages.push(['story-plot', `/story/${encodeURIComponent(ent.story)}`]);
  const bad = [];
  for (const [name, path] of pages) {
    await mobile.goto(new URL(path, base).href);
    await settled(mobile);
    if (name === 'article') await mobile.waitForSelector('.related h2 + *:not(.loading)');
    if (name === 'story-plot') await mobile.waitForSelector('[data-testid=story-volume] svg');
    const o = await overflow(mobile);
    if (o.scroll > 375) bad.push(`${name}: scrollWidth ${o.scroll}`);
    await shoot(mobile, `${name}-phone`);
  }
  assert(bad.length === 0, bad.join('; '));
});

await check('(j) no console errors, no CSP violation (the detector tested) and no request to another host', async () => {
  const why = [];
  if (consoleErrors.length) why.push(`${consoleErrors.length} console errors: ${consoleErrors.slice(0, 3).join(' | ')}`);
  if (cspViolations.length) why.push(`${cspViolations.length} CSP violations: ${cspViolations.slice(0, 3).join(' | ')}`);
  // The detector itself: an inline script must be refused and reported.
  const probe = await desktop.newPage();
  const before = cspViolations.length;
  await probe.goto(new URL('/', base).href);
  await probe.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__inline = 1';
    document.head.append(s);
  });
  await probe.waitForTimeout(200);
  const ran = await probe.evaluate(() => window.__inline === 1);
  if (ran) why.push('an inline script ran: no CSP on the page');
  if (cspViolations.length !== before + 1) why.push(`the CSP probe was reported ${cspViolations.length - before} times, not once`);
  cspViolations.length = before;
  await probe.close();
  if (foreignRequests.length) why.push(`${foreignRequests.length} requests to other hosts: ${[...new Set(foreignRequests)].slice(0, 3).join(' ')}`);
  assert(why.length === 0, why.join('; '));
});

await browser.close();
console.log(`1..${count}`);
console.log(`# ${count - failures} passed, ${failures} failed; screenshots: ${shots.length} in ${artifacts}`);
process.exit(failures ? 1 : 0);
