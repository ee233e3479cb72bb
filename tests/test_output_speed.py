"""The output stages made cheaper for issue 16 give what they gave: sheet tabs by the old
round-by-round rule, both tree images from one run of ``dot``, the records of one kind."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from okrplan import api, queries
from okrplan.export.names import safe_sheet_title, sheet_tabs, tab_titles
from okrplan.model import KeyResult, Objective, RoleGroup, Unit
from okrplan.plan import Plan
from okrplan.render import render_image, to_dot
from okrplan.render.image import render_images

_EXAMPLES = int(os.environ.get("OKRPLAN_FUZZ_EXAMPLES", "300"))
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def plan() -> Plan:
    return api.decompose(ROOT / "scenarios" / "a-company-2015.yaml")


def _tab(parts: tuple[str, ...]) -> str:
    """The title of one context's names (a book of one sheet takes all of them)."""
    return sheet_tabs([parts], [len(parts)])[0]


def _tabs_by_rounds(contexts: list[tuple[str, ...]], least: list[int]) -> list[str]:
    """The rule as it reads (and as it was written before): every round, each tab of a group
    of equal titles (case-blind) whose full contexts' titles differ takes one more name."""
    depth = list(least)

    def key(tab: str) -> str:
        return safe_sheet_title(tab).casefold()

    full = [key(_tab(c)) for c in contexts]
    tabs = [_tab(c[-d:] if d else c) for c, d in zip(contexts, depth, strict=True)]
    while True:
        seen: dict[str, list[int]] = {}
        for i, tab in enumerate(tabs):
            seen.setdefault(key(tab), []).append(i)
        grow = [
            i
            for group in seen.values()
            if len(group) > 1
            for i in group
            if depth[i] < len(contexts[i]) and any(full[j] != full[i] for j in group)
        ]
        if not grow:
            return tabs
        for i in grow:
            depth[i] += 1
            tabs[i] = _tab(contexts[i][-depth[i] :])


# names that collide (case-blind, once cut to 31 characters, once made safe) and repeat
_NAMES = [
    "北京",
    "上海",
    "直销组",
    "A",
    "a",
    "营业部01",
    "x" * 20,
    "华东区域大客户销售与渠道合作发展事业部",
]
_NAMES += ["'q", "History", "a:b", "a_b", ""]


@settings(max_examples=_EXAMPLES, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.sampled_from(_NAMES), min_size=1, max_size=5).map(tuple),
            st.integers(0, 3),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_sheet_tabs_follow_the_rounds(sheets: list[tuple[tuple[str, ...], int]]) -> None:
    contexts, least = [c for c, _ in sheets], [d for _, d in sheets]
    tabs, titles, keys = tab_titles(contexts, least)
    assert tabs == _tabs_by_rounds(contexts, least)
    assert titles == [safe_sheet_title(t) for t in tabs]  # what SheetTitles.take reuses
    assert keys == [t.casefold() for t in titles]


def test_sheet_tabs_by_hand() -> None:
    # 直销组 twice under different units: both take their unit; 渠道组 stays alone; the same
    # context twice cannot be told apart and stays as it is (SheetTitles numbers it)
    contexts = [
        ("北京", "直销组"),
        ("上海", "直销组"),
        ("北京", "渠道组"),
        ("广州", "x"),
        ("广州", "x"),
    ]
    assert sheet_tabs(contexts, [1] * 5) == ["北京-直销组", "上海-直销组", "渠道组", "x", "x"]


def test_records_of_one_kind(plan: Plan) -> None:
    graph = plan.graph
    every = list(queries.records(graph))
    for kind in (Unit, RoleGroup, Objective, KeyResult):
        assert queries.records_of(graph, kind) == [r for r in every if isinstance(r, kind)]
    assert sum(
        len(queries.records_of(graph, k)) for k in (Unit, RoleGroup, Objective, KeyResult)
    ) == len(every)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")
def test_one_run_of_dot_draws_the_same_images(plan: Plan) -> None:
    text = to_dot(plan)
    both = render_images(text, ("png", "svg"))
    assert both == {"png": render_image(text, "png"), "svg": render_image(text, "svg")}
