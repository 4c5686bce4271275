"""Benchmarks: `python tests/bench/bench.py --json` prints one JSON object of named figures.

Each `tests/bench/bench_*.py` module defines `figures(quick: bool) -> dict[str, float]`;
this runner calls them all (or those named with --only) and merges the results. Timing
lives here, never in the unit tests: the machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
sys.path.insert(0, str(HERE))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument(
        "--only", nargs="*", metavar="AREA", help="e.g. import audio suggest tui remote scale"
    )
    ap.add_argument("--quick", action="store_true", help="smaller inputs, for a smoke run")
    args = ap.parse_args()
    results: dict[str, object] = {}
    for path in sorted(HERE.glob("bench_*.py")):
        area = path.stem.removeprefix("bench_")
        if args.only and area not in args.only:
            continue
        spec = importlib.util.spec_from_file_location(f"bench_{area}", path)
        mod = importlib.util.module_from_spec(spec)
        # by its name, as a spawned process (bench_load's workers) imports it again
        sys.modules[spec.name] = mod
        started = time.perf_counter()
        try:
            spec.loader.exec_module(mod)
            results.update(mod.figures(args.quick))
        except Exception:  # noqa: BLE001  (one area's failure is reported, the rest still run)
            results[f"{area}_error"] = traceback.format_exc().strip().splitlines()[-1]
        if not args.json:
            print(f"{area}: {time.perf_counter() - started:.1f}s", file=sys.stderr)
    if args.json:
        print(json.dumps(results, sort_keys=True))
    else:
        for k, v in sorted(results.items()):
            print(f"{k:32} {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
