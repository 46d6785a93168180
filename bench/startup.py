"""Benchmark start-up and memory: the toponyms command on one seed against a bare interpreter.

Each command runs as its own process; its wall time and CPU time (user + system, from
``os.wait4``) and its peak resident memory (VmHWM, written by a tiny exit hook; rusage's
``ru_maxrss`` would start at the benchmark's own size) are taken per run, and the median
of the runs is shown. The 2 s target is for wall time on an idle machine;
CPU time is what to read on a busy one. The world index is warmed by one untimed run
first, so the figures are for a warm on-disk cache (the state after the first ever run).

Run ``python bench/startup.py`` (``--quick`` for 3 runs instead of 5).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Sequence

from table import REPO_ROOT, markdown, megabytes, python_command, ratio, run_child, seconds

TARGET_START_S = 2.0
TARGET_MEMORY_MB = 300.0

LOAD_WORLD = (
    "from geo.gazetteer import load_gazetteer\n"
    "from geo.world import load_world\n"
    "load_gazetteer(); load_world()\n"
)


def median_run(command: Sequence[str], runs: int) -> tuple[float, float, int, int]:
    """Return the median wall s, median CPU s, median peak RSS and worst exit code of runs."""
    results = [run_child(command) for _ in range(runs)]
    failed = next((r for r in results if r.code), None)
    if failed is not None:
        last = (failed.stderr.strip().splitlines() or ["(no output)"])[-1]
        sys.stderr.write(f"failed: {' '.join(command)!r}: {last}\n")
    return (
        statistics.median(r.wall for r in results),
        statistics.median(r.cpu for r in results),
        int(statistics.median(r.max_rss for r in results)),
        max(abs(r.code) for r in results),
    )


def run(*, quick: bool = False) -> str:
    """Measure start-up and memory and return the markdown table."""
    runs = 3 if quick else 5
    seeds = sorted((REPO_ROOT / "seeds").glob("000*.txt"))
    seed = str(seeds[0].relative_to(REPO_ROOT)) if seeds else "seeds/000.txt"
    commands = {
        "bare interpreter (`python -c pass`)": python_command("-c", "pass"),
        f"`python -m geo toponyms {seed}`": python_command("-m", "geo", "toponyms", seed),
        "load gazetteer + world index only": python_command("-c", LOAD_WORLD),
    }
    run_child(commands[f"`python -m geo toponyms {seed}`"])  # build or warm the cached index
    rows: list[list[object]] = []
    peer_time = peer_cpu = 0.0
    peer_memory = 0
    for label, command in commands.items():
        elapsed, cpu, memory, code = median_run(command, runs)
        if not peer_time:
            peer_time, peer_cpu, peer_memory = elapsed, cpu, memory
        verdict = ""
        if command is not commands[next(iter(commands))]:
            over = []
            if elapsed >= TARGET_START_S:
                over.append(f"over {TARGET_START_S:.0f} s")
            if memory >= TARGET_MEMORY_MB * 1e6:
                over.append(f"over {TARGET_MEMORY_MB:.0f} MB")
            verdict = "; ".join(over) or "within both"
        if code:
            verdict = f"FAILED (exit {code})"
        rows.append(
            [
                label,
                seconds(elapsed),
                ratio(elapsed, peer_time),
                seconds(cpu),
                ratio(cpu, peer_cpu),
                megabytes(memory),
                ratio(memory, peer_memory),
                verdict,
            ]
        )
    title = (
        f"Start-up and peak memory: median of {runs} runs, warm world-index cache "
        f"(targets: < {TARGET_START_S:.0f} s, < {TARGET_MEMORY_MB:.0f} MB)"
    )
    header = ["command", "wall", "vs bare", "CPU", "vs bare", "peak RSS", "vs bare", "target"]
    return markdown(title, header, rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark from the command line and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 runs instead of 5")
    args = parser.parse_args(argv)
    print(run(quick=args.quick))
    return 0


if __name__ == "__main__":
    sys.exit(main())
