"""Write a synthetic roster organisation: a short target file and a roster CSV of N people.

    python benchmarks/roster.py --people 100000 -o /tmp/roster100k    # target.yaml, people.csv

Regions of teams of 8–14 account executives (a tenth of them joining during the year, a few
leaving, each with last year's sales: 0 for joiners), a role catalogue, two targets (revenue
by capacity, collections by history) and ``plan.calendar: CN``: what ``okrplan validate`` and
``decompose`` read from a real HR export. Deterministic for a seed.
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, required=True, help="people in the roster")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("-o", "--output", required=True, help="directory to write into")
    args = parser.parse_args(argv)
    target, roster = write(args.people, Path(args.output), args.seed)
    print(f"wrote {target} and {roster}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
