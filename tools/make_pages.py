#!/usr/bin/env python3
"""Generates realistic Arabic news pages, with their gold, from real articles.

    python3 tools/make_pages.py [--articles PATH] [--out DIR] [--count N]
                                [--seed S] [--max-body CHARS]

Reads SaudiNewsNet (../shared/data/saudinewsnet/articles.jsonl.gz: id, source, url,
date_extracted, title, author, body; CC BY-NC-SA 4.0, M. Alhagri 2015) and writes to DIR
(default bench/out/pages):

  html/NNN.utf8.html     each article in the page of one of five site templates, UTF-8
  html/NNN.cp1256.html   the same page in windows-1256 (half declare it with
                         <meta charset>, half only with an http-equiv Content-Type)
  feed.xml               RSS 2.0: link, title, pubDate, description (a summary)
  pages.warc.gz          WARC 1.1, one gzip member per record: a warcinfo record, then a
                         response record (HTTP headers + page) for every html file
  gold.jsonl             one line per html file: file, url, title, body, date (the day
                         the page shows, YYYY-MM-DD), plus datetime (ISO 8601 with the
                         +03:00 offset), charset, template, id

The templates imitate common Arabic news WordPress themes (Jannah, Newspaper, JNews) and
two custom sites, with their furniture: navigation, a breaking-news ticker (عاجل), share
buttons, "اقرأ أيضا" boxes inside the text, a "قد يعجبك ايضا" list of other real titles,
"ابق على اتصال" social links, an "احصل على النشرة الإخبارية" form, comments, ad slots,
the footer, and today's date in the header (a trap for date finders: the gold date is
the publication date).  The publication date is written as Arabic text in every
template, and in JSON-LD or meta tags in some only.  Some templates repeat the headline
as the first line of the text (not part of the gold body).

Gold body: the article's paragraphs (SaudiNewsNet body lines, stripped, empty ones
dropped) joined with a blank line.  Publication times are between 07:00 and 23:00
Riyadh time (UTC+3), so that the day is the same in UTC and as written.

Everything is reproducible: a fixed seed, no clock, gzip members with mtime 0.
"""
import argparse
import base64
import datetime
import gzip
import hashlib
import html
import json
import os
import random
import re
import sys
import urllib.parse
import uuid

DEFAULT_ARTICLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                                'shared', 'data', 'saudinewsnet', 'articles.jsonl.gz')
RIYADH = datetime.timezone(datetime.timedelta(hours=3))

WEEKDAYS = ['الإثنين', 'الثلاثاء', 'الأربعاء', 'الخميس', 'الجمعة', 'السبت', 'الأحد']
MONTHS_EG = ['يناير', 'فبراير', 'مارس', 'أبريل', 'مايو', 'يونيو', 'يوليو', 'أغسطس',
             'سبتمبر', 'أكتوبر', 'نوفمبر', 'ديسمبر']
MONTHS_LEV = ['كانون الثاني', 'شباط', 'آذار', 'نيسان', 'أيار', 'حزيران', 'تموز', 'آب',
              'أيلول', 'تشرين الأول', 'تشرين الثاني', 'كانون الأول']
HIJRI_MONTHS = ['محرم', 'صفر', 'ربيع الأول', 'ربيع الآخر', 'جمادى الأولى',
                'جمادى الآخرة', 'رجب', 'شعبان', 'رمضان', 'شوال', 'ذو القعدة', 'ذو الحجة']
ARABIC_DIGITS = str.maketrans('0123456789', '٠١٢٣٤٥٦٧٨٩')

NAV = ['الرئيسية', 'أخبار محلية', 'عربي ودولي', 'اقتصاد', 'رياضة', 'ثقافة وفن', 'تقنية',
       'منوعات', 'مقالات', 'فيديو']
COMMENTERS = ['أبو فهد', 'سارة محمد', 'خالد العتيبي', 'م. عبدالله', 'نورة']
COMMENTS = ['خبر مهم، شكرا على المتابعة.', 'نتمنى أن يكون القرار في مصلحة الجميع.',
            'متى يبدأ التطبيق؟', 'الله يحفظ البلاد وأهلها.', 'تغطية ممتازة كالعادة.']


def esc(s):
    return html.escape(s, quote=True)


