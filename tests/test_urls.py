"""Tests for geo.urls: only an absolute http(s) address is ever kept or made a link."""

from __future__ import annotations

import pytest

from geo.errors import ArticleError
from geo.urls import check_web_url, resolve_web_url, web_url


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        pytest.param(
            "https://www.reuters.com/world/middle-east/aleppo-2016-09-18/",
            "https://www.reuters.com/world/middle-east/aleppo-2016-09-18/",
            id="a news site's article",
        ),
        pytest.param(
            "  http://tass.com/world/901234\n", "http://tass.com/world/901234", id="padded"
        ),
        pytest.param(
            "HTTPS://TASS.COM/world/1", "HTTPS://TASS.COM/world/1", id="scheme in capitals"
        ),
        pytest.param(
            'https://example.org/a?q=<b>&x="1"',
            'https://example.org/a?q=<b>&x="1"',
            id="markup in the query is kept (escaped where shown)",
        ),
        pytest.param("javascript:alert(1)", "", id="javascript:"),
        pytest.param(" JaVaScRiPt:alert(1)", "", id="javascript: in mixed case"),
        pytest.param("java\tscript:alert(1)", "", id="javascript: split by a tab"),
        pytest.param("data:text/html,<script>alert(1)</script>", "", id="data:"),
        pytest.param("vbscript:msgbox(1)", "", id="vbscript:"),
        pytest.param("ftp://example.org/report.txt", "", id="ftp: is no web page"),
        pytest.param("file:///etc/passwd", "", id="file:"),
        pytest.param("//example.org/world/1", "", id="scheme-relative"),
        pytest.param("/world/1", "", id="relative"),
        pytest.param("www.example.org/world/1", "", id="no scheme"),
        pytest.param("https://", "", id="no host"),
        pytest.param("https://exa mple.org/", "", id="a space inside"),
        pytest.param("http://[::1", "", id="unparsable host"),
        pytest.param("https://example.org/" + "a" * 2_000, "", id="longer than any article's"),
    ],
)
def test_only_absolute_http_addresses_are_web_urls(given: str, kept: str) -> None:
    assert web_url(given) == kept


@pytest.mark.parametrize(
    ("href", "base", "url"),
    [
        ("/world/1", "https://tass.com/amp/9", "https://tass.com/world/1"),
        ("world/1", "https://tass.com/politics/", "https://tass.com/politics/world/1"),
        ("//m.tass.com/world/1", "https://tass.com/", "https://m.tass.com/world/1"),
        ("/world/1", "", ""),
        ("/world/1", "javascript:alert(1)", ""),
        ("javascript:alert(1)", "https://tass.com/", ""),
    ],
)
def test_a_relative_address_is_resolved_only_against_a_web_base(
    href: str, base: str, url: str
) -> None:
    assert resolve_web_url(href, base) == url


def test_the_forms_address_error_names_the_field_and_says_what_is_expected() -> None:
    with pytest.raises(ArticleError, match=r"^URL: 'javascript:alert\(1\)' is not a web address; "):
        check_web_url("javascript:alert(1)", field="URL")
    assert check_web_url("  ", field="URL") == ""
    assert check_web_url(" https://tass.com/a ", field="URL") == "https://tass.com/a"
