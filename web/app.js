// Khabar web UI: a single-page app over the JSON API of docs/api.md.
// Plain ES2020, no framework.  Data from the server goes into the page as
// text nodes only; the one exception, the search snippet, is rebuilt from
// its text and its <mark> elements (nothing else survives).
'use strict';

(() => {
  const PER_PAGE = 10;

  // Arabic names of the outlets we know; any other source shows its id.
  const SOURCE_NAMES = {
    aawsat: 'الشرق الأوسط',
    aleqtisadiya: 'الاقتصادية',
    aljazirah: 'الجزيرة',
    almadina: 'المدينة',
    alriyadh: 'الرياض',
    alwatan: 'الوطن',
    alweeam: 'الوئام',
    alyaum: 'اليوم',
    arreyadi: 'الرياضي',
    okaz: 'عكاظ',
    sabq: 'سبق',
    spa: 'واس',
    was: 'واس',
  };

  const FIELD_NAMES = {
    email: 'البريد الإلكتروني',
    query: 'موضوع النشرة',
    frequency: 'التكرار',
    q: 'كلمات البحث',
    source: 'المصدر',
    since: 'من تاريخ',
    until: 'إلى تاريخ',
    page: 'الصفحة',
  };

  const view = document.getElementById('view');
  const searchForm = document.getElementById('search-form');
  const subForm = document.getElementById('subscribe-form');
  const subStatus = document.getElementById('subscribe-status');
  let renderToken = 0;

  // ---- small DOM helpers -------------------------------------------------

  // el('a', {href: '/x', class: 'y'}, 'text', otherNode, [more, nodes])
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') node.className = v;
      else if (k === 'text') node.textContent = v;
      else node.setAttribute(k, v === true ? '' : String(v));
    }
    append(node, children);
    return node;
  }

  function append(node, children) {
    for (const c of children) {
      if (c === null || c === undefined || c === false) continue;
      if (Array.isArray(c)) append(node, c);
      else node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  // A piece of data text isolated from the Arabic around it.
  function bdi(text, dir) {
    return el('bdi', { dir: dir || null }, text == null ? '' : String(text));
  }

  const numberFmt = new Intl.NumberFormat('ar');
  const num = (n) => bdi(numberFmt.format(n));

  const dateFmt = new Intl.DateTimeFormat('ar', {
    calendar: 'gregory', year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC',
  });
  const dateTimeFmt = new Intl.DateTimeFormat('ar', {
    calendar: 'gregory', year: 'numeric', month: 'long', day: 'numeric',
    hour: 'numeric', minute: '2-digit', timeZone: 'UTC',
  });

  function parseDate(s) {
    if (!s) return null;
    const d = new Date(s);
    return Number.isNaN(d.getTime()) ? null : d;
  }

  function dateEl(s, withTime) {
    const d = parseDate(s);
    if (!d) return s ? el('span', { class: 'date' }, bdi(s)) : null;
    return el('time', { class: 'date', datetime: d.toISOString() },
      (withTime ? dateTimeFmt : dateFmt).format(d));
  }

  function sourceEl(id) {
    const name = SOURCE_NAMES[id];
    return el('span', { class: 'source', 'data-source': id, title: id },
      name ? name : bdi(id, 'ltr'));
  }

  // "نُشر في N مصادر" with the agreement of the counted noun.
  function sourcesPhrase(n) {
    const r = n % 100;
    if (n === 1) return ['مصدر واحد'];
    if (n === 2) return ['مصدرين'];
    if (r >= 3 && r <= 10) return [num(n), ' مصادر'];
    if (r >= 11) return [num(n), ' مصدرًا'];
    return [num(n), ' مصدر'];
  }

  function resultsPhrase(n) {
    const r = n % 100;
    if (n === 0) return ['لا نتائج'];
    if (n === 1) return ['نتيجة واحدة'];
    if (n === 2) return ['نتيجتان'];
    if (r >= 3 && r <= 10) return [num(n), ' نتائج'];
    return [num(n), ' نتيجة'];
  }

  function wireBadge(hit) {
    if (!hit.copies || hit.copies < 2) return null;
    const sources = Array.isArray(hit.sources) ? hit.sources : [];
    const list = el('ul', { class: 'wire-sources', 'data-testid': 'wire-sources' },
      sources.map((s) => el('li', null, sourceEl(s))));
    return el('div', { class: 'wire', 'data-testid': 'wire-badge', 'data-copies': hit.copies },
      el('span', { class: 'wire-count' }, 'نُشر في ', sourcesPhrase(hit.copies)),
      sources.length ? list : null);
  }

  // The snippet is HTML (escaped text with <mark>); keep text and <mark> only.
  function snippetNodes(html) {
    const doc = new DOMParser().parseFromString(`<body>${html}</body>`, 'text/html');
    const out = document.createDocumentFragment();
    const walk = (from, to) => {
      for (const n of from.childNodes) {
        if (n.nodeType === Node.TEXT_NODE) to.append(document.createTextNode(n.data));
        else if (n.nodeType === Node.ELEMENT_NODE) {
          if (n.localName === 'mark') walk(n, to.appendChild(document.createElement('mark')));
          else if (n.localName !== 'script' && n.localName !== 'style') walk(n, to);
        }
      }
    };
    walk(doc.body, out);
    return out;
  }

  function safeUrl(u) {
    try {
      const url = new URL(u);
      return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  function decoded(u) {
    try {
      return decodeURI(u);
    } catch (e) {
      return u;
    }
  }

  // The link text of an original URL: its host, and "/…" when there is a
  // path (a path of Arabic words reads badly inside a left-to-right URL);
  // the whole URL is in the link's title.
  function displayUrl(u) {
    const url = new URL(u);
    const rest = url.pathname.length > 1 || url.search ? '/…' : '';
    return url.host + rest;
  }

  const articlePath = (id) => `/article/${encodeURIComponent(id)}`;
  const storyPath = (id) => `/story/${encodeURIComponent(id)}`;

  // ---- API ---------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, message, field) {
      super(message);
      this.status = status;
      this.field = field;
    }
  }

  async function api(path, options) {
    let res;
    try {
      res = await fetch(path, Object.assign({ headers: { Accept: 'application/json' } }, options));
    } catch (e) {
      throw new ApiError(0, e.message || 'network error');
    }
    let body = null;
    try {
      body = await res.json();
    } catch (e) {
      body = null;
    }
    if (!res.ok) {
      const err = body && body.error;
      const msg = err && err.message ? err.message : `HTTP ${res.status}`;
      const m = /^([a-z_]+):/.exec(msg);
      throw new ApiError(res.status, msg, m ? m[1] : null);
    }
    return { status: res.status, body };
  }

  function errorBox(err, what) {
    let lead;
    if (err.status === 0) lead = 'تعذّر الاتصال بالخادم.';
    else if (err.status === 404) lead = `لم يُعثر على ${what}.`;
    else if (err.status === 400) {
      lead = err.field && FIELD_NAMES[err.field]
        ? `خطأ في الطلب (${FIELD_NAMES[err.field]}):`
        : 'خطأ في الطلب:';
    } else if (err.status === 503) lead = 'الفهرس مشغول أو غير متاح حاليًا، حاول بعد قليل.';
    else lead = 'حدث خطأ في الخادم.';
    return el('div', { class: 'error', role: 'alert', 'data-testid': 'error' },
      el('p', null, lead), el('p', { class: 'error-detail' }, bdi(err.message, 'auto')));
  }

  function loading() {
    return el('p', { class: 'loading', 'data-testid': 'loading' }, 'جارٍ التحميل…');
  }

  // ---- pages -------------------------------------------------------------

  function searchParams() {
    const p = new URLSearchParams(location.search);
    const page = parseInt(p.get('page') || '1', 10);
    return {
      q: p.get('q') || '',
      source: p.get('source') || '',
      since: p.get('since') || '',
      until: p.get('until') || '',
      page: Number.isFinite(page) && page > 0 ? page : 1,
    };
  }

  function searchUrl(s, page) {
    const p = new URLSearchParams();
    for (const k of ['q', 'source', 'since', 'until']) if (s[k]) p.set(k, s[k]);
    if (page > 1) p.set('page', String(page));
    return `/search?${p}`;
  }

  function fillSearchForm(s) {
    searchForm.q.value = s.q;
    searchForm.source.value = s.source;
    searchForm.since.value = s.since;
    searchForm.until.value = s.until;
  }

  function home() {
    document.title = 'خبر — محرك الأخبار العربية';
    const examples = ['ولي العهد', 'الحكومة السعودية', 'خادم الحرمين', 'أسعار النفط'];
    return [
      el('h1', { class: 'page-title' }, 'ابحث في أرشيف الأخبار'),
      el('p', { class: 'lead' },
        'اكتب كلمة أو عبارة بين علامتي تنصيص، وحدّد المصدر والتاريخ إن شئت. ',
        'تُجمع نسخ الخبر الواحد المنشورة في أكثر من مصدر في نتيجة واحدة.'),
      el('h2', null, 'أمثلة'),
      el('ul', { class: 'examples' },
        examples.map((q) => el('li', null, el('a', { href: searchUrl({ q }, 1) }, q)))),
    ];
  }

  async function search(token) {
    const s = searchParams();
    fillSearchForm(s);
    setSubscriptionQuery(s.q);
    if (!s.q && !s.source && !s.since && !s.until) return home();
    document.title = `${s.q || s.source} — بحث — خبر`;
    show([el('h1', { class: 'page-title' }, 'نتائج البحث'), loading()]);
    const p = new URLSearchParams();
    for (const k of ['q', 'source', 'since', 'until']) if (s[k]) p.set(k, s[k]);
    p.set('page', String(s.page));
    p.set('n', String(PER_PAGE));
    let data;
    try {
      data = (await api(`/api/search?${p}`)).body;
    } catch (err) {
      if (token !== renderToken) return null;
      return [el('h1', { class: 'page-title' }, 'نتائج البحث'), errorBox(err, 'نتائج')];
    }
    if (token !== renderToken) return null;
    const hits = data.hits || [];
    const total = data.total || 0;
    const perPage = data.per_page || PER_PAGE;
    const pages = Math.max(1, Math.ceil(total / perPage));
    const out = [el('h1', { class: 'page-title' }, 'نتائج البحث')];
    out.push(el('p', { class: 'total', 'data-testid': 'result-total', 'data-total': total },
      data.total_exact === false ? 'نحو ' : '', resultsPhrase(total),
      s.q ? [' لـ «', bdi(s.q, 'auto'), '»'] : null,
      s.page > 1 ? [' — الصفحة ', num(s.page)] : null));
    if (!hits.length) {
      out.push(el('p', { class: 'empty', 'data-testid': 'no-results' },
        s.page > 1 ? 'لا نتائج في هذه الصفحة.' : 'لم نجد أخبارًا تطابق بحثك. جرّب كلمات أخرى أو وسّع نطاق التاريخ.'));
    } else {
      out.push(el('ol', { class: 'results', 'data-testid': 'results', start: (s.page - 1) * perPage + 1 },
        hits.map((h) => resultItem(h))));
    }
    if (total > perPage || s.page > 1) out.push(pager(s, pages));
    return out;
  }

  function resultItem(h) {
    return el('li', { class: 'result', 'data-testid': 'result-item', 'data-id': h.id, 'data-source': h.source },
      el('h3', { class: 'result-title' },
        el('a', { href: articlePath(h.id), 'data-testid': 'result-link', dir: 'auto' }, h.title || h.id)),
      el('p', { class: 'meta' }, sourceEl(h.source), ' · ', dateEl(h.date)),
      h.snippet ? el('p', { class: 'snippet', 'data-testid': 'snippet', dir: 'auto' }, snippetNodes(h.snippet)) : null,
      wireBadge(h));
  }

  function pager(s, pages) {
    const nav = el('nav', { class: 'pager', 'aria-label': 'الصفحات', 'data-testid': 'pager' });
    if (s.page > 1) {
      nav.append(el('a', { href: searchUrl(s, s.page - 1), rel: 'prev', 'data-testid': 'pager-prev' }, '→ السابق'));
    } else {
      nav.append(el('span', { class: 'disabled', 'aria-disabled': 'true' }, '→ السابق'));
    }
    nav.append(el('span', { class: 'pager-info' }, 'الصفحة ', num(s.page), ' من ', num(pages)));
    if (s.page < pages) {
      nav.append(el('a', { href: searchUrl(s, s.page + 1), rel: 'next', 'data-testid': 'pager-next' }, 'التالي ←'));
    } else {
      nav.append(el('span', { class: 'disabled', 'aria-disabled': 'true' }, 'التالي ←'));
    }
    return nav;
  }

  function articleLine(a, current) {
    return el('li', { class: current ? 'current' : null, 'data-id': a.id, 'data-source': a.source },
      current
        ? el('span', { class: 'title', dir: 'auto' }, a.title || a.id)
        : el('a', { href: articlePath(a.id), dir: 'auto' }, a.title || a.id),
      el('span', { class: 'meta' }, sourceEl(a.source), ' · ', dateEl(a.date)),
      wireBadge(a));
  }

  // On an article or a story the filters are hidden: they must not apply,
  // unseen, to the next search.
  function clearFilters() {
    searchForm.source.value = '';
    searchForm.since.value = '';
    searchForm.until.value = '';
  }

  async function article(token, id) {
    clearFilters();
    setSubscriptionQuery(searchForm.q.value);
    show(loading());
    const enc = encodeURIComponent(id);
    let a;
    try {
      a = (await api(`/api/articles/${enc}`)).body;
    } catch (err) {
      if (token !== renderToken) return null;
      document.title = 'خبر غير موجود — خبر';
      return [el('h1', { class: 'page-title' }, 'الخبر'), errorBox(err, 'الخبر')];
    }
    if (token !== renderToken) return null;
    document.title = `${a.title || a.id} — خبر`;
    const body = String(a.body || '').split(/\n\s*\n/).map((t) => t.trim()).filter(Boolean);
    const url = safeUrl(a.url);
    const storySection = el('section', { class: 'story-box', 'aria-labelledby': 'story-heading', 'data-testid': 'story-others' },
      el('h2', { id: 'story-heading' }, 'مصادر أخرى للخبر'), loading());
    const relatedSection = el('section', { class: 'related', 'aria-labelledby': 'related-heading' },
      el('h2', { id: 'related-heading' }, 'قد يعجبك ايضا'), loading());
    const out = [
      el('article', { class: 'article', 'data-id': a.id },
        el('h1', { id: 'article-title', class: 'article-title', 'data-testid': 'article-title', dir: 'auto' }, a.title || a.id),
        el('p', { class: 'meta', 'data-testid': 'article-meta' },
          sourceEl(a.source), ' · ', dateEl(a.date, true),
          a.author ? [' · ', el('span', { class: 'author' }, bdi(a.author, 'auto'))] : null),
        el('div', { id: 'article-body', class: 'article-body', 'data-testid': 'article-body' },
          body.map((t) => el('p', { dir: 'auto' }, t))),
        url ? el('p', { class: 'original' }, 'الرابط الأصلي: ',
          el('a', { href: url, title: decoded(url), rel: 'noopener noreferrer nofollow', 'data-testid': 'original-link' },
            bdi(displayUrl(url), 'ltr'))) : null),
      storySection,
      relatedSection,
    ];
    // The story and the related articles come after the article itself.
    api(`/api/stories/${enc}`).then(({ body: st }) => {
      if (token !== renderToken) return;
      const others = (st.articles || []).filter((x) => x.id !== a.id);
      storySection.replaceChildren(
        el('h2', { id: 'story-heading' }, 'مصادر أخرى للخبر'),
        others.length
          ? el('ul', { class: 'story-list', 'data-testid': 'story-list' }, others.map((x) => articleLine(x)))
          : el('p', { class: 'empty' }, 'لم تنشر مصادر أخرى هذا الخبر.'),
        el('p', { class: 'story-link' },
          el('a', { href: storyPath(st.id || a.id), 'data-testid': 'story-link' }, 'تسلسل القصة'),
          ' (', resultsCountArticles(st.articles_count || (st.articles || []).length), ')'));
    }, (err) => {
      if (token !== renderToken) return;
      storySection.replaceChildren(el('h2', { id: 'story-heading' }, 'مصادر أخرى للخبر'), errorBox(err, 'القصة'));
    });
    api(`/api/articles/${enc}/related?n=5`).then(({ body: rel }) => {
      if (token !== renderToken) return;
      const hits = rel.hits || [];
      relatedSection.replaceChildren(
        el('h2', { id: 'related-heading' }, 'قد يعجبك ايضا'),
        hits.length
          ? el('ul', { class: 'related-list', id: 'related-list', 'data-testid': 'related-list' },
            hits.map((h) => el('li', { 'data-id': h.id },
              el('a', { href: articlePath(h.id), dir: 'auto' }, h.title || h.id),
              el('span', { class: 'meta' }, sourceEl(h.source), ' · ', dateEl(h.date)))))
          : el('p', { class: 'empty' }, 'لا أخبار مشابهة.'));
    }, (err) => {
      if (token !== renderToken) return;
      relatedSection.replaceChildren(el('h2', { id: 'related-heading' }, 'قد يعجبك ايضا'), errorBox(err, 'أخبار مشابهة'));
    });
    return out;
  }

  function resultsCountArticles(n) {
    const r = n % 100;
    if (n === 1) return 'خبر واحد';
    if (n === 2) return 'خبران';
    if (r >= 3 && r <= 10) return [num(n), ' أخبار'];
    return [num(n), ' خبرًا'];
  }

  async function story(token, id) {
    clearFilters();
    setSubscriptionQuery(searchForm.q.value);
    show(loading());
    let st;
    try {
      st = (await api(`/api/stories/${encodeURIComponent(id)}`)).body;
    } catch (err) {
      if (token !== renderToken) return null;
      document.title = 'قصة غير موجودة — خبر';
      return [el('h1', { class: 'page-title' }, 'تسلسل القصة'), errorBox(err, 'القصة')];
    }
    if (token !== renderToken) return null;
    document.title = `تسلسل القصة: ${st.label || st.id} — خبر`;
    const arts = (st.articles || []).slice().sort((x, y) => String(x.date).localeCompare(String(y.date)));
    const sources = st.sources || [];
    return [
      el('p', { class: 'kicker' }, 'تسلسل القصة'),
      el('h1', { class: 'page-title', 'data-testid': 'story-title', dir: 'auto' }, st.label || st.id),
      el('dl', { class: 'story-facts', 'data-testid': 'story-facts' },
        el('div', null, el('dt', null, 'البداية'), el('dd', null, dateEl(st.first, true))),
        el('div', null, el('dt', null, 'آخر تحديث'), el('dd', null, dateEl(st.last, true))),
        el('div', null, el('dt', null, 'عدد الأخبار'), el('dd', null, resultsCountArticles(st.articles_count || arts.length))),
        el('div', null, el('dt', null, 'المصادر'),
          el('dd', null, el('ul', { class: 'inline-list', 'data-testid': 'story-sources' },
            sources.map((s) => el('li', null, sourceEl(s))))))),
      el('ol', { class: 'timeline', id: 'story-timeline', 'data-testid': 'story-timeline' },
        arts.map((x) => el('li', { class: 'timeline-item', 'data-id': x.id, 'data-testid': 'timeline-item' },
          el('p', { class: 'timeline-date' }, dateEl(x.date, true)),
          el('h3', { class: 'timeline-title' }, el('a', { href: articlePath(x.id), dir: 'auto' }, x.title || x.id)),
          el('p', { class: 'meta' }, sourceEl(x.source)),
          wireBadge(x)))),
    ];
  }

  // ---- router ------------------------------------------------------------

  function show(nodes) {
    view.replaceChildren();
    append(view, [nodes]);
  }

  async function render(focus) {
    const token = ++renderToken;
    const path = location.pathname;
    let nodes;
    let m;
    view.setAttribute('aria-busy', 'true');
    document.body.dataset.page = path === '/' ? 'home' : path.split('/')[1] || 'home';
    if (path === '/' || path === '/search') nodes = await search(token);
    else if ((m = /^\/article\/([^/]+)$/.exec(path))) nodes = await article(token, decodeURIComponent(m[1]));
    else if ((m = /^\/story\/([^/]+)$/.exec(path))) nodes = await story(token, decodeURIComponent(m[1]));
    else {
      document.title = 'صفحة غير موجودة — خبر';
      nodes = [el('h1', { class: 'page-title' }, 'صفحة غير موجودة'),
        el('p', null, el('a', { href: '/' }, 'العودة إلى الصفحة الرئيسية'))];
    }
    if (token !== renderToken || nodes === null) return;
    show(nodes);
    view.setAttribute('aria-busy', 'false');
    view.dataset.page = path === '/' ? 'home' : path.split('/')[1];
    view.dataset.url = path + location.search;
    if (focus) {
      const h1 = view.querySelector('h1');
      if (h1) {
        h1.setAttribute('tabindex', '-1');
        h1.focus({ preventScroll: true });
      }
      window.scrollTo(0, 0);
    }
  }

  function navigate(url) {
    if (url !== location.pathname + location.search) history.pushState(null, '', url);
    render(true);
  }

  document.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = e.target.closest('a[href]');
    if (!a || a.target || a.hasAttribute('download')) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin) return;
    if (!/^\/(search|article\/[^/]+|story\/[^/]+)?$/.test(url.pathname)) return;
    e.preventDefault();
    navigate(url.pathname + url.search);
  });

  window.addEventListener('popstate', () => render(false));

  searchForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const s = {
      q: searchForm.q.value.trim(),
      source: searchForm.source.value.trim(),
      since: searchForm.since.value,
      until: searchForm.until.value,
    };
    navigate(searchUrl(s, 1));
  });

  // ---- subscription form -------------------------------------------------

  let subQueryEdited = false;
  subForm.query.addEventListener('input', () => { subQueryEdited = true; });

  function setSubscriptionQuery(q) {
    if (!subQueryEdited) subForm.query.value = q || '';
  }

  function subMessage(kind, ...parts) {
    subStatus.className = `status is-${kind}`;
    subStatus.dataset.state = kind;
    subStatus.replaceChildren();
    append(subStatus, parts);
  }

  subForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const button = subForm.querySelector('button[type=submit]');
    const data = new URLSearchParams({
      email: subForm.email.value.trim(),
      query: subForm.query.value.trim(),
      frequency: subForm.frequency.value,
    });
    button.disabled = true;
    subMessage('pending', 'جارٍ إرسال الطلب…');
    try {
      const { status, body } = await api('/api/subscriptions', {
        method: 'POST',
        headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
        body: data.toString(),
      });
      const said = body && typeof body.message === 'string' ? body.message : '';
      if (/[\u0600-\u06FF]/.test(said)) {
        // The server's own Arabic words say it best.
        subMessage('ok', 'شكرًا لك! ', said);
      } else {
        subMessage('ok',
          status === 202 ? 'شكرًا لك! استلمنا طلب الاشتراك؛ ستصلك رسالة على بريدك الإلكتروني لتأكيده.' : 'شكرًا لك! استلمنا طلبك.',
          said ? [' ', el('span', { class: 'server-message' }, bdi(said, 'auto'))] : null);
      }
    } catch (err) {
      const field = err.field && FIELD_NAMES[err.field];
      subMessage('error',
        err.status === 0 ? 'تعذّر الاتصال بالخادم. ' : '',
        err.status === 400 && field ? `تعذّر الاشتراك: تحقّق من حقل «${field}». ` : 'تعذّر الاشتراك. ',
        el('span', { class: 'server-message' }, bdi(err.message, 'auto')));
      if (err.status === 400 && err.field && subForm[err.field]) subForm[err.field].focus();
    } finally {
      button.disabled = false;
    }
  });

  // ---- start ---------------------------------------------------------------

  const datalist = document.getElementById('sources');
  for (const [id, name] of Object.entries(SOURCE_NAMES)) {
    datalist.append(el('option', { value: id }, name));
  }

  render(false);
})();
