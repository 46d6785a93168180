"""The dashboard's view: its filters and selected feature, and their URL form.

A view lives in the URL's query parameters so that a copied link reproduces it.
Reading a URL never fails: values the data does not offer are dropped, dates are
clamped to the data's range, and numbers that are not numbers are ignored.

>>> v = View(types=("Battles",), min_fatalities=5, selected="evt-1")
>>> to_query(v)
{'type': ['Battles'], 'minfat': '5', 'event': 'evt-1'}
>>> from_query(to_query(v)) == v
True
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import pandas as pd

from geo.models import EVENT_TYPES
from geo.store.schema import REVIEW_STATUSES

BASEMAP_NONE = "none"
#: A download's file name is at most this long, its extension included.
MAX_FILE_NAME = 100
#: Past this, the event types in a file name are given as their number ("3-types").
_MAX_TYPES_PART = 48


@dataclass(frozen=True, slots=True, kw_only=True)
class View:
    """What the reader asked to see; empty tuples and ``None`` mean no restriction."""

    start: dt.date | None = None
    end: dt.date | None = None
    types: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()
    articles: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    #: Who says the event happened (an event's ``claimed_by``).
    claimed: tuple[str, ...] = ()
    min_fatalities: int = 0
    #: Review statuses to show; none given: every event but the rejected.
    statuses: tuple[str, ...] = ()
    selected: str | None = None
    basemap: str = BASEMAP_NONE
    #: The map's centre (lat, lon) and zoom from a link; the map writes them as it moves.
    center: tuple[float, float] | None = None
    zoom: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Choices:
    """What the data offers to filter on: the values every widget may hold."""

    first: dt.date | None = None
    last: dt.date | None = None
    types: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()
    articles: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    claimed: tuple[str, ...] = ()
    max_fatalities: int = 0
    basemaps: tuple[str, ...] = (BASEMAP_NONE,)


# URL key for each repeated (list) field of View.
_LISTS = {
    "types": "type",
    "outlets": "outlet",
    "articles": "article",
    "actors": "actor",
    "claimed": "claimed",
    "statuses": "status",
}


def to_query(view: View) -> dict[str, str | list[str]]:
    """Return the query parameters that reproduce ``view``; defaults are left out."""
    query: dict[str, str | list[str]] = {}
    if view.start is not None:
        query["from"] = view.start.isoformat()
    if view.end is not None:
        query["to"] = view.end.isoformat()
    for field_name, key in _LISTS.items():
        values = getattr(view, field_name)
        if values:
            query[key] = list(values)
    if view.min_fatalities > 0:
        query["minfat"] = str(view.min_fatalities)
    if view.selected:
        query["event"] = view.selected
    if view.basemap != BASEMAP_NONE:
        query["basemap"] = view.basemap
    if view.center is not None and view.zoom is not None:
        query["c"] = f"{view.center[0]:.5f},{view.center[1]:.5f}"
        query["z"] = str(view.zoom)
    return query


def from_query(query: Mapping[str, str | Sequence[str]]) -> View:
    """Read a view from query parameters, ignoring what cannot be read."""

    def last(key: str) -> str:
        value = query.get(key, "")
        if isinstance(value, str):
            return value
        return value[-1] if value else ""

    def every(key: str) -> tuple[str, ...]:
        value = query.get(key, ())
        values = [value] if isinstance(value, str) else list(value)
        # A list may also arrive comma-separated when a person types the link.
        parts = (part.strip() for item in values for part in item.split(","))
        return tuple(dict.fromkeys(part for part in parts if part))

    minfat = last("minfat")
    center, zoom = _center(last("c")), last("z")
    return View(
        start=_date(last("from")),
        end=_date(last("to")),
        types=every("type"),
        outlets=every("outlet"),
        articles=every("article"),
        actors=every("actor"),
        claimed=every("claimed"),
        min_fatalities=int(minfat) if minfat.isdigit() else 0,
        statuses=every("status"),
        selected=last("event") or None,
        basemap=last("basemap") or BASEMAP_NONE,
        center=center if zoom.isdigit() else None,
        zoom=int(zoom) if zoom.isdigit() and center is not None else None,
    )


def fit(view: View, choices: Choices) -> View:
    """Return ``view`` restricted to what ``choices`` offers (widgets reject the rest).

    Dates are clamped into the data's range and become ``None`` at its ends.
    """

    def keep(values: Iterable[str], offered: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(value for value in values if value in offered)

    start, end = view.start, view.end
    if choices.first is not None and choices.last is not None:
        start = min(max(start or choices.first, choices.first), choices.last)
        end = min(max(end or choices.last, choices.first), choices.last)
        if start > end:
            start, end = end, start
        # The whole range is no restriction: a link then keeps showing new articles.
        start = None if start == choices.first else start
        end = None if end == choices.last else end
    return replace(
        view,
        start=start,
        end=end,
        types=keep(view.types, choices.types),
        outlets=keep(view.outlets, choices.outlets),
        articles=keep(view.articles, choices.articles),
        actors=keep(view.actors, choices.actors),
        claimed=keep(view.claimed, choices.claimed),
        min_fatalities=min(view.min_fatalities, choices.max_fatalities),
        statuses=keep(view.statuses, REVIEW_STATUSES),
        basemap=view.basemap if view.basemap in choices.basemaps else BASEMAP_NONE,
    )


def choices_of(
    events: pd.DataFrame, outlets: Mapping[str, str], *, basemaps: tuple[str, ...] = ()
) -> Choices:
    """Return what events and their articles (id -> outlet) offer to filter on."""
    days: list[dt.date] = []
    for column in ("event_date", "end_date"):
        written = events[column].dropna().astype(str)
        if len(written):  # ISO dates sort as text: only the first and last need reading
            days += [dt.date.fromisoformat(written.min()), dt.date.fromisoformat(written.max())]
    present = set(events["event_type"].unique())
    actors = set(events["actor1"].unique()) | set(events["actor2"].unique())
    claimed = set(events["claimed_by"].unique())
    fatalities = events["fatalities"].dropna()
    return Choices(
        first=min(days, default=None),
        last=max(days, default=None),
        types=tuple(kind for kind in EVENT_TYPES if kind in present),
        outlets=tuple(sorted({outlet for outlet in outlets.values() if outlet})),
        articles=tuple(outlets),
        actors=_named(actors),
        claimed=_named(claimed),
        max_fatalities=int(fatalities.max()) if len(fatalities) else 0,
        basemaps=tuple(dict.fromkeys((BASEMAP_NONE, *basemaps))),
    )


def articles_shown(view: View, outlets: Mapping[str, str]) -> frozenset[str] | None:
    """Return the ids of the articles the view's outlet and article filters keep; None: all."""
    if not view.outlets and not view.articles:
        return None
    kept = set(outlets)
    if view.outlets:
        kept = {article for article in kept if outlets[article] in view.outlets}
    if view.articles:
        kept &= set(view.articles)
    return frozenset(kept)


