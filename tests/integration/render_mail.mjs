// Renders a mail's HTML part in headless Chromium (run by alerts_e2e.py):
//   node tests/integration/render_mail.mjs MAIL.html SHOT.png
// Loads the file through file://, takes a full-page screenshot, and prints
// one JSON line: {"ok", "direction", "lang", "textLength", "requests"}
// ("requests": every URL the page tried to fetch besides itself; a mail
// must fetch nothing).  Exit status 1 when the page cannot be rendered.
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
// playwright-core is installed for the web UI's tests, in tests/web.
const require = createRequire(join(here, '..', 'web', 'package.json'));
const { chromium } = require('playwright-core');

const [htmlPath, shotPath] = process.argv.slice(2);
if (!htmlPath || !shotPath) {
  console.error('usage: node render_mail.mjs MAIL.html SHOT.png');
  process.exit(2);
}
const fileUrl = pathToFileURL(resolve(htmlPath)).href;
mkdirSync(dirname(resolve(shotPath)), { recursive: true });

let browser;
try {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox'],
  });
  const page = await browser.newPage({ viewport: { width: 720, height: 900 } });
  const requests = [];
  page.on('request', (req) => {
    if (req.url() !== fileUrl) requests.push(req.url());
  });
  await page.goto(fileUrl, { waitUntil: 'load', timeout: 15000 });
  const info = await page.evaluate(() => {
    const box = document.querySelector('body > div') || document.body;
    return {
      direction: getComputedStyle(box).direction,
      lang: document.documentElement.lang,
      textLength: document.body.innerText.trim().length,
    };
  });
  await page.screenshot({ path: shotPath, fullPage: true });
  console.log(JSON.stringify({ ok: info.textLength > 0, ...info, requests }));
  await browser.close();
} catch (e) {
  if (browser) await browser.close().catch(() => {});
  console.log(JSON.stringify({ ok: false, error: String((e && e.message) || e).split('\n')[0] }));
  process.exit(1);
}
