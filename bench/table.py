"""Format benchmark results as markdown tables and time code the same way everywhere."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def markdown(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Return a markdown table with a bold title line above it."""
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [len(name) for name in header]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    lines = [f"**{title}**", ""]
    lines.append("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in cells:
        lines.append("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
    return "\n".join(lines) + "\n"


def clock() -> float:
    """Return this process's CPU seconds: the clock every in-process benchmark uses.

    On a shared machine wall time measures the neighbours; CPU time of single-threaded
    Python code measures the code, and equals its wall time on an idle machine.
    """
    return time.process_time()


def seconds(value: float) -> str:
    """Format a duration for a table: ms below one second, s above."""
    if value < 1.0:
        return f"{value * 1000:.1f} ms"
    return f"{value:.2f} s"


def megabytes(n_bytes: float) -> str:
    """Format a byte count in MB (10^6 bytes)."""
    return f"{n_bytes / 1e6:.2f} MB"


def ratio(value: float, peer: float) -> str:
    """Format ``value / peer`` as ``×N``; a dash when the peer is missing or zero."""
    if not peer:
        return "–"
    return f"×{value / peer:.2f}"


# Peak memory of a child is read from its own /proc/self/status (VmHWM) at exit: the
# rusage ru_maxrss of a child on Linux starts at its parent's size (fork, then exec).
_PEAK_ENV = "NEWSMAP_BENCH_PEAK_FILE"
_PEAK_HOOK = (
    "import atexit, os, sys\n"
    "def _bench_peak():\n"
    "    with open('/proc/self/status') as status:\n"
    "        kb = next(line.split()[1] for line in status if line.startswith('VmHWM:'))\n"
    f"    with open(os.environ['{_PEAK_ENV}'], 'w') as out:\n"
    "        out.write(kb)\n"
    "atexit.register(_bench_peak)\n"
)


def python_command(*args: str) -> list[str]:
    """Return ``python ARGS`` (``-c CODE`` or ``-m MODULE ...``) that also reports its peak RSS.

    The command runs the same code in the same interpreter; a small exit hook writes the
    process's peak resident memory for :func:`run_child` to read.
    """
    if args[0] == "-c":
        code = args[1]
    elif args[0] == "-m":
        code = (
            "import runpy\n"
            f"sys.argv = {[args[1], *args[2:]]!r}\n"
            f"runpy.run_module({args[1]!r}, run_name='__main__', alter_sys=True)\n"
        )
    else:
        raise ValueError(f"expected -c CODE or -m MODULE, got {args[0]!r}")
    return [sys.executable, "-c", _PEAK_HOOK + code]


@dataclass(frozen=True)
class ChildRun:
    """What one child process cost: wall and CPU seconds, peak memory, exit code, stderr."""

    wall: float
    cpu: float
    max_rss: int  # bytes; 0 when the command did not report it (see python_command)
    code: int
    stderr: str


def run_child(command: Sequence[str], *, cwd: Path = REPO_ROOT) -> ChildRun:
    """Run ``command`` to the end; time it with ``os.wait4`` (this child only)."""
    with tempfile.TemporaryDirectory(prefix="newsmap-bench-") as tmp:
        peak_file = Path(tmp) / "peak"
        env = {**os.environ, _PEAK_ENV: str(peak_file)}
        start = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        assert process.stderr is not None
        error = process.stderr.read().decode(errors="replace")
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        peak = int(peak_file.read_text()) * 1024 if peak_file.exists() else 0
    return ChildRun(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        max_rss=peak,
        code=process.returncode,
        stderr=error,
    )