def ar_date(d, months=MONTHS_EG, weekday=True, digits=False):
    s = f'{d.day} {months[d.month - 1]} {d.year}'
    if weekday:
        s = f'{WEEKDAYS[d.weekday()]} {s}'
    return s.translate(ARABIC_DIGITS) if digits else s


def hijri_tabular(d):
    """The tabular Islamic date of a Gregorian date (Calendrical Calculations'
    arithmetic, the same as src/ingest/hijri.c; Umm al-Qura can differ by a day, which
    is why the pages also show the weekday)."""
    def first(yy, mm):  # JDN of the first day of month mm of year yy
        return (1 + (59 * (mm - 1) + 1) // 2 + 354 * (yy - 1) + (3 + 11 * yy) // 30 +
                1948440 - 1)
    jdn = d.toordinal() + 1721425
    y = (30 * (jdn - 1948440) + 10646) // 10631
    while first(y, 1) > jdn:
        y -= 1
    while first(y + 1, 1) <= jdn:
        y += 1
    m = max(mm for mm in range(1, 13) if first(y, mm) <= jdn)
    return y, m, jdn - first(y, m) + 1


def hijri_text(d):
    y, m, day = hijri_tabular(d)
    return f'{WEEKDAYS[d.weekday()]} {day} {HIJRI_MONTHS[m - 1]} {y} هـ'


