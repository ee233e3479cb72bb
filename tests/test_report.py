"""The HTML report without a browser: content, escaping, self-containment, determinism, CLI.

What a browser does with the page is in test_report_browser.py.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from fractions import Fraction
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from book_cache import same_books_same_bytes  # noqa: F401  (a fixture)
from click.testing import CliRunner
from conftest import minimal_target

from okrplan import api
from okrplan.cli import cli
from okrplan.export.charts import (
    FunnelStage,
    PhasingCell,
    PhasingRow,
    StretchRow,
    funnel_chart,
    phasing_chart,
    stretch_chart,
)
from okrplan.export.report import (
    anchor_of,
    report_context,
    report_html,
    sanitize_svg,
    scope_of,
)
from okrplan.export.report_roles import funnel_stages
from okrplan.graph import Kind
from okrplan.plan import Plan
from okrplan.present import binding_text, money_text
from okrplan.queries import as_json, json_nodes

# equal books (the same scenario written again) are written to .xlsx bytes once per module
pytestmark = pytest.mark.usefixtures("same_books_same_bytes")

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
HAS_DOT = api.image_problem() is None
needs_dot = pytest.mark.skipif(not HAS_DOT, reason="Graphviz `dot` is not installed")
EVIL_UNIT = "<script>alert(1)</script>"
EVIL_ROLE = '"><img src=x onerror=alert(2)>'
EVIL_TITLE = "R&D <b>bold</b> 'quoted'"
SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def plans() -> dict[str, Plan]:
    return {path.stem: api.decompose(path) for path in SCENARIOS}


@pytest.fixture(scope="module")
def pages(plans: dict[str, Plan]) -> dict[str, str]:
    return {name: report_html(plan) for name, plan in plans.items()}


def evil_target() -> dict[str, Any]:
    """A plan whose names try to break out of HTML, attributes and SVG."""
    target = minimal_target(
        objectives=[
            {
                "title": EVIL_TITLE,
                "key_results": [
                    {"metric": "revenue"},
                    {"metric": "visits", "per": "month"},
                    {"text": "<i>manual</i> & more", "target": "100%"},
                ],
            }
        ]
    )
    target["metrics"]["visits"]["name"] = "拜访<u>客户</u>"
    target["org"]["units"][0]["name"] = EVIL_UNIT
    target["org"]["units"][0]["roles"][0]["role"] = EVIL_ROLE
    target["org"]["units"][0]["roles"][0]["capacity"] = {"visits": "60/月"}
    return target


def infeasible_target() -> dict[str, Any]:
    """4 people who can reach 1920万 asked for 2400万 (+10% per level), no hiring allowed."""
    target = minimal_target(plan={"buffer": "10%"}, kpi={"metric": "revenue", "target": "2400万"})
    target["metrics"] = {
        **target["metrics"],
        "visits": {"name": "客户拜访", "unit": "家次", "yields": {"deals": "20%"}},
    }
    target["org"]["units"][0]["roles"][0].update(headcount=4, capacity={"visits": "20/月"})
    return target


def owners_with_sheets(plan: Plan) -> list[str]:
    from okrplan.export.sheets import build_book

    return list(dict.fromkeys(s.owner for s in build_book(plan).sheets))


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the text, of an HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        (self.scripts if self._in_script else self.text).append(data)


def parse(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    parser.close()
    return parser


# ---------------------------------------------------------------------------------------------
# What the page shows


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_every_unit_and_role_has_its_table(
    path: Path, plans: dict[str, Plan], pages: dict[str, str]
) -> None:
    plan, page = plans[path.stem], pages[path.stem]
    tags = parse(page)
    cards = {a["id"]: a for t, a in tags.tags if t == "article"}
    owners = owners_with_sheets(plan)
    assert owners and set(cards) == {anchor_of(o) for o in owners}
    for owner in owners:
        data = as_json(plan.graph, owner)
        assert cards[anchor_of(owner)]["data-kind"] == (
            "role" if data["kind"] == Kind.ROLE else "unit"
        )
    text = "".join(tags.text)
    for _, data in json_nodes(plan.graph).items():
        if data["kind"] == Kind.KR and data["owner"] in owners:
            assert data["name"] in text
    assert text.count("合计") >= len(owners)  # every table's total row


@needs_dot
@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_the_tree_is_inline_and_its_boxes_link_to_the_tables(
    path: Path, plans: dict[str, Plan], pages: dict[str, str]
) -> None:
    page = pages[path.stem]
    svg = re.search(
        r"<svg xmlns=\"http://www.w3.org/2000/svg\"[^>]*id=\"tree-svg\".*?</svg>", page, re.S
    )
    assert svg, "no tree SVG"
    root = ET.fromstring(svg.group(0))
    assert root.get("viewBox") and root.get("width") is None
    boxes = [g for g in root.iter(f"{SVG_NS}g") if "node" in (g.get("class") or "")]
    linked = [g.get("data-card") for g in boxes if g.get("data-card")]
    # The shipped scenarios are drawn unfolded: every box but the caption links to its owner.
    assert len(linked) == len(boxes) - 1 == len(set(linked))
    assert {anchor_of(o) for o in owners_with_sheets(plans[path.stem])} <= set(linked)
    assert not list(root.iter(f"{SVG_NS}title"))


def test_role_cards_have_a_funnel_a_phasing_chart_and_reasons(
    plans: dict[str, Plan], pages: dict[str, str]
) -> None:
    plan, page = plans["a-company-2015"], pages["a-company-2015"]
    selling = [
        d
        for _, d in json_nodes(plan.graph).items()
        if d["kind"] == Kind.ROLE and d.get("sells") and d.get("headcount")
    ]
    assert page.count('class="chart funnel"') == len(selling) == 4
    assert page.count('class="chart phasing"') == len(selling)
    assert page.count('class="chart stretch"') == 1
    role = as_json(plan.graph, "r:A公司/销售部/销售岗")
    basis = money_text(round(role["basis"] / 10_000) * 10_000, "zh-CN")
    assert f"基准 {basis}，拉伸 {role['stretch']}" in page
    reasons = [binding_text(r, plan.metrics, "zh-CN") for r in role["binding"]]
    assert (f"约束：{reasons[0]}" if reasons else "不受单独约束") in page
    calls = next(m for m in role["marginal"] if m["metric"] == "calls")
    if calls["adds"]:
        assert f"每人每周多 1 个有效电话，可多完成 {money_text(calls['adds'], 'zh-CN')}" in page


def test_the_funnel_goes_from_the_quota_down_to_calls(plans: dict[str, Plan]) -> None:
    plan = plans["a-company-2015"]
    owner = "r:A公司/销售部/销售岗"
    role = as_json(plan.graph, owner)
    totals = {
        d["metric"]: d["total"]
        for _, d in json_nodes(plan.graph).items()
        if d["kind"] == Kind.KR and d["owner"] == owner and d.get("total") is not None
    }
    deals = math.ceil(Fraction(role["per_person"]) / 200_000)  # not on the sheet: worked out
    stages = funnel_stages(plan, owner)
    assert [(s.name, s.value_text, s.step, s.derived) for s in stages] == [
        ("销售额", money_text(role["per_person"], "zh-CN"), "", False),
        ("成交项目", f"{deals} 个", "每个 20万", True),
        ("新增项目机会", f"{totals['opportunities']:,} 个", "30%", False),  # the sheet's totals
        ("拜访新客户", f"{totals['visits']:,} 家", "50%", False),
        ("有效电话", f"{totals['calls']:,} 个", "5%", False),
    ]
    assert re.fullmatch(r"\d+ 个/周", stages[-1].detail)
    channel = funnel_stages(plan, "r:A公司/销售部/渠道经理")
    assert [s.name for s in channel] == ["销售额", "新增渠道代理商"]


def test_the_optimizer_section(plans: dict[str, Plan], pages: dict[str, str]) -> None:
    plan = plans["a-company-2015"]
    context = report_context(plan)
    staffing = [d for _, d in json_nodes(plan.graph).items() if d.get("kr_kind") == "staffing"]
    assert staffing and [h["text"] for h in context["hires"]] == [d["name"] for d in staffing]
    assert context["hires"][0]["unit"] == "A公司 / 销售部"
    assert context["hires"][0]["count"] == str(staffing[0]["target"])
    subjects = {b.subject for b in plan.solver.binding}
    assert len(context["binding"]) == len(subjects)
    for row in context["binding"]:
        assert " · A公司 / 销售部" in row["subject"] and row["reasons"]
        assert "capacity" not in row["reasons"]  # in the plan's words: 产能 …
    assert not context["infeasible"] and 'id="conflict"' not in pages["a-company-2015"]
    chip = plans["chip-market-share"]
    if not chip.solver.hires:
        assert report_context(chip)["hires"] == []
        assert "无需新增招聘" in pages["chip-market-share"]


def test_an_infeasible_plan_shows_the_conflict_and_the_fixes_first(
    write_target: Callable[..., Path],
) -> None:
    plan = api.decompose(write_target(infeasible_target()))
    page = report_html(plan)
    assert page.index('id="conflict"') < page.index('id="tree"') < page.index('id="sheets"')
    conflict = page[page.index('id="conflict"') : page.index('id="tree"')]
    assert "目标无法完成" in conflict
    for relaxation in plan.solver.relaxations:
        assert relaxation.needed in conflict
    assert "增加 3 名销售" in conflict
    assert "冲突的约束" in conflict and "产能: 销售 · 公司 / 销售部" in conflict


@pytest.mark.parametrize(
    ("period", "caption", "columns"),
    [
        ("2015-03", "按周分期（每人）", ["W09", "W10", "W11", "W12", "W13", "W14"]),
        (
            {"from": "2015-11", "to": "2016-02"},
            "按月分期（每人）",
            ["2015年11月", "12月", "2016年1月", "2月"],
        ),
    ],
    ids=["one-month-by-week", "across-years"],
)
def test_phasing_follows_the_plan_period(
    period: Any, caption: str, columns: list[str], write_target: Callable[..., Path]
) -> None:
    target = minimal_target(
        plan={"period": period},
        objectives=[
            {
                "title": "O",
                "key_results": [{"metric": "revenue"}, {"metric": "visits", "per": "week"}],
            }
        ],
    )
    target["org"]["units"][0]["roles"][0]["capacity"] = {"visits": "100/月"}
    page = report_html(api.decompose(write_target(target)))
    assert f"<figcaption>{caption}</figcaption>" in page
    phasing = ET.fromstring(
        re.search(r'<svg[^>]*class="chart phasing".*?</svg>', page, re.S).group(0)
    )
    labels = [t.text for t in phasing.iter(f"{SVG_NS}text") if t.get("font-size") == "10.5"]
    assert labels == columns
    if isinstance(period, dict):  # quarters of two years keep their year in the table
        assert '<th class="num">2015-Q4</th>' in page


def test_the_page_reads_in_the_plans_language(write_target: Callable[..., Path]) -> None:
    plan = api.decompose(write_target(minimal_target(plan={"locale": "en"})))
    page = report_html(plan)
    assert '<html lang="en">' in page
    for words in (
        "Goal tree",
        "OKRs of every unit and role",
        "What the optimizer did",
        "Search units, roles, people or key results by name…",
        "Key results (KRs)",
        "How likely the plan is",
    ):
        assert words in page
    assert "目标树" not in page and "关键成果" not in page
    zh = report_html(api.decompose(write_target(minimal_target(), name="zh.yaml")))
    assert '<html lang="zh-CN">' in zh and "目标树" in zh and "达成目标的可能性" in zh


# ---------------------------------------------------------------------------------------------
# Safety and self-containment


def test_every_name_is_escaped(write_target: Callable[..., Path]) -> None:
    page = report_html(api.decompose(write_target(evil_target())))
    for raw in (EVIL_UNIT, EVIL_ROLE, "<b>bold</b>", "<i>manual</i>", "<u>客户</u>"):
        assert raw not in page
    tags = parse(page)
    names = [t for t, _ in tags.tags]
    assert names.count("script") == 1  # the page's own
    assert not {"img", "b", "i", "u"} & set(names)
    for _, attrs in tags.tags:
        assert not [a for a in attrs if a.startswith("on")], attrs
    text = "".join(tags.text)
    for shown in (EVIL_UNIT, EVIL_ROLE, EVIL_TITLE, "<i>manual</i> & more", "拜访<u>客户</u>"):
        assert shown in text, shown
    if HAS_DOT:  # and in the tree, as text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.split('id="tree-svg"')[1]


def test_the_page_fetches_nothing(pages: dict[str, str]) -> None:
    for page in pages.values():
        for tag, attrs in parse(page).tags:
            assert tag not in ("link", "img", "iframe", "object", "embed"), tag
            assert "src" not in attrs and "srcset" not in attrs, (tag, attrs)
            href = attrs.get("href")
            assert href is None or href.startswith("#"), href
        urls = set(re.findall(r"\w+://[^\s\"'<>)]*", page))
        assert urls <= {"http://www.w3.org/2000/svg"}, urls
        assert "url(" not in page and "@import" not in page
        assert "default-src 'none'" in page  # and the browser is told to fetch nothing
        assert "@media print" in page


def test_sanitize_svg_strips_what_could_run_or_fetch() -> None:
    evil = (
        '<?xml version="1.0"?><!DOCTYPE svg><!-- c -->'
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        ' onload="alert(1)" width="10pt" viewBox="0 0 10 10">'
        "<script>alert(2)</script><style>@import url(http://x/)</style>"
        '<g id="node1" class="node" onmouseover="alert(3)"><title>n1</title>'
        '<a xlink:href="javascript:alert(4)"><text>in a link</text></a>'
        '<polygon points="0,0 1,1" style="fill:url(http://x/y)" fill="red"/>'
        '<text x="1" ONCLICK="alert(5)">safe &lt;text&gt; &amp; more</text>'
        '<use xlink:href="http://x/sprite.svg#a"/><image href="http://x/i.png"/>'
        '<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>'
        '<set attributeName="onclick" to="alert(6)"/><animate href="#x"/>'
        '<path d="M0 0" fill="url(#local)"/>'
        "</g></svg>"
    )
    clean = sanitize_svg(evil, linked={"n1": "s-1"}, root_attrs={"width": None, "id": "t"})
    assert clean == (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" id="t">'
        '<g id="node1" class="node" data-card="s-1"><g><text>in a link</text></g>'
        '<polygon points="0,0 1,1" fill="red"/>'
        '<text x="1">safe &lt;text&gt; &amp; more</text>'
        '<path d="M0 0" fill="url(#local)"/></g></svg>'
    )
    with pytest.raises(ValueError, match="not an SVG"):
        sanitize_svg("<html/>")


def test_charts_are_valid_svg_with_escaped_text() -> None:
    evil = '<x> & "y"\x07'
    charts = [
        funnel_chart(
            [
                FunnelStage(evil, 5e6, "500万", money=True),
                FunnelStage(evil, 25, evil, evil, evil, derived=True),
            ],
            title=evil,
            note=evil,
            derived_text=evil,
        ),
        phasing_chart(
            [PhasingRow(evil, evil, (PhasingCell(0, 1, 3, evil), PhasingCell(1, 3, 0, "0")))],
            ["1月", "2月", "3月", "4月"],
            title=evil,
        ),
        stretch_chart(
            [StretchRow(evil, 1.4, evil), StretchRow(evil, 0.0, "0", 1, False, True)],
            title=evil,
            reference=evil,
            note=evil,
        ),
    ]
    for chart in charts:
        root = ET.fromstring(chart)
        assert root.tag == f"{SVG_NS}svg"
        assert "<x>" not in chart and "\x07" not in chart
        texts = [t.text for t in root.iter(f"{SVG_NS}text")] + [
            t.text for t in root.iter(f"{SVG_NS}title")
        ]
        assert any(t and t.startswith('<x> & "y"') for t in texts)
    assert funnel_chart([], title="t").startswith("<svg")  # empty charts still draw


# ---------------------------------------------------------------------------------------------
# Files, determinism, the command line


def test_same_plan_same_bytes(
    plans: dict[str, Plan], pages: dict[str, str], tmp_path: Path
) -> None:
    plan = plans["sales-center-2021"]
    first = pages["sales-center-2021"]  # report_html(plan), made once for the module
    assert report_html(plan) == first
    written = api.write_plan(plan, tmp_path / "plan", sheets=False)  # the page needs no files
    assert (written / "report.html").read_text(encoding="utf-8") == first
    assert report_html(api.load_plan(written)) == first  # from plan.json, the same page
    assert not re.search(r"20\d\d-\d\d-\d\dT\d\d", first)  # no timestamps


def test_without_dot_the_report_says_so_and_shows_the_rest(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, plans: dict[str, Plan]
) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    page = report_html(plans["a-company-2015"])
    assert 'id="tree-svg"' not in page and 'id="tree-missing"' in page
    assert "目标树未画出" in page and "apt install graphviz" in page
    assert page.count("<article") == len(owners_with_sheets(plans["a-company-2015"]))
    out = tmp_path / "plan"
    result = CliRunner().invoke(cli, ["decompose", str(SCENARIOS[0]), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert 'id="tree-missing"' in (out / "report.html").read_text(encoding="utf-8")


def test_report_command(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "report.html"
    result = runner.invoke(cli, ["report", str(SCENARIOS[0]), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stderr == f"已写入 {out}\n"  # the plan is zh-CN
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    again = runner.invoke(cli, ["report", str(SCENARIOS[0]), "-o", str(out)])
    assert again.exit_code == 1
    assert again.stderr == f"Error: {out} already exists; pass --force to replace it\n"
    assert (
        runner.invoke(cli, ["report", str(SCENARIOS[0]), "-o", str(out), "--force"]).exit_code == 0
    )
    plan_dir = tmp_path / "plan"
    api.write_plan(api.decompose(SCENARIOS[0]), plan_dir, report=False, sheets=False)
    assert not (plan_dir / "report.html").exists()
    stdout = runner.invoke(cli, ["report", str(plan_dir)])
    assert stdout.exit_code == 0
    assert stdout.stdout == out.read_text(encoding="utf-8")
    assert "Example:" in runner.invoke(cli, ["report", "--help"]).output


def test_the_template_ships_with_the_package() -> None:
    template = resources.files("okrplan") / "templates" / "report.html.j2"
    assert template.is_file()
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"templates/*.j2"' in pyproject and '"Jinja2>=3.1"' in pyproject


def test_help_does_not_import_jinja2() -> None:
    code = (
        "import sys; from click.testing import CliRunner; from okrplan.cli import cli; "
        "r = CliRunner().invoke(cli, ['--help']); assert r.exit_code == 0; "
        "bad = [m for m in ('jinja2', 'okrplan.export.report') if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


# ---------------------------------------------------------------------------------------------
# A large organisation's page: its top levels, and a page per unit


@pytest.fixture(scope="module")
def sales_center(plans: dict[str, Plan]) -> Plan:
    return plans["sales-center-2021"]


# 销售中心 (level 0, no roles: 1 sheet); 北京销售团队, 上海销售团队 (2 groups), 推广部 (1 group):
# 6 sheets on level 1; 直销组 (no objective names it: no sheet of its own, 2 groups), 渠道团队
# (2 groups with people; its seed role has nobody, so no sheet): 5 sheets on level 2.
# 6 units, 7 groups with people (the budget counts each unit and group as a card).
@pytest.mark.parametrize(
    ("max_cards", "levels", "cards"), [(1, 0, 1), (6, 0, 1), (7, 1, 7), (12, 1, 7), (13, None, 12)]
)
def test_a_page_shows_whole_levels_within_the_budget(
    sales_center: Plan, max_cards: int, levels: int | None, cards: int
) -> None:
    scope = scope_of(sales_center, None, max_cards)
    assert (scope.levels, scope.units, scope.groups) == (levels, 6, 7)
    page = report_html(sales_center, draw=False, max_cards=max_cards)
    assert page.count("<article") == cards
    note = re.search(r'<p class="notice" id="scope-note">(.*?)</p>', page, re.S)
    if levels is None:
        assert note is None and "badge more" not in page
    else:
        assert note is not None
        assert (
            f"本组织共有 6 个单位、7 个岗位组；本页列出上 {levels + 1} 层的 {cards} 张OKR表"
            in note.group(1)
        )
        first_hidden = "北京销售团队" if levels == 0 else "直销组"  # the next level's first unit
        assert f"<code>okrplan report plan/plan.json --unit {first_hidden}</code>" in note.group(1)


def test_the_outline_says_what_is_below_the_last_level(sales_center: Plan) -> None:
    page = report_html(sales_center, draw=False, max_cards=7)
    # 北京销售团队 is on the last level shown: its two units and four groups are not.
    assert re.findall(r'class="badge more">([^<]*)', page) == ["下属还有 2 个单位、4 个岗位组"]


def test_a_page_per_unit(sales_center: Plan, tmp_path: Path) -> None:
    scope = scope_of(sales_center, "北京销售团队", 3)
    assert (scope.top, scope.levels, scope.units, scope.groups) == (
        "u:销售中心/北京销售团队",
        0,
        3,
        4,
    )
    page = report_html(sales_center, draw=False, unit="北京销售团队")
    titles = re.findall(r'<span class="title">([^<]*)</span>', page)
    # 北京销售团队 and 渠道团队 (直销组 has no sheet: no objective names it), and 4 groups
    assert titles[0] == "北京销售团队" and len(titles) == 1 + 1 + 4
    assert "上海销售团队" not in "".join(titles) and "scope-note" not in page
    assert "北京销售团队的结果分布" in page  # the page's forecast is of its unit
    plan_dir = tmp_path / "plan"
    api.write_plan(sales_center, plan_dir, report=False, images=False, sheets=False)
    runner = CliRunner()
    out = tmp_path / "beijing.html"
    done = runner.invoke(
        cli, ["report", str(plan_dir), "--unit", "北京销售团队/直销组", "-o", str(out)]
    )
    assert done.exit_code == 0, done.output
    assert out.read_text(encoding="utf-8").count("<article") == 2  # its two groups
    wrong = runner.invoke(cli, ["report", str(plan_dir), "--unit", "北京销售"])
    assert wrong.exit_code == 2  # an option naming nothing: a usage error
    assert wrong.stderr.startswith(
        "error: --unit: no unit named '北京销售' in this plan\n    hint: did you mean"
    )
