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
    entity: 'الاسم',
  };

  // Entity types: the singular for one entity, the plural for a group.
  const ENTITY_TYPES = {
    PER: { one: 'شخص', many: 'أشخاص' },
    LOC: { one: 'مكان', many: 'أماكن' },
    ORG: { one: 'منظمة', many: 'منظمات' },
  };
  const typeName = (t) => (ENTITY_TYPES[t] ? ENTITY_TYPES[t].one : 'اسم');
  const typeGroupName = (t) => (ENTITY_TYPES[t] ? ENTITY_TYPES[t].many : 'أسماء أخرى');

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

  // Counted nouns as plain strings (for <title>, aria-label, document.title).
  function counted(n, one, two, few, many) {
    const r = n % 100;
    if (n === 1) return one;
    if (n === 2) return two;
    if (r >= 3 && r <= 10) return `${numberFmt.format(n)} ${few}`;
    return `${numberFmt.format(n)} ${many}`;
  }
  const articlesText = (n) => counted(n, 'خبر واحد', 'خبران', 'أخبار', 'خبرًا');
  const daysText = (n) => counted(n, 'يوم واحد', 'يومان', 'أيام', 'يومًا');
  const namesText = (n) => counted(n, 'اسم واحد', 'اسمان', 'أسماء', 'اسمًا');
  const mentionsText = (n) => `ورد في الخبر ${counted(n, 'مرة واحدة', 'مرتين', 'مرات', 'مرة')}`;

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
  // The server hands index.html to /, /search, /article/… and /story/… only,
  // so the entity pages live in the fragment of /: /#/entity/KEY and
  // /#/entities?q=NAME (a reload or a shared link still reaches them).
  const entityPath = (key) => `/#/entity/${encodeURIComponent(key)}`;
  const entitiesPath = (q) => `/#/entities?${new URLSearchParams({ q })}`;

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

  const SEARCH_KEYS = ['q', 'source', 'since', 'until', 'entity'];

  function searchParams() {
    const p = new URLSearchParams(location.search);
    const page = parseInt(p.get('page') || '1', 10);
    return {
      q: p.get('q') || '',
      source: p.get('source') || '',
      since: p.get('since') || '',
      until: p.get('until') || '',
      entity: p.get('entity') || '',
      page: Number.isFinite(page) && page > 0 ? page : 1,
    };
  }

  function searchUrl(s, page) {
    const p = new URLSearchParams();
    for (const k of SEARCH_KEYS) if (s[k]) p.set(k, s[k]);
    if (page > 1) p.set('page', String(page));
    return `/search?${p}`;
  }

  function fillSearchForm(s) {
    searchForm.q.value = s.q;
    searchForm.source.value = s.source;
    searchForm.since.value = s.since;
    searchForm.until.value = s.until;
    searchForm.entity.value = s.entity;
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
      el('section', { class: 'entity-lookup', 'aria-labelledby': 'entity-lookup-heading', 'data-testid': 'entity-lookup' },
        el('h2', { id: 'entity-lookup-heading' }, 'أشخاص وأماكن ومنظمات'),
        el('p', { class: 'hint' },
          'ابحث عن اسم لترى الأخبار التي تذكره يومًا بيوم والتواريخ التي وردت معه. ',
          'اكتب الاسم بالعربية أو بالحروف اللاتينية أو الكيريلية.'),
        entityLookupForm(''),
        el('ul', { class: 'examples', 'aria-label': 'أمثلة على الأسماء' },
          ['أوباما', 'Obama', 'Обама', 'اليمن', 'Riyadh'].map((q) =>
            el('li', null, el('a', { href: entitiesPath(q) }, bdi(q, 'auto')))))),
    ];
  }

  async function search(token) {
    const s = searchParams();
    fillSearchForm(s);
    setSubscriptionQuery(s.q);
    if (!s.q && !s.source && !s.since && !s.until && !s.entity) return home();
    document.title = `${s.q || s.entity || s.source} — بحث — خبر`;
    const chip = s.entity ? entityFilterNote(token, s) : null;
    show([el('h1', { class: 'page-title' }, 'نتائج البحث'), chip, loading()]);
    const p = new URLSearchParams();
    for (const k of SEARCH_KEYS) if (s[k]) p.set(k, s[k]);
    p.set('page', String(s.page));
    p.set('n', String(PER_PAGE));
    let data;
    try {
      data = (await api(`/api/search?${p}`)).body;
    } catch (err) {
      if (token !== renderToken) return null;
      return [el('h1', { class: 'page-title' }, 'نتائج البحث'), chip, errorBox(err, 'نتائج')];
    }
    if (token !== renderToken) return null;
    const hits = data.hits || [];
    const total = data.total || 0;
    const perPage = data.per_page || PER_PAGE;
    // total counts wire copies that the hits show as one: a page that is
    // not full is the last one, whatever total says
    let pages = Math.max(1, Math.ceil(total / perPage));
    if (hits.length < perPage) pages = Math.min(pages, s.page);
    const out = [el('h1', { class: 'page-title' }, 'نتائج البحث'), chip];
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

  // "Naming «X»" above the results of a search with entity=, and a link that
  // drops the condition.  The parameter is usually a key (PER:BRK-BM): its
  // name comes from the entity's own endpoint, the key shows until then.
  function entityFilterNote(token, s) {
    const name = el('span', { class: 'entity-filter-name', 'data-testid': 'entity-filter-name' }, bdi(s.entity, 'auto'));
    const note = el('p', { class: 'entity-filter', 'data-testid': 'entity-filter' },
      'الأخبار التي تذكر ', name, ' ',
      el('a', { href: searchUrl(Object.assign({}, s, { entity: '' }), 1), class: 'entity-filter-remove' },
        'إزالة هذا الشرط'));
    if (/^[A-Z]+:/.test(s.entity)) {
      api(`/api/entities/${encodeURIComponent(s.entity)}`).then(({ body }) => {
        if (token !== renderToken || !body || !body.entity) return;
        name.replaceChildren('«', el('a', { href: entityPath(body.entity.key), dir: 'auto' }, body.entity.name), '»');
      }, () => {});
    } else {
      name.replaceChildren('«', bdi(s.entity, 'auto'), '»');
    }
    return note;
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
    searchForm.entity.value = '';
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
      articleEntities(token, enc),
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
    const [plot, dates] = storyTimelineParts(token, id, st.label || st.id);
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
      plot,
      el('h2', null, 'أخبار القصة'),
      el('ol', { class: 'timeline', id: 'story-timeline', 'data-testid': 'story-timeline' },
        arts.map((x) => el('li', { class: 'timeline-item', 'data-id': x.id, 'data-testid': 'timeline-item' },
          el('p', { class: 'timeline-date' }, dateEl(x.date, true)),
          el('h3', { class: 'timeline-title' }, el('a', { href: articlePath(x.id), dir: 'auto' }, x.title || x.id)),
          el('p', { class: 'meta' }, sourceEl(x.source)),
          wireBadge(x)))),
      dates,
    ];
  }

  // ---- entities: lookup, entity page, per-day plot, dated events ----------

  const SVG_NS = 'http://www.w3.org/2000/svg';

  function svgEl(tag, attrs, ...children) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      node.setAttribute(k, String(v));
    }
    append(node, children);
    return node;
  }

  let uid = 0;
  const nextId = (prefix) => `${prefix}-${++uid}`;

  function safeDecode(s) {
    try {
      return decodeURIComponent(s);
    } catch (e) {
      return s;
    }
  }

  const DAY_MS = 86400000;
  const dayShortFmt = new Intl.DateTimeFormat('ar', {
    calendar: 'gregory', day: 'numeric', month: 'short', timeZone: 'UTC',
  });
  const monthFmt = new Intl.DateTimeFormat('ar', {
    calendar: 'gregory', month: 'long', year: 'numeric', timeZone: 'UTC',
  });
  const yearFmt = new Intl.DateTimeFormat('ar', { calendar: 'gregory', year: 'numeric', timeZone: 'UTC' });

  // 'YYYY-MM-DD…' -> days since 1970-01-01 (NaN when it is not a day).
  function dayNumber(s) {
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(s || ''));
    return m ? Date.UTC(+m[1], +m[2] - 1, +m[3]) / DAY_MS : NaN;
  }
  const dayDate = (d) => new Date(d * DAY_MS);

  // An event's date: a day, a month or a year, as precise as the text was.
  function eventDateText(s) {
    const m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(String(s || ''));
    if (!m) return null;
    const d = new Date(Date.UTC(+m[1], m[2] ? +m[2] - 1 : 0, m[3] ? +m[3] : 1));
    if (Number.isNaN(d.getTime())) return null;
    return (m[3] ? dateFmt : m[2] ? monthFmt : yearFmt).format(d);
  }

  function eventDateEl(date, end) {
    const one = (s) => {
      const t = eventDateText(s);
      return t ? el('time', { datetime: s }, t) : bdi(s || '؟');
    };
    return el('span', { class: 'event-when' }, one(date), end && end !== date ? [' – ', one(end)] : null);
  }

  function fact(term, value) {
    return el('div', null, el('dt', null, term), el('dd', null, value));
  }

  // Articles a day as bars on a continuous axis of days from the first to
  // the last (a day without articles is a gap); time runs from right to
  // left, as the page reads.  `width` is the room it will have, in CSS px,
  // so that the text keeps its size; the SVG still scales with the page.
  function volumePlot(volume, what, width) {
    const days = (Array.isArray(volume) ? volume : [])
      .map((v) => ({ day: String(v.day), n: Number(v.articles) || 0, d: dayNumber(v.day) }))
      .filter((v) => Number.isFinite(v.d));
    const full = days.filter((v) => v.n > 0);
    if (!full.length) {
      return el('p', { class: 'empty', 'data-testid': 'volume-empty' }, 'لا بيانات عن أيام النشر.');
    }
    const d0 = Math.min(...days.map((v) => v.d));
    const d1 = Math.max(...days.map((v) => v.d));
    const nDays = d1 - d0 + 1;
    const max = Math.max(...full.map((v) => v.n));
    const peak = full.reduce((a, b) => (b.n > a.n ? b : a));

    const W = Math.round(Math.min(860, Math.max(280, width || 600)));
    const H = 200;
    const m = { top: 14, bottom: 36, start: 38, end: 14 }; // start: the right-hand side
    const plotW = W - m.start - m.end;
    const plotH = H - m.top - m.bottom;
    const slot = plotW / nDays;
    const barW = Math.max(1, Math.min(44, slot * 0.76));
    const xMid = (i) => W - m.start - (i + 0.5) * slot; // day i from the first, at the right
    const y = (n) => m.top + plotH - (n / max) * plotH;
    const r1 = (v) => Math.round(v * 10) / 10;

    const titleId = nextId('volume-title');
    const descId = nextId('volume-desc');
    const titleText = what ? `عدد الأخبار في اليوم: ${what}` : 'عدد الأخبار في اليوم';
    const span = nDays === 1
      ? `يوم ${dateFmt.format(dayDate(d0))}`
      : `من ${dateFmt.format(dayDate(d0))} إلى ${dateFmt.format(dayDate(d1))} (${daysText(nDays)})`;
    const descText = `${span}: ${articlesText(full.reduce((a, v) => a + v.n, 0))} في ${daysText(full.length)}`
      + (full.length > 1 ? `، أكثرها يوم ${dateFmt.format(dayDate(peak.d))} (${articlesText(peak.n)}).` : '.');

    const svg = svgEl('svg', {
      class: 'volume-svg', viewBox: `0 0 ${W} ${H}`, role: 'img',
      'aria-labelledby': `${titleId} ${descId}`, 'data-testid': 'volume-svg', 'data-days': nDays,
    },
    svgEl('title', { id: titleId }, titleText),
    svgEl('desc', { id: descId }, descText));

    // Horizontal rules and the counts they stand for, at the right.
    const yTicks = [...new Set([0, max <= 3 ? null : Math.round(max / 2), max].filter((v) => v !== null))];
    const grid = svgEl('g', { class: 'grid', 'aria-hidden': 'true' });
    for (const v of yTicks) {
      grid.append(svgEl('line', { x1: m.end, x2: W - m.start, y1: r1(y(v)), y2: r1(y(v)), class: v === 0 ? 'axis' : 'rule' }));
      grid.append(svgEl('text', { x: W - m.start / 2, y: r1(y(v)), 'text-anchor': 'middle', 'dominant-baseline': 'central', class: 'tick' },
        numberFmt.format(v)));
    }
    svg.append(grid);

    const bars = svgEl('g', { class: 'bars' });
    for (const v of full) {
      const i = v.d - d0;
      const top = y(v.n);
      bars.append(svgEl('rect', {
        class: 'bar', x: r1(xMid(i) - barW / 2), y: r1(top), width: r1(barW), height: r1(Math.max(1, m.top + plotH - top)),
        'data-day': v.day, 'data-articles': v.n,
      }, svgEl('title', null, `${dateFmt.format(dayDate(v.d))}: ${articlesText(v.n)}`)));
    }
    svg.append(bars);

    // A few days along the bottom: the first, the last, and some between.
    const maxTicks = Math.max(2, Math.floor(plotW / 90));
    let ticks = [];
    if (nDays <= maxTicks) {
      for (let i = 0; i < nDays; i++) ticks.push(i);
    } else {
      const step = Math.ceil((nDays - 1) / (maxTicks - 1));
      for (let i = 0; i < nDays - 1; i += step) ticks.push(i);
      if (nDays - 1 - ticks[ticks.length - 1] < step * 0.6) ticks.pop();
      ticks.push(nDays - 1);
    }
    ticks = ticks.filter((i, k) => k === 0 || i !== ticks[k - 1]);
    const xAxis = svgEl('g', { class: 'x-axis', 'aria-hidden': 'true' });
    const base = m.top + plotH;
    for (const i of ticks) {
      const x = xMid(i);
      const label = dayShortFmt.format(dayDate(d0 + i));
      const half = label.length * 4 + 6; // about half its width at 12px: kept inside the box
      xAxis.append(svgEl('line', { x1: r1(x), x2: r1(x), y1: base, y2: base + 5, class: 'axis' }));
      xAxis.append(svgEl('text', {
        x: r1(Math.min(W - half, Math.max(half, x))), y: base + 22, 'text-anchor': 'middle', class: 'tick', 'data-day': i,
      }, label));
    }
    svg.append(xAxis);

    return el('figure', { class: 'volume', 'data-testid': 'volume-plot' },
      svg,
      el('figcaption', { class: 'volume-caption' }, descText),
      el('details', { class: 'volume-table' },
        el('summary', null, 'الأرقام في جدول'),
        el('table', null,
          el('thead', null, el('tr', null, el('th', { scope: 'col' }, 'اليوم'), el('th', { scope: 'col' }, 'عدد الأخبار'))),
          el('tbody', null, full.map((v) => el('tr', null, el('td', null, dateEl(v.day)), el('td', null, num(v.n))))))));
  }

  const EVENTS_PAGE = 40;

  function eventItem(e) {
    const published = e.kind === 'published';
    const href = e.id ? articlePath(e.id) : null;
    const headline = e.title || e.text || e.id;
    return el('li', {
      class: `event ${published ? 'event-published' : 'event-mentioned'}`,
      'data-testid': 'event-item', 'data-kind': published ? 'published' : 'mentioned',
      'data-date': e.date || '', 'data-id': e.id || null,
    },
    el('p', { class: 'event-date' }, eventDateEl(e.date, e.end),
      el('span', { class: 'event-kind' }, published ? 'نُشر' : 'تاريخ ورد في خبر')),
    published
      ? el('h3', { class: 'event-title' },
        href ? el('a', { href, dir: 'auto' }, e.text || headline) : el('span', { dir: 'auto' }, e.text || headline))
      : el('blockquote', { class: 'event-text', dir: 'auto' }, e.text || ''),
    el('p', { class: 'meta' },
      !published && href ? ['من خبر ', el('a', { href, dir: 'auto', class: 'event-article' }, headline), ' — '] : null,
      e.source ? sourceEl(e.source) : null,
      e.published ? [' · ', dateEl(e.published, published)] : null),
    e.copies > 1
      ? el('p', { class: 'wire' }, el('span', { class: 'wire-count', 'data-testid': 'event-copies', 'data-copies': e.copies },
        'ونُشر في ', sourcesPhrase(e.copies)))
      : null);
  }

  // The events oldest first, a page at a time behind a "more" button.
  function eventsList(events, testid) {
    const sorted = events.map((e, i) => ({ e, i }))
      .sort((a, b) => String(a.e.date || '').localeCompare(String(b.e.date || '')) || a.i - b.i)
      .map((x) => x.e);
    const list = el('ol', { class: 'events', 'data-testid': testid });
    const more = el('button', { type: 'button', class: 'more', 'data-testid': 'events-more' });
    let shown = 0;
    const showMore = (focus) => {
      const items = sorted.slice(shown, shown + EVENTS_PAGE).map(eventItem);
      append(list, items);
      shown += items.length;
      const left = sorted.length - shown;
      more.hidden = left <= 0;
      more.replaceChildren('عرض المزيد (بقي ', num(left), ')');
      if (focus && items[0]) (items[0].querySelector('a') || items[0]).focus();
    };
    more.addEventListener('click', () => showMore(true));
    showMore(false);
    return el('div', { class: 'events-wrap' }, list, more);
  }

  function eventsLegend() {
    return el('ul', { class: 'legend', 'aria-label': 'مفتاح التسلسل' },
      el('li', { class: 'legend-published' }, 'خبر نُشر في ذلك اليوم'),
      el('li', { class: 'legend-mentioned' }, 'تاريخ ورد في جملة من خبر'));
  }

  function entityLookupForm(q) {
    const input = el('input', {
      id: 'entity-q', name: 'q', type: 'search', required: true, dir: 'auto', autocomplete: 'off', spellcheck: 'false',
      placeholder: 'مثلًا: أوباما', 'data-testid': 'entity-search-input',
    });
    input.value = q || '';
    const form = el('form', {
      class: 'entity-form', role: 'search', action: '/', 'aria-label': 'بحث عن شخص أو مكان أو منظمة', 'data-testid': 'entity-form',
    },
    el('label', { for: 'entity-q' }, 'اسم شخص أو مكان أو منظمة، بأي لغة'),
    el('div', { class: 'row' }, input,
      el('button', { type: 'submit', 'data-testid': 'entity-search-submit' }, 'ابحث عن الاسم')));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const v = input.value.trim();
      if (v) navigate(entitiesPath(v));
      else input.focus();
    });
    return form;
  }

  const typeClass = (t) => `type-${String(t || '').replace(/[^A-Z]/g, '') || 'X'}`;

  function entityResult(x) {
    return el('li', {
      class: 'entity-result', 'data-testid': 'entity-result', 'data-key': x.key, 'data-type': x.type, 'data-articles': x.articles,
    },
    el('a', { href: entityPath(x.key), class: 'entity-name', dir: 'auto', 'data-testid': 'entity-link' }, x.name || x.key),
    el('span', { class: `entity-type ${typeClass(x.type)}` }, typeName(x.type)),
    el('span', { class: 'entity-count', 'data-testid': 'entity-count' }, resultsCountArticles(x.articles || 0)));
  }

  async function entities(token, q) {
    clearFilters();
    document.title = q ? `${q} — أشخاص وأماكن ومنظمات — خبر` : 'أشخاص وأماكن ومنظمات — خبر';
    const head = () => [el('h1', { class: 'page-title' }, 'أشخاص وأماكن ومنظمات'), entityLookupForm(q)];
    if (!q) return head();
    show([head(), loading()]);
    let data;
    try {
      data = (await api(`/api/entities?${new URLSearchParams({ q, n: '30' })}`)).body;
    } catch (err) {
      if (token !== renderToken) return null;
      return [head(), errorBox(err, 'الاسم')];
    }
    if (token !== renderToken) return null;
    const list = (data && data.entities) || [];
    return [head(),
      list.length
        ? [el('p', { class: 'total', 'data-testid': 'entity-total', 'data-total': list.length },
          namesText(list.length), ' لـ «', bdi(q, 'auto'), '»، أكثرها أخبارًا أولًا'),
        el('ul', { class: 'entity-results', 'data-testid': 'entity-results' }, list.map(entityResult))]
        : el('p', { class: 'empty', 'data-testid': 'no-entities' }, 'لم نجد اسمًا يطابق «', bdi(q, 'auto'), '». جرّب كتابته بطريقة أخرى.')];
  }

  async function entity(token, key) {
    clearFilters();
    show(loading());
    let data;
    try {
      data = (await api(`/api/entities/${encodeURIComponent(key)}`)).body;
    } catch (err) {
      if (token !== renderToken) return null;
      document.title = 'اسم غير موجود — خبر';
      return [el('h1', { class: 'page-title' }, 'صفحة الاسم'), errorBox(err, 'هذا الاسم'),
        el('p', null, el('a', { href: entitiesPath(key) }, 'ابحث عن «', bdi(key, 'auto'), '» بين الأسماء'))];
    }
    if (token !== renderToken) return null;
    const en = (data && data.entity) || {};
    const tl = (data && data.timeline) || {};
    const name = en.name || key;
    const count = en.articles != null ? en.articles : tl.articles || 0;
    const events = Array.isArray(tl.events) ? tl.events : [];
    document.title = `${name} — خبر`;
    return [
      el('p', { class: 'kicker', 'data-testid': 'entity-type', 'data-type': en.type }, typeName(en.type)),
      el('h1', { class: 'page-title', 'data-testid': 'entity-name', dir: 'auto' }, name),
      el('dl', { class: 'story-facts', 'data-testid': 'entity-facts' },
        fact('عدد الأخبار', el('span', { 'data-testid': 'entity-articles', 'data-articles': count }, resultsCountArticles(count))),
        fact('أول خبر', dateEl(tl.first)),
        fact('آخر خبر', dateEl(tl.last)),
        fact('النوع', typeName(en.type))),
      el('p', { class: 'entity-actions' },
        el('a', { href: searchUrl({ entity: en.key || key }, 1), class: 'button-link', 'data-testid': 'entity-search-link' },
          'ابحث في الأخبار التي تذكر «', bdi(name, 'auto'), '»')),
      el('section', { class: 'volume-section', 'aria-labelledby': 'volume-heading' },
        el('h2', { id: 'volume-heading' }, 'الأخبار يومًا بيوم'),
        volumePlot(tl.volume, name, view.clientWidth)),
      el('section', { class: 'events-section', 'aria-labelledby': 'events-heading' },
        el('h2', { id: 'events-heading' }, 'التسلسل الزمني'),
        eventsLegend(),
        events.length
          ? eventsList(events, 'entity-events')
          : el('p', { class: 'empty' }, 'لا أحداث مؤرخة لهذا الاسم.')),
    ];
  }

  // "في هذا الخبر": the article's entities by type, most mentioned first;
  // a long group shows its first few and a button for the rest.
  const GROUP_LIMIT = 8;

  function entityGroup(type, items) {
    const headId = nextId('entity-group');
    const listId = nextId('entity-list');
    const ul = el('ul', { class: 'entity-chips', id: listId, 'aria-labelledby': headId },
      items.map((x, i) => el('li', { hidden: i >= GROUP_LIMIT },
        el('a', {
          href: entityPath(x.key), dir: 'auto', class: `entity-chip ${typeClass(x.type)}`,
          'data-testid': 'entity-chip', 'data-key': x.key, title: x.mentions ? mentionsText(x.mentions) : null,
        }, x.name || x.key))));
    let more = null;
    if (items.length > GROUP_LIMIT) {
      const label = () => (more.getAttribute('aria-expanded') === 'true'
        ? ['عرض أقل']
        : ['و', num(items.length - GROUP_LIMIT), ' غيرها']);
      more = el('button', { type: 'button', class: 'more', 'aria-expanded': 'false', 'aria-controls': listId, 'data-testid': 'entities-more' });
      more.append(...label());
      more.addEventListener('click', () => {
        const open = more.getAttribute('aria-expanded') !== 'true';
        more.setAttribute('aria-expanded', String(open));
        [...ul.children].forEach((li, i) => { li.hidden = !open && i >= GROUP_LIMIT; });
        more.replaceChildren(...label());
        if (open) ul.children[GROUP_LIMIT].querySelector('a').focus();
      });
    }
    return el('div', { class: 'entity-group', 'data-type': type, 'data-testid': 'entity-group' },
      el('h3', { id: headId }, typeGroupName(type), ' ', el('span', { class: 'count' }, '(', num(items.length), ')')),
      ul, more);
  }

  function articleEntities(token, enc) {
    const heading = () => el('h2', { id: 'entities-heading' }, 'في هذا الخبر');
    const section = el('section', { class: 'entities-box', 'aria-labelledby': 'entities-heading', 'data-testid': 'article-entities' },
      heading(), loading());
    api(`/api/articles/${enc}/entities`).then(({ body }) => {
      if (token !== renderToken) return;
      const list = (body && body.entities) || [];
      const groups = new Map(Object.keys(ENTITY_TYPES).map((t) => [t, []]));
      for (const x of list) {
        const t = ENTITY_TYPES[x.type] ? x.type : 'other';
        if (!groups.has(t)) groups.set(t, []);
        groups.get(t).push(x);
      }
      const els = [...groups].filter(([, xs]) => xs.length).map(([t, xs]) => entityGroup(t, xs));
      section.dataset.count = list.length;
      section.replaceChildren(heading(),
        els.length ? el('div', { class: 'entity-groups' }, els) : el('p', { class: 'empty' }, 'لم نتعرّف على أسماء في هذا الخبر.'));
    }, (err) => {
      if (token !== renderToken) return;
      section.replaceChildren(heading(), errorBox(err, 'أسماء الخبر'));
    });
    return section;
  }

  // The story's articles a day and the dates its sentences name.
  function storyTimelineParts(token, id, label) {
    const plotHeading = () => el('h2', { id: 'volume-heading' }, 'الأخبار يومًا بيوم');
    const datesHeading = () => el('h2', { id: 'mentioned-heading' }, 'تواريخ وردت في أخبار القصة');
    const plot = el('section', { class: 'volume-section', 'aria-labelledby': 'volume-heading', 'data-testid': 'story-volume' },
      plotHeading(), loading());
    const dates = el('section', { class: 'events-section', 'aria-labelledby': 'mentioned-heading', 'data-testid': 'story-mentioned' },
      datesHeading(), loading());
    api(`/api/stories/${encodeURIComponent(id)}/timeline`).then(({ body }) => {
      if (token !== renderToken) return;
      const tl = (body && body.timeline) || {};
      const mentioned = (Array.isArray(tl.events) ? tl.events : []).filter((e) => e.kind === 'mentioned');
      plot.replaceChildren(plotHeading(), volumePlot(tl.volume, label, view.clientWidth));
      dates.replaceChildren();
      append(dates, [datesHeading(),
        mentioned.length
          ? [el('p', { class: 'hint' }, 'جمل من أخبار القصة تذكر تاريخًا، مرتبة بحسب التاريخ المذكور.'),
            eventsList(mentioned, 'story-events')]
          : el('p', { class: 'empty' }, 'لم ترد تواريخ في أخبار هذه القصة.')]);
    }, (err) => {
      if (token !== renderToken) return;
      plot.replaceChildren(plotHeading(), errorBox(err, 'تسلسل القصة'));
      dates.remove();
    });
    return [plot, dates];
  }

  // ---- router ------------------------------------------------------------

  function show(nodes) {
    view.replaceChildren();
    append(view, [nodes]);
  }

  // Routes in the fragment of / (#/entity/KEY, #/entities?q=): see entityPath.
  function hashRoute() {
    return location.pathname === '/' && location.hash.startsWith('#/') ? location.hash.slice(1) : null;
  }

  // The URL the view shows: path, query, and the fragment when it is a route.
  function currentUrl() {
    return location.pathname + location.search + (hashRoute() !== null ? location.hash : '');
  }

  async function render(focus) {
    const token = ++renderToken;
    const path = location.pathname;
    const hr = hashRoute();
    let nodes;
    let m;
    let name;
    view.setAttribute('aria-busy', 'true');
    if (hr !== null) {
      const q = hr.indexOf('?');
      const hpath = q < 0 ? hr : hr.slice(0, q);
      const hquery = new URLSearchParams(q < 0 ? '' : hr.slice(q + 1));
      if ((m = /^\/entity\/(.+)$/.exec(hpath))) name = 'entity';
      else if (hpath === '/entities') name = 'entities';
      else name = 'unknown';
      document.body.dataset.page = name;
      if (name === 'entity') nodes = await entity(token, safeDecode(m[1]));
      else if (name === 'entities') nodes = await entities(token, (hquery.get('q') || '').trim());
    } else {
      name = path === '/' ? 'home' : path.split('/')[1] || 'home';
      document.body.dataset.page = name;
      if (path === '/' || path === '/search') nodes = await search(token);
      else if ((m = /^\/article\/([^/]+)$/.exec(path))) nodes = await article(token, decodeURIComponent(m[1]));
      else if ((m = /^\/story\/([^/]+)$/.exec(path))) nodes = await story(token, decodeURIComponent(m[1]));
    }
    if (nodes === undefined) {
      document.title = 'صفحة غير موجودة — خبر';
      nodes = [el('h1', { class: 'page-title' }, 'صفحة غير موجودة'),
        el('p', null, el('a', { href: '/' }, 'العودة إلى الصفحة الرئيسية'))];
    }
    if (token !== renderToken || nodes === null) return;
    show(nodes);
    view.setAttribute('aria-busy', 'false');
    view.dataset.page = name;
    view.dataset.url = currentUrl();
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
    if (url !== location.pathname + location.search + location.hash) history.pushState(null, '', url);
    render(true);
  }

  document.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = e.target.closest('a[href]');
    if (!a || a.target || a.hasAttribute('download')) return;
    const href = a.getAttribute('href');
    if (href.startsWith('#') && !href.startsWith('#/')) {
      // An in-page link (the skip link): move the focus, keep the route.
      const target = document.getElementById(safeDecode(href.slice(1)));
      if (target) {
        e.preventDefault();
        if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
        target.focus();
        target.scrollIntoView();
      }
      return;
    }
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin) return;
    if (!/^\/(search|article\/[^/]+|story\/[^/]+)?$/.test(url.pathname)) return;
    e.preventDefault();
    navigate(url.pathname + url.search + (url.pathname === '/' && url.hash.startsWith('#/') ? url.hash : ''));
  });

  window.addEventListener('popstate', () => render(false));
  // A route typed into the address bar's fragment (popstate usually comes first).
  window.addEventListener('hashchange', () => {
    if (view.getAttribute('aria-busy') !== 'true' && view.dataset.url !== currentUrl()) render(false);
  });

  searchForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const s = {
      q: searchForm.q.value.trim(),
      source: searchForm.source.value.trim(),
      since: searchForm.since.value,
      until: searchForm.until.value,
      entity: searchForm.entity.value,
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
