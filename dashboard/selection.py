"""Resolve what the reader selected, on the map or in the table, into its record.

Every map feature carries ``properties.id`` and ``properties.layer``; a click comes back
from st_folium as the clicked feature (``last_active_drawing``), a picked row as its
position in the table. Streamlit cannot select a table row from code, so the selected
event's row is marked by a background instead (``row_css``, ``table_note``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from geo.layers import Layers
from geo.models import Article, Corpus, Event, Mention, Zone

# The fields shown beside the article, in reading order, with their labels.
EVENT_FIELDS = {
    "event_date": "Date",
    "end_date": "Until",
    "time_precision": "Date precision (ACLED 1-3)",
    "event_type": "Event type",
    "sub_event_type": "Sub-event type",
    "location": "Location",
    "geo_precision": "Place precision (ACLED 1-3)",
    "fatalities": "Fatalities",
    "actor1": "Actor 1",
    "actor2": "Actor 2",
    "claimed_by": "Claimed by",
    "source": "Outlet",
    "evidence": "Evidence",
    "related": "Same event elsewhere",
    "id": "Event id",
}
ZONE_FIELDS = {
    "name": "Zone",
    "kind": "Kind",
    "radius_m": "Radius (m)",
    "start_date": "From",
    "end_date": "Until",
    "claimed_by": "Claimed by",
    "source": "Outlet",
    "evidence": "Evidence",
    "id": "Zone id",
}


@dataclass(frozen=True, slots=True)
class Selected:
    """A selected feature: its fields, and the article it came from when it has one."""

    id: str
    layer: str
    name: str
    fields: dict[str, object]
    article: Article | None = None
    mentions: tuple[Mention, ...] = ()
    evidence: tuple[int, int] | None = None


def clicked_id(returned: Mapping[str, Any] | None) -> str | None:
    """Return the id of the feature st_folium reports as clicked, if any."""
    feature = (returned or {}).get("last_active_drawing") or {}
    properties = feature.get("properties") if isinstance(feature, dict) else None
    value = (properties or {}).get("id")
    return str(value) if value else None


def clicked_point(returned: Mapping[str, Any] | None) -> tuple[float, float] | None:
    """Return the (lat, lon) st_folium reports the reader last clicked on the map, if any.

    Leaflet counts longitude on past the 180th meridian when the world repeats; the point
    is given on the one world (-180 to 180), to 5 decimals (about a metre).

    >>> clicked_point({"last_clicked": {"lat": 36.201234, "lng": 397.16}})
    (36.20123, 37.16)
    >>> clicked_point({"last_clicked": None}), clicked_point(None)
    (None, None)
    """
    point = (returned or {}).get("last_clicked") or {}
    lat, lon = point.get("lat"), point.get("lng")
    if not isinstance(lat, int | float) or not isinstance(lon, int | float):
        return None
    return round(float(lat), 5), round((float(lon) + 180.0) % 360.0 - 180.0, 5)


def picked_id(rows: Sequence[int], ids: Sequence[str]) -> str | None:
    """Return the id of the event in the first picked table row, or None.

    >>> picked_id([1], ["ev-a", "ev-b"]), picked_id([], ["ev-a"]), picked_id([5], ["ev-a"])
    ('ev-b', None, None)
    """
    return ids[rows[0]] if rows and 0 <= rows[0] < len(ids) else None


#: How the selected event's row stands out in the table: the map's highlight colour.
MARKED_ROW_CSS = "background-color: #fcf3cf; font-weight: 600"


def row_css(ids: Sequence[str], selected: str | None) -> list[str]:
    """Return each table row's CSS: ``MARKED_ROW_CSS`` for the selected event, else "".

    >>> row_css(["ev-a", "ev-b"], "ev-b") == ["", MARKED_ROW_CSS]
    True
    """
    return [MARKED_ROW_CSS if selected and row == selected else "" for row in ids]


def table_note(ids: Sequence[str], shown: Sequence[str], selected: str | None) -> str:
    """Say where the selected event is in the table, or that the table does not list it.

    ``ids`` are the events listed, in order; ``shown`` every event the map shows. Nothing
    is said when no event is selected or the filters hide it (a zone, a place).

    >>> table_note(["ev-a", "ev-b"], ["ev-a", "ev-b", "ev-c"], "ev-b")
    'The selected event is row 2, marked below.'
    >>> table_note(["ev-a"], ["ev-a", "ev-c"], "ev-c")
    'The selected event is on the map but not among the 1 listed here.'
    """
    if selected is not None and selected in ids:
        return f"The selected event is row {list(ids).index(selected) + 1:,}, marked below."
    if selected in shown:
        return f"The selected event is on the map but not among the {len(ids):,} listed here."
    return ""


def find(feature_id: str | None, corpus: Corpus, layers: Layers) -> Selected | None:
    """Return the event, zone, place or corridor with ``feature_id``, or None."""
    if not feature_id:
        return None
    for event in corpus.events:
        if event.id == feature_id:
            return _with_article(feature_id, "event", event, EVENT_FIELDS, corpus)
    for zone in corpus.zones:
        if zone.id == feature_id:
            return _with_article(feature_id, "zone", zone, ZONE_FIELDS, corpus)
    for layer, frame in (("place", layers.places), ("corridor", layers.corridors)):
        rows = frame[frame["id"] == feature_id]
        if len(rows):
            row = rows.drop(columns="geometry").iloc[0].to_dict()
            return Selected(id=feature_id, layer=layer, name=str(row.get("name", "")), fields=row)
    return None


def _with_article(
    feature_id: str, layer: str, record: Event | Zone, shown: dict[str, str], corpus: Corpus
) -> Selected:
    names = {f.name for f in fields(record)}
    values = {label: getattr(record, name) for name, label in shown.items() if name in names}
    index = next((i for i, a in enumerate(corpus.articles) if a.id == record.article), None)
    article = corpus.articles[index] if index is not None else None
    name = record.notes if isinstance(record, Event) else record.name
    return Selected(
        id=feature_id,
        layer=layer,
        name=name or record.title,
        fields=values,
        article=article,
        mentions=corpus.mentions[index] if index is not None else (),
        evidence=(record.evidence_start, record.evidence_end) if record.evidence else None,
    )
