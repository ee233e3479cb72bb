"""A realistic synthetic target file of N people, deterministic for a seed.

Usage: python benchmarks/synth.py --people 10000 --seed 1 [-o target.yaml]

The organisation is what a large sales organisation (an insurer, a bank, a distributor) looks
like, in five levels: 总公司 → 事业部 → 大区 → 分公司 → 营业部. Each 营业部 holds one to three
teams of 5–12 people: direct sales (销售岗, 客户经理) and channel managers (渠道经理); some have
a cohort of new people who ramp up, some may hire (with a ramp, on board by March), a few teams
and 分公司 have fixed quotas, a few teams have named people (one of them joining mid-year). A
市场部 supplies 20% of every sales team's opportunities. Seasonality is 20/25/25/30% per
quarter; the KPI is set at about 80% of what the organisation can carry, so the plan is
feasible, the fixed-quota 分公司 hire, and the rest balance below capacity.

The file is written as text (one flow mapping per role), so that generating 100,000 people
takes a fraction of a second.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

YEAR = 2025
SEASON = (0.20, 0.25, 0.25, 0.30)
BUFFER = 0.05
SUPPORT_SHARE = 0.20
DIVISIONS = ("华北", "华东", "华南", "华中", "西南", "西北", "东北")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"

# Per role: (name, sells, capacity as written, per-person revenue it allows per year in yuan).
# The last is what okrplan's capacity model gives with this funnel, the seasonality and the
# support share: e.g. 销售岗's 20 visits a month in a peak month holding 10% of the year, each
# visit needing 0.8/15000 of a yuan... → 20 × 15000 / 0.08 = 375万.
ROLES = {
    "direct": ("销售岗", "deals", "{calls: 60/周, visits: 20/月}", 3_750_000),
    "key": ("客户经理", "deals", "{calls: 40/周, visits: 30/月}", 5_625_000),
    "channel": ("渠道经理", "channels", "{channels: 3/季度}", 6_000_000),
}
RAMP = "[25%, 50%, 75%, 100%]"

HEADER = """\
# A synthetic organisation of {people:,} people (seed {seed}), written by benchmarks/synth.py.
okrplan: 1
plan:
  name: 合成{people}人{year}年度OKR
  period: {year}
  locale: zh-CN
  currency: CNY
  seasonality: [20%, 25%, 25%, 30%]
  buffer: 5%
kpi:
  metric: revenue
  target: {kpi}
metrics:
  revenue:       {{name: 保费收入, kind: money}}
  deals:         {{name: 成交保单, unit: 件, yields: {{revenue: 20万}}}}
  opportunities: {{name: 有效商机, unit: 个, yields: {{deals: 25%}}}}
  visits:        {{name: 客户拜访, unit: 家次, yields: {{opportunities: 30%}}}}
  calls:         {{name: 有效电话, unit: 个, yields: {{visits: 20%}}}}
  channels:      {{name: 新增渠道网点, unit: 家, yields: {{revenue: 60万}}}}
  collections:   {{name: 回款额, kind: money, follows: {{revenue: 95%}}}}
"""

FOOTER = """\
split:
  basis: capacity
  bounds: {min: 70%, max: 130%}
  rounding: {money: 1万, count: 1}
objectives:
  - title: 完成年度业绩目标
    detail: 完成保费收入 万元
    at: [company, unit]
    key_results:
      - metric: revenue
      - metric: collections
      - {metric: opportunities, per: month}
      - {metric: channels, per: quarter}
      - {text: 客户满意度, target: 90%, weight: 10%}
  - title: 获取足够的有效商机
    at: [unit, role]
    units: [市场部]
    key_results:
      - {metric: opportunities, per: month}
      - {text: 商机跟进反馈率, target: 100%, per: month, weight: 10%}
  - title: 完成个人销售目标
    detail: 完成保费收入 万元
    at: [role]
    roles: [销售岗, 客户经理]
    key_results:
      - {metric: calls, per: week}
      - {metric: visits, per: month}
      - {metric: opportunities, per: month}
      - metric: revenue
      - metric: collections
      - {text: 参加销售培训与分享, target: 2/月, per: month, weight: 5%}
  - title: 拓展渠道网点
    detail: 完成渠道保费 万元
    at: [role]
    roles: [渠道经理]
    key_results:
      - {metric: channels, per: quarter}
      - metric: revenue
      - metric: collections
  - title: 合规经营
    at: [role]
    key_results:
      - {text: 有效投诉案例, deduction: 5}
