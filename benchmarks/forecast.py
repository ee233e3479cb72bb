"""Forecast benchmark: `okrplan forecast` of the synthetic organisation, 10,000 simulations.

Usage: python benchmarks/forecast.py [--people 100000] [--seed 1] [--sims 10000]
                                     [--plan DIR] [--keep DIR] [--repeat 3]

It writes the synthetic target file (benchmarks/synth.py) and decomposes it into a plan
directory (or takes --plan DIR, a plan directory already made), then runs `okrplan forecast
DIR --sims N --format json` in fresh processes (--repeat times) and prints, per run: the wall
time, the CPU time (user + system, what the machine's other load does not inflate as much), the
peak memory, and the stages inside (read plan.json, build the model, simulate), and the whole
`okrplan forecast` process end to end (imports included: wall and CPU); then the best of the
runs against the targets (the whole process ≤ 10 s and ≤ 2 GB at 100,000 people).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TARGET_SECONDS = 10.0
TARGET_MB = 2048.0


def child(plan: str, sims: int) -> None:
    """In a fresh process: the stages of `okrplan forecast`, timed, then the command itself."""
    start = time.perf_counter()
    from okrplan.forecast.model import build_model
    from okrplan.forecast.present import to_json
    from okrplan.forecast.run import forecast
    from okrplan.forecast.simulate import simulate
    from okrplan.forecast.source import load_org

    stages: dict[str, float] = {}
    mark = time.perf_counter()
    org = load_org(plan)
    stages["read"], mark = time.perf_counter() - mark, time.perf_counter()
    model = build_model(org)
    stages["model"], mark = time.perf_counter() - mark, time.perf_counter()
    simulate(model, sims=sims, seed=1)
    stages["simulate"] = time.perf_counter() - mark
    del org, model
    mark = time.perf_counter()
    cpu = time.process_time()
    text = to_json(forecast(plan, sims=sims, seed=1))
    command = time.perf_counter() - mark
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "stages": stages,
                "command": command,
                "command_cpu": time.process_time() - cpu,
                "imports_and_all": time.perf_counter() - start,
                "peak_mb": usage.ru_maxrss / 1024,
                "units": len(json.loads(text)["units"]),
            }
        )
    )


def whole_process(plan: Path, sims: int) -> tuple[float, float]:
    """`okrplan forecast` end to end in a fresh process (imports included): wall and CPU
    (user + system, from the children's resource usage) seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "okrplan.cli", "forecast", str(plan), "--sims", str(sims)],
        check=True,
        capture_output=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def make_plan(people: int, seed: int, folder: Path) -> Path:
    target = folder / f"synthetic-{people}.yaml"
    text = subprocess.run(
        [sys.executable, str(HERE / "synth.py"), "--people", str(people), "--seed", str(seed)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    target.write_text(text, encoding="utf-8")
    out = folder / f"plan-{people}"
    print(f"decomposing {people:,} people …", file=sys.stderr)
    subprocess.run(
        [sys.executable, "-m", "okrplan.cli", "decompose", str(target), "-o", str(out), "-q"],
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sims", type=int, default=10_000)
    parser.add_argument("--plan", help="a plan directory already decomposed")
    parser.add_argument("--keep", help="keep the target file and plan here")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.sims)
        return
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(args.keep or scratch)
        folder.mkdir(parents=True, exist_ok=True)
        plan = Path(args.plan) if args.plan else make_plan(args.people, args.seed, folder)
        runs = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, __file__, "--child", str(plan), "--sims", str(args.sims)],
                check=True,
                capture_output=True,
                text=True,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
            )
            result = json.loads(done.stdout)
            result["wall"] = time.perf_counter() - start
            result["process"], result["process_cpu"] = whole_process(plan, args.sims)
            runs.append(result)
            print(json.dumps(result), file=sys.stderr)
    best = min(runs, key=lambda r: r["command"])
    whole = min(runs, key=lambda r: r["process"])
    print(
        "| plan | sims | forecast wall (s) | CPU (s) | read / model / simulate (s) | "
        "process wall / CPU (s) | peak MB |"
    )
    print("|---|---:|---:|---:|---|---|---:|")
    s = best["stages"]
    print(
        f"| {plan.name} ({best['units']:,} units) | {args.sims:,} | {best['command']:.1f} | "
        f"{best['command_cpu']:.1f} | {s['read']:.1f} / {s['model']:.1f} / {s['simulate']:.1f} | "
        f"{whole['process']:.1f} / {whole['process_cpu']:.1f} | {best['peak_mb']:.0f} |"
    )
    ok = whole["process"] <= TARGET_SECONDS and best["peak_mb"] <= TARGET_MB
    print(f"target ≤ {TARGET_SECONDS:.0f} s and ≤ {TARGET_MB:.0f} MB: {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
