"""Run newsmap's benchmarks and print their markdown tables.

``python bench/run.py`` runs all of them at full size (tens of minutes on 2 cores);
``python bench/run.py --quick`` runs small versions in a few minutes; names select some:
``python bench/run.py --quick throughput startup``. Each benchmark is also a script of
its own (``python bench/throughput.py --help``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import basemap  # noqa: E402
import build  # noqa: E402
import collection_map  # noqa: E402
import dashboard_rerun  # noqa: E402
import events  # noqa: E402
import map_scale  # noqa: E402
import pathological  # noqa: E402
import startup  # noqa: E402
import store  # noqa: E402
import throughput  # noqa: E402

BENCHMARKS: dict[str, Callable[..., str]] = {
    "throughput": throughput.run,
    "startup": startup.run,
    "build": build.run,
    "events": events.run,
    "map": map_scale.run,
    "basemap": basemap.run,
    "dashboard": dashboard_rerun.run,
    "pathological": pathological.run,
    "store": store.run,
    "collection": collection_map.run,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the selected benchmarks (all by default) and print each table as it finishes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"benchmarks to run: {', '.join(BENCHMARKS)}")
    parser.add_argument("--quick", action="store_true", help="small sizes, a few minutes")
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {unknown[0]!r}; expected one of {', '.join(BENCHMARKS)}")
    names = args.names or list(BENCHMARKS)
    print(
        f"newsmap benchmarks, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"{'quick' if args.quick else 'full'} run, load average {os.getloadavg()[0]:.1f} "
        "at start (other work on the machine slows every figure)\n",
        flush=True,
    )
    for name in names:
        start = time.perf_counter()
        print(BENCHMARKS[name](quick=args.quick), flush=True)
        print(f"({name}: {time.perf_counter() - start:.0f} s)\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
