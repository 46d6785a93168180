"""Review the selected event beside the map: confirm, reject or correct it, with a note.

Every change goes to the collection through ``geo.store.review`` with the review version
the reader saw: each button's callback is given it when the panel is drawn, so a change
another reviewer made since is refused with ``StaleReviewError`` (one clear line; nothing
is written) instead of silently overwriting theirs. What a change did is said under the
buttons on the next run, and every session sees it on its next run (``data.mapped`` reads
the collection again once its stamp changes).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any, cast

import pandas as pd
import streamlit as st
from geopy.distance import distance

from dashboard import panel
from dashboard.data import collection, gazetteer
from dashboard.sidebar import reviewer_name
from geo.errors import StoreError
from geo.layers import JOIN
from geo.models import EVENT_TYPES, Place
from geo.store import review
from geo.store.review import Correction

__all__ = ["show"]

#: What the last review action of this session did: (event id, error?, message).
SAID = "review_said"
MERGE = "rv_merge"
#: Events this close in days and kilometres are offered for a merge.
MERGE_DAYS, MERGE_KM = 7, 50.0
NOTE, DATE, TYPE, DEAD, UNKNOWN, PLACE, LAT, LON, ACTOR1, ACTOR2 = (
    "rv_note",
    "rv_date",
    "rv_type",
    "rv_dead",
    "rv_unknown",
    "rv_place",
    "rv_lat",
    "rv_lon",
    "rv_actor1",
    "rv_actor2",
)
#: The point last clicked on the map, (lat, lon): the review offers to move an event there.
MAP_POINT = "rv_map_point"
#: The place choice that keeps the event where it is, and the one that takes lat/lon.
KEEP_PLACE, POINT = "keep", "point"


def show(event: Mapping[str, Any], events: pd.DataFrame) -> None:
    """Draw the review of ``event`` (a row of the events layer) and its review controls.

    ``events`` is the events layer it is a row of (the events it may absorb in a merge).
    A change carries the name in the sidebar's "Your name" field when it is made.
    """
    event_id = str(event["id"])
    history = [
        (change.action, change.author, change.at.isoformat(), change.note)
        for change in collection().history(event_id)
    ]
    st.html(
        panel.review_html(
            str(event["review_status"]),
            by=str(event["reviewed_by"]),
            at=str(event["reviewed_at"]),
            note=str(event["review_note"]),
            corrected=str(event["corrected_fields"]).replace(JOIN, ", "),
            merged=str(event["merged_events"]).replace(JOIN, ", "),
            history=history,
        )
    )
    said = st.session_state.get(SAID)
    if said and said[0] == event_id:
        st.html(panel.said_html(said[2], error=said[1]))
    version = int(event["review_version"])
    # The widgets' keys name the event and the version: another event, or a newer review
    # of this one, starts from its own values.
    suffix = f"{event_id}-{version}"
    st.text_input("Review note", key=f"{NOTE}-{suffix}", max_chars=500)
    confirm, reject = st.columns(2)
    confirm.button(
        "Confirm",
        key=f"rv-confirm-{suffix}",
        on_click=_act,
        args=("confirm", event_id, version, suffix),
        use_container_width=True,
    )
    reject.button(
        "Reject",
        key=f"rv-reject-{suffix}",
        on_click=_act,
        args=("reject", event_id, version, suffix),
        use_container_width=True,
    )
    with st.expander("Correct this event"):
        point = st.session_state.get(MAP_POINT)
        if point is None:
            st.caption("Click the map where it happened to move it there, or correct it below.")
        else:
            st.button(
                f"Move it to the point clicked on the map: {point[0]:.5f}, {point[1]:.5f}",
                key=f"rv-point-{suffix}",
                on_click=_move,
                args=(event_id, version, suffix, point),
            )
        _correct_form(event, version=version, suffix=suffix)
    others = merge_candidates(event, events)
    if others:
        with st.expander("Merge another report of it into this event"):
            labels = {str(row["id"]): _event_label(row) for row in others}
            st.selectbox(
                "The same event, told again",
                tuple(labels),
                format_func=labels.__getitem__,
                key=f"{MERGE}-{suffix}",
                help="Events within a week of this one and 50 km of it.",
            )
            versions = {str(row["id"]): int(row["review_version"]) for row in others}
            st.button(
                "Merge into this event",
                key=f"rv-merge-{suffix}",
                on_click=_merge,
                args=(event_id, version, versions, suffix),
            )


def _correct_form(event: Mapping[str, Any], *, version: int, suffix: str) -> None:
    candidates = _candidates(event)
    with st.form(f"rv-form-{suffix}", border=False):
        st.date_input(
            "Date", value=dt.date.fromisoformat(str(event["event_date"])), key=f"{DATE}-{suffix}"
        )
        kind = str(event["event_type"])
        st.selectbox(
            "Event type",
            EVENT_TYPES,
            index=EVENT_TYPES.index(kind) if kind in EVENT_TYPES else 0,
            key=f"{TYPE}-{suffix}",
        )
        dead = event["fatalities"]
        known = dead is not None and not (isinstance(dead, float) and math.isnan(dead))
        st.number_input(
            "Fatalities", min_value=0, value=int(dead) if known else None, key=f"{DEAD}-{suffix}"
        )
        st.checkbox("The report gives no toll", value=not known, key=f"{UNKNOWN}-{suffix}")
        labels = {KEEP_PLACE: f"Keep {event['location']}", POINT: "The point below (lat, lon)"}
        labels |= {place.id: _place_label(place) for place in candidates.values()}
        st.selectbox(
            "Place",
            tuple(labels),
            format_func=labels.__getitem__,
            key=f"{PLACE}-{suffix}",
            help="Another place the gazetteer knows by this name, or a point of your own.",
        )
        lat, lon = st.columns(2)
        lat.number_input(
            "Latitude", -90.0, 90.0, float(event["lat"]), format="%.5f", key=f"{LAT}-{suffix}"
        )
        lon.number_input(
            "Longitude", -180.0, 180.0, float(event["lon"]), format="%.5f", key=f"{LON}-{suffix}"
        )
        st.text_input("Actor 1", value=str(event["actor1"]), key=f"{ACTOR1}-{suffix}")
        st.text_input("Actor 2", value=str(event["actor2"]), key=f"{ACTOR2}-{suffix}")
        st.form_submit_button(
            "Save the correction",
            on_click=_save_correction,
            args=(dict(event), candidates, version, suffix),
        )


def merge_candidates(event: Mapping[str, Any], events: pd.DataFrame) -> list[dict[str, Any]]:
    """Return the events that may be the same as ``event``: near in days and kilometres.

    Other events within ``MERGE_DAYS`` days and ``MERGE_KM`` km, not rejected, nearest
    first (by days, then distance).
    """
    if not len(events):
        return []
    day = dt.date.fromisoformat(str(event["event_date"]))
    rows: list[tuple[int, float, dict[str, Any]]] = []
    records = cast(list[dict[str, Any]], events.drop(columns="geometry").to_dict("records"))
    for row in records:
        if row["id"] == event["id"] or row["review_status"] == "rejected":
            continue
        days = abs((dt.date.fromisoformat(str(row["event_date"])) - day).days)
        km = distance((event["lat"], event["lon"]), (row["lat"], row["lon"])).km
        if days <= MERGE_DAYS and km <= MERGE_KM:
            rows.append((days, km, row))
    return [row for _, _, row in sorted(rows, key=lambda found: (found[0], found[1]))]


def _event_label(row: Mapping[str, Any]) -> str:
    """Say which event a merge would absorb: its day, place, what happened and its id."""
    said = str(row["notes"] or row["evidence"])
    said = said if len(said) <= 80 else said[:79] + "…"
    return f"{row['event_date']} · {row['location']} · {said} ({row['id']})"


def _candidates(event: Mapping[str, Any]) -> dict[str, Place]:
    """The gazetteer's places called as the event's place is, by id."""
    found: dict[str, Place] = {}
    for name in dict.fromkeys((str(event.get("place_text") or ""), str(event["location"]))):
        if name:
            found |= {place.id: place for place in gazetteer().lookup(name)}
    return found


def _place_label(place: Place) -> str:
    return f"{place.name} ({place.kind}, {place.country}; {place.lat:.4f}, {place.lon:.4f})"


def correction_of(
    event: Mapping[str, Any], values: Mapping[str, Any], candidates: Mapping[str, Place]
) -> Correction:
    """Return the correction the form's ``values`` make to ``event``: the changed fields only.

    ``values`` holds ``date``, ``type``, ``dead``, ``unknown``, ``place`` (``KEEP_PLACE``,
    ``POINT`` or a candidate's id), ``lat``, ``lon``, ``actor1`` and ``actor2``.

    >>> event = {"event_date": "2016-09-17", "event_type": "Battles", "fatalities": 5,
    ...          "lat": 36.2, "lon": 37.16, "actor1": "A", "actor2": ""}
    >>> values = {"date": dt.date(2016, 9, 18), "type": "Battles", "dead": 5,
    ...           "unknown": False, "place": KEEP_PLACE, "lat": 36.2, "lon": 37.16,
    ...           "actor1": "A", "actor2": ""}
    >>> correction_of(event, values, {}).fields()
    {'event_date': '2016-09-18'}
    """
    changed: dict[str, Any] = {}
    if values["date"] != dt.date.fromisoformat(str(event["event_date"])):
        changed["event_date"] = values["date"]
    if values["type"] != event["event_type"]:
        changed["event_type"] = values["type"]
    dead = event["fatalities"]
    known = dead is not None and not (isinstance(dead, float) and math.isnan(dead))
    if values["unknown"]:
        if known:
            changed["fatalities_unknown"] = True
    elif values["dead"] is not None and (not known or int(values["dead"]) != int(dead)):
        changed["fatalities"] = int(values["dead"])
    if values["place"] == POINT:
        changed["lat"], changed["lon"] = float(values["lat"]), float(values["lon"])
    elif values["place"] in candidates:
        changed["place"] = candidates[values["place"]]
    for name in ("actor1", "actor2"):
        if values[name].strip() != str(event[name]):
            changed[name] = values[name].strip()
    return Correction(**changed)


def _act(action: str, event_id: str, version: int, suffix: str) -> None:
    by = reviewer_name()
    note = st.session_state.get(f"{NOTE}-{suffix}", "").strip()
    do = review.confirm if action == "confirm" else review.reject
    done = {"confirm": "confirmed", "reject": "rejected"}[action]
    _said(event_id, lambda: do(collection(), event_id, by=by, version=version, note=note), done)


def _move(event_id: str, version: int, suffix: str, point: tuple[float, float]) -> None:
    by = reviewer_name()
    note = st.session_state.get(f"{NOTE}-{suffix}", "").strip()
    lat, lon = point

    def moved() -> int:
        correction = Correction(lat=lat, lon=lon)
        return review.correct(collection(), event_id, correction, by=by, version=version, note=note)

    _said(event_id, moved, f"corrected: moved to {lat:.5f}, {lon:.5f}")


def _save_correction(
    event: Mapping[str, Any], candidates: Mapping[str, Place], version: int, suffix: str
) -> None:
    by = reviewer_name()
    state = st.session_state
    keys = {
        "date": DATE,
        "type": TYPE,
        "dead": DEAD,
        "unknown": UNKNOWN,
        "place": PLACE,
        "lat": LAT,
        "lon": LON,
        "actor1": ACTOR1,
        "actor2": ACTOR2,
    }
    values = {name: state.get(f"{key}-{suffix}") for name, key in keys.items()}
    note = state.get(f"{NOTE}-{suffix}", "").strip()
    event_id = str(event["id"])

    def save() -> int:
        correction = correction_of(event, values, candidates)
        return review.correct(collection(), event_id, correction, by=by, version=version, note=note)

    _said(event_id, save, "corrected")


def _merge(keep: str, version: int, versions: Mapping[str, int], suffix: str) -> None:
    absorb = str(st.session_state.get(f"{MERGE}-{suffix}", ""))
    note = st.session_state.get(f"{NOTE}-{suffix}", "").strip()
    by = reviewer_name()

    def merged() -> int:
        kept, _ = review.merge(
            collection(), keep, absorb, by=by, versions=(version, versions[absorb]), note=note
        )
        return kept

    _said(keep, merged, f"merged {absorb} into this event")


def _said(event_id: str, change: Any, done: str) -> None:
    """Make ``change``; keep what it did, or the one line why it was refused, to show."""
    try:
        version = change()
    except StoreError as exc:  # StaleReviewError among them: nothing was written
        st.session_state[SAID] = (event_id, True, str(exc))
        return
    st.session_state[SAID] = (event_id, False, f"Saved: {done} (review version {version}).")
