"""newsmap dashboard: where and when the news reports say things happened, and who says so.

``streamlit run dashboard/app.py`` (what ``make run`` does). The script stays thin: it
reads the widgets, calls ``geo`` and the small ``dashboard`` modules, hands the filtered
layers to ``geo.webmap.build_map`` and shows what comes back.
"""

from __future__ import annotations

import html
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

# Streamlit puts dashboard/ on sys.path, not the repository root the package lives in.
_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

import streamlit as st  # noqa: E402
from streamlit_folium import st_folium  # noqa: E402

from dashboard import (  # noqa: E402
    articles,
    basemaps,
    data,
    mapdata,
    owntiles,
    panel,
    review,
    selection,
    sidebar,
    timeline,
    totals,
    view,
)
from dashboard.vendor import vendor_assets  # noqa: E402
from geo.errors import StoreError  # noqa: E402
from geo.export import geojson_bytes, gpkg_bytes, kml_bytes, to_acled_csv  # noqa: E402
from geo.layers import filter_layers  # noqa: E402
from geo.urls import web_url  # noqa: E402
from geo.webmap import MapView, build_map, map_view  # noqa: E402
from geo.world import ATTRIBUTION  # noqa: E402

MAP_HEIGHT = 560
#: The table lists at most this many events (each rerun sends it whole to the browser).
TABLE_ROWS = 1_000
TABLE_COLUMNS = [
    "event_date",
    "event_type",
    "location",
    "admin1",
    "country_name",
    "fatalities",
    "review_status",
    "actor1",
    "source",
    "title",
    "source_url",
]
#: Missing cells of the events table (only a toll the report does not give) read this.
NOT_REPORTED = "not reported"

st.set_page_config(page_title="newsmap", page_icon="🗺️", layout="wide")
asset_base = vendor_assets()

# The sidebar shows the filters above "Add an article", but an added article must be
# read before the filters know what it offers: fill the lower box first.
filter_box, article_box, about_box = st.sidebar.container(), st.sidebar.container(), st.sidebar
try:
    with article_box:
        reviewer = sidebar.reviewer()
        added_here = sidebar.add_article(by=reviewer)
    mapped = data.mapped()
except StoreError as exc:  # the collection cannot be opened or read: one line, no map
    st.error(str(exc))
    st.stop()
# Every event, whatever its review status: the panel opens a rejected one too.
corpus, everything = mapped.corpus, mapped.layers
outlets = {article.id: article.outlet for article in corpus.articles}
titles = {article.id: article.title for article in corpus.articles}
with article_box:
    sidebar.silent_articles(corpus.silent, titles, of=added_here)
choices = view.choices_of(everything.events, outlets, basemaps=tuple(basemaps.BASEMAPS))

state = st.session_state
if "url_view" not in state:  # a session's first run: the link decides
    query = {key: st.query_params.get_all(key) for key in st.query_params}
    state["url_view"] = view.from_query(query)
    state["selected"] = state["url_view"].selected
    # What the map opens on load: the link's event, later the row picked last.
    state["map_selected"], state["flown"] = state["selected"], False
opened = data.first_event(everything.events, sidebar.just_added())
if opened:  # what the reader just added opens beside the map, and the link names it
    state["selected"] = state["map_selected"] = opened
    state["flown"] = True
timeline.apply_brush()  # a range brushed on the timeline last run sets the dates
with filter_box:
    current = sidebar.filters(sidebar.current_view(state["url_view"]), choices, titles)
with about_box:
    st.divider()
    st.caption(ATTRIBUTION)
    st.caption("Curated places: newsmap's gazetteer.csv. Map: Leaflet, served by this app.")

layers = data.by_status(everything, current.statuses)
kept_articles = view.articles_shown(current, outlets)
# Every filter but the dates: the timeline charts these over the whole range.
undated_filters: dict[str, Any] = dict(
    event_types=current.types or None,
    articles=kept_articles,
    actors=current.actors or None,
    claimed_by=current.claimed or None,
    min_fatalities=current.min_fatalities or None,
)
shown = filter_layers(layers, start=current.start, end=current.end, **undated_filters)

st.title("newsmap")
total, count = len(layers.events), len(shown.events)
# Articles the filters keep that tell of an event shown (an outlet filter counts too).
articles_shown = shown.events["article"].nunique()
st.markdown(
    f"**{count}** of {total} events shown · from **{articles_shown}** of "
    f"{len(corpus.articles)} articles"
)
# Totals of what the filters show; plain text in escaped HTML, never Markdown.
line = totals.totals_line(totals.totals_of(shown.events))
st.html(f'<p class="nm-totals" style="margin:0">{html.escape(line)}</p>')

