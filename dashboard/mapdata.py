"""Serve the map's features as a static file, so a rerun sends the browser only a URL.

At 100,000 events the map's data is tens of megabytes. Written into the map's script,
st_folium would send all of it to the browser on every rerun. Instead the features of
each view (JSON lines, an event a row: ``MapFeatures.view_bytes``), and the pop-up
strings they share, are written once to ``dashboard/static/data/<sha256>.json`` (served
at ``/app/static/data/`` beside the vendored scripts) and the map fetches them from
there, the features read as they arrive.
Files are named by their content, written atomically and shared by sessions that show
the same thing; the least recently used are removed beyond ``KEEP``, but never one
handed to a page in the last ``MIN_AGE_S`` seconds (the page may not have fetched it
yet: removing it gave a fresh session's map an HTTP 404).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Callable, Hashable
from pathlib import Path

import streamlit as st

from dashboard.vendor import STATIC_DIR
from geo.layers import Layers
from geo.webmap import MapFeatures

DATA_DIR = STATIC_DIR / "data"
DATA_BASE = "/app/static/data"
#: Data files kept on disk; each is one view of the data that some session asked for.
KEEP = 64
#: A data file handed to a page this recently is kept whatever ``KEEP`` says: a page fetches
#: its file within seconds, and a later rerun hands the URL out (and writes it) again.
MIN_AGE_S = 15 * 60


def publish(data: bytes, *, folder: Path = DATA_DIR) -> Path:
    """Write ``data`` to ``folder/<sha256>.json`` unless it is there; return the path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{hashlib.sha256(data).hexdigest()}.json"
    if path.exists():
        os.utime(path)  # recently used: pruned last
        return path
    handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; the server may run as another user
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    prune(folder, keep=KEEP, spare=path)
    return path


def prune(
    folder: Path, *, keep: int, spare: Path | None = None, min_age_s: float = MIN_AGE_S
) -> None:
    """Remove all but the ``keep`` most recently used data files.

    Never ``spare``, nor a file used (handed to a page) in the last ``min_age_s`` seconds.
    """
    files = sorted(folder.glob("*.json"), key=_mtime, reverse=True)
    recent = time.time() - min_age_s
    for old in files[keep:]:
        if old != spare and _mtime(old) < recent:
            old.unlink(missing_ok=True)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:  # another session pruned it meanwhile
        return 0.0


def urls(
    features: MapFeatures, shown: Layers, *, view: Hashable, folder: Path = DATA_DIR
) -> tuple[str, str]:
    """Return the URLs of the features ``shown`` and of the pop-up strings they share.

    ``shown`` is a filter of the layers ``features`` were made from and ``view`` names
    that filter. Each file is written once per view, not on every rerun; a file pruned
    since is written again. ``folder`` is ``DATA_DIR`` for views every session may share
    (the seed articles), or a session's own folder under it, named by a secret, for a
    session's added articles.
    """
    popups = _path(features.popups_bytes, ("popups", features.digest), folder)
    data = _path(lambda: features.view_bytes(shown), ("view", features.digest, view), folder)
    return _url(data), _url(popups)


def _url(path: Path) -> str:
    return f"{DATA_BASE}/{path.relative_to(DATA_DIR).as_posix()}"


def _path(make: Callable[[], bytes], key: Hashable, folder: Path) -> Path:
    path = _published(make, key, folder)
    try:
        os.utime(path)  # handed to a page now: no prune removes it before the page fetches it
    except FileNotFoundError:  # pruned since it was written: write it again
        _published.clear()  # type: ignore[attr-defined]
        path = _published(make, key, folder)
    return path


@st.cache_resource(show_spinner=False, max_entries=KEEP)
def _published(_make: Callable[[], bytes], key: Hashable, folder: Path) -> Path:
    return publish(_make(), folder=folder)
