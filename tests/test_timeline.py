"""Tests for dashboard.timeline: events per day by type, and the days a brush covers."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from dashboard.timeline import EMPTY, brushed, chart, per_day, summary


def _events(*rows: tuple[str, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["event_date", "event_type"])


ALEPPO_WEEK = _events(
    ("2016-09-17", "Violence against civilians"),  # executions in Sheikh Hader
    ("2016-09-17", "Strategic developments"),  # aid delivered to Sheikh Maqsood
    ("2016-09-17", "Battles"),
    ("2016-09-15", "Strategic developments"),  # withdrawal from Castello Road
    ("2016-09-19", "Explosions/Remote violence"),
    ("2016-09-19", "Explosions/Remote violence"),
)


def _ms(text: str) -> float:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC).timestamp() * 1000


def test_counts_per_day_and_type_stack_in_the_legends_order():
    counts = per_day(ALEPPO_WEEK)
    rows = counts[["day", "event_type", "events", "low", "high"]].values.tolist()
    assert rows == [
        ["2016-09-15", "Strategic developments", 1, 0, 1],
        ["2016-09-17", "Battles", 1, 0, 1],
        ["2016-09-17", "Violence against civilians", 1, 1, 2],
        ["2016-09-17", "Strategic developments", 1, 2, 3],
        ["2016-09-19", "Explosions/Remote violence", 2, 0, 2],
    ]
    assert counts["events"].sum() == len(ALEPPO_WEEK)  # every event is on the chart once
    assert list(counts["next"]) == [
        "2016-09-16",
        "2016-09-18",
        "2016-09-18",
        "2016-09-18",
        "2016-09-20",
    ]


@pytest.mark.parametrize(
    ("start", "end", "chosen_days"),
    [
        pytest.param(None, None, {"2016-09-15", "2016-09-17", "2016-09-19"}, id="no dates: all"),
        pytest.param(dt.date(2016, 9, 16), None, {"2016-09-17", "2016-09-19"}, id="from the 16th"),
        pytest.param(None, dt.date(2016, 9, 17), {"2016-09-15", "2016-09-17"}, id="to the 17th"),
        pytest.param(dt.date(2016, 9, 17), dt.date(2016, 9, 17), {"2016-09-17"}, id="one day"),
    ],
)
def test_days_outside_the_dates_chosen_are_marked_to_draw_grey(start, end, chosen_days):
    counts = per_day(ALEPPO_WEEK, start=start, end=end)
    assert set(counts.loc[counts["chosen"], "day"]) == chosen_days
    assert counts["events"].sum() == len(ALEPPO_WEEK)  # grey days stay on the chart


def test_a_multi_day_event_counts_on_its_first_day_and_a_timestamp_on_its_day():
    counts = per_day(_events(("2016-09-15", "Battles"), ("2016-09-15T23:30:00", "Battles")))
    assert counts[["day", "events"]].values.tolist() == [["2016-09-15", 2]]


@pytest.mark.parametrize(
    ("events", "start", "expected"),
    [
        pytest.param(_events(), None, EMPTY, id="no event: say why nothing is charted"),
        pytest.param(
            ALEPPO_WEEK, None, "6 events on 3 days, 15 Sep 2016 to 19 Sep 2016.", id="all dates"
        ),
        pytest.param(
            ALEPPO_WEEK,
            dt.date(2016, 9, 18),
            "6 events on 3 days, 15 Sep 2016 to 19 Sep 2016; 2 within the dates chosen.",
            id="from the 18th",
        ),
        pytest.param(
            _events(("2016-09-17", "Battles")), None, "1 event on 1 day, 17 Sep 2016.", id="one"
        ),
    ],
)
def test_the_summary_says_what_the_chart_holds(events, start, expected):
    assert summary(per_day(events, start=start), start=start) == expected


def test_an_empty_view_gives_an_empty_table_with_the_columns_the_chart_reads():
    counts = per_day(_events())
    assert counts.empty and {"day", "next", "low", "high", "chosen"} <= set(counts.columns)


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        pytest.param(
            {"day": [_ms("2016-09-09T20:00"), _ms("2016-09-15T03:00")]},
            (dt.date(2016, 9, 9), dt.date(2016, 9, 15)),
            id="a day whose bar the brush touches is in",
        ),
        pytest.param(
            {"day": [_ms("2016-09-10T00:00"), _ms("2016-09-12T00:00")]},
            (dt.date(2016, 9, 10), dt.date(2016, 9, 11)),
            id="a brush ending at midnight leaves the next day out",
        ),
        pytest.param(
            {"day": [_ms("2016-09-15T03:00"), _ms("2016-09-09T20:00")]},
            (dt.date(2016, 9, 9), dt.date(2016, 9, 15)),
            id="dragged right to left",
        ),
        pytest.param(
            {"day": [_ms("2016-09-17T06:00"), _ms("2016-09-17T07:00")]},
            (dt.date(2016, 9, 17), dt.date(2016, 9, 17)),
            id="inside one bar: that day",
        ),
        pytest.param({}, None, id="the brush cleared"),
        pytest.param(None, None, id="never brushed"),
        pytest.param({"day": ["2016-09-09"]}, None, id="one end only"),
        pytest.param({"day": ["soon", "later"]}, None, id="not numbers"),
    ],
)
def test_the_days_a_brush_covers(selection, expected):
    assert brushed(selection) == expected


def test_the_chart_brushes_along_days_on_a_utc_scale_in_the_maps_colours():
    spec = chart(per_day(ALEPPO_WEEK)).to_dict()
    assert spec["params"] == [{"name": "days", "select": {"type": "interval", "encodings": ["x"]}}]
    x = spec["encoding"]["x"]
    assert x["field"] == "day" and x["scale"] == {"type": "utc"}
    colour = spec["encoding"]["color"]
    assert colour["condition"]["test"] == "datum.chosen"
    scale = colour["condition"]["scale"]
    assert dict(zip(scale["domain"], scale["range"], strict=True))["Battles"] == "#c0392b"
    assert json.dumps(spec)  # plain JSON: nothing from an article runs in it


def test_an_event_running_into_the_dates_chosen_is_coloured_on_its_first_day():
    events = pd.DataFrame(
        {
            "event_date": ["2016-08-28", "2016-08-28", "2016-09-03"],
            "end_date": ["2016-09-02", None, None],  # a siege running into September
            "event_type": ["Battles", "Battles", "Battles"],
        }
    )
    counts = per_day(events, start=dt.date(2016, 9, 1))
    rows = counts[["day", "events", "chosen", "low", "high"]].values.tolist()
    assert rows == [
        ["2016-08-28", 1, True, 0, 1],  # shown on the map: coloured, at the bottom
        ["2016-08-28", 1, False, 1, 2],  # over by then: grey, stacked above
        ["2016-09-03", 1, True, 0, 1],
    ]
    assert summary(counts, start=dt.date(2016, 9, 1)).endswith("; 2 within the dates chosen.")