# A row picked in the table below selects its event (the table's state from the last run)
# and flies the map to it.
picked = tuple(state.get("table", {}).get("selection", {}).get("rows", ()))
if picked != state.get("last_rows"):
    state["last_rows"] = picked
    row_id = selection.picked_id(picked, state.get("table_ids", []))
    if row_id:
        if row_id == state["map_selected"]:
            # The map would be sent the view it has, and keep it where the reader left
            # it: a view told apart by its epoch flies back to the event.
            state["map_epoch"] = state.get("map_epoch", 0) + 1
        state["selected"] = state["map_selected"] = row_id
        state["flown"] = True

map_column, panel_column = st.columns([3, 2], gap="medium")
with map_column:
    if count == 0:
        st.info("No events match these filters. Widen the dates or clear a filter.")
    # The link's selection, or the row picked last, is drawn into the map; a marker click
    # leaves the map as it is, so the pop-up the reader opened stays open.
    # The features travel as a static file named by what is shown: a rerun that shows the
    # same (a click, a row picked) sends the browser the same small script.
    what: tuple[object, ...] = (current.start, current.end, current.types, kept_articles)
    what += (current.actors, current.claimed, current.min_fatalities, current.statuses)
    data_url, popups_url = mapdata.urls(mapped.features, shown, view=what, folder=mapped.folder)
    # A link's centre and zoom hold while the filters are the link's; a filter changed
    # since frames what it shows, a picked row zooms to its event.
    link = state["url_view"]
    keep_link = view.same_filters(current, link) and not state["flown"]
    # One map frame for the session (for its basemap): each rerun sends it only the view,
    # which it draws in place; a new frame per filter cost seconds at 100,000 events.
    the_map = build_map(
        shown,
        asset_base=asset_base,
        tiles=basemaps.tiles(current.basemap),
        own_tiles=owntiles.own_tiles(),
        bundle=True,
        live=True,
    )
    shows = map_view(
        shown,
        view=view.map_view(link) if keep_link else None,
        selected=state["map_selected"],
        data_url=data_url,
        popups_url=popups_url,
        legend_open=False,
        epoch=state.get("map_epoch", 0),
    )
    returned = st_folium(
        the_map,
        key="map",
        feature_group_to_add=MapView(shows),
        height=MAP_HEIGHT,
        use_container_width=True,
        returned_objects=["last_active_drawing", "last_clicked"],
    )
    st.caption("Download exactly what the map shows:")

    def name(ext: str) -> str:
        return view.download_name(current, ext=ext, first=choices.first, last=choices.last)

    downloads = st.columns(4, gap="small")
    downloads[0].download_button(
        "GeoJSON",
        data=lambda: geojson_bytes(shown),
        file_name=name("geojson"),
        mime="application/geo+json",
        on_click="ignore",
    )
    downloads[1].download_button(
        "CSV (ACLED columns)",
        data=lambda: to_acled_csv(shown).encode("utf-8"),
        file_name=name("csv"),
        mime="text/csv",
        on_click="ignore",
    )
    downloads[2].download_button(
        "GeoPackage",
        data=lambda: gpkg_bytes(shown),
        file_name=name("gpkg"),
        mime="application/geopackage+sqlite3",
        on_click="ignore",
    )
    downloads[3].download_button(
        "KML",
        data=lambda: kml_bytes(shown),
        file_name=name("kml"),
        mime="application/vnd.google-earth.kml+xml",
        on_click="ignore",
    )
    timeline.show(
        filter_layers(layers, **undated_filters).events,
        start=current.start,
        end=current.end,
        bounds=(choices.first, choices.last),
    )
    point = selection.clicked_point(returned)
    if point != state.get("last_point"):  # a new click on the map: offered to the review
        state["last_point"] = point
        if point is not None:
            state[review.MAP_POINT] = point
    clicked = selection.clicked_id(returned)
    if clicked != state.get("last_click"):  # a new click, not the value kept from before
        state["last_click"] = clicked
        if clicked:
            state["selected"] = clicked

