"""Keep the mapped collection on disk, so that a restarted server does not map it again.

Mapping a collection (reading its events and articles from the store, linking, building
the layers and serialising the map's features) takes about 20 s at 100,000 events; the
server keeps the result in memory (``dashboard.data``), and here on disk too: a server
that starts on a collection nobody has changed since loads it in a second or two.

A snapshot is named by the collection (its path or URL, without a password) and by
everything that made it: the collection's state (``Collection.stamp``), the code of
``geo`` and ``dashboard``, their rule files and the gazetteer. Anything else is a miss, and
is mapped afresh. Only the newest snapshot of a collection is kept. The folder is the
server's own (mode 0700, outside what the app serves): snapshots hold article text.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

__all__ = ["ENV_VAR", "load", "save", "snapshot_dir", "snapshot_path"]

ROOT = Path(__file__).resolve().parents[1]
#: Names the folder of snapshots; else ``data/snapshots`` beside the default collection.
ENV_VAR = "NEWSMAP_SNAPSHOTS"
#: The files whose content makes a snapshot: any change to them maps afresh.
_MADE_BY = ("geo/**/*.py", "geo/rules/*.toml", "dashboard/*.py", "gazetteer.csv")
_SUFFIX = ".pickle"

log = logging.getLogger(__name__)


def snapshot_dir() -> Path:
    """Return the folder snapshots are kept in (``NEWSMAP_SNAPSHOTS`` names another)."""
    return Path(os.environ.get(ENV_VAR, "").strip() or ROOT / "data" / "snapshots")


@functools.cache
def code_digest() -> str:
    """Return a digest of the code, rules and gazetteer that a snapshot was made with."""
    digest = hashlib.sha256()
    for pattern in _MADE_BY:
        for path in sorted(ROOT.glob(pattern)):
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _collection_key(db: str) -> str:
    """Name the collection: its file's real path, or its URL without the password."""
    if "://" in db:
        named = make_url(db).render_as_string(hide_password=True)
    else:
        named = str(Path(db).resolve())
    return hashlib.sha256(named.encode()).hexdigest()[:24]


def snapshot_path(db: str, stamp: tuple[int, ...], *, folder: Path | None = None) -> Path:
    """Return the file of the snapshot of ``db`` at ``stamp`` made by this code."""
    folder = folder or snapshot_dir()
    state = hashlib.sha256(repr((stamp, code_digest())).encode()).hexdigest()[:24]
    return folder / f"{_collection_key(db)}-{state}{_SUFFIX}"


def load(db: str, stamp: tuple[int, ...], *, folder: Path | None = None) -> Any | None:
    """Return what was saved for ``db`` at ``stamp``, or None (none, or it cannot be read)."""
    path = snapshot_path(db, stamp, folder=folder)
    try:
        with path.open("rb") as handle:
            if os.fstat(handle.fileno()).st_uid != os.getuid():  # not written by this user
                log.warning("snapshot %s is not this user's: mapping the collection", path)
                return None
            return pickle.load(handle)  # noqa: S301 - this user's own file, mode 0600
    except FileNotFoundError:
        return None
    except Exception as exc:  # a torn or outdated file: map afresh, and drop it
        log.warning("snapshot %s cannot be read (%s): mapping the collection again", path, exc)
        path.unlink(missing_ok=True)
        return None


def save(db: str, stamp: tuple[int, ...], value: Any, *, folder: Path | None = None) -> bool:
    """Write ``value`` as the snapshot of ``db`` at ``stamp``; drop the older ones.

    The file is written under another name and renamed, so a reader never sees half of
    it; a failure (a full disk) is logged, leaves no file and returns False.
    """
    folder = folder or snapshot_dir()
    path = snapshot_path(db, stamp, folder=folder)
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".writing-", suffix=_SUFFIX)
        try:
            with os.fdopen(handle, "wb") as out:
                pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        finally:
            Path(temporary).unlink(missing_ok=True)
    except Exception as exc:  # noqa: BLE001 - a snapshot is only a shortcut
        log.warning("snapshot %s not written: %s", path, exc)
        return False
    for older in folder.glob(f"{_collection_key(db)}-*{_SUFFIX}"):
        if older != path:
            older.unlink(missing_ok=True)
    return True
