"""The timeline under the map: events per day by type, brushed to set the dates shown.

The chart counts the events every filter but the dates keeps, over the data's whole
range, so a reader sees what lies outside the dates chosen and can brush a wider range;
bars outside the chosen dates are grey. Dragging across the bars sets the sidebar's date
range (and so the link, the map, the table and the totals); "All dates" clears it.
Events are counted on their first day (``event_date``); every event has one.

>>> events = pd.DataFrame({"event_date": ["2016-09-17", "2016-09-17", "2016-09-19"],
...                        "event_type": ["Battles", "Battles", "Protests"]})
>>> per_day(events)[["day", "event_type", "events", "chosen"]].to_dict("records")
... # doctest: +NORMALIZE_WHITESPACE
[{'day': '2016-09-17', 'event_type': 'Battles', 'events': 2, 'chosen': True},
 {'day': '2016-09-19', 'event_type': 'Protests', 'events': 1, 'chosen': True}]
>>> summary(per_day(events, start=dt.date(2016, 9, 18)), start=dt.date(2016, 9, 18))
'3 events on 2 days, 17 Sep 2016 to 19 Sep 2016; 1 within the dates chosen.'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from dashboard.sidebar import DATES
from geo.models import EVENT_TYPES
from geo.webmap import EVENT_STYLE

#: The chart's interval selection, as Streamlit reports it.
BRUSH = "days"
_GENERATION = "timeline_generation"
_APPLIED = "timeline_applied"
_DAY_MS = 86_400_000
EMPTY = "No events to chart: no event matches the filters other than the dates."
#: The chart's height in pixels, its legend below the bars included.
HEIGHT = 250
#: A day outside the dates chosen.
GREY = "#d5d8dc"


def per_day(
    events: pd.DataFrame, *, start: dt.date | None = None, end: dt.date | None = None
) -> pd.DataFrame:
    """Return the events per day and type, in date then ``EVENT_TYPES`` order.

    Columns: ``day`` and ``next`` (ISO days, the bar's left and right edge),
    ``event_type``, ``events`` (a count), ``low`` and ``high`` (where the type's part of
    the day's bar starts and ends: the types stacked in ``EVENT_TYPES`` order) and
    ``chosen`` (the date filter ``[start, end]`` keeps these events: their first to
    last day overlaps it; ``None`` is no bound). An event is counted on its first day.
    """
    columns = ["day", "next", "event_type", "events", "low", "high", "chosen"]
    dated = events[events["event_date"].notna()]
    if not len(dated):
        return pd.DataFrame(columns=columns)
    days = dated["event_date"].astype(str).str.slice(0, 10)
    # Chosen as the date filter keeps an event: its first to last day overlaps the range.
    last = days
    if "end_date" in dated:
        last = dated["end_date"].where(dated["end_date"].notna(), days).astype(str)
        last = last.str.slice(0, 10)
    chosen = pd.Series(True, index=dated.index)
    if start is not None:
        chosen &= last >= start.isoformat()
    if end is not None:
        chosen &= days <= end.isoformat()
    frame = pd.DataFrame(
        {"day": days, "event_type": dated["event_type"].astype(str), "chosen": chosen}
    )
    counts = frame.value_counts().rename("events").reset_index()
    order = {kind: rank for rank, kind in enumerate(EVENT_TYPES)}
    counts["rank"] = counts["event_type"].map(order).fillna(len(order))
    counts = counts.sort_values(["day", "rank", "chosen"], ascending=[True, True, False])
    counts = counts.drop(columns="rank")
    first = pd.to_datetime(counts["day"])
    counts["next"] = (first + pd.Timedelta(days=1)).dt.strftime("%Y-%m-%d")
    counts["events"] = counts["events"].astype(int)
    counts["high"] = counts.groupby("day")["events"].cumsum().astype(int)
    counts["low"] = counts["high"] - counts["events"]
    return counts[columns].reset_index(drop=True)


def summary(
    counts: pd.DataFrame, *, start: dt.date | None = None, end: dt.date | None = None
) -> str:
    """Say what the chart holds: how many events on how many days, and how many chosen."""
    if not len(counts):
        return EMPTY
    total, days = int(counts["events"].sum()), counts["day"].nunique()
    first, last = (dt.date.fromisoformat(day) for day in (counts["day"].min(), counts["day"].max()))
    span = f"{first:%-d %b %Y}" if first == last else f"{first:%-d %b %Y} to {last:%-d %b %Y}"
    text = f"{_plural(total, 'event')} on {_plural(days, 'day')}, {span}"
    if start is None and end is None:
        return text + "."
    within = int(counts.loc[counts["chosen"], "events"].sum())
    return f"{text}; {within:,} within the dates chosen."


def brushed(selection: Mapping[str, Any] | None) -> tuple[dt.date, dt.date] | None:
    """Return the days a brush covers, or None when nothing is brushed.

    Vega-Lite gives the brush's ends in milliseconds since 1970 (UTC: the chart's time
    scale is UTC). A day is in when the brush touches its bar ``[day, day + 1)``.

    >>> at = lambda text: dt.datetime.fromisoformat(text + "+00:00").timestamp() * 1000
    >>> brushed({"day": [at("2016-09-09T20:00"), at("2016-09-15T03:00")]})
    (datetime.date(2016, 9, 9), datetime.date(2016, 9, 15))
    >>> brushed({"day": [at("2016-09-10T00:00"), at("2016-09-12T00:00")]})  # edges
    (datetime.date(2016, 9, 10), datetime.date(2016, 9, 11))
    >>> brushed({}), brushed(None), brushed({"day": ["soon", 3]})
    (None, None, None)
    """
    ends = (selection or {}).get("day")
    if not isinstance(ends, Sequence) or len(ends) != 2:
        return None
    try:
        low, high = sorted(float(value) for value in ends)
    except (TypeError, ValueError):
        return None
    first, last = _utc_day(low), _utc_day(max(low, high - 1))
    return first, last


def chart(counts: pd.DataFrame) -> alt.Chart:
    """Return the stacked bar chart of ``per_day`` counts, with the ``BRUSH`` selection."""
    kinds = [kind for kind in EVENT_TYPES if kind in set(counts["event_type"])]
    others = sorted(set(counts["event_type"]) - set(kinds))
    domain = kinds + others
    colours = [EVENT_STYLE.get(kind, ("#566573", ""))[0] for kind in domain]
    brush = alt.selection_interval(name=BRUSH, encodings=["x"])
    return (
        alt.Chart(counts)
        .mark_bar()
        .encode(
            x=alt.X(
                "day:T", title=None, scale=alt.Scale(type="utc"), axis=alt.Axis(format="%-d %b %Y")
            ),
            x2="next:T",
            # Stacked here, not by Vega-Lite: it does not stack bars that span x to x2.
            y=alt.Y("low:Q", title="events", axis=alt.Axis(tickMinStep=1)),
            y2="high:Q",
            color=alt.condition(
                "datum.chosen",
                alt.Color(
                    "event_type:N",
                    title="Event type",
                    scale=alt.Scale(domain=domain, range=colours),
                    legend=alt.Legend(orient="bottom", columns=3),
                ),
                alt.value(GREY),
            ),
            tooltip=[
                alt.Tooltip("day:N", title="Day"),
                alt.Tooltip("event_type:N", title="Type"),
                alt.Tooltip("events:Q", title="Events"),
            ],
        )
        .add_params(brush)
        .properties(height=HEIGHT)
    )


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _utc_day(ms: float) -> dt.date:
    return dt.date(1970, 1, 1) + dt.timedelta(days=int(ms // _DAY_MS))


# --- Streamlit ---------------------------------------------------------------------------


def _key() -> str:
    return f"timeline-{st.session_state.get(_GENERATION, 0)}"


def apply_brush() -> None:
    """Set the sidebar's dates from a new brush on the chart; call before the sidebar.

    The chart's state is that of the last run: a brush the reader drew since is applied
    once, so moving the date slider afterwards is not undone by the brush of before.
    """
    state = st.session_state
    event = state.get(_key()) or {}
    chosen = brushed((event.get("selection") or {}).get(BRUSH))
    if chosen is not None and chosen != state.get(_APPLIED) and DATES in state:
        state[_APPLIED] = chosen
        state[DATES] = chosen


def _all_dates(bounds: tuple[dt.date, dt.date]) -> None:
    state = st.session_state
    state[DATES] = bounds
    state[_APPLIED] = None
    state[_GENERATION] = state.get(_GENERATION, 0) + 1  # a new chart: no brush drawn


def show(
    events: pd.DataFrame,
    *,
    start: dt.date | None,
    end: dt.date | None,
    bounds: tuple[dt.date | None, dt.date | None],
) -> None:
    """Draw the timeline of ``events`` (every filter but the dates applied)."""
    state = st.session_state
    applied = state.get(_APPLIED)
    if applied is not None and (start or bounds[0], end or bounds[1]) != applied:
        # The dates changed elsewhere (the slider, a link): the old brush would mislead.
        state[_APPLIED] = None
        state[_GENERATION] = state.get(_GENERATION, 0) + 1
    counts = per_day(events, start=start, end=end)
    heading, reset = st.columns([4, 1], vertical_alignment="bottom")
    heading.markdown("**Events per day**")
    first, last = bounds
    if (start is not None or end is not None) and first is not None and last is not None:
        reset.button(
            "All dates",
            key="timeline_all",
            on_click=_all_dates,
            args=((first, last),),
            help="Show every date again",
        )
    if not len(counts):
        st.caption(EMPTY)
        return
    st.caption(
        summary(counts, start=start, end=end)
        + " Drag across the bars to show only those days; grey bars lie outside the dates."
    )
    st.altair_chart(
        chart(counts), key=_key(), on_select="rerun", selection_mode=BRUSH, width="stretch"
    )