with panel_column:
    chosen = selection.find(state["selected"], corpus, everything)
    if chosen is None:
        st.caption("Click a marker to read its article here, with every place marked.")
    else:
        parts = [panel.PANEL_CSS, panel.heading_html(chosen.name, chosen.layer)]
        parts.append(panel.fields_html(chosen.fields))
        if chosen.layer == "event":  # its review, between its fields and its article
            st.html("".join(parts))
            parts = [panel.PANEL_CSS]
            rows = everything.events[everything.events["id"] == chosen.id]
            if len(rows):
                review.show(rows.iloc[0].to_dict(), everything.events)
        if chosen.article is not None:
            parts.append(panel.heading_html(chosen.article.title or chosen.article.id, "article"))
            parts.append(panel.source_html(chosen.article.url))
            spans = [(mention.start, mention.end) for mention in chosen.mentions]
            # One view renders a window around the evidence; "Show more" widens it.
            if state.get("panel_for") != state["selected"]:
                state["panel_for"], state["panel_size"] = state["selected"], panel.WINDOW
            text = chosen.article.text
            window = panel.window_of(len(text), chosen.evidence, state["panel_size"])
            parts.append(
                panel.article_html(
                    text, spans, evidence=chosen.evidence, body=chosen.article.body, window=window
                )
            )
        st.html("".join(parts))
        if chosen.article is not None:
            # Why the article gives no more than this: each sentence left out, and why.
            gone = articles.left_out(corpus.dropped, chosen.article.id)
            told = int((layers.events["article"] == chosen.article.id).sum())
            if gone:
                with st.expander(
                    f"{told} events from this article; {len(gone)} sentences left out"
                ):
                    st.text("\n".join(f"at {offset:,}: {why}" for offset, why in gone))
            else:
                st.caption(f"{told} events from this article; no sentence left out.")
        if chosen.article is not None and window != (0, len(chosen.article.text)):
            if st.button("Show more of the article", key="panel_more"):
                state["panel_size"] *= 4
                st.rerun()

if count:
    st.subheader("Events shown")
    table = shown.events.head(TABLE_ROWS)
    if count > TABLE_ROWS:
        st.caption(
            f"Pick a row to show it on the map and read its article. The first {TABLE_ROWS:,} of "
            f"{count:,} events are listed; the map and the downloads hold all of them."
        )
    else:
        st.caption("Pick a row to show it on the map and read its article beside the map.")
    state["table_ids"] = ids = list(table["id"])
    note = selection.table_note(ids, shown.events["id"].tolist(), state["selected"])
    if note:
        st.caption(note)
    # Only http(s) addresses become links; the rest of a row is plain text.
    listed = table[TABLE_COLUMNS].assign(source_url=table["source_url"].map(web_url))
    marks = selection.row_css(ids, state["selected"])
    # A Styler sends every cell's display text and style beside the data (twice the
    # bytes on every run): only when a listed row is marked.
    styled = listed.style.apply(lambda column: marks, axis=0) if any(marks) else listed
    st.dataframe(
        styled,
        hide_index=True,
        width="stretch",
        key="table",
        on_select="rerun",
        selection_mode="single-row",
        # A missing toll reads "not reported", not "None" (Streamlit draws missing cells
        # with the placeholder and ignores a Styler's na_rep); the column stays numeric,
        # so it sorts by the number.
        placeholder=NOT_REPORTED,
        column_config={
            "fatalities": st.column_config.NumberColumn("fatalities", format="%d"),
            "source_url": st.column_config.LinkColumn("source link"),
        },
    )

st.subheader("Articles")
st.caption(
    "Every article, its events and those the filters show; why an article gave no event, "
    "or which of its sentences were left out and why (pick a marker to read them one by one)."
)
listed_articles = articles.articles_table(corpus, layers.events, shown.events, limit=TABLE_ROWS)
if len(corpus.articles) > TABLE_ROWS:  # a large collection: its table is sent on every run
    st.caption(
        f"The first {TABLE_ROWS:,} of {len(corpus.articles):,} articles are listed: those that "
        "gave no event first, then by how many they gave (the map, its pop-ups and the "
        "downloads hold every article's events)."
    )
st.dataframe(
    listed_articles,
    hide_index=True,
    width="stretch",
    key="articles",
    column_config={
        "why": st.column_config.TextColumn("why", width="large"),
        "url": st.column_config.LinkColumn("url"),
    },
)

link_query = view.to_query(replace(current, selected=state["selected"], center=None, zoom=None))
for key in ("c", "z"):  # the map writes its centre and zoom into the link as it moves
    if key in st.query_params:
        link_query[key] = st.query_params[key]
st.query_params.from_dict(link_query)
