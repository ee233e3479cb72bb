"""Check-ins at scale: a raw CRM export of 10,000,000 activity rows for the 100,000-person
synthetic organisation, imported with `okrplan checkin`, then `okrplan status` of the whole plan.

Usage: python benchmarks/checkin.py [--people 100000] [--rows 10000000] [--work DIR]

The organisation is benchmarks/synth.py's, with every team's people named (员工000001, …) so
that a CRM export can name them; hire cohorts stay unnamed. The export has one row per call,
visit or deal (a deal with its amount), dated across the plan's year, for the named people and
a few strangers (listed by checkin, not counted). Each step runs in a fresh process, timed from
outside; the targets are ≤ 60 s for the import and ≤ 10 s for the status.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from synth import YEAR, synth  # noqa: E402

OKRPLAN = [str(Path(sys.executable).with_name("okrplan"))]
TEAM = re.compile(r"- \{role: ([^,]+), headcount: (\d+), sells")
ACTUALS = """
actuals:
  - file: crm.csv
    person: 负责人
    date: 日期
    unit: 营业部
    metric: {column: 类型, values: {电话: calls, 拜访: visits, 成交: deals}}
    amount: {column: 金额, metric: revenue}
"""


def named_target(people: int, seed: int) -> tuple[str, list[tuple[str, str]]]:
    """synth's target with named people, and (person, unit) of each."""
    text = synth(people, seed)
    named: list[tuple[str, str]] = []
    out: list[str] = []
    unit = ""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("- name: "):
            unit = stripped[len("- name: ") :]
        match = TEAM.search(line)
        if match and "ramp:" not in line and int(match[2]) > 0:
            names = [f"员工{len(named) + i + 1:06d}" for i in range(int(match[2]))]
            named += [(n, unit) for n in names]
            line = line.replace(f"headcount: {match[2]}", f"people: [{', '.join(names)}]")
        out.append(line)
    return "\n".join(out) + "\n" + ACTUALS, named


def crm_export(path: Path, named: list[tuple[str, str]], rows: int, seed: int) -> None:
    """``rows`` activity rows: 70% calls, 25% visits, 5% deals with an amount."""
    rng = random.Random(seed)
    days = [f"{YEAR}-{m:02d}-{d:02d}" for m in range(1, 13) for d in range(1, 29)]
    kinds = ["电话"] * 14 + ["拜访"] * 5 + ["成交"]
    strangers = [(f"外包{i:03d}", "营业部01") for i in range(20)]
    pool = named + strangers
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("负责人,营业部,日期,类型,金额\n")
        chunk = []
        for _ in range(rows):
            person, unit = pool[int(rng.random() * len(pool))]
            kind = kinds[int(rng.random() * 20)]
            amount = str(int(rng.random() * 50) * 10_000) if kind == "成交" else ""
            chunk.append(f"{person},{unit},{days[int(rng.random() * 336)]},{kind},{amount}\n")
            if len(chunk) == 100_000:
                out.writelines(chunk)
                chunk.clear()
        out.writelines(chunk)


def timed(args: list[str]) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Wall seconds, CPU seconds (user + system of the child) and the finished process. On a
    shared machine the CPU seconds are what the step costs; the wall clock includes waiting."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu, done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", default="benchmarks/out/checkin")
    args = parser.parse_args(argv)
    from bytecode import compile_okrplan

    compile_okrplan()  # as installed: no module compiled again in every timed process
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    text, named = named_target(args.people, args.seed)
    target = work / "target.yaml"
    target.write_text(text, encoding="utf-8")
    plan = work / "plan"
    if not (plan / "plan.json").is_file():
        print(f"decompose {args.people:,} people …", file=sys.stderr)
        from okrplan import api

        made = api.decompose(target)
        api.write_plan(made, plan, images=False, sheets=False, report=False, force=True)
    (plan / "progress.sqlite").unlink(missing_ok=True)
    crm = work / "crm.csv"
    if not crm.is_file() or crm.stat().st_size < args.rows * 20:
        print(f"write {args.rows:,} CRM rows …", file=sys.stderr)
        crm_export(crm, named, args.rows, args.seed)
    seconds, checkin_cpu, done = timed([*OKRPLAN, "checkin", str(plan), "--target", str(target)])
    print(done.stdout[-600:], done.stderr[-600:], file=sys.stderr)
    status_s, status_cpu, shown = timed([*OKRPLAN, "status", str(plan), "--as-of", f"{YEAR}-06-30",
                             "--format", "json"])  # fmt: skip
    lines = len(json.loads(shown.stdout)["lines"]) if shown.returncode == 0 else 0
    result = {
        "people": args.people, "named": len(named), "crm_rows": args.rows,
        "crm_mb": round(crm.stat().st_size / 2**20), "checkin_s": round(seconds, 1),
        "checkin_cpu_s": round(checkin_cpu, 1), "status_cpu_s": round(status_cpu, 1),
        "checkin_exit": done.returncode, "status_s": round(status_s, 1),
        "status_exit": shown.returncode, "status_lines": lines,
        "store_mb": round((plan / "progress.sqlite").stat().st_size / 2**20),
    }  # fmt: skip
    print(json.dumps(result, ensure_ascii=False))
    ok = done.returncode == 0 and shown.returncode == 0 and checkin_cpu <= 60 and status_cpu <= 10
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
