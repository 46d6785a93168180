"""The article panel beside the map: the article with its places marked, and a record's fields.

Article text is untrusted. The HTML is built from spans of the ORIGINAL text: each piece
is escaped on its own and only then wrapped in ``<mark>``, so no offset ever points into
escaped text and nothing from the article can become markup.

>>> article_html("Shelling in <Aleppo> & Homs", [(13, 19), (23, 27)])
'<div class="nm-article">Shelling in &lt;<mark class="nm-place">Aleppo</mark>&gt; &amp; \
<mark class="nm-place">Homs</mark></div>'
"""

from __future__ import annotations

import bisect
import datetime as dt
import html
from collections.abc import Iterable, Mapping, Sequence

from geo.urls import web_url
from geo.webmap import PROPOSED

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
.nm-more { margin: 0.2rem 0; font-size: 0.8rem; color: #777; }
</style>
"""


#: Characters of article text one view of the panel renders; "Show more" widens it.
WINDOW = 20_000


def window_of(length: int, evidence: tuple[int, int] | None, size: int) -> tuple[int, int]:
    """Return the ``(start, end)`` of at most ``size`` characters to show, around ``evidence``.

    A text no longer than ``size`` is shown whole; otherwise the window is centred on the
    evidence sentence (on the start of the text when there is none) and kept inside it.

    >>> window_of(100, (60, 70), 20), window_of(100, None, 20), window_of(10, (2, 4), 20)
    ((55, 75), (0, 20), (0, 10))
    """
    if length <= size:
        return 0, length
    centre = (evidence[0] + evidence[1]) // 2 if evidence is not None else 0
    start = min(max(0, centre - size // 2), length - size)
    return start, start + size


def article_html(
    text: str,
    places: Iterable[tuple[int, int]],
    *,
    evidence: tuple[int, int] | None = None,
    body: Sequence[tuple[int, int]] | None = None,
    window: tuple[int, int] | None = None,
) -> str:
    """Return ``text`` as escaped HTML with every place span in ``<mark>``.

    The work is linear in the text and the spans (sorted once, then swept), and only
    ``window`` of the text is rendered, so a 20 MB article costs one view what a short
    one does.

    Parameters
    ----------
    text
        The article's original text; every span indexes into it.
    places
        ``(start, end)`` spans of place mentions, end exclusive. Spans outside the text
        or the window, empty ones and ones overlapping an earlier span are skipped.
    evidence
        Optional span of the selected record's sentence, set off with a tinted background.
    body
        Optional spans that are the report itself; the rest (ads, "Share this news",
        lists of other articles) is shown greyed out.
    window
        Optional ``(start, end)`` of the text to show (see ``window_of``); the rest is
        summed up as "N characters before / after". The whole text by default.
    """
    low, high = window if window is not None else (0, len(text))
    low, high = max(0, low), min(len(text), high)

    def clip(start: int, end: int) -> tuple[int, int]:
        return max(start, low), min(end, high)

    asides: list[tuple[int, int]] = []
    if body is not None:
        edges = [0] + [edge for span in sorted(body) for edge in span] + [len(text)]
        for a, b in zip(edges[0::2], edges[1::2], strict=True):
            a, b = clip(a, b)
            # Body spans that overlap make an empty or reversed gap; asides never overlap.
            if a < b and (not asides or asides[-1][1] <= a):
                asides.append((a, b))
    kept: list[tuple[int, int, int, str]] = [(a, b, 0, "nm-aside") for a, b in asides]
    starts, ends = [a for a, _ in asides], [b for _, b in asides]

    def fits(start: int, end: int, depth: int) -> bool:
        """Whether the span nests with every aside it touches (found by bisection)."""
        first, last = bisect.bisect_right(ends, start), bisect.bisect_left(starts, end)
        return all(_nested(start, end, depth, kept[i]) for i in range(first, last))

    marked: tuple[int, int, int, str] | None = None
    if evidence is not None:
        start, end = clip(*evidence)
        if start < end and fits(start, end, 1):
            marked = (start, end, 1, "nm-evidence")
            kept.append(marked)
    last_end = -1
    for start, end in sorted(places):
        # Tags must nest: skip a span that crosses a kept one, or overlaps the place before.
        if not (low <= start < end <= high) or start < last_end:
            continue
        if (marked is None or _nested(start, end, 2, marked)) and fits(start, end, 2):
            kept.append((start, end, 2, "nm-place"))
            last_end = end
    # (position, closes first, outer first, depth order, tag): at one position, tags close
    # before others open, the outer of two spans opens first and closes last.
    tags: list[tuple[int, int, int, int, str]] = []
    for start, end, depth, name in kept:
        element = "mark" if name == "nm-place" else "span"
        tags.append((start, 1, -end, depth, f'<{element} class="{name}">'))
        tags.append((end, 0, -start, -depth, f"</{element}>"))
    pieces = []
    if low > 0:
        pieces.append(f'<p class="nm-more">… {low:,} characters before</p>')
    pieces.append('<div class="nm-article">')
    position = low
    for cut, _, _, _, tag in sorted(tags):
        pieces.append(html.escape(text[position:cut]))
        pieces.append(tag)
        position = cut
    pieces.append(html.escape(text[position:high]))
    pieces.append("</div>")
    if high < len(text):
        pieces.append(f'<p class="nm-more">… {len(text) - high:,} characters after</p>')
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


def source_html(url: str) -> str:
    """Return the article's "Source" link (escaped, opening a new tab), or ``""``.

    Only an http(s) address becomes a link (``geo.urls.web_url``).

    >>> source_html("javascript:alert(1)")
    ''
    >>> source_html("https://tass.com/world/1?a=1&b=2")  # doctest: +NORMALIZE_WHITESPACE
    '<p class="nm-source">Source: <a href="https://tass.com/world/1?a=1&amp;b=2"
    target="_blank" rel="noopener noreferrer">https://tass.com/world/1?a=1&amp;b=2</a></p>'
    """
    url = web_url(url)
    if not url:
        return ""
    shown = html.escape(url, quote=True)
    return (
        f'<p class="nm-source">Source: <a href="{shown}" target="_blank" '
        f'rel="noopener noreferrer">{shown}</a></p>'
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


#: How each review status reads in the panel, and its colour.
STATUS_STYLE = {
    "proposed": (PROPOSED, "#6b7280"),
    "confirmed": ("confirmed", "#15803d"),
    "corrected": ("corrected", "#b45309"),
    "rejected": ("rejected", "#b91c1c"),
}


def review_html(
    status: str,
    *,
    by: str = "",
    at: str = "",
    note: str = "",
    corrected: str = "",
    merged: str = "",
    history: Sequence[tuple[str, str, str, str]] = (),
) -> str:
    """Return an event's review as escaped HTML: its status, who and when, and its changes.

    ``history`` holds ``(action, author, at, note)`` of each change, oldest first.

    >>> review_html("confirmed", by="<b>", at="2026-12-03T12:00:00+00:00")
    ... # doctest: +ELLIPSIS
    '<div class="nm-review" data-status="confirmed"><p class="nm-kind">review</p>...\
confirmed</span> by &lt;b&gt; at 2026-12-03 12:00 UTC</p></div>'
    """
    words, colour = STATUS_STYLE.get(status, (status, "#6b7280"))
    style = f"color:{colour};font-weight:600"
    line = f'<span class="nm-status" style="{style}">{html.escape(words)}</span>'
    if by:
        line += f" by {html.escape(by)}"
    if at:
        line += f" at {html.escape(_when(at))}"
    parts = [
        f'<div class="nm-review" data-status="{html.escape(status)}">',
        '<p class="nm-kind">review</p>',
        f"<p>{line}</p>",
    ]
    for label, value in (("Note", note), ("Corrected", corrected), ("Merged here", merged)):
        if value:
            parts.append(f"<p>{label}: {html.escape(value)}</p>")
    if history:
        rows = "".join(
            f"<li>{html.escape(action)} by {html.escape(author)} at {html.escape(_when(when))}"
            + (f": {html.escape(said)}" if said else "")
            + "</li>"
            for action, author, when, said in history
        )
        parts.append(f'<ol class="nm-history">{rows}</ol>')
    parts.append("</div>")
    return "".join(parts)


def _when(at: str) -> str:
    """Return an ISO time as "YYYY-MM-DD HH:MM UTC" (the text itself when not ISO)."""
    try:
        moment = dt.datetime.fromisoformat(at)
    except ValueError:
        return at
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return f"{moment:%Y-%m-%d %H:%M} UTC"


#: A message of the review form: escaped HTML, never Markdown (names are readers' input).
_SAID = (
    '<div class="nm-review-said nm-review-{kind}" {role}style="background:{background};'
    'padding:8px 12px;border-radius:8px;overflow-wrap:anywhere">{text}</div>'
)


def said_html(text: str, *, error: bool) -> str:
    """Return what a review action did (or why it was refused) as an escaped box."""
    return _SAID.format(
        kind="error" if error else "done",
        role='role="alert" ' if error else "",
        background="#fdeced" if error else "#e7f6ec",
        text=html.escape(text),
    )
