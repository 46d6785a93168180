"""The sidebar's widgets: filters, basemap and adding an article.

Widget values live in ``st.session_state`` under the keys below. Before the widgets are
drawn they are set from the view (read from the URL on a session's first run), so a link
reproduces the filters and values the data no longer offers are dropped.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Collection, Mapping, Sequence

import streamlit as st

from dashboard.basemaps import BASEMAPS, label
from dashboard.data import PASTED, Upload, add, default_reviewer, read_pasted, read_upload
from dashboard.view import Choices, View, fit
from geo.articles import MAX_ARTICLE_BYTES
from geo.errors import ArticleError, StoreError
from geo.store.ingest import Added
from geo.store.schema import REVIEW_STATUSES
from geo.urls import MAX_URL_CHARS, check_web_url
from geo.world import fold

DATES, TYPES, OUTLETS, ARTICLES, ACTORS, CLAIMED, MINFAT, BASEMAP, STATUSES = (
    "w_dates",
    "w_types",
    "w_outlets",
    "w_articles",
    "w_actors",
    "w_claimed",
    "w_minfat",
    "w_basemap",
    "w_status",
)
REVIEWER = "w_reviewer"
#: The words the reader searches the articles for, in a collection too large to list.
FIND_ARTICLES = "w_find_articles"
#: Articles the "Articles" filter offers at once. Every option is sent to the browser on
#: every run: at 25,000 articles the list was 0.6 MB a run and held the map back by a
#: second, and nobody scrolls 25,000 titles. A larger collection is searched first.
ARTICLE_CHOICES = 200
#: The ids of the articles this session added, and their names as the reader gave them.
ADDED = "added_here"
#: The ids of the articles added in this run (opened beside the map once).
JUST_ADDED = "just_added"
UPLOAD_DATE, UPLOAD_OUTLET, UPLOAD_URL = "w_upload_date", "w_upload_outlet", "w_upload_url"
#: The upload form's address field, as its errors name it.
URL_LABEL = "URL"
_UPLOAD_SEEN = "upload_seen_ids"
_UPLOAD_ERRORS = "upload_errors"
_BOUNDS = "date_bounds"


def current_view(first_run_view: View) -> View:
    """Return the view the widgets hold, or ``first_run_view`` before they exist."""
    state = st.session_state
    if TYPES not in state:
        return first_run_view
    start = end = None
    if DATES in state and _BOUNDS in state:
        start, end = state[DATES]
        # Ends at the old range's edges mean "no restriction": new articles stay in view.
        first, last = state[_BOUNDS]
        start = None if start == first else start
        end = None if end == last else end
    return View(
        start=start,
        end=end,
        types=tuple(state[TYPES]),
        outlets=tuple(state[OUTLETS]),
        articles=tuple(state[ARTICLES]),
        actors=tuple(state[ACTORS]),
        claimed=tuple(state[CLAIMED]),
        min_fatalities=int(state[MINFAT]),
        statuses=tuple(state[STATUSES]),
        selected=first_run_view.selected,
        basemap=state[BASEMAP],
    )


def filters(view: View, choices: Choices, titles: Mapping[str, str]) -> View:
    """Draw the filter and basemap widgets set to ``view``; return the view they hold."""
    view = fit(view, choices)
    state = st.session_state
    state[TYPES] = list(view.types)
    state[OUTLETS] = list(view.outlets)
    state[ARTICLES] = list(view.articles)
    state[ACTORS] = list(view.actors)
    state[CLAIMED] = list(view.claimed)
    state[MINFAT] = view.min_fatalities
    state[STATUSES] = list(view.statuses)
    state[BASEMAP] = view.basemap

    st.header("Filters")
    if choices.first is not None and choices.last is not None and choices.first < choices.last:
        state[DATES] = (view.start or choices.first, view.end or choices.last)
        state[_BOUNDS] = (choices.first, choices.last)
        st.slider(
            "Dates",
            min_value=choices.first,
            max_value=choices.last,
            step=dt.timedelta(days=1),
            format="D MMM YYYY",
            key=DATES,
        )
    elif choices.first is not None:
        st.caption(f"Every event is dated {choices.first:%-d %B %Y}.")
    st.multiselect("Event types", choices.types, key=TYPES, placeholder="All event types")
    st.multiselect("Outlets", choices.outlets, key=OUTLETS, placeholder="All outlets")
    offered = choices.articles
    if len(choices.articles) > ARTICLE_CHOICES:
        st.text_input(
            "Find articles",
            key=FIND_ARTICLES,
            placeholder="Words of a title, or an article id",
            help=f"The Articles list below offers up to {ARTICLE_CHOICES} articles at a time.",
        )
        query = state.get(FIND_ARTICLES, "")
        offered, matched = article_options(
            choices.articles, titles, query, chosen=state[ARTICLES], limit=ARTICLE_CHOICES
        )
        what = f"match “{query.strip()}”" if query.strip() else "are in this collection"
        shown = f"the first {ARTICLE_CHOICES:,} are" if matched > ARTICLE_CHOICES else "all are"
        st.caption(f"{matched:,} articles {what}; {shown} listed below.")
    st.multiselect(
        "Articles",
        offered,
        key=ARTICLES,
        format_func=lambda article: titles.get(article) or article,
        placeholder="All articles",
    )
    st.multiselect("Actors", choices.actors, key=ACTORS, placeholder="All actors")
    st.multiselect(
        "Claimed by",
        choices.claimed,
        key=CLAIMED,
        placeholder="Anyone",
        help="Who the report says the event is according to: a ministry, a monitor, a wire.",
    )
    st.number_input(
        "Minimum fatalities",
        min_value=0,
        max_value=max(choices.max_fatalities, 0),
        step=1,
        key=MINFAT,
        help="Events whose report gives no death toll are hidden once this is above 0.",
    )
    st.multiselect(
        "Review status",
        REVIEW_STATUSES,
        key=STATUSES,
        placeholder="All but rejected",
        help="What reviewers said of each event: proposed is the machine's word alone.",
    )
    st.selectbox("Basemap", tuple(BASEMAPS), key=BASEMAP, format_func=label)
    if state[BASEMAP] != "none":
        st.caption("Tiles are fetched from the provider's servers on the internet.")
    return fit(current_view(view), choices)


def article_options(
    articles: Sequence[str],
    titles: Mapping[str, str],
    query: str,
    *,
    chosen: Sequence[str],
    limit: int,
) -> tuple[tuple[str, ...], int]:
    """Return the articles to offer for ``query`` and how many match it.

    The ``chosen`` ones are always offered (a widget drops a value its options lack);
    then, in the order of ``articles``, up to ``limit`` of those whose title or id holds
    every word of ``query`` (case and accents aside). An empty query matches every article.
    """
    words = fold(query).split()
    matching = list(articles)
    if words:
        searched = ((article, fold(f"{titles.get(article, '')} {article}")) for article in articles)
        matching = [article for article, text in searched if all(w in text for w in words)]
    kept = set(chosen)
    offered = [article for article in articles if article in kept]
    offered += [article for article in matching if article not in kept][:limit]
    return tuple(offered), len(matching)


#: An error box like Streamlit's own: the message is escaped HTML, never Markdown (which
#: would turn a URL in a file name into a link and ``![x](...)`` into a fetched image).
_ERROR_BOX = (
    '<div role="alert" class="nm-upload-error" style="background:#fdeced;color:#7d1128;'
    'padding:12px 16px;border-radius:8px;overflow-wrap:anywhere">{}</div>'
)


def show_error(message: str) -> None:
    """Show a one-line error that may hold the reader's file name, as plain text."""
    st.html(_ERROR_BOX.format(html.escape(message)))


