"""Write a synthetic roster organisation: a short target file and a roster CSV of N people.

    python benchmarks/roster.py --people 100000 -o /tmp/roster100k    # target.yaml, people.csv
    python benchmarks/roster.py --people 100000 -o /tmp/roster100k --measure

Regions of teams of 8–14 account executives (a tenth of them joining during the year, a few
leaving, each with last year's sales: 0 for joiners), a role catalogue, two targets (revenue
by capacity, collections by history) and ``plan.calendar: CN``: what ``okrplan validate`` and
``decompose`` read from a real HR export. Deterministic for a seed.

``--measure`` also writes ``target-yaml.yaml``, the same organisation with its people typed
into YAML (what the roster becomes before validation), and loads both, each in a fresh process:
the roster's own share is its load (read the table, build the units) against the YAML's load
(parse the YAML), in CPU seconds, so it means something on a shared machine; wall time must be
measured on a quiet one.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

TARGET = """\
okrplan: 1
plan:
  name: Roster benchmark
  period: 2026
  locale: zh-CN
  calendar: CN
  buffer: 10%
kpi:
  - {{metric: revenue, target: {revenue}}}
  - {{metric: collections, target: {collections}, basis: history}}
metrics:
  revenue:       {{name: 销售额, kind: money}}
  deals:         {{name: 成交项目, unit: 个, yields: {{revenue: 20万}}}}
  opportunities: {{name: 商机, unit: 个, yields: {{deals: 30%}}}}
  calls:         {{name: 有效电话, unit: 个, yields: {{opportunities: 10%}}}}
  collections:   {{name: 回款额, kind: money}}
roles:
  销售:
    sells: deals
    capacity: {{calls: 120/周, opportunities: 30/月}}
    ramp: [0%, 50%, 100%]
    ramp_per: month
org:
  name: 公司
  roster: people.csv
split: {{rounding: {{money: 1万}}}}
"""


def write(people: int, out: Path, seed: int = 1) -> tuple[Path, Path]:
    """Write ``target.yaml`` and ``people.csv`` for ``people`` people into ``out``."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    rows: list[tuple[str, str, str, str, str, str]] = []
    history = 0
    region, team, left_in_team = 0, 0, 0
    for i in range(people):
        if left_in_team == 0:
            team += 1
            if team > 40 or region == 0:
                region, team = region + 1, 1
            left_in_team = rng.randint(8, 14)
        left_in_team -= 1
        joined = f"2026-{rng.randint(2, 10):02d}" if rng.random() < 0.1 else ""
        left = f"2026-{rng.randint(6, 11):02d}" if not joined and rng.random() < 0.02 else ""
        sales = 0 if joined else rng.randint(60, 240) * 10_000
        history += sales
        unit = f"大区{region:03d}/团队{team:02d}"
        rows.append((f"员工{i:06d}", unit, "销售", joined, left, str(sales)))
    roster = out / "people.csv"
    with roster.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(("姓名", "部门", "岗位", "入职月份", "离职月份", "去年业绩"))
        writer.writerows(rows)
    revenue = round(history * 1.15 / 1_000_000) * 1_000_000
    target = out / "target.yaml"
    target.write_text(
        TARGET.format(revenue=revenue, collections=round(revenue * 0.9)), encoding="utf-8"
    )
    return target, roster


def write_yaml_twin(target: Path) -> Path:
    """Write ``target-yaml.yaml`` beside ``target``: its organisation with the roster's people
    typed into YAML, as okrplan reads them from the roster."""
    import yaml

    from okrplan.source import load_yaml
    from okrplan.spec.roster import merge_roster

    data = dict(merge_roster(load_yaml(target)).data)
    data["org"] = {key: value for key, value in data["org"].items() if key != "roster"}
    twin = target.with_name("target-yaml.yaml")
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    with twin.open("w", encoding="utf-8") as file:
        yaml.dump(data, file, Dumper=dumper, allow_unicode=True, sort_keys=False, width=100)
    return twin


# Run in a fresh process: the CPU seconds of imports, of okrplan.api.load and of the roster's
# part of it (okrplan.spec.roster.merge_roster, timed where load calls it), and the peak memory.
_CHILD = """
import json, resource, sys, time
sys.path.insert(0, sys.argv[2])  # the okrplan this script imported, whatever the directory
from okrplan import api
from okrplan.plan import bulk_work
from okrplan.spec import load as spec_load
merge, spent = spec_load.merge_roster, [0.0]
def timed(source):
    start = time.process_time()
    try:
        return merge(source)
    finally:
        spent[0] += time.process_time() - start
spec_load.merge_roster = timed
imports = time.process_time()
with bulk_work():
    api.load(sys.argv[1])
print(json.dumps({"imports": imports, "load": time.process_time() - imports,
                  "roster": spent[0],
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(path: Path, repeat: int = 3) -> dict[str, float]:
    """The least CPU seconds of ``repeat`` fresh loads of ``path`` (the least is the one the
    other work on a shared machine disturbed least)."""
    import okrplan

    tree = str(Path(okrplan.__file__).resolve().parent.parent)
    runs: list[dict[str, float]] = []
    for _ in range(repeat):
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, str(path), tree],
            capture_output=True,
            text=True,
            check=True,
        )
        runs.append(json.loads(done.stdout))
    return {key: min(run[key] for run in runs) for key in runs[0]}


def report(people: int, roster: dict[str, float], yaml_load: dict[str, float]) -> str:
    """The measurements as a short table, with the roster's own share."""
    rows: list[tuple[str, Any, Any]] = [
        ("start and imports", roster["imports"], yaml_load["imports"]),
        ("load (read, check)", roster["load"], yaml_load["load"]),
        ("  of which the roster", roster["roster"], "-"),
        ("peak MB", roster["peak_mb"], yaml_load["peak_mb"]),
    ]
    lines = [
        f"{people:,} people, least of fresh processes, CPU seconds",
        f"{'':22} {'roster':>9} {'YAML':>9}",
    ]
    for name, first, second in rows:
        shown = [f"{v:9.2f}" if isinstance(v, float) else f"{v:>9}" for v in (first, second)]
        lines.append(f"{name:22} {shown[0]} {shown[1]}")
    share = roster["load"] - yaml_load["load"]
    lines.append(
        f"roster-specific: {share:+.2f} s against the same organisation as YAML "
        f"(reading and merging the roster: {roster['roster']:.2f} s)"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, required=True, help="people in the roster")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("-o", "--output", required=True, help="directory to write into")
    parser.add_argument(
        "--measure",
        action="store_true",
        help="also write target-yaml.yaml (the same organisation in YAML) and compare the loads",
    )
    parser.add_argument("--repeat", type=int, default=3, help="fresh loads of each (default 3)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bytecode import compile_okrplan

    compile_okrplan()  # as installed: no module compiled again in every timed process
    target, roster = write(args.people, Path(args.output), args.seed)
    print(f"wrote {target} and {roster}")
    if args.measure:
        twin = write_yaml_twin(target)
        print(f"wrote {twin}")
        print(report(args.people, measure(target, args.repeat), measure(twin, args.repeat)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
