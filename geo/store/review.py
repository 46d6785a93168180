"""The analyst's review of events: confirm, reject, correct, merge; each with who, when, why.

Every change names the ``version`` of the event's review it was made on (what
:meth:`~geo.store.collection.Collection.events` gave: 0 for an event never reviewed).
When someone else changed the event since, the change is refused with
:class:`~geo.errors.StaleReviewError` and nothing is written: two reviewers never
silently overwrite each other (optimistic concurrency, checked inside the transaction).
Corrections are kept as fields over the machine's reading, so a re-analysis that reads
the event again keeps them (``geo.store.collection``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from geo.errors import StaleReviewError, StoreError
from geo.models import EVENT_TYPES, Place
from geo.store import schema as t
from geo.store.collection import Collection, now

__all__ = ["Correction", "confirm", "correct", "merge", "reject"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Correction:
    """What the analyst sets on an event; ``None`` leaves a field as it is.

    The place is either ``place`` (a candidate the gazetteer offers) or a point clicked
    on the map (``lat``, ``lon`` and, optionally, the ``location`` name to show).
    ``fatalities_unknown`` says the report gives no count (the field becomes null).
    """

    place: Place | None = None
    lat: float | None = None
    lon: float | None = None
    location: str | None = None
    event_date: dt.date | None = None
    end_date: dt.date | None = None
    event_type: str | None = None
    sub_event_type: str | None = None
    fatalities: int | None = None
    fatalities_unknown: bool = False
    actor1: str | None = None
    actor2: str | None = None

    def fields(self) -> dict[str, Any]:
        """Return the corrected Event fields as JSON values (dates as ISO text).

        Raises
        ------
        StoreError
            One line naming the field that is out of range.
        """
        out: dict[str, Any] = {}
        if self.place is not None and self.lat is not None:
            raise StoreError("a correction gives a place or a point on the map, not both")
        if self.place is not None:
            out |= {
                "place_id": self.place.id,
                "location": self.place.name,
                "lat": self.place.lat,
                "lon": self.place.lon,
                "geo_precision": 1,
            }
        elif (self.lat is None) != (self.lon is None):
            raise StoreError("a point on the map needs both lat and lon")
        elif self.lat is not None and self.lon is not None:
            if not (-90 <= self.lat <= 90 and -180 <= self.lon <= 180):
                raise StoreError(
                    f"point lat {self.lat}, lon {self.lon}: expected lat in [-90, 90] "
                    "and lon in [-180, 180]"
                )
            out |= {
                "place_id": f"point:{self.lat:.5f},{self.lon:.5f}",
                "location": self.location or f"{self.lat:.5f}, {self.lon:.5f}",
                "lat": self.lat,
                "lon": self.lon,
                "geo_precision": 1,
            }
        if self.location is not None and self.place is None:
            out["location"] = self.location
        if self.event_type is not None and self.event_type not in EVENT_TYPES:
            raise StoreError(
                f"event_type {self.event_type!r}: expected one of {', '.join(EVENT_TYPES)}"
            )
        if self.fatalities is not None and self.fatalities < 0:
            raise StoreError(f"fatalities {self.fatalities}: expected 0 or more")
        if self.fatalities_unknown and self.fatalities is not None:
            raise StoreError("fatalities: give a count or say it is unknown, not both")
        for name in ("event_type", "sub_event_type", "fatalities", "actor1", "actor2"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.fatalities_unknown:
            out["fatalities"] = None
        for name in ("event_date", "end_date"):
            day = getattr(self, name)
            if day is not None:
                out[name] = day.isoformat()
        if not out:
            raise StoreError("a correction must change at least one field")
        return out


def confirm(collection: Collection, event_id: str, *, by: str, version: int, note: str = "") -> int:
    """Say the event is right as shown; return the review's new version."""
    with collection.engine.begin() as connection:
        return _change(connection, event_id, "confirm", {}, by=by, version=version, note=note)


def reject(collection: Collection, event_id: str, *, by: str, version: int, note: str = "") -> int:
    """Say the event did not happen (or is no event); return the review's new version."""
    with collection.engine.begin() as connection:
        return _change(connection, event_id, "reject", {}, by=by, version=version, note=note)


