"""What the line of totals above the map says of the events a view shows."""

from __future__ import annotations

import doctest

import pandas as pd
import pytest

from dashboard import totals


def events(*rows: tuple[str, int | None, str]) -> pd.DataFrame:
    """Return an events frame of (event type, reported toll or None, article) rows."""
    return pd.DataFrame(
        {
            "event_type": [kind for kind, _, _ in rows],
            "fatalities": pd.array([toll for _, toll, _ in rows], dtype="Int64"),
            "article": [article for _, _, article in rows],
        }
    )


@pytest.mark.parametrize(
    ("rows", "line"),
    [
        pytest.param(
            [
                ("Explosions/Remote violence", 4, "kharkiv-market"),
                ("Explosions/Remote violence", 7, "kharkiv-market"),
                ("Battles", None, "bakhmut-front"),
            ],
            "3 events · 11 fatalities reported; 1 event gives no toll · 2 articles"
            " · Battles 1 · Explosions/Remote violence 2",
            id="Kharkiv shelling and a Bakhmut battle with no toll",
        ),
        pytest.param(
            [("Protests", None, "dakar-march"), ("Riots", None, "dakar-march")],
            "2 events · no event gives a toll · 1 article · Protests 1 · Riots 1",
            id="Dakar protests where nobody gives a toll",
        ),
        pytest.param(
            [("Violence against civilians", 1, "mosul-raid")],
            "1 event · 1 fatality reported · 1 article · Violence against civilians 1",
            id="one death in Mosul is one fatality",
        ),
        pytest.param(
            [("Battles", 0, "sanaa-clash"), ("Battles", None, "taiz-clash")],
            "2 events · 0 fatalities reported; 1 event gives no toll · 2 articles · Battles 2",
            id="a reported zero is a toll, a missing one is not",
        ),
        pytest.param(
            [("Battles", 1200, f"donbas-{n}") for n in range(3)],
            "3 events · 3,600 fatalities reported · 3 articles · Battles 3",
            id="thousands are grouped",
        ),
        pytest.param([], "0 events · 0 articles", id="filters that match nothing"),
    ],
)
def test_the_totals_line_says_what_the_shown_events_add_up_to(
    rows: list[tuple[str, int | None, str]], line: str
) -> None:
    assert totals.totals_line(totals.totals_of(events(*rows))) == line


def test_the_totals_examples_run() -> None:
    assert doctest.testmod(totals).failed == 0
