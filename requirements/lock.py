"""Write ``requirements/lock.txt``: every pin of ``constraints.txt`` with its file's hash.

``make`` installs the lock with ``pip install --no-deps --require-hashes``: pip takes
only a file whose SHA-256 is listed, so a package replaced on an index after the tests
passed with it is refused instead of installed. ``pip install --dry-run --report``
resolves the pins the way the install will (same indexes, same platform) and reports
the hash of each file it would take; nothing is installed. ``make constraints`` runs
this after re-pinning; ``python requirements/lock.py`` runs it alone.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONSTRAINTS = HERE.parent / "constraints.txt"
LOCK = HERE / "lock.txt"
HEADER = """\
# Every package newsmap's venv holds (but newsmap itself and the spaCy model, which
# requirements/model.txt pins), at the version constraints.txt names, with the SHA-256 of
# the file this machine's package indexes serve. make installs it with
# pip install --no-deps --require-hashes. Made by requirements/lock.py: do not edit.
"""


def pins(constraints: Path) -> list[str]:
    """The ``name==version`` lines of a constraints file."""
    lines = constraints.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def locked(requirements: list[str]) -> list[str]:
    """Return ``name==version --hash=sha256:...`` for each pin, as pip would install it."""
    with tempfile.TemporaryDirectory() as folder:
        wanted, report = Path(folder) / "pins.txt", Path(folder) / "report.json"
        wanted.write_text("\n".join(requirements) + "\n", encoding="utf-8")
        command = [sys.executable, "-m", "pip", "install", "--quiet", "--dry-run"]
        command += ["--ignore-installed", "--no-deps", "--report", str(report)]
        subprocess.run([*command, "-r", str(wanted)], check=True)
        answer = json.loads(report.read_text(encoding="utf-8"))
    lines = []
    for item in answer["install"]:
        name, version = item["metadata"]["name"], item["metadata"]["version"]
        digest = item["download_info"].get("archive_info", {}).get("hashes", {}).get("sha256")
        if not digest:
            raise SystemExit(f"lock.py: {name} {version}: the index gave no file hash")
        lines.append(f"{name.lower()}=={version} --hash=sha256:{digest}")
    if len(lines) != len(requirements):
        raise SystemExit(f"lock.py: {len(requirements)} pins but {len(lines)} files resolved")
    return sorted(lines)


def main() -> int:
    """Write the lock beside this script."""
    LOCK.write_text(HEADER + "\n".join(locked(pins(CONSTRAINTS))) + "\n", encoding="utf-8")
    print(f"wrote {LOCK}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
