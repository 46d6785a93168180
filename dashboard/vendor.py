"""Serve the map's JavaScript and CSS from this app, so the map needs no CDN.

Streamlit serves ``dashboard/static/`` at ``/app/static/`` when
``server.enableStaticServing`` is on (``.streamlit/config.toml``). At start-up the
Leaflet, MarkerCluster and jQuery files are copied there from the XStatic packages
(``geo.webmap.copy_assets``); the folder is git-ignored.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from geo.webmap import copy_assets

STATIC_DIR = Path(__file__).resolve().parent / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
ASSET_BASE = "/app/static/vendor"


@st.cache_resource(show_spinner=False)
def vendor_assets() -> str:
    """Copy the map's assets into the static folder once per server; return their URL base."""
    copy_assets(VENDOR_DIR)
    return ASSET_BASE
