"""Web addresses of articles: only an absolute http(s) URL is ever kept or made a link.

An article's address comes from its page (``<link rel="canonical">``, ``og:url``) or from
the reader; both are untrusted. ``web_url`` is the one test every stage applies, so a
``javascript:`` or ``data:`` address never reaches a pop-up, a table or an export.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from geo.errors import ArticleError

__all__ = ["MAX_URL_CHARS", "WEB_SCHEMES", "check_web_url", "resolve_web_url", "web_url"]

WEB_SCHEMES = frozenset({"http", "https"})
#: Longer than any address a browser or a CMS writes for an article.
MAX_URL_CHARS = 2_000
#: Whitespace and control characters: a browser would strip or refuse them.
_UNSAFE = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")


def web_url(text: object) -> str:
    """Return ``text`` as an absolute http(s) URL, or ``""`` when it is not one.

    Surrounding spaces go; anything with a space or a control character inside, no host,
    or another scheme is refused.

    >>> web_url(" https://www.reuters.com/world/aleppo-2016-09-18/ ")
    'https://www.reuters.com/world/aleppo-2016-09-18/'
    >>> web_url("javascript:alert(1)"), web_url("data:text/html,x"), web_url("/world/a")
    ('', '', '')
    >>> web_url("HTTP://Example.org/a b"), web_url("http://")
    ('', '')
    """
    if not isinstance(text, str):
        return ""
    url = text.strip()
    if not url or len(url) > MAX_URL_CHARS or _UNSAFE.search(url):
        return ""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # "http://[::1" and other unparsable netlocs
        return ""
    if parts.scheme.lower() not in WEB_SCHEMES or not host:
        return ""
    return url


def resolve_web_url(href: str, base: str = "") -> str:
    """Return ``href`` made absolute against ``base`` (itself a web URL), or ``""``.

    A relative address is resolved only against an absolute http(s) base; with none it is
    dropped, as its host is unknown.

    >>> resolve_web_url("/world/aleppo", "https://tass.com/politics/1")
    'https://tass.com/world/aleppo'
    >>> resolve_web_url("/world/aleppo"), resolve_web_url("javascript:x", "https://tass.com/")
    ('', '')
    """
    href = href.strip()
    if web_url(href):
        return web_url(href)
    base = web_url(base)
    if not href or not base or _UNSAFE.search(href):
        return ""
    try:
        return web_url(urljoin(base, href))
    except ValueError:
        return ""


def check_web_url(text: str, *, field: str) -> str:
    """Return the reader's address as a web URL, ``""`` for none; raise if it is not one.

    Raises
    ------
    ArticleError
        One line naming ``field``: what came and what is expected.

    >>> check_web_url("", field="URL"), check_web_url("https://tass.com/a", field="URL")
    ('', 'https://tass.com/a')
    >>> check_web_url("javascript:alert(1)", field="URL")
    Traceback (most recent call last):
    ...
    geo.errors.ArticleError: URL: 'javascript:alert(1)' is not a web address; expected \
one starting with http:// or https:// and a host, such as https://example.org/news/1
    """
    if not text.strip():
        return ""
    url = web_url(text)
    if not url:
        shown = text.strip()
        shown = shown if len(shown) <= 80 else shown[:79] + "…"
        raise ArticleError(
            f"{field}: {shown!r} is not a web address; expected one starting with http:// "
            "or https:// and a host, such as https://example.org/news/1"
        )
    return url
