"""Wall time of `okrplan decompose` on every shipped scenario (a benchmark, not a test).

Usage: python benchmarks/scenarios.py [--repeat N]

Prints a Markdown table: end-to-end wall time of the CLI in a fresh process (what a planner
waits for), and the in-process stages (load, solve, write) of the best of N runs.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per scenario (best is kept)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from okrplan import api

    okrplan = Path(sys.executable).with_name("okrplan")
    print("| scenario | status | CLI wall s | load s | solve s | write s |")
    print("|---|---|---|---|---|---|")
    for scenario in sorted((ROOT / "scenarios").glob("*.yaml")):
        best = {
            "cli": float("inf"),
            "load": float("inf"),
            "solve": float("inf"),
            "write": float("inf"),
        }
        status = "?"
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as tmp:
                start = time.perf_counter()
                subprocess.run(
                    [str(okrplan), "decompose", str(scenario), "-o", f"{tmp}/cli", "-q"],
                    check=False,
                    capture_output=True,
                )
                best["cli"] = min(best["cli"], time.perf_counter() - start)
                start = time.perf_counter()
                spec = api.load(scenario)
                loaded = time.perf_counter()
                plan = api.decompose(spec)
                solved = time.perf_counter()
                api.write_plan(plan, f"{tmp}/lib")
                written = time.perf_counter()
                status = str(plan.status)
                best["load"] = min(best["load"], loaded - start)
                best["solve"] = min(best["solve"], solved - loaded)
                best["write"] = min(best["write"], written - solved)
        print(
            f"| {scenario.name} | {status} | {best['cli']:.2f} | {best['load']:.3f} | "
            f"{best['solve']:.3f} | {best['write']:.3f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
