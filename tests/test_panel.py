"""The article panel's window and markup, and the ledger that bounds added articles' memory.

The panel must stay linear in the article (sorted once, swept) and render one window of
it; its markup must nest whatever spans it is given, and every mark must hold exactly
the characters of its span.
"""

from __future__ import annotations

import html
import random
from html.parser import HTMLParser

import pytest

from dashboard import panel
from dashboard.data import Ledger


class _Marks(HTMLParser):
    """Reads panel markup back: checks tags nest, collects text and each mark's text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.text: list[str] = []
        self.marks: list[str] = []
        self._mark: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.open.append(tag)
        if tag == "mark":
            self._mark = []

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open}"
        self.open.pop()
        if tag == "mark" and self._mark is not None:
            self.marks.append("".join(self._mark))
            self._mark = None

    def handle_data(self, data: str) -> None:
        if "nm-article" in self.get_starttag_text() or self.open[:1] == ["div"]:
            self.text.append(data)
        if self._mark is not None:
            self._mark.append(data)


def _article_part(markup: str) -> str:
    start = markup.index('<div class="nm-article">')
    return markup[start : markup.index("</div>", start) + len("</div>")]


@pytest.mark.parametrize(
    ("length", "evidence", "size", "expected"),
    [
        pytest.param(3_000, (1_200, 1_300), 20_000, (0, 3_000), id="a short report: whole"),
        pytest.param(2_000_000, None, 20_000, (0, 20_000), id="no evidence: the start"),
        pytest.param(2_000_000, (1_000_000, 1_000_200), 20_000, (990_100, 1_010_100), id="centred"),
        pytest.param(
            2_000_000, (1_999_900, 1_999_990), 20_000, (1_980_000, 2_000_000), id="at the end"
        ),
        pytest.param(2_000_000, (50, 90), 20_000, (0, 20_000), id="at the start"),
    ],
)
def test_the_window_holds_the_evidence_and_stays_inside_the_text(
    length: int, evidence: tuple[int, int] | None, size: int, expected: tuple[int, int]
) -> None:
    window = panel.window_of(length, evidence, size)
    assert window == expected
    if evidence is not None:
        assert window[0] <= evidence[0] < evidence[1] <= window[1]


def test_a_long_article_renders_only_its_window_and_says_what_is_left() -> None:
    sentence = "Troops shelled the outskirts of Kharkiv on Monday, officials said. "
    text = sentence * 30_000  # about 2 MB
    at = text.index("Kharkiv", 1_000_000)
    evidence = (text.rindex(". ", 0, at) + 2, text.index(". ", at) + 1)
    places = [(i, i + 7) for i in range(len(text)) if text.startswith("Kharkiv", i)]
    window = panel.window_of(len(text), evidence, panel.WINDOW)
    markup = panel.article_html(text, places, evidence=evidence, window=window)
    article = _article_part(markup)
    assert len(article) < 3 * panel.WINDOW  # not the 2 MB
    assert f"… {window[0]:,} characters before" in markup
    assert f"… {len(text) - window[1]:,} characters after" in markup
    reader = _Marks()
    reader.feed(article)
    assert not reader.open
    assert set(reader.marks) == {"Kharkiv"}
    assert len(reader.marks) == sum(window[0] <= s and e <= window[1] for s, e in places)
    assert '<span class="nm-evidence">' in article


@pytest.mark.parametrize("seed", range(24))
def test_any_spans_give_nested_markup_whose_marks_hold_their_own_text(seed: int) -> None:
    chooser = random.Random(seed)
    text = "".join(chooser.choice("ab <&>\n'\"") for _ in range(400))

    def span() -> tuple[int, int]:
        a, b = sorted(chooser.sample(range(-5, len(text) + 5), 2))
        return a, b

    places = [span() for _ in range(60)]
    body = sorted({span() for _ in range(chooser.randrange(0, 4))})
    evidence = span() if seed % 3 else None
    window = (chooser.randrange(0, 200), chooser.randrange(200, 400)) if seed % 2 else None
    markup = panel.article_html(text, places, evidence=evidence, body=body, window=window)
    reader = _Marks()
    reader.feed(_article_part(markup))
    assert not reader.open
    low, high = window or (0, len(text))
    assert "".join(reader.text) == text[low:high]  # every character once, in order, escaped
    spans = {html.unescape(text[s:e]) for s, e in places if low <= s < e <= high}
    assert set(reader.marks) <= spans


@pytest.mark.parametrize(
    ("steps", "held", "refused"),
    [
        pytest.param([("a", 400), ("b", 500)], 900, [], id="two sessions within the budget"),
        pytest.param([("a", 400), ("b", 700)], 400, ["b"], id="past the budget: refused"),
        pytest.param([("a", 900), ("a", 1_000)], 1_000, [], id="a session's new set replaces"),
        pytest.param([("a", 600), ("-a", 0), ("b", 900)], 900, [], id="an ended session frees"),
    ],
)
def test_the_ledger_bounds_what_all_sessions_hold(
    steps: list[tuple[str, int]], held: int, refused: list[str]
) -> None:
    ledger = Ledger(1_000)
    failed = []
    for token, size in steps:
        if token.startswith("-"):
            ledger.release(token[1:])
            continue
        assert ledger.room(token, size) == (ledger.held() - _of(ledger, token) + size <= 1_000)
        try:
            ledger.hold(token, size)
        except MemoryError:
            failed.append(token)
    assert ledger.held() == held and failed == refused


def test_a_replaced_set_of_articles_does_not_count_against_its_successor() -> None:
    ledger = Ledger(1_000)
    ledger.hold("old", 800)
    with pytest.raises(MemoryError):
        ledger.hold("new", 900)
    ledger.hold("new", 900, replacing="old")
    ledger.release("old")
    assert ledger.held() == 900


def _of(ledger: Ledger, token: str) -> int:
    return ledger._held.get(token, 0)
