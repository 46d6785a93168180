"""A build replaces its outputs all together or leaves the old ones whole (geo/outputs.py).

The interrupt tests run ``python -m geo build`` on a few hundred synthetic articles in a
subprocess, wait until the output folder starts to change, and send SIGINT or SIGKILL: the
previous run's files must then be there, byte for byte.
"""

from __future__ import annotations

import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from geo.cli import main
from geo.errors import ExportError
from geo.export import OUTPUT_FILES
from geo.gazetteer import load_gazetteer
from geo.outputs import STAGING_PREFIX, OutputSet

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from synthetic import write_articles  # noqa: E402

#: Enough synthetic articles that writing the five files takes a second or two.
ARTICLES = 400


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("articles")
    write_articles(folder, load_gazetteer(), ARTICLES)
    return folder


def snapshot(out: Path) -> dict[str, bytes]:
    """Every file under ``out`` (staging folders included) and its bytes."""
    return {
        str(path.relative_to(out)): path.read_bytes()
        for path in sorted(out.rglob("*"))
        if path.is_file()
    }


def visible(files: dict[str, bytes]) -> dict[str, bytes]:
    return {name: data for name, data in files.items() if not name.startswith(".")}


@pytest.fixture()
def old_outputs(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    """An output folder holding a finished build of the seeds, and its files."""
    out = tmp_path / "out"
    assert main(["build", str(ROOT / "seeds"), "--out", str(out), "--no-world"]) == 0
    files = snapshot(out)
    assert set(OUTPUT_FILES) <= set(files)
    return out, files


def build_command(articles: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "geo", "build", str(articles), "--out", str(out), "--no-world"]


def changed_files(out: Path, before: dict[str, tuple[int, int]]) -> int:
    """How many files under ``out`` are new or differ (size, mtime) from ``before``."""
    count = 0
    for path in out.rglob("*"):
        try:
            if not path.is_file():
                continue
            stat = path.stat()
        except FileNotFoundError:
            continue  # renamed or removed while we looked
        if before.get(str(path.relative_to(out))) != (stat.st_size, stat.st_mtime_ns):
            count += 1
    return count


def stats(out: Path) -> dict[str, tuple[int, int]]:
    return {
        str(path.relative_to(out)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in out.rglob("*")
        if path.is_file()
    }


def interrupt_when(proc: subprocess.Popen[bytes], out: Path, files: int, sig: int) -> None:
    """Send ``sig`` to the build as soon as ``files`` files under ``out`` have changed."""
    before = stats(out)
    while changed_files(out, before) < files:
        try:
            proc.wait(timeout=0.002)
        except subprocess.TimeoutExpired:
            continue
        raise AssertionError(f"the build ended (status {proc.returncode}) before it was hit")
    proc.send_signal(sig)


@pytest.mark.parametrize(
    ("sig", "after"),
    [
        pytest.param(signal.SIGINT, 1, id="^C as the first file is written"),
        pytest.param(signal.SIGINT, 3, id="^C with three files written"),
        pytest.param(signal.SIGKILL, 1, id="kill as the first file is written"),
        pytest.param(signal.SIGKILL, 3, id="kill with three files written"),
    ],
)
def test_an_interrupted_build_leaves_the_previous_outputs_whole(
    big_corpus: Path, old_outputs: tuple[Path, dict[str, bytes]], sig: int, after: int
) -> None:
    out, old = old_outputs
    proc = subprocess.Popen(
        build_command(big_corpus, out),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        interrupt_when(proc, out, after, sig)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert visible(snapshot(out)) == visible(old), "the previous outputs were changed"
    if sig == signal.SIGINT:
        assert proc.returncode == 130
        assert err.decode().splitlines()[-1] == "newsmap: interrupted"
        assert snapshot(out) == old, "an interrupted build left its staging folder behind"
    else:
        assert proc.returncode == -signal.SIGKILL


def _limit_file_size() -> None:
    # Files bigger than 1 MB fail with EFBIG, as on a nearly full disk (Python ignores
    # SIGXFSZ, so the write raises instead of killing the process).
    resource.setrlimit(resource.RLIMIT_FSIZE, (1_000_000, 1_000_000))


def test_a_build_that_cannot_write_says_so_in_one_line_and_keeps_the_old_set(
    big_corpus: Path, old_outputs: tuple[Path, dict[str, bytes]]
) -> None:
    out, old = old_outputs
    proc = subprocess.run(
        build_command(big_corpus, out),
        cwd=ROOT,
        capture_output=True,
        text=True,
        preexec_fn=_limit_file_size,
        check=False,
    )
    last = proc.stderr.splitlines()[-1]  # after the articles' progress bar
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert last.startswith("newsmap build: error: ") and str(out / "map.geojson") in last
    assert last.endswith("cannot write: File too large")
    assert snapshot(out) == old


def test_a_staging_folder_left_by_a_killed_run_is_removed_by_the_next(tmp_path: Path) -> None:
    out = tmp_path / "out"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    stale = out / f"{STAGING_PREFIX}{dead.stdout.strip()}-abc"
    (stale / "vendor").mkdir(parents=True)
    (stale / "map.kml").write_text("<kml")
    assert main(["build", str(ROOT / "seeds"), "--out", str(out), "--no-world"]) == 0
    assert not stale.exists()
    assert sorted(p.name for p in out.iterdir()) == sorted([*OUTPUT_FILES, "vendor"])


def test_a_folder_in_the_way_of_one_file_leaves_the_others_as_they_were(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "events.csv").write_text("old events\n")
    (out / "map.kml").mkdir()  # the set cannot be completed
    with OutputSet(out) as staged:
        staged.path("events.csv").write_text("new events\n")
        staged.path("map.kml").write_text("<kml/>")
        with pytest.raises(ExportError, match=r"map\.kml: is a folder"):
            staged.commit()
    assert (out / "events.csv").read_text() == "old events\n"
    assert sorted(p.name for p in out.iterdir()) == ["events.csv", "map.kml"]


def test_a_failed_rename_puts_back_the_files_already_replaced(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "events.csv").write_text("old events\n")
    (out / "vendor").write_text("a file where the scripts' folder goes\n")
    with OutputSet(out) as staged:
        staged.path("events.csv").write_text("new events\n")
        staged.path("vendor/leaflet.js").write_text("L = {};\n")
        with pytest.raises(ExportError, match=r"vendor: cannot write"):
            staged.commit()  # events.csv is renamed first, then vendor/ cannot be made
    assert (out / "events.csv").read_text() == "old events\n"
    assert sorted(p.name for p in out.iterdir()) == ["events.csv", "vendor"]


# --- symbolic links in the output folder (issue 13) ---------------------------------------


def test_a_link_planted_where_an_output_goes_is_replaced_not_written_through(
    tmp_path: Path,
) -> None:
    victim = tmp_path / "precious.txt"
    victim.write_text("do not touch\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "map.kml").symlink_to(victim)
    assert main(["build", str(ROOT / "seeds"), "--out", str(out), "--no-world"]) == 0
    assert victim.read_text() == "do not touch\n"
    assert not (out / "map.kml").is_symlink()
    assert (out / "map.kml").read_bytes().startswith(b"<?xml")


def test_a_linked_vendor_folder_stops_the_build_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "vendor").symlink_to(elsewhere, target_is_directory=True)
    status = main(["build", str(ROOT / "seeds"), "--out", str(out), "--no-world"])
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and "vendor: is a symbolic link" in err
    assert list(elsewhere.iterdir()) == []
    assert sorted(p.name for p in out.iterdir()) == ["vendor"]
