"""Folding a goal tree: the layout folds as a plain reference does, box for box.

The layout counts a folded drawing by signature and builds only the folded tree; the reference
here builds every box, then folds identical siblings level by level, deepest first, counting
the boxes after each level (as the diagrams were first drawn).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from okrplan import api
from okrplan.graph import root_of
from okrplan.model import KRKind, RoleGroup, Unit
from okrplan.plan import Plan
from okrplan.render.layout import FOLD_ABOVE, Box, Context, View, _folds, _grow

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


# ---------------------------------------------------------------------------------------------
# The reference: every box built, then folded level by level


def _signature(ctx: Context, node: str, known: dict[str, Any]) -> Any:
    """What identical siblings share: kind, role or supported metric, sheet shape (a staffing
    KR's name aside) and the set of what is below."""
    if node not in known:
        owner = ctx.record(node)
        sheet = tuple(
            (
                objective.name,
                tuple(
                    (k.kr_kind, k.metric, None if k.kr_kind is KRKind.STAFFING else k.name, k.per)
                    for k in krs
                ),
            )
            for objective, krs in ctx.sheet(node)
        )
        if isinstance(owner, RoleGroup):
            known[node] = ("role", owner.name, sheet)
        else:
            supports = owner.supports if isinstance(owner, Unit) else None
            below = frozenset(_signature(ctx, c, known) for c in ctx.org_children(node))
            known[node] = ("unit", supports.metric if supports else None, sheet, below)
    return known[node]


def _built(ctx: Context, node: str, level: int, depth: int | None) -> Box:
    box = Box([node], str(ctx.record(node).kind), level)
    kids = ctx.org_children(node)
    if depth is not None and level >= depth:
        box.cut = bool(kids)
    else:
        box.children = [_built(ctx, k, level + 1, depth) for k in kids]
    return box


def _folded_siblings(ctx: Context, boxes: list[Box], known: dict[str, Any]) -> list[Box]:
    groups: dict[Any, list[Box]] = {}
    for box in boxes:
        groups.setdefault(_signature(ctx, box.members[0], known), []).append(box)
    out = []
    for group in groups.values():
        if len(group) == 1:
            out.append(group[0])
            continue
        merged = Box(
            [m for b in group for m in b.members],
            group[0].kind,
            group[0].level,
            cut=any(b.cut for b in group),
        )
        merged.children = _folded_siblings(ctx, [c for b in group for c in b.children], known)
        out.append(merged)
    return out


def _size(ctx: Context, root: Box, view: View) -> int:
    if view is View.ORG:
        return sum(1 for _ in root.walk())
    return sum(len(ctx.metric_krs(b.members[0])) for b in root.walk())


def reference(
    ctx: Context, start: str, view: View, depth: int | None, fold: bool | None, above: int
) -> Box:
    root = _built(ctx, start, 1, depth)
    known: dict[str, Any] = {}
    if fold is True or (fold is None and _size(ctx, root, view) > above):
        deepest = max(b.level for b in root.walk())
        for level in range(deepest, 1, -1):
            for box in [b for b in root.walk() if b.level == level - 1]:
                box.children = _folded_siblings(ctx, box.children, known)
            if fold is None and _size(ctx, root, view) <= above:
                break
    return root


def _plain(box: Box) -> tuple[Any, ...]:
    return (
        tuple(box.members),
        box.kind,
        box.level,
        box.cut,
        tuple(_plain(c) for c in box.children),
    )


# ---------------------------------------------------------------------------------------------
# Plans


def _org(teams: list[tuple[str, int]], kinds: int) -> dict[str, Any]:
    """A company → 3 regions → branches → teams; team ``i`` has role ``i % kinds`` and its
    branch's sizes, so some siblings are alike and some are not."""

    def team(name: str, index: int, people: int) -> dict[str, Any]:
        return {
            "name": name,
            "lead": "组长",
            "roles": [
                {"role": f"岗{index % kinds}", "headcount": people, "sells": "deals"},
                *([{"role": "助理", "headcount": 1}] if index % 3 == 0 else []),
            ],
        }

    units = []
    for region in range(1, 4):
        branches = []
        for branch, (name, count) in enumerate(teams, start=1):
            branches.append(
                {
                    "name": f"{region}区{name}",
                    "lead": "经理",
                    "units": [
                        team(f"{region}区{branch}部{t}组", t + region, 2 + t % 2)
                        for t in range(count)
                    ],
                }
            )
        units.append({"name": f"区域{region}", "lead": "总监", "units": branches})
    return {
        "okrplan": 1,
        "plan": {"name": "折叠", "period": 2016, "locale": "zh-CN", "buffer": "5%"},
        "kpi": {"metric": "revenue", "target": "3000万"},
        "metrics": {
            "revenue": {"name": "销售额", "kind": "money"},
            "deals": {"name": "成交项目", "unit": "个", "yields": {"revenue": "20万"}},
        },
        "org": {"name": "集团", "lead": "总裁", "units": units},
        "objectives": [{"title": "完成销售任务", "key_results": [{"metric": "revenue"}]}],
    }


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> list[Plan]:
    made = [api.decompose(path) for path in SCENARIOS]
    folder = tmp_path_factory.mktemp("fold")
    for index, (teams, kinds) in enumerate(
        [([("一部", 4), ("二部", 4), ("三部", 6)], 2), ([("甲", 5), ("乙", 3)], 1)]
    ):
        path = folder / f"org{index}.yaml"
        path.write_text(yaml.safe_dump(_org(teams, kinds), allow_unicode=True), encoding="utf-8")
        made.append(api.decompose(path))
    return made


OPTIONS = [
    {"fold": None},
    {"fold": True},
    {"fold": False},
    {"fold": None, "above": 5},
    {"fold": None, "above": 20},
    {"fold": None, "above": 40},
    {"fold": None, "above": 80},
    {"fold": None, "depth": 2, "above": 3},
    {"fold": None, "depth": 3, "above": 10},
    {"fold": True, "depth": 3},
    {"fold": None, "depth": 1, "above": 0},
]


@pytest.mark.parametrize("view", [View.ORG, View.KR])
@pytest.mark.parametrize("options", OPTIONS, ids=repr)
def test_layout_folds_as_the_reference_does(
    plans: list[Plan], view: View, options: dict[str, Any]
) -> None:
    for plan in plans:
        ctx = Context(plan)
        root = root_of(ctx.graph)
        starts = [root, *[c for c in ctx.org_children(root) if c.startswith("u:")][:2]]
        for start in starts:
            depth, fold = options.get("depth"), options["fold"]
            above = options.get("above", FOLD_ABOVE[view])
            want = _plain(reference(Context(plan), start, view, depth, fold, above))
            fresh = Context(plan)  # signatures and counts made by the layout alone
            got = _grow(fresh, [start], 1, depth, _folds(fresh, start, view, depth, fold, above))
            assert _plain(got) == want, (plan.meta.get("name"), start, options)


def test_counts_made_while_signing_are_the_plain_counts(plans: list[Plan]) -> None:
    for plan in plans:
        signed, plain = Context(plan), Context(plan)
        root = root_of(signed.graph)
        signed.signature(root)  # counts what is under each unit on the way
        nodes = [b.members[0] for b in _built(plain, root, 1, None).walk()]
        assert [signed.below([n]) for n in nodes] == [plain.below([n]) for n in nodes]
        assert signed.below(nodes) == plain.below(nodes)
        # a box's people, as signing counted them and counted plainly
        for box in _grow(signed, [root], 1, None, 2).walk():
            assert signed.people(box) == plain.people(box), box.members