def rfc822(dt):
    days = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']
    months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct',
              'Nov', 'Dec']
    off = dt.utcoffset()
    mins = int(off.total_seconds() // 60) if off else 0
    sign = '+' if mins >= 0 else '-'
    return (f'{days[dt.weekday()]}, {dt.day:02d} {months[dt.month - 1]} {dt.year} '
            f'{dt:%H:%M:%S} {sign}{abs(mins) // 60:02d}{abs(mins) % 60:02d}')


def slug(title, n=6):
    words = re.findall(r'[\w]+', title)[:n]
    return '-'.join(words)


# ---- site furniture, shared by the templates ---------------------------------

def share_block(cls):
    items = ['فيسبوك', 'تويتر', 'واتساب', 'تيليجرام', 'لينكدإن', 'طباعة']
    links = ''.join(f'<a href="#" class="share-{i}" rel="nofollow"><span>{n}</span></a>'
                    for i, n in enumerate(items))
    return f'<div class="{cls}"><span class="share-title">شارك</span>{links}</div>'


def social_widget():
    rows = [('فيسبوك', '120 ألف', 'معجب'), ('تويتر', '85 ألف', 'متابع'),
            ('يوتيوب', '40 ألف', 'مشترك'), ('انستقرام', '52 ألف', 'متابع')]
    lis = ''.join(f'<li class="social-{i}"><a href="#"><span class="counter">{c}</span>'
                  f'<span class="name">{n}</span> <span class="unit">{u}</span></a></li>'
                  for i, (n, c, u) in enumerate(rows))
    return (f'<div class="widget social-counter-widget"><div class="widget-title"><h4>'
            f'ابق على اتصال</h4></div><ul class="social-counter">{lis}</ul></div>')


def newsletter_widget():
    return ('<div class="widget newsletter-widget"><div class="widget-title"><h4>'
            'احصل على النشرة الإخبارية</h4></div><p>اشترك الآن ليصلك أهم الأخبار يوميا '
            'على بريدك الإلكتروني.</p><form class="subscribe-form" action="#" method="post">'
            '<input type="email" name="email" placeholder="البريد الإلكتروني">'
            '<button type="submit">اشترك</button></form></div>')


def ad_slot(rng, cls='ad-slot'):
    size = rng.choice(['728x90', '300x250', '970x250'])
    return (f'<div class="{cls}" data-size="{size}"><span class="ad-label">إعلان</span>'
            f'<ins class="adsbygoogle" data-ad-slot="{rng.randrange(10**9)}"></ins></div>')


def comments_block(rng, pub, n):
    out = ['<div id="comments" class="comments-area"><h3 class="comments-title">'
           f'التعليقات ({n})</h3><ol class="comment-list">']
    for k in range(n):
        when = pub + datetime.timedelta(hours=rng.randrange(2, 200))
        out.append(f'<li class="comment"><div class="comment-author">'
                   f'{esc(rng.choice(COMMENTERS))}</div><div class="comment-meta">'
                   f'{ar_date(when, weekday=False)} الساعة {when:%H:%M}</div>'
                   f'<div class="comment-content"><p>{esc(rng.choice(COMMENTS))}</p>'
                   f'</div></li>')
    out.append('</ol><div id="respond" class="comment-respond"><h3>اترك تعليقاً</h3>'
               '<form class="comment-form" action="#" method="post"><textarea name="comment">'
               '</textarea><input name="author" placeholder="الاسم"><button type="submit">'
               'إرسال التعليق</button></form></div></div>')
    return ''.join(out)


def footer(site, year):
    links = ' | '.join(f'<a href="/{p}/">{t}</a>' for p, t in
                       [('about', 'من نحن'), ('contact', 'اتصل بنا'),
                        ('privacy', 'سياسة الخصوصية'), ('ads', 'أعلن معنا')])
    return (f'<footer id="footer" class="site-footer"><div class="footer-links">{links}'
            f'</div><div class="copyright">© {year} {esc(site["name"])}. جميع الحقوق '
            f'محفوظة.</div></footer>')


def nav(cls):
    lis = ''.join(f'<li class="menu-item"><a href="/category/{i}/">{t}</a></li>'
                  for i, t in enumerate(NAV))
    return f'<nav class="{cls}"><ul class="menu">{lis}</ul></nav>'


def ticker(others, cls):
    lis = ''.join(f'<li><a href="{esc(o["url"])}">{esc(o["title"])}</a></li>'
                  for o in others[:4])
    return (f'<div class="{cls}"><span class="breaking-title">عاجل</span>'
            f'<ul class="breaking-news">{lis}</ul></div>')


def read_also(o, cls):
    return (f'<div class="{cls}"><span class="read-also-title">اقرأ أيضا</span> '
            f'<a href="{esc(o["url"])}">{esc(o["title"])}</a></div>')


def related(others, cls, with_dates, months=MONTHS_EG):
    lis = []
    for o in others:
        d = f'<span class="date">{ar_date(o["pub"], months, weekday=False)}</span>' \
            if with_dates else ''
        lis.append(f'<li class="related-item"><a href="{esc(o["url"])}">'
                   f'{esc(o["title"])}</a>{d}</li>')
    return (f'<div class="{cls}"><h3 class="block-title">قد يعجبك ايضا</h3>'
            f'<ul>{"".join(lis)}</ul></div>')


def body_html(paras, rng, box):
    """The paragraphs as <p>, a "read also" box after the second one."""
    out = []
    for i, p in enumerate(paras):
        out.append(f'<p>{esc(p)}</p>')
        if i == 1 and box:
            out.append(box)
    return ''.join(out)


def json_ld(a, site):
    d = {
        '@context': 'https://schema.org', '@type': 'NewsArticle',
        'headline': a['title'], 'mainEntityOfPage': a['url'],
        'datePublished': a['pub'].isoformat(), 'dateModified': a['modified'].isoformat(),
        'author': {'@type': 'Person', 'name': a['author']},
        'publisher': {'@type': 'Organization', 'name': site['name']},
    }
    return ('<script type="application/ld+json">' +
            json.dumps(d, ensure_ascii=False).replace('</', '<\\/') + '</script>')


def head(a, site, charset_tag, extra, title_fmt):
    title = title_fmt.format(title=a['title'], site=site['name'])
    return (f'<head>{charset_tag}<meta name="viewport" content="width=device-width, '
            f'initial-scale=1"><title>{esc(title)}</title>'
            f'<meta property="og:site_name" content="{esc(site["name"])}">'
            f'<meta property="og:title" content="{esc(a["title"])}">'
            f'<meta property="og:url" content="{esc(a["url"])}">'
            f'<link rel="canonical" href="{esc(a["url"])}">'
            f'<link rel="stylesheet" href="/wp-content/themes/{site["theme"]}/style.css">'
            f'{extra}</head>')


# ---- the templates ------------------------------------------------------------

def t_jannah(a, site, ctx):
    """Jannah (TieLabs): JSON-LD and meta dates, Egyptian month names."""
    rng, others = ctx['rng'], ctx['others']
    extra = (f'<meta property="article:published_time" content="{a["pub"].isoformat()}">'
             f'<meta property="article:modified_time" content="{a["modified"].isoformat()}">'
             + json_ld(a, site))
    return (f'<!DOCTYPE html><html dir="rtl" lang="ar">{head(a, site, ctx["charset_tag"], extra, "{title} - {site}")}'
            f'<body class="rtl post-template-default single single-post"><div id="tie-wrapper">'
            f'<header id="theme-header" class="theme-header header-layout-3">'
            f'<div id="top-nav" class="top-nav"><div class="topbar-today-date">'
            f'{ar_date(ctx["today"])}</div>{nav("top-menu")}</div>'
            f'<div class="logo-row"><a class="logo" href="/">{esc(site["name"])}</a>'
            f'{ad_slot(rng, "stream-item-top")}</div>'
            f'{nav("main-nav")}{ticker(others[6:], "breaking controls")}</header>'
            f'<div id="content" class="site-content container"><div class="main-content">'
            f'<article id="the-post" class="container-wrapper post-content">'
            f'<header class="entry-header-outer"><nav id="breadcrumb"><a href="/">الرئيسية'
            f'</a> / <a href="/category/2/">عربي ودولي</a></nav><div class="entry-header">'
            f'<h1 class="post-title entry-title">{esc(a["title"])}</h1>'
            f'<div class="post-meta"><span class="meta-author">{esc(a["author"])}</span>'
            f'<span class="date meta-item">{ar_date(a["pub"])}</span>'
            f'<span class="meta-views">{rng.randrange(100, 9000)} مشاهدة</span></div></div>'
            f'</header>{share_block("share-links share-top")}'
            f'<figure class="single-featured-image"><img src="/img/{a["id"]}.jpg" alt="">'
            f'<figcaption>صورة أرشيفية</figcaption></figure>'
            f'<div class="entry-content entry clearfix">'
            f'{body_html(a["paras"], rng, read_also(others[0], "tie-read-also"))}</div>'
            f'{share_block("share-links share-bottom")}'
            f'<div class="post-tags"><span>الوسوم</span> <a href="#">{esc(site["tag"])}</a></div>'
            f'</article>{related(others[1:6], "related-posts container-wrapper", True)}'
            f'{comments_block(rng, a["pub"], rng.randrange(0, 3))}</div>'
            f'<aside class="sidebar">{social_widget()}{newsletter_widget()}'
            f'{ad_slot(rng, "widget stream-item-widget")}</aside></div>'
            f'{footer(site, ctx["today"].year)}</div></body></html>')


def t_newspaper(a, site, ctx):
    """Newspaper (tagDiv): <time class="entry-date updated" datetime>, the headline
    repeated in bold as the first line of the text, dated related items."""
    rng, others = ctx['rng'], ctx['others']
    pub = a['pub']
    extra = f'<meta property="article:published_time" content="{pub.isoformat()}">'
    return (f'<!DOCTYPE html><html lang="ar" dir="rtl">{head(a, site, ctx["charset_tag"], extra, "{title} | {site}")}'
            f'<body class="single td-theme-newspaper"><div id="td-outer-wrap">'
            f'<div class="td-header-wrap"><div class="td-header-top-menu">'
            f'<div class="td_data_time">{ar_date(ctx["today"], weekday=True)}</div>'
            f'{nav("top-header-menu")}</div><div class="td-header-menu-wrap">'
            f'{nav("sf-menu")}</div>{ticker(others[6:], "td-trending-now-wrapper")}</div>'
            f'{ad_slot(rng, "td-a-rec td-a-rec-id-header")}'
            f'<div class="td-main-content-wrap"><div class="td-ss-main-content">'
            f'<article class="post type-post"><div class="td-post-header">'
            f'<ul class="td-category"><li><a href="#">{esc(site["tag"])}</a></li></ul>'
            f'<header class="td-post-title"><h1 class="entry-title">{esc(a["title"])}</h1>'
            f'<div class="td-module-meta-info"><div class="td-post-author-name">بواسطة '
            f'<a href="#">{esc(a["author"])}</a></div><span class="td-post-date">'
            f'<time class="entry-date updated td-module-date" datetime="{pub.isoformat()}">'
            f'{pub.day} {MONTHS_EG[pub.month - 1]}، {pub.year}</time></span>'
            f'<div class="td-post-views">{rng.randrange(50, 5000)}</div></div></header></div>'
            f'{share_block("td-post-sharing td-post-sharing-top")}'
            f'<div class="td-post-content"><p><strong>{esc(a["title"])}</strong></p>'
            f'{body_html(a["paras"], rng, read_also(others[0], "td_block_inline_text"))}'
            f'</div>{share_block("td-post-sharing-bottom")}</article>'
            f'{related(others[1:7], "td_block_related_posts", True)}'
            f'{comments_block(rng, pub, rng.randrange(0, 3))}</div>'
            f'<div class="td-pb-span4 td-main-sidebar">{social_widget()}'
            f'{newsletter_widget()}</div></div>{footer(site, ctx["today"].year)}'
            f'</div></body></html>')


def t_jnews(a, site, ctx):
    """JNews: Levantine month names as text only, no machine-readable date."""
    rng, others = ctx['rng'], ctx['others']
    pub = a['pub']
    return (f'<!DOCTYPE html><html lang="ar" dir="rtl">{head(a, site, ctx["charset_tag"], "", "{title} – {site}")}'
            f'<body class="jnews jeg_single_tpl_1"><div class="jeg_viewport">'
            f'<div class="jeg_header normal"><div class="jeg_topbar"><div class="jeg_top_date">'
            f'{ar_date(ctx["today"], MONTHS_LEV)}</div>{nav("jeg_top_menu")}</div>'
            f'<div class="jeg_midbar"><div class="jeg_logo"><a href="/">{esc(site["name"])}</a>'
            f'</div></div><div class="jeg_bottombar">{nav("jeg_main_menu")}</div></div>'
            f'<div class="jeg_breakingnews">{ticker(others[6:], "jeg_news_ticker")}</div>'
            f'<div class="jeg_main"><div class="jeg_container"><div class="jeg_content">'
            f'<div class="jeg_inner_content"><div class="jeg_breadcrumbs"><a href="/">'
            f'الرئيسية</a> » <a href="#">{esc(site["tag"])}</a></div>'
            f'<h1 class="jeg_post_title">{esc(a["title"])}</h1>'
            f'<div class="jeg_meta_container"><div class="jeg_post_meta"><div class="jeg_meta_author">'
            f'بقلم <a href="#">{esc(a["author"])}</a></div><div class="jeg_meta_date">'
            f'<a href="#">{ar_date(pub, MONTHS_LEV, weekday=False)}</a></div></div></div>'
            f'<div class="jeg_share_top_container">{share_block("jeg_share_button")}</div>'
            f'<div class="jeg_featured featured_image"><img src="/img/{a["id"]}.jpg" alt=""></div>'
            f'<div class="entry-content no-share"><div class="content-inner">'
            f'{body_html(a["paras"], rng, read_also(others[0], "jnews_inline_related_post"))}'
            f'</div></div><div class="jeg_share_bottom_container">'
            f'{share_block("jeg_share_button")}</div>'
            f'{related(others[1:6], "jnews_related_post_container", True, MONTHS_LEV)}'
            f'{comments_block(rng, pub, rng.randrange(0, 2))}</div></div>'
            f'<div class="jeg_sidebar">{social_widget()}{newsletter_widget()}'
            f'{ad_slot(rng, "jeg_ad")}</div></div></div>{footer(site, ctx["today"].year)}'
            f'</div></body></html>')


def t_portal(a, site, ctx):
    """A custom Egyptian-style portal: Gregorian and Hijri date in one line, the
    headline again as the first line, ads between paragraphs, a numeric date in the
    related list."""
    rng, others = ctx['rng'], ctx['others']
    pub = a['pub']
    paras = list(a['paras'])
    inner = []
    for i, p in enumerate(paras):
        inner.append(f'<p>{esc(p)}</p>')
        if i == 0:
            inner.append(ad_slot(rng, 'inread-ad'))
        if i == 2:
            inner.append(read_also(others[0], 'readAlsoBox'))
    rel = ''.join(f'<div class="relatedNews"><a href="{esc(o["url"])}">{esc(o["title"])}</a>'
                  f'<span class="newsDate">{o["pub"]:%d/%m/%Y}</span></div>'
                  for o in others[1:6])
    return (f'<!DOCTYPE html><html lang="ar" dir="rtl">{head(a, site, ctx["charset_tag"], "", "{site} | {title}")}'
            f'<body><div class="container"><div class="topHeader"><span class="todayDate">'
            f'{ar_date(ctx["today"])}</span> <span class="weather">الرياض 41°</span></div>'
            f'<div class="mainHeader"><a class="siteLogo" href="/">{esc(site["name"])}</a>'
            f'{nav("mainMenu")}</div>{ticker(others[6:], "urgentNews")}'
            f'<div class="row"><div class="col-md-8 articleCol"><div class="articleHeader">'
            f'<h1>{esc(a["title"])}</h1><div class="articleInfo"><span class="writer">'
            f'كتب: {esc(a["author"])}</span> <span class="newsStoryDate">{ar_date(pub)} '
            f'{pub:%I:%M} {"ص" if pub.hour < 12 else "م"} - {hijri_text(pub)}</span></div></div>'
            f'{share_block("shareIcons")}<div class="articleImage"><img src="/img/{a["id"]}.jpg">'
            f'<p class="imgCaption">صورة أرشيفية</p></div><div id="articleBody" class="articleBody">'
            f'<p>{esc(a["title"])}</p>{"".join(inner)}</div>'
            f'<div class="tags">كلمات البحث: <a href="#">{esc(site["tag"])}</a></div>'
            f'<div class="moreNews"><h3>قد يعجبك ايضا</h3>{rel}</div>'
            f'{comments_block(rng, pub, rng.randrange(0, 3))}</div>'
            f'<div class="col-md-4 sideCol">{ad_slot(rng)}{social_widget()}'
            f'{newsletter_widget()}</div></div>{footer(site, ctx["today"].year)}</div>'
            f'</body></html>')


def t_gulf(a, site, ctx):
    """A custom Gulf site on an older layout: tables, the date as dd/mm/yyyy with the
    Hijri one, meta name="pubdate", no JSON-LD."""
    rng, others = ctx['rng'], ctx['others']
    pub = a['pub']
    extra = f'<meta name="pubdate" content="{pub:%Y-%m-%d}">'
    paras = ''.join(f'<p>{esc(p)}</p>' for p in a['paras'])
    rel = ''.join(f'<tr><td><a href="{esc(o["url"])}">{esc(o["title"])}</a></td></tr>'
                  for o in others[1:6])
    return (f'<!DOCTYPE html><html lang="ar" dir="rtl">{head(a, site, ctx["charset_tag"], extra, "{site} - {title}")}'
            f'<body><table class="layout" width="100%"><tr><td class="header" colspan="2">'
            f'<div class="hdate">{hijri_text(ctx["today"])} الموافق {ctx["today"]:%d/%m/%Y}</div>'
            f'<div class="logo">{esc(site["name"])}</div>{nav("menu")}'
            f'{ticker(others[6:], "newsbar")}</td></tr><tr><td class="main" valign="top">'
            f'<div class="story"><div class="section">{esc(site["tag"])}</div>'
            f'<h1 class="story-title">{esc(a["title"])}</h1><div class="story-date">'
            f'{esc(a["author"])} - {pub:%d/%m/%Y}</div>{share_block("share")}'
            f'<div class="story-text">{paras}</div></div>'
            f'<div class="related"><h3>قد يعجبك ايضا</h3><table>{rel}</table></div>'
            f'{comments_block(rng, pub, rng.randrange(0, 2))}</td>'
            f'<td class="side" valign="top">{social_widget()}{newsletter_widget()}'
            f'{ad_slot(rng)}</td></tr><tr><td colspan="2">{footer(site, ctx["today"].year)}'
            f'</td></tr></table></body></html>')


SITES = [
    {'name': 'أخبار الوطن', 'host': 'watan-news.example', 'theme': 'jannah',
     'tag': 'أخبار', 'render': t_jannah, 'url': 'wp'},
    {'name': 'صحيفة المرصد', 'host': 'almarsad.example', 'theme': 'Newspaper',
     'tag': 'محليات', 'render': t_newspaper, 'url': 'wp'},
    {'name': 'شبكة الحدث', 'host': 'alhadath-net.example', 'theme': 'jnews',
     'tag': 'سياسة', 'render': t_jnews, 'url': 'slug'},
    {'name': 'بوابة النهار', 'host': 'alnahar-portal.example', 'theme': 'portal',
     'tag': 'تقارير', 'render': t_portal, 'url': 'story'},
    {'name': 'الخليج اليوم', 'host': 'gulf-today.example', 'theme': 'gulf',
     'tag': 'الخليج', 'render': t_gulf, 'url': 'id'},
]


def page_url(site, a):
    s = urllib.parse.quote(slug(a['title']), safe='-')
    n = int(a['id'].split('-')[1])
    if site['url'] == 'wp':
        return f'https://{site["host"]}/{a["pub"]:%Y/%m/%d}/{s}/'
    if site['url'] == 'slug':
        return f'https://{site["host"]}/{s}/'
    if site['url'] == 'story':
        return f'https://{site["host"]}/story/{a["pub"].year}/{a["pub"].month}/{a["pub"].day}/{s}/{n}'
    return f'https://{site["host"]}/news.php?id={n}'


# ---- input --------------------------------------------------------------------

def clean_author(a):
    """SaudiNewsNet's author field holds entities and, for some outlets, the
    original publication date ("مسقط - الرياضية | Sunday, 09 August 2015"): that
    would contradict the generated date, so such bylines become the desk's."""
    a = html.unescape(a or '').replace('\xa0', ' ').strip()
    if not a or re.search(r'[0-9\u0660-\u0669]', a) or len(a) > 60:
        return 'المحرر'
    return a


def load_articles(path, max_body):
    seen = set()
    out = []
    with gzip.open(path, 'rt', encoding='utf-8') as f:
        for line in f:
            d = json.loads(line)
            title = (d.get('title') or '').strip()
            paras = [p.strip() for p in (d.get('body') or '').split('\n') if p.strip()]
            body = '\n\n'.join(paras)
            if len(title.split()) < 4 or len(paras) < 3 or not 400 <= len(body) <= max_body:
                continue
            if body in seen or title in seen:
                continue
            seen.add(body)
            seen.add(title)
            out.append({'id': d['id'], 'title': title, 'paras': paras, 'body': body,
                        'author': clean_author(d.get('author')),
                        'crawled': d['date_extracted']})
    return out


def plan(articles, count, rng):
    chosen = rng.sample(articles, count + 12 * count // 10 + 20)
    pages, pool = chosen[:count], chosen[count:]
    for a in chosen:
        crawled = datetime.datetime.strptime(a['crawled'], '%Y-%m-%d %H:%M:%S')
        day = crawled.date() - datetime.timedelta(days=rng.randrange(0, 3))
        hour = rng.randrange(7, 23)
        a['pub'] = datetime.datetime(day.year, day.month, day.day, hour,
                                     rng.randrange(60), rng.randrange(60), tzinfo=RIYADH)
        a['modified'] = a['pub'] + datetime.timedelta(hours=rng.randrange(1, 30))
    return pages, pool


def warc_record(headers, block):
    lines = ['WARC/1.1'] + [f'{k}: {v}' for k, v in headers] + \
        [f'Content-Length: {len(block)}']
    rec = ('\r\n'.join(lines) + '\r\n\r\n').encode('utf-8') + block + b'\r\n\r\n'
    return gzip.compress(rec, mtime=0)


def sha1_b32(b):
    return 'sha1:' + base64.b32encode(hashlib.sha1(b).digest()).decode('ascii')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--articles', default=DEFAULT_ARTICLES)
    ap.add_argument('--out', default='bench/out/pages')
    ap.add_argument('--count', type=int, default=300, help='articles (two files each)')
    ap.add_argument('--seed', type=int, default=20150721)
    ap.add_argument('--max-body', type=int, default=6000)
    args = ap.parse_args()

    rng = random.Random(args.seed)
    articles = load_articles(args.articles, args.max_body)
    pages, pool = plan(articles, args.count, rng)
    os.makedirs(os.path.join(args.out, 'html'), exist_ok=True)
    gold, feed_items, warc = [], [], []
    uid = lambda: f'<urn:uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}>'
    warc.append(warc_record(
        [('WARC-Type', 'warcinfo'), ('WARC-Record-ID', uid()),
         ('WARC-Date', '2016-01-01T00:00:00Z'), ('WARC-Filename', 'pages.warc.gz'),
         ('Content-Type', 'application/warc-fields')],
        b'software: khabar tools/make_pages.py\r\nformat: WARC File Format 1.1\r\n'
        b'description: generated Arabic news pages, text from SaudiNewsNet '
        b'(CC BY-NC-SA 4.0)\r\n'))
    for i, a in enumerate(pages):
        site = SITES[i % len(SITES)]
        a['url'] = page_url(site, a)
        others = rng.sample(pool, 11)
        for o in others:
            o.setdefault('url', page_url(SITES[rng.randrange(len(SITES))], o))
        today = (a['pub'] + datetime.timedelta(days=rng.randrange(30, 900))).replace(
            hour=rng.randrange(0, 24))
        for enc in ('utf8', 'cp1256'):
            if enc == 'utf8':
                tag = '<meta charset="utf-8">' if i % 4 != 3 else \
                    '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
                codec, label = 'utf-8', 'utf-8'
            else:
                tag = '<meta charset="windows-1256">' if i % 2 == 0 else \
                    '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">'
                codec, label = 'cp1256', 'windows-1256'
            ctx = {'rng': random.Random(f'{args.seed}-{a["id"]}'), 'others': others,
                   'today': today, 'charset_tag': tag}
            page = site['render'](a, site, ctx)
            data = page.encode(codec, errors='xmlcharrefreplace')
            name = f'{i:03d}.{enc}.html'
            with open(os.path.join(args.out, 'html', name), 'wb') as f:
                f.write(data)
            gold.append({'file': f'html/{name}', 'url': a['url'], 'title': a['title'],
                         'body': a['body'], 'date': f'{a["pub"]:%Y-%m-%d}',
                         'datetime': a['pub'].isoformat(), 'charset': label,
                         'template': site['theme'], 'id': a['id']})
            # HTTP: half of the windows-1256 responses say the charset in the header
            ctype = 'text/html; charset=' + label if enc == 'utf8' or i % 3 else 'text/html'
            http = (f'HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\n'
                    f'Content-Length: {len(data)}\r\nServer: nginx\r\n\r\n').encode('ascii')
            fetched = today.astimezone(datetime.timezone.utc)
            warc.append(warc_record(
                [('WARC-Type', 'response'), ('WARC-Record-ID', uid()),
                 ('WARC-Date', f'{fetched:%Y-%m-%dT%H:%M:%SZ}'),
                 ('WARC-Target-URI', a['url']),
                 ('WARC-Block-Digest', sha1_b32(http + data)),
                 ('WARC-Payload-Digest', sha1_b32(data)),
                 ('Content-Type', 'application/http; msgtype=response')],
                http + data))
        summary = a['paras'][0]
        if len(summary) > 200:
            summary = summary[:200].rsplit(' ', 1)[0] + '…'
        feed_items.append((a['pub'], f'<item><title>{esc(a["title"])}</title>'
                           f'<link>{esc(a["url"])}</link>'
                           f'<guid isPermaLink="true">{esc(a["url"])}</guid>'
                           f'<pubDate>{rfc822(a["pub"])}</pubDate>'
                           f'<description>{esc(summary)}</description></item>'))
    feed_items.sort(key=lambda x: x[0], reverse=True)
    with open(os.path.join(args.out, 'feed.xml'), 'w', encoding='utf-8') as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
                '<title>صفحات اختبار خبر</title><link>https://watan-news.example/</link>'
                '<description>صفحات مولدة من مقالات SaudiNewsNet</description>'
                '<language>ar</language>\n')
        for _, item in feed_items:
            f.write(item + '\n')
        f.write('</channel></rss>\n')
    with open(os.path.join(args.out, 'pages.warc.gz'), 'wb') as f:
        for rec in warc:
            f.write(rec)
    with open(os.path.join(args.out, 'gold.jsonl'), 'w', encoding='utf-8') as f:
        for g in gold:
            f.write(json.dumps(g, ensure_ascii=False) + '\n')
    print(f'{len(gold)} pages, {len(feed_items)} feed items, {len(warc)} WARC records '
          f'in {args.out}', file=sys.stderr)


if __name__ == '__main__':
    main()
