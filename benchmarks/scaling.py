"""How `dualworker check` scales: 100 / 400 / 1,600 Workers of four hand-written styles.

    python benchmarks/scaling.py [--runs 5] [--jobs N] [SIZES...]

Generates each monorepo once (tests/monorepo.py), then times ``engine.run`` in-process (the
best and the median of ``--runs``) and prints a table with the cost per Worker, so a
non-linear step shows as a growing column: in one process (``jobs 1``) and split over processes
the way ``dualworker check`` does by default (one per CPU; ``--jobs`` to choose). The same
monorepos are pytest-benchmark cases
(`pytest tests/test_bench_check.py --benchmark-enable -k scaling`).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dualworker_cli.check.engine import run
from tests.monorepo import make_monorepo


def measure(workers: int, runs: int, jobs: int | None = None) -> tuple[float, float, float, int]:
    """(best, median) wall seconds of ``check`` on a fresh monorepo of ``workers``, the best CPU
    seconds of this process (steadier than wall time on a shared machine; a split run's other
    processes not counted), and its findings."""
    with tempfile.TemporaryDirectory() as tmp:
        root = make_monorepo(Path(tmp), workers)
        times, cpu, findings = [], [], 0
        for _ in range(runs):
            start, start_cpu = time.perf_counter(), time.process_time()
            result = run(root, jobs=jobs)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
            findings = sum(1 for f in result.findings if f.severity > 1)
    return min(times), statistics.median(times), min(cpu), findings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[100, 400, 1600])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=None, help="processes (default: as check chooses)")
    args = parser.parse_args(argv)
    head = ("workers", "jobs", "best s", "median s", "ms/worker", "cpu s", "findings")
    print(" ".join(f"{h:>{w}}" for h, w in zip(head, (8, 5, 8, 9, 10, 7, 9), strict=True)))
    for size in args.sizes:
        for jobs in (1, args.jobs):
            best, median, cpu, findings = measure(size, args.runs, jobs)
            shown = jobs or "auto"
            print(
                f"{size:>8} {shown:>5} {best:>8.2f} {median:>9.2f} {1000 * median / size:>10.2f} {cpu:>7.2f} "
                f"{findings:>9}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
