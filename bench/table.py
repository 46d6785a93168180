"""Format benchmark results as markdown tables and time code the same way everywhere."""

from __future__ import annotations

import os
import subprocess
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


@dataclass(frozen=True)
class ChildRun:
    """What one child process cost: wall and CPU seconds, peak memory, exit code, stderr."""

    wall: float
    cpu: float
    max_rss: int  # bytes
    code: int
    stderr: str


def run_child(command: Sequence[str], *, cwd: Path = REPO_ROOT) -> ChildRun:
    """Run ``command`` to the end; measure it with ``os.wait4`` (this child only)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    error = process.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return ChildRun(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        max_rss=usage.ru_maxrss * 1024,  # KiB on Linux
        code=process.returncode,
        stderr=error,
    )
