"""Serve a map folder and a tile archive on 127.0.0.1: ``python -m geo serve OUT``.

A page opened from ``file://`` may not fetch, so the reader's own tiles reach a map only
through a server. This one (``http.server``, a thread per request) serves:

- ``/tiles/{z}/{x}/{y}``: one whole tile of the archive, as stored (a gzipped vector
  tile goes with ``Content-Encoding: gzip``); 204 for a tile the archive does not hold
  (an empty vector tile is blank, as it should be);
- every other path: a file of the folder (``map.html`` and ``vendor/``), with HTTP
  Range requests answered 206, so a ``.pmtiles`` file could also be read in place.

It listens on 127.0.0.1 only. The dashboard starts one on a free port in a thread
(``dashboard.owntiles``): Streamlit's static files can hold neither an MBTiles file's
tiles nor, past 200 MB, a PMTiles file.
"""

from __future__ import annotations

import json
import re
import sys
import threading
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from geo.tiles import MEDIA_TYPES, TileArchive, TilesError, open_archive

HOST = "127.0.0.1"
#: The tiles' URL under the server, as map.html asks for them (relative to the page).
TILE_PATH = "tiles/{z}/{x}/{y}"
#: ``geo build --tiles`` writes the archive's path here, for ``geo serve OUT`` to read.
CONFIG_FILE = "tiles.json"
_TILE = re.compile(r"^/tiles/([0-9]{1,2})/([0-9]{1,9})/([0-9]{1,9})(?:\.[a-z]+)?$")
_RANGE = re.compile(r"^bytes=([0-9]*)-([0-9]*)$")


class _Handler(SimpleHTTPRequestHandler):
    """Files of a folder with Range support, and tiles of an archive at ``/tiles/``."""

    archive: TileArchive | None = None
    quiet = True

    def end_headers(self) -> None:
        # The dashboard's map is a page of another port (another origin) that fetches.
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Accept-Ranges", "bytes")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base's name)
        if not self.quiet:
            super().log_message(format, *args)

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        path = self.path.split("?", 1)[0]
        match = _TILE.match(path)
        if match:
            self._tile(*(int(part) for part in match.groups()))
            return
        if self.headers.get("Range"):
            self._range()
            return
        super().do_GET()

    def _tile(self, z: int, x: int, y: int) -> None:
        archive = self.archive
        if archive is None:
            self.send_error(HTTPStatus.NOT_FOUND, "no tile archive is configured")
            return
        data = archive.tile(z, x, y)
        if data is None:
            self.send_response(HTTPStatus.NO_CONTENT)
            self.end_headers()
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", MEDIA_TYPES[archive.format])
        if archive.encoding == "gzip" and data[:2] == b"\x1f\x8b":
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "max-age=3600")
        self.end_headers()
        self.wfile.write(data)

    def _range(self) -> None:
        """Answer ``Range: bytes=A-B`` (one range) with 206 and those bytes, or 416."""
        target = Path(self.translate_path(self.path))
        if not target.is_file():
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        size = target.stat().st_size
        match = _RANGE.match(self.headers["Range"].strip())
        start, end = -1, -1
        if match and (match.group(1) or match.group(2)):
            if match.group(1):
                start = int(match.group(1))
                end = int(match.group(2)) if match.group(2) else size - 1
            else:  # the last N bytes
                start, end = max(0, size - int(match.group(2))), size - 1
        if not (0 <= start <= end) or start >= size:
            self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            self.send_header("Content-Range", f"bytes */{size}")
            self.end_headers()
            return
        end = min(end, size - 1)
        self.send_response(HTTPStatus.PARTIAL_CONTENT)
        self.send_header("Content-Type", self.guess_type(str(target)))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        with target.open("rb") as handle:
            handle.seek(start)
            remaining = end - start + 1
            while remaining:
                chunk = handle.read(min(remaining, 1 << 16))
                if not chunk:
                    break
                self.wfile.write(chunk)
                remaining -= len(chunk)


def make_server(
    root: Path | None, *, archive: TileArchive | None, port: int = 0
) -> ThreadingHTTPServer:
    """Return a server on 127.0.0.1 for ``root``'s files and ``archive``'s tiles.

    ``port`` 0 takes a free one (``server.server_address[1]``). With ``root`` None only
    tiles are served (every other path is 404).
    """
    handler = type("Handler", (_Handler,), {"archive": archive})
    if root is None:
        empty = Path(__file__).resolve().parent / "js" / "none"  # no such folder: all 404
        factory = partial(handler, directory=str(empty))
    else:
        factory = partial(handler, directory=str(root))
    server = ThreadingHTTPServer((HOST, port), factory)
    server.daemon_threads = True
    return server


def start_in_thread(server: ThreadingHTTPServer) -> threading.Thread:
    """Serve in a daemon thread (the dashboard's tile server); return the thread."""
    thread = threading.Thread(target=server.serve_forever, name="newsmap-tiles", daemon=True)
    thread.start()
    return thread


def write_config(out: Path, archive: TileArchive) -> Path:
    """Record the archive ``geo build --tiles`` drew in ``out``, for ``geo serve``."""
    path = out / CONFIG_FILE
    path.write_text(json.dumps({"archive": str(archive.path.resolve())}) + "\n", encoding="utf-8")
    return path


def read_config(out: Path) -> Path | None:
    """Return the archive ``geo build --tiles`` recorded in ``out``, if any."""
    try:
        value = json.loads((out / CONFIG_FILE).read_text(encoding="utf-8"))["archive"]
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise TilesError(f"{out / CONFIG_FILE}: not what geo build writes ({exc})") from exc
    return Path(str(value))


def serve(out: Path, *, tiles: Path | None = None, port: int = 8000) -> int:
    """Serve ``out`` (a ``geo build`` folder) until interrupted; return an exit status."""
    if not (out / "map.html").is_file():
        print(f"geo serve: {out}: no map.html; expected a folder geo build wrote", file=sys.stderr)
        return 2
    try:
        path = tiles or read_config(out)
        archive = open_archive(path) if path else None
    except TilesError as exc:
        print(f"geo serve: {exc}", file=sys.stderr)
        return 2
    try:
        server = make_server(out, archive=archive, port=port)
    except OSError as exc:
        print(f"geo serve: cannot listen on {HOST}:{port}: {exc.strerror}", file=sys.stderr)
        return 2
    where = f"http://{HOST}:{server.server_address[1]}/map.html"
    print(f"serving {out} at {where}" + (f" with {archive.summary()}" if archive else ""))
    print("press Ctrl+C to stop", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