weights: {rule: leverage, step: 5%, min: 5%}
"""


@dataclass
class Team:
    kind: str  # direct | key | channel
    headcount: int
    cohort: int = 0  # new people this year (a second entry with a ramp)
    hire: int | None = None  # may hire up to this many (0: unlimited)
    quota: float | None = None  # a fixed quota for the team
    people: list[str] = field(default_factory=list)


@dataclass
class Node:
    name: str
    children: list[Node] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)
    quota: float | None = None

    def capacity(self) -> float:
        """What the teams below can carry, counted as the company counts it (×(1+b)^-depth
        is applied by the caller)."""
        own = sum(ROLES[t.kind][3] * (t.headcount + t.cohort * 0.6) for t in self.teams)
        return own + sum(c.capacity() / (1 + BUFFER) for c in self.children)


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """``total`` into ``parts`` positive integers, roughly even with some spread."""
    parts = max(1, min(parts, total))
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    scale = sum(weights)
    sizes = [max(1, int(total * w / scale)) for w in weights]
    i = 0
    while sum(sizes) < total:
        sizes[i % parts] += 1
        i += 1
    while sum(sizes) > total:
        j = max(range(parts), key=lambda k: sizes[k])
        sizes[j] -= 1
    return sizes


def _teams(rng: random.Random, people: int) -> list[list[Team]]:
    """Leaf compositions (one per 营业部) holding exactly ``people`` people."""
    leaves: list[list[Team]] = []
    left = people
    while left > 0:
        teams = []
        kinds = (
            ["direct"]
            + (["key"] if not leaves or rng.random() < 0.5 else [])
            + (["channel"] if not leaves or rng.random() < 0.4 else [])
        )
        for kind in kinds:
            size = min(rng.randint(5, 12), left)
            if size <= 0:
                break
            team = Team(kind, size)
            left -= size
            if kind == "direct" and left > 0 and rng.random() < 0.2:
                team.cohort = min(rng.randint(1, 3), left)
                left -= team.cohort
            if kind != "channel" and rng.random() < 0.1:
                team.hire = rng.choice((0, 2, 3, 5))
            teams.append(team)
        leaves.append(teams)
    return leaves


def _tree(rng: random.Random, leaves: list[list[Team]]) -> Node:
    """The five levels over the leaves: 事业部, 大区, 分公司 and 营业部 with random fan-outs."""
    root = Node("总公司")
    queue = iter(leaves)
    count = len(leaves)
    divisions = _split(rng, count, min(len(DIVISIONS), max(1, round(count**0.25))))
    for d, in_division in enumerate(divisions):
        division = Node(f"{DIVISIONS[d]}事业部")
        root.children.append(division)
        regions = _split(
            rng, in_division, max(1, round(in_division ** (1 / 3) * rng.uniform(0.8, 1.2)))
        )
        for r, in_region in enumerate(regions, start=1):
            region = Node(f"{DIVISIONS[d]}{r}区")
            division.children.append(region)
            branches = _split(
                rng, in_region, max(1, round(math.sqrt(in_region) * rng.uniform(0.8, 1.2)))
            )
            for b, in_branch in enumerate(branches, start=1):
                branch = Node(f"{region.name}第{b}分公司")
                region.children.append(branch)
                for o in range(1, in_branch + 1):
                    branch.children.append(Node(f"营业部{o:02d}", teams=next(queue)))
    return root


def _walk(node: Node, depth: int = 1):  # type: ignore[no-untyped-def]
    yield node, depth
    for child in node.children:
        yield from _walk(child, depth + 1)


def _name(rng: random.Random, taken: set[str]) -> str:
    while True:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        if name not in taken:
            taken.add(name)
            return name


def build(people: int, seed: int) -> tuple[Node, int, float]:
    """The organisation, the support unit's headcount and the KPI."""
    if people < 20:
        raise ValueError("--people must be at least 20")
    rng = random.Random(seed)
    support = max(1, round(people * 0.03))
    root = _tree(rng, _teams(rng, people - support))
    units = [n for n, _ in _walk(root)]
    # A few 分公司 with a fixed quota above what their people can carry: they must hire.
    branches = [n for n, d in _walk(root) if d == 4]
    for branch in rng.sample(branches, k=min(3, max(1, len(branches) // 200))):
        for office in branch.children:
            for team in office.teams:
                if team.kind != "channel":
                    team.hire = 0
        branch.quota = round(branch.capacity() * 1.1, -4)
    # A few teams with a fixed quota (a major account), and a few with named people.
    teams = [(n, t) for n in units for t in n.teams]
    for _, team in rng.sample(teams, k=max(1, len(teams) // 500)):
        if team.hire is None and team.cohort == 0:
            team.quota = round(ROLES[team.kind][3] * team.headcount * 0.7, -4)
    taken: set[str] = set()
    for _, team in rng.sample(teams, k=max(1, len(teams) // 1000)):
        if team.quota is None:
            team.people = [_name(rng, taken) for _ in range(team.headcount)]
    capacity = root.capacity()
    kpi = round(capacity * 0.8 / 1e6) * 1e6
    return root, support, kpi


def _money(value: float) -> str:
    wan = round(value / 10_000)
    return f"{wan}万"


def _role_lines(team: Team, indent: str) -> list[str]:
    name, sells, capacity, _ = ROLES[team.kind]
    extra = ""
    if team.quota is not None:
        extra += f", quota: {_money(team.quota)}"
    if team.people:
        people = ", ".join(
            [*team.people[:-1], f"{{name: {team.people[-1]}, joined: {YEAR}-07}}"]
            if len(team.people) > 1
            else team.people
        )
        lines = [
            f"{indent}- {{role: {name}, people: [{people}], sells: {sells}, "
            f"capacity: {capacity}{extra}}}"
        ]
    else:
        lines = [
            f"{indent}- {{role: {name}, headcount: {team.headcount}, sells: {sells}, "
            f"capacity: {capacity}{extra}}}"
        ]
    if team.cohort or team.hire is not None:  # new people ramp up; hires join them
        hire = (
            ""
            if team.hire is None
            else ", hire: true"
            if team.hire == 0
            else (f", hire: {{max: {team.hire}, by: {YEAR}-03}}")
        )
        lines.append(
            f"{indent}- {{role: {name}, headcount: {team.cohort}, sells: {sells}, "
            f"capacity: {capacity}, ramp: {RAMP}{hire}}}"
        )
    return lines


def _unit_lines(node: Node, indent: str, lines: list[str]) -> None:
    lines.append(f"{indent}- name: {node.name}")
    inner = indent + "  "
    if node.quota is not None:
        lines.append(f"{inner}quota: {_money(node.quota)}")
    if node.teams:
        lines.append(f"{inner}roles:")
        for team in node.teams:
            lines.extend(_role_lines(team, inner + "  "))
    if node.children:
        lines.append(f"{inner}units:")
        for child in node.children:
            _unit_lines(child, inner + "  ", lines)


def synth(people: int, seed: int = 1) -> str:
    """The target file's text: ``people`` people in all, the same text for the same seed."""
    root, support, kpi = build(people, seed)
    lines = [
        HEADER.format(people=people, seed=seed, year=YEAR, kpi=_money(kpi)).rstrip("\n"),
        "org:",
        f"  name: {root.name}",
        "  lead: 总经理",
        "  units:",
        "    - name: 市场部",
        "      lead: 市场总监",
        f"      supports: {{metric: opportunities, share: {round(SUPPORT_SHARE * 100)}%}}",
        "      roles:",
        f"        - {{role: 市场专员, headcount: {support}, capacity: "
        "{opportunities: 50/月}, hire: true}",
    ]
    for child in root.children:
        _unit_lines(child, "    ", lines)
    return "\n".join(lines) + "\n" + FOOTER


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, required=True, help="people in the organisation")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("-o", "--output", help="write the file here instead of stdout")
    args = parser.parse_args(argv)
    text = synth(args.people, args.seed)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