def same_filters(one: View, other: View) -> bool:
    """Tell whether two views filter alike (their selection, centre and zoom aside)."""
    return replace(one, selected=None, center=None, zoom=None) == replace(
        other, selected=None, center=None, zoom=None
    )


def map_view(view: View) -> tuple[float, float, int] | None:
    """Return a view's (lat, lon, zoom) for ``build_map(view=...)``, when it has one."""
    if view.center is None or view.zoom is None:
        return None
    return (view.center[0], view.center[1], view.zoom)


def download_name(
    view: View, *, ext: str, first: dt.date | None = None, last: dt.date | None = None
) -> str:
    """Return a download's file name that says what the view shows.

    The dates (the view's, else the data's ``first`` and ``last``), the event types, and
    ``filtered`` when outlets, articles, actors, claimants or a minimum toll narrow it
    further. Only ASCII letters, digits, ``-``, ``_`` and ``.``; at most
    ``MAX_FILE_NAME`` characters.

    >>> download_name(View(types=("Battles",)), ext="geojson",
    ...               first=dt.date(2016, 2, 27), last=dt.date(2016, 10, 26))
    'newsmap-2016-02-27_2016-10-26-battles.geojson'
    """
    parts = ["newsmap"]
    start, end = view.start or first, view.end or last
    if start is not None and end is not None:
        parts.append(start.isoformat() if start == end else f"{start}_{end}")
    elif start is not None or end is not None:
        parts.append(f"from-{start}" if start is not None else f"to-{end}")
    kinds = "_".join(_slug(kind) for kind in view.types)
    if len(kinds) > _MAX_TYPES_PART:
        kinds = f"{len(view.types)}-types"
    parts.append(kinds)
    narrowed = (
        view.outlets,
        view.articles,
        view.actors,
        view.claimed,
        view.min_fatalities,
        view.statuses,
    )
    if any(narrowed):
        parts.append("filtered")
    suffix = "." + (_slug(ext).replace("-", "") or "dat")
    stem = "-".join(part for part in parts if part)
    return stem[: MAX_FILE_NAME - len(suffix)].rstrip("-_") + suffix


def _slug(text: str) -> str:
    """Return ``text`` as lower-case ASCII letters and digits joined by single hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _named(values: Iterable[object]) -> tuple[str, ...]:
    """Return the non-empty names among ``values``, sorted."""
    return tuple(sorted(value for value in values if isinstance(value, str) and value))


def _center(text: str) -> tuple[float, float] | None:
    """Read "lat,lon" ("36.2,37.16"); anything else, or a point off the earth, is None."""
    parts = text.split(",")
    if len(parts) != 2:
        return None
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return (lat, lon)


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None
