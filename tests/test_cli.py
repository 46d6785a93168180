"""The command line as a user runs it: ``python -m geo toponyms`` and friends."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from geo.cli import SUBCOMMANDS, build_parser, main

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
KEYS = [
    "text",
    "start",
    "end",
    "place_id",
    "name",
    "kind",
    "country",
    "lat",
    "lon",
    "source",
    "confidence",
]


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run ``python -m geo`` as a user would, with the same world-index cache as the tests."""
    return subprocess.run(
        [sys.executable, "-m", "geo", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def seed_output() -> list[dict[str, object]]:
    result = run("toponyms", *(str(p) for p in SEEDS))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_one_json_object_per_line_per_file(seed_output: list[dict[str, object]]) -> None:
    assert [record["file"] for record in seed_output] == [str(p) for p in SEEDS]
    for record in seed_output:
        assert list(record) == ["file", "mentions"]
        mentions = record["mentions"]
        assert isinstance(mentions, list) and mentions
        for mention in mentions:
            assert list(mention) == KEYS
            assert mention["source"] in ("curated", "geonames")
            assert -90 <= mention["lat"] <= 90 and -180 <= mention["lon"] <= 180
            assert 0 <= mention["confidence"] <= 1


def test_offsets_index_the_file_text_decoded_as_utf8(seed_output: list[dict[str, object]]) -> None:
    for record in seed_output:
        text = Path(str(record["file"])).read_text(encoding="utf-8")
        for mention in record["mentions"]:  # type: ignore[attr-defined]
            assert text[mention["start"] : mention["end"]] == mention["text"]


def test_the_seeds_places_come_out_of_the_command_line(
    seed_output: list[dict[str, object]],
) -> None:
    found = {m["place_id"] for record in seed_output for m in record["mentions"]}  # type: ignore[attr-defined]
    expected = {"aleppo", "sheikh-hader", "sheikh-maqsood", "castello-road", "hmeimim-air-base"}
    expected |= {"geneva", "lausanne", "moscow", "hangzhou", "amman", "damascus", "syria"}
    expected |= {"russia", "united-states", "jordan", "china", "eastern-aleppo"}
    assert expected <= found
    texts = {m["text"] for record in seed_output for m in record["mentions"]}  # type: ignore[attr-defined]
    assert not texts & {"Kremlin", "White House", "Pentagon", "Interfax", "TASS", "Valdai"}
    assert not texts & {"Nigeria", "Kano", "Delta", "Adamawa", "AC Milan"}


def test_unnamed_humanitarian_corridors_come_out_as_aleppo_corridors(
    seed_output: list[dict[str, object]],
) -> None:
    # "via the 1st and 6th humanitarian corridors": one span, one record per corridor.
    first = seed_output[0]["mentions"]
    spans: dict[tuple[int, int], set[str]] = {}
    for m in first:  # type: ignore[attr-defined]
        if m["text"] == "humanitarian corridors":
            spans.setdefault((m["start"], m["end"]), set()).add(m["place_id"])
            assert m["kind"] == "corridor" and m["confidence"] < 0.8
    assert spans
    corridors = {"castello-road-corridor", "ramouseh-corridor", "sheikh-said-corridor"}
    assert all(ids == corridors for ids in spans.values())


def test_build_maps_the_corridors_the_seeds_speak_of(tmp_path: Path) -> None:
    result = run("build", "seeds", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "4 corridors" in result.stdout  # Castello Road and Aleppo's three corridors
    collection = json.loads((tmp_path / "map.geojson").read_text(encoding="utf-8"))
    corridors = {
        f["properties"]["id"]: f["properties"]
        for f in collection["features"]
        if f["properties"]["layer"] == "corridor"
    }
    assert set(corridors) == {
        "castello-road",
        "castello-road-corridor",
        "ramouseh-corridor",
        "sheikh-said-corridor",
    }
    assert corridors["ramouseh-corridor"]["events"], "linked to the events that speak of it"


def test_a_build_in_worker_processes_writes_the_same_files(tmp_path: Path) -> None:
    # The seeds and a report of our own, read by two forked workers and then in-process.
    articles = tmp_path / "articles"
    articles.mkdir()
    for seed in SEEDS:
        (articles / seed.name).write_bytes(seed.read_bytes())
    (articles / "kharkiv.txt").write_text(
        "Shelling hits Kharkiv\n\nMarch 3, 2022\n\n"
        "KHARKIV, March 3 - Artillery shells hit a market in Kharkiv on Wednesday, killing "
        "four civilians, regional officials said.\n",
        encoding="utf-8",
    )
    one, two = tmp_path / "one", tmp_path / "two"
    serial = run("build", str(articles), "--out", str(one))
    parallel = run("build", str(articles), "--out", str(two), "--jobs", "2")
    assert serial.returncode == 0 and parallel.returncode == 0, serial.stderr + parallel.stderr
    assert parallel.stdout == serial.stdout and "6 articles" in serial.stdout
    for name in ("map.geojson", "events.csv", "map.kml", "map.html"):
        assert (two / name).read_bytes() == (one / name).read_bytes(), name


def test_jobs_must_be_a_whole_number_of_workers(tmp_path: Path) -> None:
    result = run("build", "seeds", "--out", str(tmp_path), "--jobs", "0")
    assert result.returncode == 2
    assert "--jobs: expected a whole number of 1 or more, got '0'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "map.geojson").exists()


def test_gazetteer_only_mode(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Shelling in Aleppo and Mosul.\n", encoding="utf-8")
    result = run("toponyms", "--no-world", str(article))
    assert result.returncode == 0, result.stderr
    names = [m["text"] for m in json.loads(result.stdout)["mentions"]]
    assert names == ["Aleppo"]


@pytest.mark.parametrize(
    ("content", "expect"),
    [
        pytest.param(None, "missing.txt", id="missing file"),
        pytest.param(b"\x00\x01\x02\xff\xfe\x00binary\x00" * 50, "bad.txt", id="binary file"),
        pytest.param(b"", "bad.txt", id="empty file"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_2(
    tmp_path: Path, content: bytes | None, expect: str
) -> None:
    if content is None:
        path = tmp_path / "missing.txt"
    else:
        path = tmp_path / "bad.txt"
        path.write_bytes(content)
    result = run("toponyms", str(path))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expect in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_gazetteer_is_named_with_its_line(tmp_path: Path) -> None:
    gazetteer = tmp_path / "places.csv"
    gazetteer.write_text(
        "id,name,kind,lat,lon,country,aliases,geometry,precision_m,source,note\n"
        "aleppo,Aleppo,city,136.2,37.1,SY,,,5000,GeoNames,\n",
        encoding="utf-8",
    )
    result = run("toponyms", "--gazetteer", str(gazetteer), str(SEEDS[0]))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert f"{gazetteer}:2" in result.stderr and "latitude" in result.stderr


def test_help_credits_geonames() -> None:
    result = run("--help")
    assert result.returncode == 0
    assert "GeoNames" in result.stdout and "CC BY 4.0" in result.stdout
    assert "toponyms" in result.stdout and "evaluate" in result.stdout


def test_console_script_is_the_same_entry_point(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["toponyms", "--no-world", str(SEEDS[0])]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["file"] == str(SEEDS[0]) and record["mentions"]


def test_a_subcommand_is_one_function_in_the_table() -> None:
    assert len(SUBCOMMANDS) >= 2
    parser = build_parser()
    args = parser.parse_args(["toponyms", "x.txt"])
    assert callable(args.handler)


def test_usage_errors_exit_2_without_traceback() -> None:
    result = run("no-such-command")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


# Reports of our own: one with a planned march and a retold shelling, one with no event.
VERBOSE_REPORTS = {
    "dnipro.txt": (
        "Missiles hit Dnipro\n\nDNIPRO, Ukraine, April 19, 2024 (Wire) - Russian missiles "
        "struck a railway station in Dnipro on Friday, killing eight people, the regional "
        "governor said. The missiles hit the station during the morning rush, he said.\n\n"
        "Residents plan to march through the city centre next week.\n"
    ),
    "markets.txt": (
        "Shares rise\n\nFRANKFURT, May 6, 2024 (Wire) - German shares rose on Monday as "
        "carmakers gained, traders said.\n"
    ),
}


@pytest.mark.parametrize("verbose", [False, True], ids=["plain", "-v"])
def test_build_verbose_prints_every_dropped_sentence_with_where_and_why(
    tmp_path: Path, verbose: bool
) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    for name, text in VERBOSE_REPORTS.items():
        (articles / name).write_text(text, encoding="utf-8")
    result = run(
        "build", str(articles), "--out", str(tmp_path / "out"), *(["-v"] if verbose else [])
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    dropped = [line for line in lines if line.startswith("dropped ")]
    assert any(line.startswith("no event from markets: no event words") for line in lines)
    if not verbose:
        assert dropped == []
        return
    assert any(line.startswith("dropped dnipro:") and "planned" in line for line in dropped)
    assert any(line.startswith("dropped dnipro:") and "told again" in line for line in dropped)
    summary = int(re.search(r"dropped (\d+) sentence", lines[0])[1])  # type: ignore[index]
    assert len(dropped) == summary


REPORT_PAGE = """<!DOCTYPE html><html><head><title>Shelling in Aleppo | Hostile Wire</title>
<link rel="canonical" href="/2016/09/18/shelling-in-aleppo">
<meta property="og:url" content="https://wire.example.org/amp/18">
<meta property="article:published_time" content="2016-09-18T10:00:00Z">
</head><body><article><h1>Shelling in Aleppo</h1>
<p>ALEPPO, September 18, 2016 (Hostile Wire) - Syrian government forces shelled the Sheikh
Maqsood district of Aleppo on Saturday, killing 5 civilians, the monitor said.</p>
</article></body></html>"""


def test_build_exports_the_web_address_an_html_page_declares(tmp_path: Path) -> None:
    articles = tmp_path / "in"
    articles.mkdir()
    (articles / "shelling.html").write_text(REPORT_PAGE, encoding="utf-8")
    (articles / "wire.txt").write_text(
        "Shelling in Aleppo\n\nALEPPO, September 18, 2016 (Hostile Wire) - Government forces "
        "shelled the Sheikh Maqsood district of Aleppo on Saturday, killing 3 civilians.\n",
        encoding="utf-8",
    )
    result = run("build", str(articles), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    with (tmp_path / "out" / "events.csv").open(encoding="utf-8", newline="") as handle:
        urls = {(row["article"], row["source_url"]) for row in csv.DictReader(handle)}
    assert urls == {
        ("shelling", "https://wire.example.org/2016/09/18/shelling-in-aleppo"),
        ("wire", ""),
    }
    page = (tmp_path / "out" / "map.html").read_text(encoding="utf-8")
    assert "https://wire.example.org/2016/09/18/shelling-in-aleppo" in page