def correct(
    collection: Collection,
    event_id: str,
    correction: Correction,
    *,
    by: str,
    version: int,
    note: str = "",
) -> int:
    """Set fields of the event (place, date, type, fatalities, actors); return the version."""
    fields = correction.fields()
    with collection.engine.begin() as connection:
        return _change(connection, event_id, "correct", fields, by=by, version=version, note=note)


def merge(
    collection: Collection,
    keep: str,
    absorb: str,
    *,
    by: str,
    versions: tuple[int, int],
    note: str = "",
) -> tuple[int, int]:
    """Merge event ``absorb`` into ``keep`` (one event told twice); return both new versions.

    ``versions`` are the review versions of ``keep`` and ``absorb`` the analyst saw. The
    absorbed event is no longer shown; ``keep`` lists it in ``merged``.
    """
    if keep == absorb:
        raise StoreError(f"merge {keep} into itself: expected two different events")
    with collection.engine.begin() as connection:
        kept = _change(
            connection, keep, "merge", {"absorbed": absorb}, by=by, version=versions[0], note=note
        )
        gone = _change(
            connection, absorb, "merge", {"into": keep}, by=by, version=versions[1], note=note
        )
    return kept, gone


_STATUS_OF = {"confirm": "confirmed", "reject": "rejected", "correct": "corrected"}


def _change(
    connection: Connection,
    event_id: str,
    action: str,
    fields: dict[str, Any],
    *,
    by: str,
    version: int,
    note: str,
) -> int:
    if not by.strip():
        raise StoreError(f"review of {event_id}: expected the reviewer's name, got none")
    event = connection.execute(sa.select(t.events).where(t.events.c.id == event_id)).mappings()
    row = event.first()
    if row is None:
        raise StoreError(f"no event {event_id} in the collection; expected an id from its events")
    review = (
        connection.execute(sa.select(t.reviews).where(t.reviews.c.event_id == event_id))
        .mappings()
        .first()
    )
    current = 0 if review is None else int(review["version"])
    if version != current:
        raise _stale(event_id, version, review)
    at = now()
    new_version = current + 1
    status = _STATUS_OF.get(action, review["status"] if review is not None else "proposed")
    corrected = dict(review["corrected"]) if review is not None else {}
    if action == "correct":
        corrected |= fields
    merged_into = review["merged_into"] if review is not None else None
    if action == "merge" and "into" in fields:
        merged_into = fields["into"]
    values = {
        "status": status,
        "corrected": corrected,
        "merged_into": merged_into,
        "found": True,
        "version": new_version,
        "updated_by": by,
        "updated_at": at,
        "note": note,
    }
    if review is None:
        key = {
            "event_id": event_id,
            "article": row["article"],
            "evidence_start": row["evidence_start"],
            "evidence_end": row["evidence_end"],
            "event_type": row["event_type"],
            "event_date": row["event_date"],
        }
        try:
            with connection.begin_nested():
                connection.execute(sa.insert(t.reviews).values(**key, **values))
        except IntegrityError as exc:  # another reviewer's first review came first
            raise _stale(event_id, version, None) from exc
    else:
        done = connection.execute(
            sa.update(t.reviews)
            .where(t.reviews.c.event_id == event_id, t.reviews.c.version == current)
            .values(**values)
        )
        if done.rowcount != 1:  # changed between our read and our write
            raise _stale(event_id, version, None)
    connection.execute(
        sa.insert(t.review_log).values(
            event_id=event_id,
            action=action,
            fields=fields,
            version=new_version,
            author=by,
            at=at,
            note=note,
        )
    )
    return new_version


def _stale(event_id: str, version: int, review: Any) -> StaleReviewError:
    if review is None:
        who = "another reviewer"
        now_at = "a newer version"
    else:
        who = review["updated_by"]
        when = f"{review['updated_at']:%Y-%m-%d %H:%M} UTC"
        now_at = f"version {review['version']} ({review['status']}, {when})"
    return StaleReviewError(
        f"event {event_id} was changed by {who} since you read version {version}; it is now "
        f"{now_at}: reload it and make your change again (nothing was saved)"
    )
