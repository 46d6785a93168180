"""The article panel beside the map: the article with its places marked, and a record's fields.

Article text is untrusted. The HTML is built from spans of the ORIGINAL text: each piece
is escaped on its own and only then wrapped in ``<mark>``, so no offset ever points into
escaped text and nothing from the article can become markup.

>>> article_html("Shelling in <Aleppo> & Homs", [(13, 19), (23, 27)])
'<div class="nm-article">Shelling in &lt;<mark class="nm-place">Aleppo</mark>&gt; &amp; \
<mark class="nm-place">Homs</mark></div>'
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable, Mapping, Sequence

# Styles for the panel; st.html keeps a <style> element that comes with the markup.
PANEL_CSS = """
<style>
.nm-article { white-space: pre-wrap; line-height: 1.5; max-height: 32rem; overflow-y: auto;
  padding: 0.5rem 0.75rem; border: 1px solid #ddd; border-radius: 0.4rem; }
.nm-article mark.nm-place { background: #fde68a; padding: 0 0.1em; border-radius: 0.2em; }
.nm-article .nm-evidence { background: #fee2e2; }
.nm-article .nm-evidence mark.nm-place { background: #fca5a5; }
.nm-article .nm-aside { color: #999; }
.nm-fields { display: grid; grid-template-columns: max-content 1fr; gap: 0.15rem 0.75rem;
  margin: 0 0 0.75rem 0; font-size: 0.9rem; }
.nm-fields dt { font-weight: 600; color: #555; }
.nm-fields dd { margin: 0; overflow-wrap: anywhere; }
.nm-kind { margin: 0; font-size: 0.75rem; text-transform: uppercase; color: #777; }
.nm-title { margin: 0 0 0.4rem 0; }
</style>
"""


def article_html(
    text: str,
    places: Iterable[tuple[int, int]],
    *,
    evidence: tuple[int, int] | None = None,
    body: Sequence[tuple[int, int]] | None = None,
) -> str:
    """Return ``text`` as escaped HTML with every place span in ``<mark>``.

    Parameters
    ----------
    text
        The article's original text; every span indexes into it.
    places
        ``(start, end)`` spans of place mentions, end exclusive. Spans outside the text,
        empty ones and ones overlapping an earlier span are skipped.
    evidence
        Optional span of the selected record's sentence, set off with a tinted background.
    body
        Optional spans that are the report itself; the rest (ads, "Share this news",
        lists of other articles) is shown greyed out.
    """
    wraps: list[tuple[int, int, int, str]] = []  # (start, end, depth, class); outer first
    if body is not None:
        edges = [0] + [edge for span in sorted(body) for edge in span] + [len(text)]
        wraps += [(a, b, 0, "nm-aside") for a, b in zip(edges[0::2], edges[1::2], strict=True)]
    if evidence is not None:
        wraps.append((evidence[0], evidence[1], 1, "nm-evidence"))
    wraps += [(start, end, 2, "nm-place") for start, end in sorted(places)]
    kept: list[tuple[int, int, int, str]] = []
    for start, end, depth, name in wraps:
        inside = 0 <= start < end <= len(text)
        # Tags must nest: skip a span that overlaps a kept one without containing it or
        # lying inside it (and overlapping place spans, which share a depth).
        if inside and all(_nested(start, end, depth, other) for other in kept):
            kept.append((start, end, depth, name))
    tags: list[tuple[int, int, int, str]] = []  # (position, closes first, order, tag)
    for start, end, depth, name in kept:
        element = "mark" if name == "nm-place" else "span"
        tags.append((start, 1, depth, f'<{element} class="{name}">'))
        tags.append((end, 0, -depth, f"</{element}>"))
    pieces = ['<div class="nm-article">']
    position = 0
    for cut, _, _, tag in sorted(tags):
        pieces.append(html.escape(text[position:cut]))
        pieces.append(tag)
        position = cut
    pieces.append(html.escape(text[position:]))
    pieces.append("</div>")
    return "".join(pieces)


def _nested(start: int, end: int, depth: int, other: tuple[int, int, int, str]) -> bool:
    """Return whether span (start, end) and ``other`` can both be tags in one document."""
    other_start, other_end, other_depth, _ = other
    if end <= other_start or other_end <= start:
        return True  # apart
    if depth == other_depth:
        return False  # overlapping spans of one kind
    return (other_start <= start and end <= other_end) or (
        start <= other_start and other_end <= end
    )


def heading_html(title: str, kind: str) -> str:
    """Return an escaped heading naming what is shown (an event, a zone, the article)."""
    return (
        f'<p class="nm-kind">{html.escape(kind)}</p><h4 class="nm-title">{html.escape(title)}</h4>'
    )


def fields_html(fields: Mapping[str, object]) -> str:
    """Return a record's fields as an escaped definition list; empty values are left out."""
    rows = []
    for name, value in fields.items():
        shown = _text(value)
        if shown:
            rows.append(f"<dt>{html.escape(name)}</dt><dd>{html.escape(shown)}</dd>")
    return f'<dl class="nm-fields">{"".join(rows)}</dl>'


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return ", ".join(_text(item) for item in value)
    return str(value)
