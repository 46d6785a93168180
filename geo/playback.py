"""Playback: a map control that steps through the shown events one day per tick.

The control and its logic live in ``newsmap/playback.js`` (copied with the map's other
assets), so ``map.html`` plays back as the dashboard does. During playback the map shows
every event dated up to the current day: cumulative, so a day with no new event leaves
the map as it was rather than blank (with a few events a week, a one-day window would
be empty most of the time). Stopping shows every event again.
"""

from __future__ import annotations

from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.plugins import MarkerCluster
from folium.template import Template

SCRIPT = "newsmap/playback.js"
#: Milliseconds per day: 240 days of the seed reports play in a minute.
TICK_MS = 250


class Playback(JSCSSMixin):
    """The ▶/⏸ control in the map's bottom-left corner, with the current day beside it."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
          var player = null;
          window.newsmapShown(function () {
            if (!window.newsmapPlayback) { return; }
            if (player) { player.reset(); return; }  // a new view: its own days
            player = window.newsmapPlayback({{ this._parent.get_name() }}, {
              cluster: {{ this.cluster.get_name() }},
              events: {{ this.events.get_name() }},
              heat: {{ this.heat.get_name() if this.heat else "null" }},
              tickMs: {{ this.tick_ms }}
            });
          });
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        *,
        cluster: MarkerCluster,
        events: Layer,
        heat: Layer | None,
        asset_base: str,
        tick_ms: int = TICK_MS,
    ) -> None:
        super().__init__()
        self._name = "Playback"
        self.cluster = cluster
        self.events = events
        self.heat = heat
        self.tick_ms = int(tick_ms)
        self.default_js = [("newsmap_playback", f"{asset_base.rstrip('/')}/{SCRIPT}")]
