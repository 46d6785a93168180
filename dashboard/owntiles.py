"""The reader's own tile archive in the dashboard: ``NEWSMAP_TILES=PATH make run``.

Streamlit's static serving cannot hand out an MBTiles file's tiles (they are rows of a
SQLite file), nor a PMTiles file past its 200 MB cap. So the first session starts
``geo.serve``'s tile server on 127.0.0.1 on a free port, in a thread, once per server;
the map asks it for whole tiles (``/tiles/{z}/{x}/{y}``). It listens on 127.0.0.1 only:
a browser on another machine than the dashboard's gets the offline basemap and a note.

The archive is drawn under the events whenever it is configured, whatever online basemap
is picked (those draw over it); the layer control turns it off.
"""

from __future__ import annotations

import streamlit as st

from geo.serve import TILE_PATH, make_server, start_in_thread
from geo.tilelayer import OwnTiles
from geo.tiles import TilesError, configured_path, open_archive


@st.cache_resource(show_spinner=False)
def _served(path: str) -> OwnTiles | str:
    """Open the archive and serve its tiles; return what the map draws, or the error."""
    try:
        archive = open_archive(path)
    except TilesError as exc:
        return str(exc)
    server = make_server(None, archive=archive)
    start_in_thread(server)
    port = server.server_address[1]
    return OwnTiles(
        archive=archive,
        url=f"http://127.0.0.1:{port}/{TILE_PATH}",
        serve_hint="the dashboard on the machine it runs on",
    )


def own_tiles() -> OwnTiles | None:
    """Return the configured archive and its tiles' URL; a bad one is said in the sidebar."""
    path = configured_path()
    if path is None:
        return None
    served = _served(str(path))
    if isinstance(served, str):
        st.sidebar.warning(f"NEWSMAP_TILES: {served}")
        return None
    st.sidebar.caption(f"Own tiles: {served.archive.summary()}")
    return served