def reviewer() -> str:
    """Draw the reviewer's name field; return the name (the default when left blank)."""
    state = st.session_state
    state.setdefault(REVIEWER, default_reviewer())
    name = st.text_input(
        "Your name",
        key=REVIEWER,
        max_chars=120,
        help="Kept with every article you add and every review you make in this collection.",
    )
    return name.strip() or default_reviewer()


def reviewer_name() -> str:
    """Return the reviewer's name as the field holds it now (for a button's callback)."""
    return str(st.session_state.get(REVIEWER, "")).strip() or default_reviewer()


def add_article(*, by: str) -> dict[str, str]:
    """Draw the upload and paste widgets; add what is given to the collection, as ``by``.

    Several files may be uploaded at once: each is read and added on its own, so a file
    that cannot be read (or does not fit the server's memory budget) shows its own
    one-line error and the others are still added. Returns ``{article id: name}`` of the
    articles this session added.
    """
    state = st.session_state
    added_here: dict[str, str] = state.setdefault(ADDED, {})
    errors: dict[str, str] = state.setdefault(_UPLOAD_ERRORS, {})
    seen: set[str] = state.setdefault(_UPLOAD_SEEN, set())
    notes: list[str] = []
    st.header("Add an article")
    st.caption("Added articles go into the collection, for every user of it.")
    with st.expander("Date, outlet and URL, for articles whose text gives none"):
        published = st.date_input(
            "Date of the report", value=None, key=UPLOAD_DATE, format="YYYY-MM-DD"
        )
        outlet = st.text_input("Outlet", key=UPLOAD_OUTLET, max_chars=120)
        typed = st.text_input(
            URL_LABEL,
            key=UPLOAD_URL,
            max_chars=MAX_URL_CHARS,
            placeholder="https://…",
            help="The report's web address (http or https), shown as its source link.",
        )
        try:
            url = check_web_url(typed, field=URL_LABEL)
        except ArticleError as exc:
            # Nothing is added while the address is wrong: a file read now would keep it.
            show_error(str(exc))
            url = None
    day = published if isinstance(published, dt.date) else None
    files = st.file_uploader(
        f"Upload .txt, .html or .md articles (each at most {MAX_ARTICLE_BYTES // 1_000_000} MB)",
        type=["txt", "html", "htm", "md"],
        accept_multiple_files=True,
        key="upload",
    )
    for file in files or ():
        if url is None or file.file_id in seen:  # seen: read before, added or its error kept
            continue
        seen.add(file.file_id)
        try:
            upload = read_upload(
                file.getvalue(), name=file.name, published=day, outlet=outlet, url=url
            )
            notes += _stored(add(upload, by=by), upload, added_here)
        except (ArticleError, StoreError) as exc:
            errors[file.file_id] = str(exc)
    for file in files or ():
        if file.file_id in errors:
            show_error(errors[file.file_id])
    with st.form("paste", clear_on_submit=False, border=False):
        text = st.text_area("…or paste its text", height=120, key="pasted")
        if st.form_submit_button("Map pasted text") and url is not None:
            try:
                upload = read_pasted(text, published=day, outlet=outlet, url=url)
                notes += _stored(add(upload, by=by), upload, added_here)
            except (ArticleError, StoreError) as exc:
                st.error(str(exc))  # no file name in it: "pasted text: ..."
    for note in notes:
        st.html(f'<p class="nm-note nm-already">{html.escape(note)}</p>')
    if added_here:
        names = ", ".join(added_here.values())
        # File names are the reader's input: escaped HTML, never Markdown.
        st.html(f'<p class="nm-note">Added in this session: {html.escape(names)}</p>')
    return dict(added_here)


def _stored(done: Added, upload: Upload, added_here: dict[str, str]) -> list[str]:
    """Record what adding ``upload`` did; return the lines that say it was there already."""
    name = upload.name or PASTED
    for article_id in done.added:
        added_here[article_id] = name
    st.session_state.setdefault(JUST_ADDED, []).extend(done.added)
    return [f"{name}: already in the collection (as {stored})" for _, stored in done.already]


def just_added() -> list[str]:
    """Return (once) the ids of the articles this run added."""
    return list(st.session_state.pop(JUST_ADDED, ()))


def silent_articles(
    silent: Sequence[tuple[str, str]], titles: Mapping[str, str], *, of: Collection[str]
) -> None:
    """Say, under the added articles, why each one (of the ids ``of``) gave no event.

    The title and the reason are the article's own words: escaped HTML, never Markdown.
    """
    for article_id, why in silent:
        if article_id not in of:
            continue
        name = titles.get(article_id) or article_id
        st.html(
            f'<p class="nm-note nm-silent" data-article="{html.escape(article_id)}">'
            f"No event from <b>{html.escape(name)}</b>: {html.escape(why)}</p>"
        )
