"""Goal-tree diagrams: DOT text (golden files), what `dot` makes of it, the CLI, large orgs."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
import yaml
from book_cache import same_books_same_bytes  # noqa: F401  (a fixture)
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okrplan import api
from okrplan.cli import cli
from okrplan.errors import MissingDependencyError
from okrplan.graph import Edge, Kind, add_edge, add_node, attach_records, node
from okrplan.model import Status
from okrplan.plan import Plan
from okrplan.planmeta import Conflict, Relaxation, SolverReport
from okrplan.queries import json_nodes
from okrplan.render import FONT, escape_html, find_unit, render_image, to_dot
from okrplan.render.markup import wrap
from okrplan.text import text_width

# equal books (the same scenario written again) are written to .xlsx bytes once per module
pytestmark = pytest.mark.usefixtures("same_books_same_bytes")

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
HAS_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAS_DOT, reason="Graphviz `dot` is not installed")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------------------------------------
# A small plan built by hand, so the golden files do not move when the solver does.


class _Builder:
    def __init__(self) -> None:
        self.graph = nx.DiGraph()

    def unit(
        self, path: str, lead: str | None = None, parent: str | None = None, **attrs: Any
    ) -> str:
        names = path.split("/")
        uid = f"u:{path}"
        add_node(
            self.graph,
            uid,
            Kind.UNIT,
            names[-1],
            path=names,
            lead=lead or "",
            level="company" if len(names) == 1 else "unit",
            **attrs,
        )
        if parent:
            add_edge(self.graph, parent, uid, Edge.CONTAINS)
        return uid

    def role(self, unit: str, name: str, headcount: int, per_person: int, **attrs: Any) -> str:
        rid = f"r:{unit[2:]}/{name}"
        add_node(
            self.graph,
            rid,
            Kind.ROLE,
            name,
            label=name,
            path=unit[2:].split("/"),
            headcount=headcount,
            people=attrs.pop("people", []),
            new_hires=False,
            sells=None,
            capacity={},
            per_person=per_person,
            quota=per_person * headcount,
            basis=per_person * headcount,
            stretch=1,
            ramp=attrs.pop("ramp", [1] * 12),
            binding=[],
            marginal=[],
            **attrs,
        )
        add_edge(self.graph, unit, rid, Edge.CONTAINS)
        return rid

    def objective(
        self, owner: str, number: int, title: str, krs: list[dict[str, Any]]
    ) -> list[str]:
        oid = f"o:{owner[2:]}#{number}"
        add_node(self.graph, oid, Kind.OBJECTIVE, title, owner=owner, detail="")
        add_edge(self.graph, owner, oid, Edge.OWNS)
        ids = []
        for index, kr in enumerate(krs, start=1):
            kid = f"k:{owner[2:]}#{number}.{index}"
            attrs = {
                "owner": owner,
                "objective": oid,
                "metric": None,
                "per": "plan",
                "weight": None,
                "kr_kind": "manual",
                "target_kind": "number",
                "periods": {},
                "due": None,
                "deduction": None,
                "target_per": None,
                "text": None,
                "target": None,
                "fixed_weight": False,
                "direction": "increase",
                **kr,
            }
            add_node(self.graph, kid, Kind.KR, attrs.pop("name"), **attrs)
            add_edge(self.graph, owner, kid, Edge.OWNS)
            add_edge(self.graph, kid, oid, Edge.MEASURES)
            ids.append(kid)
        return ids

    def link(self, source: str, target: str, kind: Edge) -> None:
        add_edge(self.graph, source, target, kind)


def _money(name: str, target: int, **kr: Any) -> dict[str, Any]:
    return {
        "name": name,
        "metric": kr.pop("metric", "revenue"),
        "kr_kind": "derived",
        "money": True,
        "unit": None,
        "target": target,
        **kr,
    }


def _count(name: str, metric: str, unit: str, target: int, per: str, **kr: Any) -> dict[str, Any]:
    return {
        "name": name,
        "metric": metric,
        "kr_kind": "derived",
        "money": False,
        "unit": unit,
        "target": target,
        "per": per,
        **kr,
    }


METRICS = {
    "revenue": {"name": "销售额", "kind": "money", "unit": None, "yields": {}, "follows": {}},
    "deals": {
        "name": "成交",
        "kind": "count",
        "unit": "个",
        "yields": {"revenue": 100000},
        "follows": {},
    },
    "visits": {
        "name": "拜访",
        "kind": "count",
        "unit": "家",
        "yields": {"deals": 0.2},
        "follows": {},
    },
    "calls": {
        "name": "有效电话",
        "kind": "count",
        "unit": "个",
        "yields": {"visits": 0.1},
        "follows": {},
    },
    "collections": {
        "name": "回款额",
        "kind": "money",
        "unit": None,
        "yields": {},
        "follows": {"revenue": 0.95},
    },
}


def small_plan(locale: str = "zh-CN", *, infeasible: bool = False) -> Plan:
    """示例公司 → 销售部 (二组 teams of 销售, alike) and 市场部 (supplies 40% of the visits)."""
    b = _Builder()
    company = b.unit("示例公司", "总经理", target=10_000_000, assigned=11_000_000)
    sales = b.unit(
        "示例公司/销售部", 'R&D <"总监">', company, target=11_000_000, assigned=12_100_000
    )
    market = b.unit(
        "示例公司/市场部", "市场总监", company, supports={"metric": "visits", "share": 0.4}
    )
    quarters = {
        "2015-Q1": 2_000_000,
        "2015-Q2": 2_500_000,
        "2015-Q3": 2_500_000,
        "2015-Q4": 3_000_000,
    }
    (c_rev, _) = b.objective(
        company,
        1,
        "完成年度销售",
        [
            _money("销售额", 10_000_000, weight=90, periods=quarters),
            {"name": "客户满意度", "target": 0.9, "target_kind": "percent", "weight": 10},
        ],
    )
    s_rev, s_visits, _ = b.objective(
        sales,
        1,
        "完成销售任务",
        [
            _money("销售额", 11_000_000, weight=60),
            _count("拜访", "visits", "家", 46, "month", weight=20),
            _money("回款额", 10_450_000, metric="collections", weight=20),
        ],
    )
    (m_visits,) = b.objective(
        market, 1, "带来客户拜访", [_count("拜访", "visits", "家", 19, "month", weight=100)]
    )
    b.link(s_rev, c_rev, Edge.ALIGNS)
    b.link(s_visits, s_rev, Edge.DRIVES)
    b.link(m_visits, s_visits, Edge.SUPPORTS)
    for team, heads, quota, ramp in (
        ("一组", 3, 2_000_000, [0.5] * 3 + [1] * 9),
        ("二组", 2, 2_500_000, [1] * 12),
    ):
        tid = b.unit(
            f"示例公司/销售部/{team}", None, sales, target=quota * heads, assigned=quota * heads
        )
        t_rev, t_visits = b.objective(
            tid,
            1,
            "完成销售任务",
            [
                _money("销售额", quota * heads, weight=70),
                _count("拜访", "visits", "家", 4 * heads, "month", weight=30),
            ],
        )
        b.link(t_rev, s_rev, Edge.ALIGNS)
        b.link(t_visits, s_visits, Edge.ALIGNS)
        b.link(t_visits, t_rev, Edge.DRIVES)
        rid = b.role(
            tid,
            "销售",
            heads,
            quota,
            ramp=ramp,
            people=["张三", "李四", "王五"][:heads] if team == "一组" else [],
        )
        calls, visits, revenue, _, _ = b.objective(
            rid,
            1,
            "完成个人目标",
            [
                _count("有效电话", "calls", "个", 40, "week", weight=20),
                _count("拜访", "visits", "家", 4, "month", weight=30),
                _money("销售额", quota, weight=40),
                {
                    "name": "报表路径 C:\\okr\\",
                    "target": 1,
                    "target_kind": "percent",
                    "per": "week",
                    "weight": 10,
                },
                {"name": "有效投诉\n案例", "kr_kind": "deduction", "deduction": 5},
            ],
        )
        b.link(calls, visits, Edge.DRIVES)
        b.link(visits, revenue, Edge.DRIVES)
        b.link(revenue, t_rev, Edge.ALIGNS)
        b.link(visits, t_visits, Edge.ALIGNS)
    solver = SolverReport(Status.OPTIMAL, 0, (), (), (), {}, {})
    if infeasible:
        solver = SolverReport(
            Status.INFEASIBLE,
            0,
            (),
            (
                Relaxation(
                    "hire",
                    "r:示例公司/销售部/一组/销售",
                    "销售 in 一组: 1 more 销售 (allow hire: true)",
                    "",
                    "",
                ),
                Relaxation(
                    "target",
                    "示例公司/销售部",
                    "示例公司/销售部: capacity reaches 1,000万 & <no more>",
                    "",
                    "",
                ),
            ),
            (
                Conflict("capacity", "r:示例公司/销售部/一组/销售"),
                Conflict("target", "示例公司/销售部"),
            ),
            {},
            {},
        )
    meta = {
        "name": "示例公司2015年度OKR",
        "period": "2015",
        "locale": locale,
        "kpi": {"metric": "revenue", "base": "revenue", "target": 10_000_000},
    }
    attach_records(b.graph)
    return Plan(meta, solver, b.graph, METRICS)


def _rename(plan: Plan, node_id: str, **changes: Any) -> None:
    """Give a node of a built plan other names (its record is frozen: it is replaced)."""
    plan.graph.nodes[node_id]["node"] = replace(node(plan.graph, node_id), **changes)


# ---------------------------------------------------------------------------------------------
# Golden DOT text


GOLDEN_CASES: dict[str, Callable[[], str]] = {
    "small-org.dot": lambda: to_dot(small_plan()),
    "small-kr.dot": lambda: to_dot(small_plan(), view="kr"),
    "small-folded.dot": lambda: to_dot(small_plan(), fold=True),
    "small-depth2.dot": lambda: to_dot(small_plan(), depth=2),
    "small-subtree.dot": lambda: to_dot(small_plan(), unit="销售部", depth=2),
    "small-infeasible.dot": lambda: to_dot(small_plan(infeasible=True)),
    "small-infeasible-kr.dot": lambda: to_dot(small_plan(infeasible=True), view="kr"),
    "small-en.dot": lambda: to_dot(small_plan("en")),
}


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_golden_dot(name: str, golden: Callable[[str, str], None]) -> None:
    golden(name, GOLDEN_CASES[name]())


def test_to_dot_is_deterministic() -> None:
    assert to_dot(small_plan()) == to_dot(small_plan())
    assert to_dot(small_plan(), view="kr") == to_dot(small_plan(), view="kr")


def _dot_errors(text: str) -> str:
    """What `dot` says about the text (empty when it lays it out without a word)."""
    result = subprocess.run(
        ["dot", "-Tsvg", "-o", "/dev/null"],
        input=text.encode("utf-8"),
        capture_output=True,
        check=False,
        timeout=60,
    )
    return (f"exit {result.returncode}: " if result.returncode else "") + result.stderr.decode(
        "utf-8", "replace"
    )


def _each_parses(texts: dict[str, str]) -> None:
    """``dot`` reads every text without a word: all in one run (it reads graph after graph
    from its input; a launch per text cost four times the CPU), and on a complaint each text
    on its own, so that the failure names the text."""
    if _dot_errors("".join(texts.values())) != "":
        errors = {name: _dot_errors(text) for name, text in texts.items()}
        assert {name: error for name, error in errors.items() if error} == {}


@needs_dot
def test_dot_parses_golden_text() -> None:
    _each_parses({name: make() for name, make in sorted(GOLDEN_CASES.items())})


# ---------------------------------------------------------------------------------------------
# What the text says


def test_org_view_shows_units_roles_objectives_and_numbers() -> None:
    text = to_dot(small_plan())
    assert f'fontname="{FONT},' in text
    for expected in (
        "示例公司",
        "总经理",
        "销售部",
        "一组",
        "销售 × 3",
        "完成个人目标",
        "有效电话",
        "40 个/周",
        "4 家/月",
        "200万",
        "1,000万",
        "90%",
        "Q1 200万",
        "爬坡 50% → 100%",
        "人员: 张三、李四、王五",
        "每例扣5分",
        "供给40%的拜访",
    ):
        assert expected in text, expected
    assert len(re.findall(r"^  n\d+ -> n\d+$", text, re.MULTILINE)) == 6  # contains edges
    assert "已折叠" not in text and "只画到" not in text


def test_every_user_string_is_escaped() -> None:
    text = to_dot(small_plan())
    assert "R&amp;D &lt;&quot;总监&quot;&gt;" in text
    assert "R&D" not in text and '<"总监">' not in text
    assert "有效投诉<BR/>案例" in text
    assert "报表路径 C:\\okr\\" in text  # backslashes are plain text in HTML-like labels


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a & b", "a &amp; b"),
        ("<b>", "&lt;b&gt;"),
        ('say "hi"', "say &quot;hi&quot;"),
        ("one\ntwo\r\nthree", "one<BR/>two<BR/>three"),
        ("tab\tbell\x07", "tabbell"),
        ("C:\\dir\\", "C:\\dir\\"),
        ("]]>&amp;", "&#93;&#93;&gt;&amp;amp;"),
    ],
    ids=["amp", "angle", "quote", "newlines", "controls", "backslash", "entity-lookalike"],
)
def test_escape_html(raw: str, escaped: str) -> None:
    assert escape_html(raw) == escaped


def test_wrap_breaks_chinese_and_english_text() -> None:
    assert wrap("有效投诉案例，每例扣分", 10) == ["有效投诉案", "例，每例扣", "分"]
    assert wrap("Deliver the quarterly sales target", 16) == [
        "Deliver the",
        "quarterly sales",
        "target",
    ]
    lines = wrap("销售日报和周报完成率100%及领导交办的其他工作", 20)
    assert len(lines) == 3 and all(text_width(line) <= 20 for line in lines)


def test_kr_view_draws_the_funnel_and_how_it_rolls_up() -> None:
    text = to_dot(small_plan(), view="kr")
    assert 'rankdir="LR"' in text
    assert text.count("subgraph cluster_") == 7  # 3 units, 2 teams, their 2 roles
    assert "style=dashed label=<40%>" in text  # 市场部's visits into 销售部's
    assert "label=<10%>" in text  # calls → visits at 10%
    assert "label=<20% × 10万>" in text  # visits → deals → revenue
    assert "style=dotted" in text and "label=<95%>" in text  # collections follow revenue
    assert "客户满意度" not in text  # manual KRs are in the org view
    assert "只画出由计划推导的关键成果" in text


def test_identical_siblings_fold_with_ranges() -> None:
    text = to_dot(small_plan(), fold=True)
    assert "一组 等 2 个单位" in text
    assert "销售 × 5" in text and "2 组" in text
    assert "每人 200–250万" in text
    assert "已折叠：4 个相同的同级单位或岗位组合并为 2 个节点" in text
    assert "二组" not in text


def test_folding_is_automatic_only_when_large() -> None:
    assert "已折叠" not in to_dot(small_plan())
    assert "已折叠" in to_dot(small_plan(), fold_above=3)
    assert "已折叠" not in to_dot(small_plan(), fold=False, fold_above=3)


def test_depth_cuts_the_tree_with_a_note() -> None:
    text = to_dot(small_plan(), depth=2)
    assert "一组" not in text and "销售 × 3" not in text
    assert "未展开：2 个单位、2 个岗位组、5 人" in text
    assert "只画到第 2 层，2 个单位、2 个岗位组、5 人未画出" in text
    assert to_dot(small_plan(), depth=1).count("label=<<TABLE") == 2  # the root and the caption


def test_too_many_nodes_cut_at_a_depth_that_fits() -> None:
    text = to_dot(small_plan(), fold=False, max_nodes=4)
    assert "只画到第 2 层" in text and "（超过 4 个节点）" in text


def test_subtree_of_one_unit() -> None:
    text = to_dot(small_plan(), unit="示例公司/销售部")
    assert "子树: 示例公司/销售部" in text
    assert "总经理" not in text and "市场部" not in text


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("销售部", "u:示例公司/销售部"),
        ("示例公司/销售部", "u:示例公司/销售部"),
        ("销售部/一组", "u:示例公司/销售部/一组"),
        ("u:示例公司", "u:示例公司"),
    ],
    ids=["name", "path", "path-end", "id"],
)
def test_find_unit(query: str, found: str) -> None:
    assert find_unit(small_plan(), query) == found


def test_find_unit_says_what_it_could_not_find() -> None:
    with pytest.raises(LookupError, match="did you mean '销售部'"):
        find_unit(small_plan(), "销售")
    plan = small_plan()
    _rename(plan, "u:示例公司/市场部", name="一组", path=("示例公司", "一组"))
    with pytest.raises(LookupError, match="more than one unit is called '一组'"):
        find_unit(plan, "一组")


def test_bad_depth_and_view() -> None:
    with pytest.raises(ValueError, match="depth must be at least 1"):
        to_dot(small_plan(), depth=0)
    with pytest.raises(ValueError):
        to_dot(small_plan(), view="gantt")


def test_infeasible_plan_highlights_what_conflicts() -> None:
    text = to_dot(small_plan(infeasible=True))
    assert text.count('BORDER="3"') == 2  # 销售 in 一组, and 销售部 (the target)
    assert "见建议 ①" in text and "见建议 ②" in text
    assert "① 销售 in 一组: 1 more 销售 (allow hire: true)" in text
    assert "capacity reaches 1,000万 &amp; &lt;no more&gt;" in text
    assert "求解状态: 不可行" in text and "■</FONT> 约束冲突" in text
    folded = to_dot(small_plan(infeasible=True), fold=True)
    assert folded.count('BORDER="3"') == 2  # the folded role box carries its member's conflict


def test_english_plan_reads_in_english() -> None:
    text = to_dot(small_plan("en"))
    for expected in ("per person", "Legend", "Company", "40 个/week", "status: feasible"):
        assert expected.lower() in text.lower(), expected
    assert "每人" not in text


# ---------------------------------------------------------------------------------------------
# Images: every shipped scenario, through `dot`


@pytest.fixture(scope="module")
def scenario_plans() -> dict[str, Plan]:
    return {path.stem: api.decompose(path) for path in SCENARIOS}


VIEWS: dict[str, dict[str, Any]] = {
    "org": {},
    "kr": {"view": "kr"},
    "depth2": {"depth": 2},
    "folded": {"fold": True},
    "kr-depth3": {"view": "kr", "depth": 3},
}


@needs_dot
@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_dot_parses_every_scenario_diagram(path: Path, scenario_plans: dict[str, Plan]) -> None:
    plan = scenario_plans[path.stem]
    _each_parses({view: to_dot(plan, **options) for view, options in VIEWS.items()})


@needs_dot
@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_plan_directory_has_the_tree_as_png_svg_and_dot(
    path: Path, scenario_plans: dict[str, Plan], tmp_path: Path
) -> None:
    plan = scenario_plans[path.stem]
    # the tree files only: sheets and the report are tested elsewhere (test_sheets, test_report)
    out = api.write_plan(plan, tmp_path / "plan", sheets=False, report=False)
    png = (out / "tree.png").read_bytes()
    assert png.startswith(PNG_MAGIC)
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    # saas-fy2027 (79 people, 16 units) would draw 28 role boxes side by side (4,931 px);
    # by default it draws its 16 units only (about 2,700 px), roles are on the PDF's pages
    assert 400 < width < 4000 and 300 < height < 3000, (width, height)
    svg = ET.fromstring((out / "tree.svg").read_bytes())
    texts = "".join(svg.itertext())
    root_name = node(plan.graph, next(iter(plan.graph.nodes))).name
    assert root_name in texts and plan.meta["name"] in texts
    assert FONT in (out / "tree.svg").read_text(encoding="utf-8")
    assert (out / "tree.dot").read_text(encoding="utf-8") == to_dot(plan)
    again = api.write_plan(plan, tmp_path / "again", sheets=False, report=False)
    for name in ("tree.dot", "tree.svg", "tree.png"):
        assert (again / name).read_bytes() == (out / name).read_bytes(), name


@needs_dot
def test_chinese_text_is_drawn_with_the_cjk_font() -> None:
    fonts = subprocess.run(
        ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False
    ).stdout
    assert FONT in fonts, "the set-up installs fonts-noto-cjk"
    svg = render_image(to_dot(small_plan()), "svg").decode("utf-8")
    assert f'font-family="{FONT},' in svg and "示例公司" in svg


# ---------------------------------------------------------------------------------------------
# A 2,000-person organisation


def synthetic_target(
    regions: int = 5, branches: int = 8, teams: int = 5, people: int = 10
) -> dict[str, Any]:
    """1 company → regions → branches → teams of ``people`` reps, with capacity to spare."""

    def team(r: int, b: int, t: int) -> dict[str, Any]:
        return {
            "name": f"{r}区{b}部{t}组",
            "lead": "组长",
            "roles": [
                {
                    "role": "销售岗",
                    "headcount": people,
                    "sells": "deals",
                    "capacity": {"calls": "200/周", "visits": "60/月"},
                }
            ],
        }

    total = regions * branches * teams * people
    return {
        "okrplan": 1,
        "plan": {"name": "合成集团2016年度OKR", "period": 2016, "locale": "zh-CN", "buffer": "5%"},
        "kpi": {"metric": "revenue", "target": f"{total * 100}万"},
        "metrics": {
            "revenue": {"name": "销售额", "kind": "money"},
            "deals": {"name": "成交项目", "unit": "个", "yields": {"revenue": "20万"}},
            "visits": {"name": "客户拜访", "unit": "家次", "yields": {"deals": "20%"}},
            "calls": {"name": "有效电话", "unit": "个", "yields": {"visits": "20%"}},
        },
        "org": {
            "name": "合成集团",
            "lead": "总裁",
            "units": [
                {
                    "name": f"区域{r}",
                    "lead": "区域总监",
                    "units": [
                        {
                            "name": f"区域{r}分公司{b}",
                            "lead": "分公司经理",
                            "units": [team(r, b, t) for t in range(1, teams + 1)],
                        }
                        for b in range(1, branches + 1)
                    ],
                }
                for r in range(1, regions + 1)
            ],
        },
        "objectives": [
            {
                "title": "完成销售任务",
                "key_results": [
                    {"metric": "revenue"},
                    {"metric": "visits", "per": "month"},
                    {"metric": "calls", "per": "week"},
                ],
            }
        ],
    }


@pytest.fixture(scope="module")
def big_plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    path = tmp_path_factory.mktemp("big") / "target.yaml"
    path.write_text(
        yaml.safe_dump(synthetic_target(), allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    plan = api.decompose(path)
    people = sum(
        d.get("headcount") or 0 for _, d in json_nodes(plan.graph).items() if d["kind"] == Kind.ROLE
    )
    assert people == 2000 and plan.solver.status == "optimal"
    return plan


@needs_dot
def test_two_thousand_people_fold_into_a_readable_tree(big_plan: Plan) -> None:
    # how long it takes is the benchmark's business (benchmarks/run.py), not a test's
    text = to_dot(big_plan)
    png = render_image(text, "png")
    assert png.startswith(PNG_MAGIC)
    boxes = text.count("label=<<TABLE") - 1
    assert boxes <= 60, boxes
    assert re.search(r"已折叠：\d+ 个相同的同级单位或岗位组合并为 \d+ 个节点", text)
    assert "销售岗 × 400" in text  # one region's 40 teams of 10, folded
    for region in range(1, 6):
        assert f"区域{region}</B>" in text  # the regions differ in name only, but stay apart
    width = int.from_bytes(png[16:20], "big")
    assert width < 4000


def test_two_thousand_people_unfolded_are_cut_where_a_level_gets_too_wide(big_plan: Plan) -> None:
    text = to_dot(big_plan, fold=False)
    assert "只画到第 2 层" in text and "（同一层超过 16 个节点）" in text
    assert "2,000 人未画出" in text
    assert text.count("label=<<TABLE") - 1 == 6  # the company and its 5 regions
    deep = to_dot(big_plan, fold=False, depth=3)  # asked for: 40 branches side by side
    assert "只画到第 3 层" in deep and "超过" not in deep
    assert deep.count("label=<<TABLE") - 1 == 46


def test_two_thousand_people_unfolded_are_cut_at_a_size_that_fits(big_plan: Plan) -> None:
    text = to_dot(big_plan, fold=False, depth=5)
    assert "只画到第 4 层" in text and "（超过 300 个节点）" in text
    assert text.count("label=<<TABLE") - 1 == 246


def test_two_thousand_people_kr_view_and_subtree(big_plan: Plan) -> None:
    kr = to_dot(big_plan, view="kr")
    assert len(re.findall(r"^    n\d+k\d+ \[", kr, re.MULTILINE)) <= 150  # KRs, folded
    sub = to_dot(big_plan, unit="区域3/区域3分公司2", fold=False)
    assert "3区2部1组" in sub and "3区2部5组" in sub and "区域1" not in sub


# ---------------------------------------------------------------------------------------------
# Hypothesis: any names at all make a DOT file `dot` reads


# Names are drawn five sets at a time, and each batch's diagrams go to `dot` in one run (a
# launch of `dot` costs more than laying out a small tree): 3 batches by default, the first of
# them hypothesis's simplest (every name "0"), so 10 sets of random names as before, when each
# example was one set; OKRPLAN_FUZZ_EXAMPLES=N draws about N sets for a long run (test_fuzz.py).
NAME_SETS = 5


@needs_dot
@settings(
    max_examples=1 + -(-int(os.environ.get("OKRPLAN_FUZZ_EXAMPLES", "10")) // NAME_SETS),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    st.lists(
        st.lists(st.text(min_size=1, max_size=12), min_size=3, max_size=3),
        min_size=NAME_SETS,
        max_size=NAME_SETS,
    )
)
def test_any_names_make_valid_dot(name_sets: list[list[str]]) -> None:
    texts: dict[str, str] = {}
    for names in name_sets:
        plan = small_plan()
        for node_id, name in zip(
            ("u:示例公司/销售部", "r:示例公司/销售部/一组/销售", "k:示例公司/销售部/一组/销售#1.4"),
            names,
            strict=True,
        ):
            _rename(plan, node_id, name=name)
        _rename(plan, "u:示例公司/销售部", lead=names[1] + "\\")
        # both views, and every set's: dot reads graph after graph; on a complaint each set's
        # text is read on its own, so that the failure names the names
        texts[repr(names)] = to_dot(plan, view="org") + to_dot(plan, view="kr")
    _each_parses(texts)


# ---------------------------------------------------------------------------------------------
# The command line


def _run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture(scope="module")
def plan_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "plan"
    result = _run("decompose", str(ROOT / "scenarios" / "a-company-2015.yaml"), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "tree.dot, tree.png, tree.svg" in result.stderr
    return out


@needs_dot
@pytest.mark.parametrize(
    ("name", "args", "magic"),
    [
        ("tree.png", [], PNG_MAGIC),
        ("tree.svg", ["--view", "kr"], b"<?xml"),
        ("tree.pdf", ["--depth", "2"], b"%PDF"),
        ("tree.gv", ["--unit", "销售部"], b"digraph okrplan {"),
        ("out", ["--format", "png", "--no-fold"], PNG_MAGIC),
    ],
    ids=["png", "svg-kr", "pdf-depth", "dot-unit", "format-flag"],
)
def test_render_command_writes_the_format_asked_for(
    plan_dir: Path, tmp_path: Path, name: str, args: list[str], magic: bytes
) -> None:
    out = tmp_path / name
    result = _run("render", str(plan_dir), "-o", str(out), *args)
    assert result.exit_code == 0, result.output
    assert result.stderr == f"已写入 {out}\n"  # the plan is zh-CN
    assert out.read_bytes().startswith(magic)


def test_render_dot_to_stdout_from_a_target_file() -> None:
    result = _run(
        "render", str(ROOT / "scenarios" / "a-company-2015.yaml"), "-f", "dot", "--view", "kr"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("digraph okrplan {") and "有效电话" in result.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["-u", "销售"], 2, "no unit named '销售' in this plan\n    hint: did you mean '销售部'?"),
        (["--depth", "0"], 2, "Invalid value for '-d' / '--depth'"),
        (["--view", "gantt"], 2, "Invalid value for '--view'"),
        (["-o", "tree.jpg"], 2, "cannot tell the diagram format of 'tree.jpg'"),
    ],
    ids=["unknown-unit", "depth-0", "unknown-view", "unknown-suffix"],
)
def test_render_command_errors(plan_dir: Path, args: list[str], code: int, message: str) -> None:
    result = _run("render", str(plan_dir), *args)
    assert result.exit_code == code
    assert message in result.output


def test_render_refuses_to_replace_a_file_without_force(plan_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "tree.dot"
    out.write_text("mine", encoding="utf-8")
    result = _run("render", str(plan_dir), "-o", str(out))
    assert result.exit_code == 1 and "already exists; pass --force" in result.stderr
    assert out.read_text(encoding="utf-8") == "mine"
    assert _run("render", str(plan_dir), "-o", str(out), "--force").exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("digraph")


@pytest.fixture
def no_dot(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A PATH without Graphviz."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


@pytest.mark.usefixtures("no_dot")
def test_render_without_dot_names_the_package_and_keeps_the_dot_file(
    plan_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "tree.png"
    result = _run("render", str(plan_dir), "-o", str(out))
    assert result.exit_code == 1
    assert "apt install graphviz" in result.stderr
    assert f"The diagram's DOT text is in {tmp_path / 'tree.dot'}" in result.stderr
    assert not out.exists()
    assert (tmp_path / "tree.dot").read_text(encoding="utf-8").startswith("digraph okrplan {")
    with pytest.raises(MissingDependencyError, match="apt install graphviz"):
        render_image("digraph { a }", "svg")


@pytest.mark.usefixtures("no_dot")
def test_decompose_without_dot_writes_the_rest_and_warns(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    result = _run("decompose", str(ROOT / "scenarios" / "a-company-2015.yaml"), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "警告：Graphviz's `dot` program is not installed" in result.stderr
    assert "apt install graphviz" in result.stderr
    names = {p.name for p in out.iterdir()}
    assert {"plan.json", "plan.md", "tree.dot"} <= names
    assert not names & {"tree.svg", "tree.png"}


def test_help_does_not_import_graphviz() -> None:
    code = (
        "import sys; from click.testing import CliRunner; from okrplan.cli import cli; "
        "r = CliRunner().invoke(cli, ['--help']); assert r.exit_code == 0; "
        "bad = [m for m in ('graphviz', 'okrplan.render', 'networkx') if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


# ---------------------------------------------------------------------------------------------
# The README's pictures


@needs_dot
@pytest.mark.parametrize(
    ("name", "options"),
    [("tree.png", {"depth": 3}), ("tree-kr.png", {"view": "kr"})],
    ids=["org", "kr"],
)
def test_docs_pictures_are_rendered_by_the_script(
    name: str, options: dict[str, Any], scenario_plans: dict[str, Plan]
) -> None:
    script = (ROOT / "scripts" / "render-docs.sh").read_text(encoding="utf-8")
    assert f"docs/{name}" in script
    committed = (ROOT / "docs" / name).read_bytes()
    assert committed.startswith(PNG_MAGIC)
    fresh = render_image(to_dot(scenario_plans["a-company-2015"], **options), "png")
    # Same layout, same size; pixels may differ with font and cairo versions.
    assert committed[16:24] == fresh[16:24], f"docs/{name} is stale: bash scripts/render-docs.sh"


# ---------------------------------------------------------------------------------------------
# Trees on paper: units only by default when large; PDF pages that fit A4 / A3


def test_a_large_org_tree_defaults_to_its_units_with_a_hint(
    scenario_plans: dict[str, Plan],
) -> None:
    plan = scenario_plans["saas-fy2027"]
    text = to_dot(plan)
    # saas-fy2027: 16 units; 18 role groups (3 beside units on level 3, 15 on level 4) hold
    # all 79 people, so none of them is drawn by default
    assert text.count("label=<<TABLE") - 1 == 16
    assert "只画了单位，18 个岗位组、79 人未画出" in text and "--depth N" in text
    deep = to_dot(plan, depth=4)  # an asked-for depth still draws the roles
    assert deep.count("label=<<TABLE") - 1 == 16 + 18 and "只画了单位" not in deep
    assert to_dot(small_plan()).count("只画了单位") == 0  # a small tree keeps its roles


@needs_dot
@pytest.mark.skipif(shutil.which("pdfunite") is None, reason="poppler's pdfunite is missing")
def test_the_paper_pdf_has_an_overview_and_a_legible_page_per_unit() -> None:
    from okrplan.render.paper import MIN_SCALE, paper_pages, render_paper

    plan = small_plan()
    pages = paper_pages(plan, "A4")
    # the units (示例公司 → 销售部 → 一组/二组, 市场部) fit on one overview page; then one page
    # per unit with role groups: 一组, 二组 (市场部 has no roles in this plan)
    assert [p.title for p in pages] == ["示例公司", "示例公司/销售部/一组", "示例公司/销售部/二组"]
    assert all(p.scale >= MIN_SCALE for p in pages)
    assert "销售 × " not in pages[0].dot  # units only
    assert "销售 × 3" in pages[1].dot and "销售 × 2" in pages[2].dot  # each team's role group
    pdf = render_paper(plan, "A4")
    assert pdf.startswith(b"%PDF")
    # every page is A4 landscape: 297 × 210 mm = 842 × 595 pt (±1 pt of rounding)
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert len(boxes) == len(pages)
    assert all(abs(float(w) - 842) <= 1 and abs(float(h) - 595) <= 1 for w, h in boxes)


def test_paper_is_only_for_the_pdf_of_the_org_view(tmp_path: Path) -> None:
    target = ROOT / "scenarios" / "a-company-2015.yaml"
    runner = CliRunner()
    for args in (
        ["-o", str(tmp_path / "t.png"), "--paper", "A4"],
        ["--view", "kr", "-f", "pdf", "--paper", "A3"],
    ):
        result = runner.invoke(cli, ["render", str(target), *args])
        assert result.exit_code == 2, result.output
        assert "--paper" in result.output
