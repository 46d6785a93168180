"""Read news articles: decode bytes, extract HTML, find the report, its metadata and sentences.

Offsets
-------
``Article.text`` is the decoded text exactly as decoded: newlines are *not* normalised
(``\\r\\n`` stays ``\\r\\n``). A UTF-8 byte-order mark is dropped by decoding, so offsets
count from the first character after it. For HTML the text is what trafilatura extracts
from the page, and offsets point into that extracted text. Every span in ``Article.body``
and ``Article.sentences`` is a ``(start, end)`` pair with ``text[start:end]`` the part meant.

Boilerplate
-----------
``Article.body`` leaves out, by generic rules only: advertisement markers, share widgets
("Share this news", "Share to ..."), "Read more ..." links, navigation ("All news"),
calls to join, subscribe or unblock notifications, calls for eyewitness stories, contact
lines ("Email: ..."), date-only lines under a title, a footer headline that ends in its
date, the dateline prefix of the lead ("MOSCOW, October 7. /TASS/. "), and everything from
a "Recommended articles" / "Related" / "More from" / "Read also" heading to the end when
what follows looks like a list of headlines (short lines, repeated lines, few sentences).

Outlet
------
In order: (1) an agency mark in the dateline ("MOSCOW, October 7. /TASS/.",
"GENEVA (Reuters) -"); (2) the site name an HTML page declares; (3) a site's own address
in its boilerplate ("Email: eyewitness@pulse.ng" -> "pulse.ng"). Agencies the report
*quotes* ("told Interfax", "quoted by TASS", "TASS reported") are sources, not the outlet,
and share widgets ("Share to LiveJournal") name other services. Otherwise ``""``.

Publication date
----------------
The first rule that applies, with ``Article.date_basis`` saying which and how:

1. the date the HTML page declares in its metadata;
2. a date line under the title ("World September 18, 2016, 18:02") or a footer that ends
   in a date ("... in Aleppo 26.10.2016"; dotted dates are read day first);
3. a dateline with a year ("MOSCOW, October 7, 2016");
4. a dateline without a year ("MOSCOW, October 7"): the year is inferred, in order, from
   a weekday the lead names ("said Friday") among the years the text names (October 7 is
   a Friday in 2016); from the latest full date in the text (the year that puts the
   dateline day nearest to it: "January 3" after "December 28, 2016" is 2017); from the
   dates of the other articles read with it (``reference_dates``: the year that puts the
   day closest to their median, never before a year the text names);
5. no dateline: the latest full date in the text ("on October 20, 2016" in a caption)
   together with the weekdays the text names ("on Saturday", "on Monday"): each weekday is
   read as the first such day on or after that date, and the article is dated on the
   latest of them (news reports what happened in the days before it);
6. otherwise ``published`` is ``None`` and the basis is ``"no date found"``.

Dates are read in English ("October 7", "7 Oct. 2016", "2016-10-07", "26.10.2016", read
day first) and, for datelines and full dates, in Russian ("МОСКВА, 7 октября. /ТАСС/.").
The regular expressions are plain and anchored so that parsing stays linear in the size
of the text; dateparser is not needed for these forms and nothing here uses the network.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import os
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from geo.errors import ArticleError
from geo.models import Article
from geo.urls import resolve_web_url, web_url

__all__ = [
    "ARTICLE_SUFFIXES",
    "MAX_ARTICLE_BYTES",
    "decode_article",
    "page_url",
    "parse_article",
    "read_article",
    "read_articles",
]

#: One limit for the command line and the dashboard, in decimal megabytes as the upload
#: widget counts them (``.streamlit/config.toml`` lets a little more through, so that a
#: file over it gets this same message there too).
MAX_ARTICLE_BYTES: int = 20_000_000
_LIMIT = f"at most {MAX_ARTICLE_BYTES:,} bytes ({MAX_ARTICLE_BYTES // 1_000_000} MB)"
ARTICLE_SUFFIXES: tuple[str, ...] = (".txt", ".html", ".htm", ".md")

_EXPECTED = "expected a UTF-8, UTF-16, cp1251 or latin-1 text or HTML file"

# --------------------------------------------------------------------------- decoding

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_ASCII_BYTES = bytes(range(128))
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_WORD = re.compile(r"[^\W\d_]+")
_SINGLE_BYTE_CODECS = ("cp1251", "cp1252", "latin-1")
_SAMPLE_BYTES = 256 * 1024
_SAMPLE_WORDS = 64 * 1024  # characters the word-plausibility check reads


def _fail(name: str, what: str) -> ArticleError:
    return ArticleError(f"{name}: {what}; {_EXPECTED}")


def _implausibility(text: str) -> float:
    """Score how unlike real words a single-byte decoding is (0 = every word plausible)."""
    bad = total = 0
    for match in _WORD.finditer(text):
        word = match.group()
        if word.isascii():
            continue
        total += 1
        cyrillic = sum(1 for ch in word if "\u0400" <= ch <= "\u04ff")
        latin = sum(1 for ch in word if ch.isascii() or "\u00c0" <= ch <= "\u024f")
        if cyrillic and latin:
            bad += 1  # "Genиve": cp1251 read of a latin-1 word
        elif (
            not cyrillic and len(word) >= 3 and sum(not ch.isascii() for ch in word) * 2 > len(word)
        ):
            bad += 1  # "Àëåïïî": latin-1 read of a cp1251 word
    return bad / total if total else 0.0


def _decode_single_byte(data: bytes, name: str) -> str:
    candidates: dict[str, str] = {}
    for codec in _SINGLE_BYTE_CODECS:
        try:
            candidates[codec] = data.decode(codec)
        except UnicodeDecodeError:
            continue
    # charset-normalizer proposes; the plausibility guard below has the last word, because
    # on short texts it confuses cp1251 and latin-1 ("Genève" read as "Genиve").
    from charset_normalizer import from_bytes

    # judge on a sample: a single-byte encoding is the same throughout a file, and both
    # charset-normalizer and the word check are slow on megabytes
    sample = data[:_SAMPLE_BYTES]
    preferred: list[str] = []
    for match in from_bytes(sample, cp_isolation=["cp1251", "cp1252", "latin_1"]):
        codec = {"latin_1": "latin-1"}.get(match.encoding, match.encoding)
        if codec in candidates and codec not in preferred:
            preferred.append(codec)
    order = preferred + [c for c in _SINGLE_BYTE_CODECS if c in candidates and c not in preferred]
    scores = {codec: _implausibility(candidates[codec][:_SAMPLE_WORDS]) for codec in order}
    best = min(order, key=lambda codec: (scores[codec], order.index(codec)))
    text = candidates[best]
    if scores[best] > 0.5:
        raise _fail(name, "undecodable (its bytes read as no known encoding)")
    return text


def decode_article(data: bytes, *, name: str) -> str:
    """Decode the bytes of an article file into text.

    Parameters
    ----------
    data
        The file's bytes: UTF-8 (with or without a byte-order mark), UTF-16 or UTF-32 with
        a byte-order mark, cp1251 or latin-1 (cp1252).
    name
        The file name, used in error messages.

    Returns
    -------
    str
        The text; a byte-order mark is not part of it.

    Raises
    ------
    ArticleError
        One line naming ``name``: binary data, empty, too large, or undecodable.

    Examples
    --------
    >>> decode_article("Алеппо, 18 сентября".encode("cp1251"), name="a.txt")
    'Алеппо, 18 сентября'
    >>> decode_article(b"\\xef\\xbb\\xbfGen\\xc3\\xa8ve", name="a.txt")
    'Genève'
    """
    if len(data) > MAX_ARTICLE_BYTES:
        raise _fail(name, f"too large ({len(data):,} bytes; {_LIMIT})")
    text: str | None = None
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                raise _fail(name, f"undecodable ({exc.reason} at byte {exc.start})") from exc
            text = text.lstrip("\ufeff")
            break
    if text is None:
        if b"\x00" in data:
            raise _fail(name, "not text (binary data)")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            sample = data[:_SAMPLE_BYTES]
            high = len(sample.translate(None, _ASCII_BYTES))
            utf8 = sum(len(m.group()) for m in _UTF8_MULTIBYTE.finditer(sample))
            if utf8 * 2 >= high:
                raise _fail(
                    name,
                    f"undecodable (mostly UTF-8 but byte 0x{data[exc.start]:02x} at offset "
                    f"{exc.start} is not; re-save it as UTF-8)",
                ) from exc
            text = _decode_single_byte(data, name)
    if not text.strip():
        raise _fail(name, "empty (no text)")
    controls = sum(1 for _ in _CONTROL.finditer(text, 0, _SAMPLE_BYTES))
    if controls > max(2, min(len(text), _SAMPLE_BYTES) // 50):
        raise _fail(name, "not text (binary data)")
    return text


# --------------------------------------------------------------------------- HTML

_HTML_START = ("<!doctype html", "<html", "<?xml")


@dataclass(frozen=True, slots=True)
class _Page:
    text: str
    title: str = ""
    sitename: str = ""
    date: dt.date | None = None
    url: str = ""


#: Where a page's head ends: its address is declared before it.
_HEAD_END = re.compile(r"</head\s*>|<body[\s>]", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")


def page_url(html: str) -> str:
    """Return the web address an HTML page declares for itself, or ``""``.

    ``<link rel="canonical">`` first, else ``<meta property="og:url">``. A relative
    canonical address is resolved against the page's ``og:url`` when that is absolute, and
    dropped otherwise (nothing else says which site the file came from). Only an absolute
    http(s) address is kept: ``javascript:``, ``data:`` and the like are dropped.

    >>> page_url('<head><link rel="canonical" href="https://tass.com/world/1">'
    ...          '<meta property="og:url" content="https://tass.com/amp/1"></head>')
    'https://tass.com/world/1'
    >>> page_url('<head><link rel="canonical" href="/world/1">'
    ...          '<meta property="og:url" content="https://tass.com/amp/1"></head>')
    'https://tass.com/world/1'
    >>> page_url('<link rel="canonical" href="/world/1">'), page_url('<p>no head</p>')
    ('', '')
    """
    import lxml.html
    from lxml.etree import LxmlError, ParserError

    end = _HEAD_END.search(html)
    # lxml refuses a str that declares its encoding (an XHTML page's "<?xml ...?>")
    head = _XML_DECLARATION.sub("", html[: end.start()] if end else html, count=1)
    if not head.strip():
        return ""
    try:
        tree = lxml.html.document_fromstring(head)
    except (LxmlError, ParserError, ValueError):
        return ""
    canonical = og = ""
    for link in tree.iter("link"):
        rel = str(link.get("rel") or "").lower().split()
        if "canonical" in rel and link.get("href"):
            canonical = str(link.get("href"))
            break
    for meta in tree.iter("meta"):
        if str(meta.get("property") or meta.get("name") or "").lower() == "og:url":
            og = str(meta.get("content") or "")
            break
    if canonical:
        found = resolve_web_url(canonical, og)
        if found:
            return found
    return web_url(og)


def _looks_like_html(text: str, path: str) -> bool:
    suffix = Path(path).suffix.lower() if path else ""
    if suffix in (".html", ".htm"):
        return True
    head = text[:2000].lstrip("\ufeff \t\r\n").lower()
    return head.startswith(_HTML_START) and "<html" in head


def _extract_html(html: str, name: str) -> _Page:
    """Extract the main text, title, site name and date of an HTML page with trafilatura."""
    import trafilatura
    from lxml.etree import LxmlError

    try:
        doc = trafilatura.bare_extraction(
            html,
            include_comments=False,
            include_tables=False,
            favor_precision=True,
            with_metadata=True,
            # only a date the page declares, never one guessed from its text
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
        text = getattr(doc, "text", None) or ""
        if not text.strip():
            _, text, _ = trafilatura.baseline(html)
    except (LxmlError, ValueError, TypeError) as exc:
        raise ArticleError(f"{name}: unreadable HTML ({exc}); {_EXPECTED}") from exc
    if not text or not text.strip():
        raise ArticleError(f"{name}: the HTML page has no readable text; {_EXPECTED}")
    published: dt.date | None = None
    raw_date = getattr(doc, "date", None) or ""
    if raw_date:
        try:
            published = dt.date.fromisoformat(str(raw_date)[:10])
        except ValueError:
            published = None
    return _Page(
        text=text,
        title=(getattr(doc, "title", None) or "").strip(),
        sitename=(getattr(doc, "sitename", None) or "").strip(),
        date=published,
        url=page_url(html),
    )


# --------------------------------------------------------------------------- lines

_NEWLINE = re.compile(r"\r\n|[\r\n\u2028\u2029]")
_SHORT = 160  # boilerplate lines are short; longer lines are never tested against rules
_MAX_LIST_LINES = 200  # more lines than this after a "Related" heading are not a list
_MAX_HEADINGS = 20  # "Related" headings checked for a list after them; keeps parsing linear

_BOILERPLATE = re.compile(
    r"""^(?:
        advertisements?|advertising|sponsored(?:\ content)?|ad|promoted
      | share(?:\ this(?:\ \w+)?|\ (?:on|to|via)\ .*)?[:!.]?
      | read\ more\b.*
      | (?:read|see)\ also\b.*
      | (?:all|more|latest)\ news
      | join\ (?:our|the)\b.*\bcommunity\b.*
      | unblock\ notifications\b.*
      | eyewitness\?.*
      | (?:e-?mail|tel|phone|fax)\s*:.*
      | (?:follow\ us|subscribe|sign\ up|newsletter)\b.*
      | print|comments?|back\ to\ top|skip\ to\ (?:main\ )?content|home|menu
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
_TAIL_HEADING = re.compile(
    r"""^(?:
        (?:recommended|related|read\ also|also\ read|see\ also|you\ (?:may|might)\ also\ like
          |more\ stories|more\ news|most\ read|most\ popular|popular|trending|top\ stories
          |latest\ news|other\ news|further\ reading|more\ on\ this)
        (?:\ (?:articles?|stories|news|posts|links|reading|topics|videos|content|now))?
        (?:\ (?:from|on|in|at)\ [^.!?:]{1,40})?
      | more\ from\ [^.!?:]{1,40}
    )\s*:?$""",
    re.IGNORECASE | re.VERBOSE,
)
_ADDRESS = re.compile(r"\b[\w.+-]{1,64}@((?:[a-z0-9-]{1,63}\.){1,5}[a-z]{2,24})\b", re.I)
_WEBMAIL = frozenset(
    "gmail.com googlemail.com yahoo.com hotmail.com outlook.com live.com aol.com icloud.com "
    "mail.ru yandex.ru proton.me protonmail.com gmx.de gmx.net".split()
)  # a reporter's own mailbox says nothing about the outlet
_URL_HOST = re.compile(r"\b(?:https?://)?(?:www\.)((?:[a-z0-9-]{1,63}\.){1,5}[a-z]{2,24})\b", re.I)


@dataclass(frozen=True, slots=True)
class _Line:
    start: int  # first non-space character
    end: int  # after the last non-space character
    text: str  # text[start:end]


def _lines(text: str) -> list[_Line | None]:
    """Split text into stripped lines; ``None`` stands for a blank line."""
    out: list[_Line | None] = []
    pos = 0
    bounds = [(m.start(), m.end()) for m in _NEWLINE.finditer(text)]
    bounds.append((len(text), len(text)))
    for line_end, next_start in bounds:
        raw = text[pos:line_end]
        stripped = raw.strip()
        if stripped:
            start = pos + (len(raw) - len(raw.lstrip()))
            out.append(_Line(start, start + len(stripped), stripped))
        else:
            out.append(None)
        pos = next_start
    return out


# --------------------------------------------------------------------------- dates

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_MONTHS_RU = (  # genitive, as Russian dates write them: "7 октября 2016 года"
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)
_MONTH_ANY = rf"(?:{_MONTH}|{'|'.join(_MONTHS_RU)})"
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_FULL_DATE = re.compile(
    rf"\b(?P<m1>{_MONTH})\.?\s(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s(?P<y1>\d{{4}})\b"
    rf"|\b(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s(?P<m2>{_MONTH_ANY})\.?,?\s(?P<y2>\d{{4}})\b"
    r"|\b(?P<d3>\d{1,2})\.(?P<m3>\d{1,2})\.(?P<y3>\d{4})\b"
    r"|\b(?P<y4>\d{4})-(?P<m4>\d{2})-(?P<d4>\d{2})(?:\b|(?=T\d))"
)
_DIGIT = re.compile(r"\d")
_TIME = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\b")
_YEAR = re.compile(r"(?<![\d,.])\b(1[89]\d\d|20\d\d)\b(?![,.]\d)")
_WEEKDAY = re.compile(
    r"\b(?i:on|said|says|told|announced|stated|reported|added|declared|late|early)\s+"
    r"(?P<day>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
)
_DATELINE = re.compile(
    rf"""^(?P<place>[A-ZА-ЯЁ][A-Za-zА-Яа-яЁё'’.\-]{{1,30}}
        (?:\ [A-Za-zА-Яа-яЁё'’.\-]{{1,30}}){{0,3}})
    (?:,\ [A-ZА-ЯЁ][A-Za-zА-Яа-яЁё.\-]{{1,20}}(?:\ [A-Za-zА-Яа-яЁё.\-]{{1,20}})?)??
    (?:
        ,\ (?:(?P<month>{_MONTH})\.?\ (?P<day>\d{{1,2}})
            |(?P<day2>\d{{1,2}})\ (?P<month2>{_MONTH_ANY}))
        (?:,?\ (?P<year>\d{{4}}))?
        (?:  # a dateline ends in a mark: "(Reuters) -", ". /TASS/.", ".", ":" or a dash
            \s*\((?P<agency2>[^()\n]{{2,30}})\)\s*[-–—:]?
          | (?:[.:]|\s*[-–—])(?:\s*/(?P<agency>[^/\n]{{2,30}})/\.?)?
        )
      | \s*\((?P<agency3>[^()\n]{{2,30}})\)\s*[-–—]
    )\s*""",
    re.VERBOSE,
)


def _month_number(name: str) -> int:
    if name in _MONTHS_RU:
        return _MONTHS_RU.index(name) + 1
    return next(i for i, month in enumerate(_MONTHS, 1) if month.startswith(name[:3].title()))


@dataclass(frozen=True, slots=True)
class _Found:
    date: dt.date
    start: int
    end: int
    written: str


def _full_dates(text: str, base: int = 0) -> list[_Found]:
    found = []
    for m in _FULL_DATE.finditer(text):
        g = m.groupdict()
        try:
            if g["y1"]:
                date = dt.date(int(g["y1"]), _month_number(g["m1"]), int(g["d1"]))
            elif g["y2"]:
                date = dt.date(int(g["y2"]), _month_number(g["m2"]), int(g["d2"]))
            elif g["y3"]:
                date = dt.date(int(g["y3"]), int(g["m3"]), int(g["d3"]))
            else:
                date = dt.date(int(g["y4"]), int(g["m4"]), int(g["d4"]))
        except ValueError:
            continue
        found.append(_Found(date, base + m.start(), base + m.end(), m.group()))
    return found


def _is_date_line(line: _Line) -> _Found | None:
    """Return the date of a short line that is little more than a date and a time."""
    if len(line.text) > 80:
        return None
    found = _full_dates(line.text, line.start)
    if len(found) != 1:
        return None
    rest = line.text[: found[0].start - line.start] + " " + line.text[found[0].end - line.start :]
    rest = _TIME.sub(" ", rest)
    return found[0] if len(_WORD.findall(rest)) <= 3 else None


def _is_footer_headline(line: _Line) -> _Found | None:
    """Return the date of a headline that ends in its date ("... in Aleppo 26.10.2016")."""
    if len(line.text) > 250:
        return None
    found = _full_dates(line.text[-25:], line.end - len(line.text[-25:]))
    if not found or not found[-1].written[:1].isdigit():  # "26.10.2016", "2016-10-26"
        return None
    last = found[-1]
    tail = _TIME.sub("", line.text[last.end - line.start :]).strip(" ,|-–—")
    head = line.text[: last.start - line.start].rstrip(" ,|-–—")
    if tail or not head or head.endswith((".", "!", "?", "”", '"')):
        return None
    return last


def _weekdays(text: str, start: int, end: int) -> list[tuple[int, str]]:
    """Return (weekday index, as written) for each weekday the text names as a day of news."""
    return [
        (_WEEKDAYS.index(m.group("day")), m.group()) for m in _WEEKDAY.finditer(text, start, end)
    ]


# --------------------------------------------------------------------------- sentences

_TERMINAL = re.compile(r"[.!?…]+[\"'”’»)\]]*")
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr gen lt col maj capt sgt adm gov sen rep rev prof st jr sr no nos vs
    jan feb mar apr jun jul aug sep sept oct nov dec inc corp ltd co approx mt ft ave
    blvd dept est fig al""".split()
)
_OPENERS = "\"'“‘«([¿¡"


def _split_segment(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split text[start:end] (no hard line breaks inside) into sentence spans."""
    spans: list[tuple[int, int]] = []
    begin = start
    for m in _TERMINAL.finditer(text, start, end):
        after = m.end()
        if after >= end or not text[after].isspace():
            continue
        nxt = after
        while nxt < end and text[nxt].isspace():
            nxt += 1
        while nxt < end and text[nxt] in _OPENERS:
            nxt += 1
        if nxt >= end or not (text[nxt].isupper() or text[nxt].isdigit()):
            continue
        if text[nxt].isdigit() and nxt - m.end() <= 1 and text[m.start()] == ".":
            digits = re.search(r"(?<![\d,.])\d{1,2}$", text[max(start, m.start() - 3) : m.start()])
            if digits:
                continue  # "1. 5 metres": a decimal point a space cut off (not "in 2016. 5")
        if text[m.start()] == ".":
            word_start = m.start()
            while word_start > begin and not text[word_start - 1].isspace():
                word_start -= 1
                if m.start() - word_start > 30:
                    break
            word = text[word_start : m.start()].lstrip(_OPENERS)
            if (
                word.lower() in _ABBREVIATIONS
                or "." in word  # U.S., a.m., e.g.
                or (len(word) == 1 and word.isupper())  # initials: "John F. Kennedy"
            ):
                continue
        spans.append((begin, after))
        begin = after
        while begin < end and text[begin].isspace():
            begin += 1
    if begin < end:
        spans.append((begin, end))
    return [_trim(text, a, b) for a, b in spans if text[a:b].strip()]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


_LINE_RE = re.compile(r"[^\r\n\u2028\u2029]+")
#: A line at least this share of the span's usual line width is a full line of wire copy.
_FULL_LINE = 0.7
_ENDS_SENTENCE = '.!?:;"”’'
#: Wire copy is wrapped at 60-80 characters; lines shorter than this are no sign of it.
_MIN_WRAP = 40


def _wrap_width(text: str, body: Sequence[tuple[int, int]]) -> int:
    """Return the width the report's body is hard-wrapped at (wire copy), or 0 if it is not.

    Wrapped copy breaks its lines at a fixed width, mid-sentence: at least two full lines
    (near the usual width) that end with no sentence mark and go on on the next line.
    A text with a paragraph per line ends its lines with a full stop.
    """
    lines = [
        (m.start(), m.end()) for start, end in body for m in _LINE_RE.finditer(text, start, end)
    ]
    lengths = sorted(len(text[a:b].rstrip()) for a, b in lines)
    if len(lengths) < 3:
        return 0
    width = lengths[int(0.9 * (len(lengths) - 1))]
    if width < _MIN_WRAP:
        return 0  # short lines: headings and lists, not prose wrapped at a width
    full = 0
    for (a, b), (c, _) in zip(lines, lines[1:], strict=False):
        line = text[a:b].rstrip()
        if (
            len(line) >= _FULL_LINE * width
            and line[-1:] not in _ENDS_SENTENCE
            and text[b:c].strip(" \t") in ("\n", "\r\n", "\r", "\u2028")
        ):
            full += 1
    return width if full >= 2 else 0


def _sentences(text: str, body: Sequence[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Split each body span into sentences; a line break ends a sentence unless wrapped.

    A break is a wrap when the next line goes on in lower case, or, in hard-wrapped wire
    copy, when a full line ends with no sentence mark and the next line follows at once
    ("... near the town of / Kupiansk on Saturday"); a blank line always ends a paragraph,
    and a short line (a headline, a paragraph's last line) is never joined.
    """
    out: list[tuple[int, int]] = []
    width = _wrap_width(text, body)
    for start, end in body:
        seg_start = line_start = start
        for m in _NEWLINE.finditer(text, start, end):
            # look only at the characters either side of the break: linear in the text
            before = m.start()
            while before > seg_start and text[before - 1].isspace():
                before -= 1
            after = m.end()
            while after < end and text[after].isspace():
                after += 1
            unfinished = (
                before > seg_start and after < end and text[before - 1] not in _ENDS_SENTENCE
            )
            wrapped = unfinished and (
                text[after].islower()
                or (
                    width > 0
                    and before - line_start >= _FULL_LINE * width
                    and not _NEWLINE.search(text, m.end(), after)
                )
            )
            line_start = m.end()
            if wrapped:
                continue
            out.extend(_split_segment(text, seg_start, m.start()))
            seg_start = m.end()
        out.extend(_split_segment(text, seg_start, end))
    return tuple((a, b) for a, b in out if b > a)


# --------------------------------------------------------------------------- parsing


@dataclass(frozen=True, slots=True)
class _Dateline:
    line: int
    place: str
    agency: str
    body_start: int  # where the report proper starts on that line
    month: int | None
    day: int | None
    year: int | None
    written: str


def _find_dateline(lines: Sequence[_Line | None], kept: Sequence[int]) -> _Dateline | None:
    for index in kept[:12]:
        line = lines[index]
        assert line is not None
        m = _DATELINE.match(line.text[:200])
        month_name = m.group("month") or m.group("month2") if m else None
        if not m or (month_name is None and m.group("agency3") is None):
            continue
        place = m.group("place")
        if not place.isupper() and (
            month_name is None or not all(w[:1].isupper() for w in place.split())
        ):
            continue  # "Earlier in Moscow, October 5" is a sentence, not a dateline
        month = day = year = None
        if month_name:
            month = _month_number(month_name)
            day = int(m.group("day") or m.group("day2"))
            year = int(m.group("year")) if m.group("year") else None
            try:
                dt.date(year or 2000, month, day)
            except ValueError:
                continue
        agency = (m.group("agency") or m.group("agency2") or m.group("agency3") or "").strip()
        last_group = next(g for g in ("year", "day", "month2", "place") if m.group(g))
        written = line.text[: m.end(last_group)]
        return _Dateline(index, place, agency, line.start + m.end(), month, day, year, written)
    return None


def _headline_like(lines: Sequence[_Line | None], after: int) -> bool:
    """Tell whether the lines after a heading read as a list of headlines, not a report."""
    rest: list[str] = []
    for line in lines[after + 1 : after + 1 + 2 * _MAX_LIST_LINES]:
        if line is None or (len(line.text) <= _SHORT and _BOILERPLATE.match(line.text)):
            continue
        if len(line.text) > 250:
            return False
        rest.append(line.text)
    if len(lines) > after + 1 + 2 * _MAX_LIST_LINES:
        return False  # a list of related headlines is never this long
    if not rest:
        return True
    repeated = sum(count for count in Counter(rest).values() if count > 1)
    sentences = sum(1 for text in rest if text.endswith((".", '."', ".”")))
    return repeated * 2 >= len(rest) or sentences * 2 < len(rest)


def _title_text(line: str) -> str:
    return line.strip("#*_ \t").strip()


def _is_headline(line: _Line) -> bool:
    text = _title_text(line.text)
    words = len(text.split())
    return (
        2 <= words <= 30
        and len(text) <= 250
        and not text.endswith((".", ":", ",", ";"))
        and len(_split_segment(line.text, 0, len(line.text))) == 1  # one sentence at most
    )


def _article_id(text: str, path: str) -> str:
    if path:
        return Path(path).stem
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return f"pasted-{digest[:12]}"


def _date_from_dateline(
    text: str,
    dateline: _Dateline,
    lines: Sequence[_Line | None],
    body: Sequence[tuple[int, int]],
    reference_dates: Sequence[dt.date],
) -> tuple[dt.date | None, str]:
    assert dateline.month is not None and dateline.day is not None
    month, day = dateline.month, dateline.day
    said = f"dateline '{dateline.written}'"
    if dateline.year is not None:
        return dt.date(dateline.year, month, day), said
    written_day = f"{_MONTHS[month - 1]} {day}"
    years = sorted({int(y) for a, b in body for y in _YEAR.findall(text, a, b)}, reverse=True)
    lead = lines[dateline.line]
    assert lead is not None
    if dateline.body_start >= lead.end:  # the dateline stands alone: the lead is next
        lead = next((line for line in lines[dateline.line + 1 :] if line is not None), lead)
    for weekday, as_written in _weekdays(text, lead.start, lead.end):
        for year in years:
            try:
                candidate = dt.date(year, month, day)
            except ValueError:
                continue
            if candidate.weekday() == weekday:
                return candidate, (
                    f"{said}; year {year} inferred: {written_day} is a {_WEEKDAYS[weekday]} "
                    f"in {year} ('{as_written}') and the text names {year}"
                )
    full = [f for a, b in body for f in _full_dates(text[a:b], a)]
    if full:
        latest = max(full, key=lambda f: f.date)
        nearest: dt.date | None = None
        for year in (latest.date.year - 1, latest.date.year, latest.date.year + 1):
            try:
                candidate = dt.date(year, month, day)
            except ValueError:  # February 29
                continue
            if nearest is None or abs(candidate - latest.date) < abs(nearest - latest.date):
                nearest = candidate
        if nearest is not None:
            return nearest, (
                f"{said}; year {nearest.year} inferred: the latest full date in the text is "
                f"'{latest.written}' and {written_day} {nearest.year} is the nearest to it"
            )
    if reference_dates:
        middle = sorted(reference_dates)[len(reference_dates) // 2]
        floor = max(years, default=0)
        best: dt.date | None = None
        for year in sorted({d.year for d in reference_dates}):
            try:
                candidate = dt.date(year, month, day)
            except ValueError:
                continue
            if year < floor:
                continue
            if best is None or abs(candidate - middle) < abs(best - middle):
                best = candidate
        if best is not None:
            named = f"; the text names only {', '.join(map(str, sorted(years)))}" if years else ""
            return best, (
                f"{said}; year {best.year} taken from the other articles read with it "
                f"(dated around {middle.isoformat()}){named}"
            )
    return None, f"{said} has no year and the text gives none"


def _date_from_weekdays(
    text: str, body: Sequence[tuple[int, int]]
) -> tuple[dt.date | None, str] | None:
    full = [f for a, b in body for f in _full_dates(text[a:b], a)]
    if not full:
        return None
    latest = max(full, key=lambda f: f.date)
    named = [w for a, b in body for w in _weekdays(text, a, b)]
    if not named:
        return None
    best_day, best_written = max(
        (((weekday - latest.date.weekday()) % 7, written) for weekday, written in named),
        key=lambda pair: pair[0],
    )
    published = latest.date + dt.timedelta(days=best_day)
    return published, (
        f"latest full date in the text '{latest.written}' "
        f"(a {_WEEKDAYS[latest.date.weekday()]}) and '{best_written}': dated "
        f"{_WEEKDAYS[published.weekday()]} {published.isoformat()}, the latest weekday the "
        f"text names on or after that date"
    )


def parse_article(
    text: str,
    *,
    path: str = "",
    html: bool | None = None,
    reference_dates: Sequence[dt.date] = (),
) -> Article:
    """Find the report, its metadata and its sentences in an article's text.

    Parameters
    ----------
    text
        The decoded text (see :func:`decode_article`) or an HTML page.
    path
        Where it came from; the article id is the file stem. Empty for pasted text, whose
        id is ``pasted-`` and the first 12 hex digits of the text's SHA-256.
    html
        Whether ``text`` is an HTML page; ``None`` decides from the file suffix and
        from whether the text starts like an HTML document.
    reference_dates
        Publication dates of articles read together with this one; used only to give a
        year to a dateline that has none when the text gives no other clue.

    Returns
    -------
    Article
        For HTML, ``text`` is the extracted main text and every offset points into it.

    Raises
    ------
    ArticleError
        Only for HTML that holds no readable text.

    Examples
    --------
    >>> a = parse_article("Truce ends\\n\\nGENEVA, August 1, 2016. /TASS/. Talks failed.")
    >>> a.title, a.outlet, a.dateline, a.published.isoformat()
    ('Truce ends', 'TASS', 'GENEVA', '2016-08-01')
    >>> [a.text[s:e] for s, e in a.sentences]
    ['Truce ends', 'Talks failed.']
    """
    page: _Page | None = None
    if html or (html is None and _looks_like_html(text, path)):
        page = _extract_html(text, path or "pasted HTML")
        text = page.text
    lines = _lines(text)

    excluded: set[int] = set()
    date_lines: list[tuple[int, _Found]] = []
    footer_headlines: list[tuple[int, _Found]] = []
    tail_from: int | None = None
    headings = 0
    for index, line in enumerate(lines):
        if line is None or len(line.text) > 250:
            continue
        short = len(line.text) <= _SHORT
        if short and _TAIL_HEADING.match(line.text):
            headings += 1
            if headings <= _MAX_HEADINGS and _headline_like(lines, index):
                tail_from = index
                break
            excluded.add(index)
            continue
        if short and _BOILERPLATE.match(line.text):
            excluded.add(index)
            continue
        if not _DIGIT.search(line.text):
            continue
        found = _is_date_line(line)
        if found is not None:
            excluded.add(index)
            date_lines.append((index, found))
            continue
        found = _is_footer_headline(line)
        if found is not None:
            excluded.add(index)
            footer_headlines.append((index, found))
    last = tail_from if tail_from is not None else len(lines)
    kept = [i for i in range(last) if lines[i] is not None and i not in excluded]
    # a headline ending in its date is a footer only among the last lines of the report
    footer_from = kept[-2] if len(kept) >= 2 else 0
    for index, _found in footer_headlines:
        if index < footer_from:
            excluded.discard(index)
    footer_headlines = [(i, f) for i, f in footer_headlines if i >= footer_from]
    kept = [i for i in range(last) if lines[i] is not None and i not in excluded]
    dateline = _find_dateline(lines, kept)
    if dateline is not None:
        line = lines[dateline.line]
        assert line is not None
        if dateline.body_start >= line.end:  # a line that is only the dateline
            excluded.add(dateline.line)

    body: list[tuple[int, int]] = []
    run_start: int | None = None
    run_end = 0
    for index in range(last + 1):
        line = lines[index] if index < last else None
        if line is None or index in excluded:
            if run_start is not None and run_end > run_start:
                body.append((run_start, run_end))
            run_start = None
            continue
        if dateline is not None and index == dateline.line:
            # the dateline is metadata: the report starts after it, in a span of its own
            if run_start is not None and run_end > run_start:
                body.append((run_start, run_end))
            run_start = dateline.body_start
        elif run_start is None:
            run_start = line.start
        run_end = line.end
    sentences = _sentences(text, body)

    # title: a headline among the first lines, else a footer headline, else the page's
    title = page.title if page and page.title else ""
    if not title:
        for index in kept[:3]:
            line = lines[index]
            assert line is not None
            if (dateline is None or index < dateline.line) and _is_headline(line):
                title = _title_text(line.text)
                break
    if not title and footer_headlines:
        index, found = footer_headlines[0]
        line = lines[index]
        assert line is not None
        title = line.text[: found.start - line.start].rstrip(" ,|-–—")

    # outlet: dateline agency, the page's site name, or an address in the boilerplate
    outlet = dateline.agency if dateline is not None else ""
    if not outlet and page is not None:
        outlet = page.sitename
    if not outlet:
        for index in sorted(excluded) + list(range(last, len(lines))):
            line = lines[index]
            if line is None:
                continue
            m = _ADDRESS.search(line.text) if "@" in line.text else None
            if m is None and "www." in line.text.lower():
                m = _URL_HOST.search(line.text)
            if m is not None and m.group(1).lower() not in _WEBMAIL:
                outlet = m.group(1).lower()
                break

    published: dt.date | None = None
    basis = "no date found"
    if page is not None and page.date is not None:
        published, basis = page.date, f"HTML page metadata date '{page.date.isoformat()}'"
    elif date_lines and date_lines[0][0] <= (kept[min(3, len(kept) - 1)] if kept else 0):
        found = date_lines[0][1]
        line = lines[date_lines[0][0]]
        assert line is not None
        published, basis = found.date, f"date line '{line.text}' under the title"
    elif footer_headlines:
        found = footer_headlines[-1][1]
        published, basis = found.date, f"footer date '{found.written}'"
    elif date_lines:
        found = date_lines[0][1]
        published, basis = found.date, f"date line '{found.written}'"
    elif dateline is not None and dateline.month is not None:
        published, basis = _date_from_dateline(text, dateline, lines, body, reference_dates)
    else:
        inferred = _date_from_weekdays(text, body)
        if inferred is not None:
            published, basis = inferred

    return Article(
        id=_article_id(text, path),
        path=path,
        text=text,
        body=tuple(body),
        title=title,
        outlet=outlet,
        url=page.url if page is not None else "",
        dateline=dateline.place if dateline is not None else "",
        published=published,
        date_basis=basis,
        sentences=sentences,
    )


# --------------------------------------------------------------------------- files


def file_label(path: str | Path) -> str:
    r"""Return a file's path as text that encodes anywhere: undecodable bytes as ``\xNN``.

    A name that is not valid UTF-8 comes from the OS with surrogates standing for its
    bytes; those cannot be written as UTF-8 (ids, CSV, GeoJSON), so they are spelt out.

    >>> file_label(os.fsdecode(b"caf\xe9.txt"))
    'caf\\xe9.txt'
    """
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _read_text(path: Path) -> str:
    name = file_label(path)
    try:
        size = path.stat().st_size
        if size > MAX_ARTICLE_BYTES:
            raise _fail(name, f"too large ({size:,} bytes; {_LIMIT})")
        data = path.read_bytes()
    except OSError as exc:
        raise ArticleError(f"{name}: cannot read ({exc.strerror or exc})") from exc
    return decode_article(data, name=name)


def read_article(path: str | Path) -> Article:
    """Read, decode and parse one article file (.txt, .md, .html or .htm).

    Raises
    ------
    ArticleError
        One line naming the file when it cannot be read, decoded or parsed.
    """
    path = Path(path)
    return parse_article(_read_text(path), path=file_label(path))


def read_articles(directory: str | Path) -> tuple[Article, ...]:
    """Read every article file in a folder (*.txt *.html *.htm *.md), sorted by name.

    A dateline without a year that the text cannot date takes its year from the other
    articles of the folder (see the module notes). An empty folder gives ``()``.

    Raises
    ------
    ArticleError
        Naming the folder if it is not one, or the first file that cannot be read.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise ArticleError(
            f"{directory}: not a folder; expected a folder of .txt, .html, .htm or .md articles"
        )
    files = sorted(
        p
        for p in directory.iterdir()
        if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES and not p.name.startswith(".")
    )
    stems = Counter(p.stem for p in files)
    texts = [(p, _read_text(p)) for p in files]
    articles = [parse_article(text, path=file_label(p)) for p, text in texts]
    reference = [a.published for a in articles if a.published is not None]
    out = []
    for (p, text), article in zip(texts, articles, strict=True):
        if article.published is None and reference and article.dateline:
            article = parse_article(text, path=file_label(p), reference_dates=reference)
        if stems[p.stem] > 1:  # "a.txt" and "a.html": keep ids unique
            article = _with_id(article, file_label(p.name))
        out.append(article)
    return tuple(out)


def _with_id(article: Article, new_id: str) -> Article:
    return replace(article, id=new_id)
