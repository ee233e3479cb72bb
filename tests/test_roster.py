"""Roster files and the role catalogue: people from a table, roles defined once, checked by hand.

The target below has one funnel: 40 visits a month per person, 25% of visits become a deal,
10万 per deal, so a fully productive person can carry 40 × 25% × 10万 = 100万 a month.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from okrplan.api import decompose
from okrplan.cli import cli
from okrplan.errors import InputError
from okrplan.model import RoleGroup
from okrplan.queries import records
from okrplan.solve.allocate import allocate
from okrplan.solve.bases import bases_of
from okrplan.solve.groups import build_groups
from okrplan.spec import load_spec

WAN = 10_000
HEADER = "name,unit,role,joined,left"


def _target(**changes: Any) -> dict[str, Any]:
    target: dict[str, Any] = {
        "okrplan": 1,
        "plan": {"name": "测试", "period": 2026, "buffer": "0%"},
        "kpi": {"metric": "revenue", "target": "1200万"},
        "metrics": {
            "revenue": {"name": "销售额", "kind": "money"},
            "deals": {"name": "成交", "unit": "个", "yields": {"revenue": "10万"}},
            "visits": {"name": "拜访", "unit": "家", "yields": {"deals": "25%"}},
        },
        "roles": {
            "销售": {
                "sells": "deals",
                "capacity": {"visits": "40/月"},
                "ramp": ["0%", "50%", "100%"],
                "ramp_per": "month",
            }
        },
        "org": {"name": "公司", "roster": "people.csv"},
    }
    target.update(changes)
    return target


@pytest.fixture
def roster(tmp_path: Path, write_target: Callable[..., Path]) -> Callable[..., Path]:
    """``roster(csv_text, **target_changes)`` → the target file's path, its roster beside it."""

    def write(text: str, **changes: Any) -> Path:
        (tmp_path / "people.csv").write_text(text, encoding="utf-8")
        return write_target(_target(**changes))

    return write


GOOD = f"{HEADER}\n张三,华东/上海,销售,,\n李四,华东/上海,销售,2026-04,\n王五,华北,销售,,2026-06\n"


def test_a_roster_builds_units_people_and_quotas(roster: Callable[..., Path]) -> None:
    # Capacity bases (100万 a month at full productivity; ramp 0%, 50%, then 100% by month):
    #   张三 (there all year): 12 × 100万 = 1200万
    #   李四 joins in April: Apr 0% (training), May 50%, Jun–Dec 7 × 100% → 0 + 50 + 700 = 750万
    #   王五 leaves after June: Jan–Jun 6 × 100万 = 600万 (already in the role: no ramp)
    # Σ = 2550万; KPI 1200万 → each at 1200/2550 of their basis, rounded to 10万 with the
    # total kept: 张三 564.7 → 570万, 李四 352.9 → 350万, 王五 282.4 → 280万 (Σ 1200万).
    spec = load_spec(roster(GOOD))
    assert [u.names for u in spec.units] == [
        ("公司",),
        ("公司", "华东"),
        ("公司", "华东", "上海"),
        ("公司", "华北"),
    ]
    groups = build_groups(spec)
    bases = {g.id: b for g, b in zip(groups, bases_of(spec, groups), strict=True)}
    assert bases == {
        "r:公司/华东/上海/销售": 1200 * WAN,
        "r:公司/华东/上海/销售@2026-04": 750 * WAN,
        "r:公司/华北/销售~2026-06": 600 * WAN,
    }
    by_id = {g.id: g for g in groups}
    april = by_id["r:公司/华东/上海/销售@2026-04"]
    assert april.ramp[:6] == (0, 0, 0, 0, Fraction(1, 2), 1)  # training month: no quota
    assert april.weights[3] == 0
    assert by_id["r:公司/华北/销售~2026-06"].ramp[5:7] == (1, 0)
    quotas = allocate(spec, groups).quotas  # before rounding: 1200万 × basis / 2550万
    assert quotas == {
        "r:公司/华东/上海/销售": Fraction(1200 * 1200, 2550) * WAN,
        "r:公司/华东/上海/销售@2026-04": Fraction(1200 * 750, 2550) * WAN,
        "r:公司/华北/销售~2026-06": Fraction(1200 * 600, 2550) * WAN,
    }
    plan = decompose(roster(GOOD))
    people = {
        r.people: r.selling.quota
        for r in records(plan.graph)
        if isinstance(r, RoleGroup) and r.selling is not None
    }
    assert people == {("张三",): 570 * WAN, ("李四",): 350 * WAN, ("王五",): 280 * WAN}


def test_own_history_gives_own_entry_and_catalogue_fields_are_overridable(
    roster: Callable[..., Path],
) -> None:
    # split.basis: history; 张三 sold 300万 last year, 李四 100万: each their own entry, so the
    # 400万 KPI splits 300万 / 100万 (not 200万 each). 李四's capacity override (80 visits a
    # month) replaces the catalogue's 40 for visits only; the ramp still comes from the catalogue.
    text = (
        "name,unit,role,history,capacity.visits\n"
        "张三,华东,销售,300万,\n"
        "李四,华东,销售,100万,80/月\n"
    )
    spec = load_spec(
        roster(text, split={"basis": "history"}, kpi={"metric": "revenue", "target": "400万"})
    )
    roles = [ref.role for ref in spec.roles]
    assert [(r.history, str(r.capacity["visits"].value)) for r in roles] == [
        (300 * WAN, "40"),
        (100 * WAN, "80"),
    ]
    assert all(r.ramp is not None and r.ramp[0] == 0 for r in roles)
    quotas = allocate(spec, build_groups(spec)).quotas
    assert sorted(quotas.values()) == [100 * WAN, 300 * WAN]


def test_a_yaml_unit_is_found_by_path_and_keeps_its_lead(
    roster: Callable[..., Path],
) -> None:
    org = {"name": "公司", "roster": "people.csv", "units": [{"name": "华东", "lead": "总监"}]}
    spec = load_spec(roster(f"{HEADER}\n张三,公司/华东,销售,,\n", org=org))
    assert [(u.names, u.unit.lead) for u in spec.units] == [
        (("公司",), ""),
        (("公司", "华东"), "总监"),
    ]


def test_people_who_left_before_the_plan_are_left_out_with_a_warning(
    roster: Callable[..., Path],
) -> None:
    rows = f"{HEADER}\n张三,华东,销售,,\n李四,华东,销售,2024-01,2025-12\n"
    spec = load_spec(roster(rows))
    assert [r.role.people for r in spec.roles] == [("张三",)]
    assert [_short(str(w).splitlines()[0]) for w in spec.warnings] == [
        "people.csv: warning: 1 人在计划开始前已离职，不纳入计划"  # the plan's locale: zh-CN
    ]
    plan = {"name": "Test", "period": 2026, "buffer": "0%", "locale": "en"}
    english = load_spec(roster(rows, plan=plan))
    assert [_short(str(w).splitlines()[0]) for w in english.warnings] == [
        "people.csv: warning: 1 person left before the plan starts and is not planned"
    ]


BAD = [
    # (rows after the header, expected first line of each problem)
    ("name,unit\n张三,华东\n", ["people.csv:1: error: the roster has no role column"]),
    ("unit,role\n华东,销售\n", ["people.csv:1: error: the roster has no name column"]),
    (
        f"{HEADER},extra\n张三,华东,销售,,,x\n",
        ["people.csv:1: error: extra: unknown column 'extra'"],
    ),
    (
        f"{HEADER},capacity.calls\n张三,华东,销售,,,5/周\n",
        ["people.csv:1: error: capacity.calls: no metric 'calls' is defined under metrics"],
    ),
    (f"{HEADER}\n,华东,销售,,\n", ["people.csv:2: error: name: no name given"]),
    (f"{HEADER}\n张三,,销售,,\n", ["people.csv:2: error: unit: no unit given"]),
    (f"{HEADER}\n张三,华东,,,\n", ["people.csv:2: error: role: no role given"]),
    (
        f"{HEADER}\n张三,华东,销,,\n",
        ["people.csv:2: error: role: no role '销' in the role catalogue (roles:)"],
    ),
    (
        f"{HEADER}\n张三,华东//上海,销售,,\n",
        ["people.csv:2: error: unit: the unit path '华东//上海' has an empty part"],
    ),
    (
        f"{HEADER}\n张三,华东,销售,2026-13,\n",
        ["people.csv:2: error: joined: '2026-13' is not a month"],
    ),
    (f"{HEADER}\n张三,华东,销售,,soon\n", ["people.csv:2: error: left: 'soon' is not a month"]),
    (
        f"{HEADER}\n张三,华东,销售,2026-05,2026-03\n",
        ["people.csv:2: error: left: leaves (2026-03) before joining (2026-05)"],
    ),
    (
        "name,unit,role,history\n张三,华东,销售,abc\n",
        ["people.csv:2: error: history: 'abc' is not a quantity I can read"],
    ),
    (
        "name,unit,role,quota\n张三,华东,销售,-5万\n",
        ["people.csv:2: error: quota: expected an amount of zero or more, got '-5万'"],
    ),
    (
        "name,unit,role,capacity.visits\n张三,华东,销售,-5/月\n",
        ["people.csv:2: error: capacity.visits: expected a positive count per period, got '-5/月'"],
    ),
    (
        f"{HEADER}\n张三,华东,销售,,\n张三,华东,销售,,\n",
        ["people.csv:3: error: name: '张三' is listed twice in 华东 (also row 2)"],
    ),
    (
        f"{HEADER}\n张三,华东,销售,2027-03,\n",
        ["people.csv:2: error: joined: 张三 joins after the plan ends"],
    ),
]


@pytest.mark.parametrize(("text", "expected"), BAD)
def test_bad_rosters_are_reported_with_row_column_and_hint(
    roster: Callable[..., Path], text: str, expected: list[str]
) -> None:
    with pytest.raises(InputError) as info:
        load_spec(roster(text))
    errors = [i for i in info.value.issues if i.severity == "error"]
    assert [_short(str(i).splitlines()[0]) for i in errors] == expected
    assert all(i.hint for i in errors)
    result = CliRunner().invoke(cli, ["validate", str(roster(text))])
    assert result.exit_code == 1
    assert [_short(line) for line in result.stderr.splitlines() if ": error: " in line] == expected


def _short(line: str) -> str:
    """An issue's first line with the temporary directory dropped from its file."""
    return re.sub(r"^/\S*/(?=[^/]*\.(csv|yaml):)", "", line)


def test_a_roster_that_conflicts_with_the_yaml_tree(roster: Callable[..., Path]) -> None:
    # 上海 is under 华东 in the target file; the roster puts it at the top. And the YAML already
    # lists 销售 people in 华东: the roster may not add a second source for them.
    org = {
        "name": "公司",
        "roster": "people.csv",
        "units": [
            {
                "name": "华东",
                "roles": [{"role": "销售", "people": ["甲"]}],
                "units": [{"name": "上海"}],
            }
        ],
    }
    with pytest.raises(InputError) as info:
        load_spec(roster(f"{HEADER}\n张三,上海,销售,,\n李四,华东,销售,,\n", org=org))
    assert [(i.line, i.path, i.message, i.hint) for i in info.value.issues] == [
        (
            2,
            "unit",
            "上海 is at 华东/上海 in the target file, not at 上海",
            "write the path as 华东/上海",
        ),
        (
            3,
            "unit",
            "销售 in 华东 is also written in the target file",
            "keep the people of one role in one unit either in the roster or in the target "
            "file, not both",
        ),
    ]


def test_a_roster_below_the_top_unit_and_a_catalogue_with_an_unknown_metric(
    write_target: Callable[..., Path],
) -> None:
    target = _target()
    target["roles"]["销售"]["capacity"] = {"calls": "5/周"}
    target["org"] = {
        "name": "公司",
        "units": [{"name": "华东", "roster": "x.csv", "roles": [{"role": "销售", "headcount": 2}]}],
    }
    with pytest.raises(InputError) as info:
        load_spec(write_target(target))
    messages = {(i.path, i.message) for i in info.value.issues}
    assert ("org.units[0].roster", "a roster belongs on org, the top unit") in messages
    assert ("roles.销售.capacity.calls", "no metric 'calls' is defined under metrics") in messages


def test_an_xlsx_roster_with_chinese_headers_and_date_cells(
    tmp_path: Path, write_target: Callable[..., Path]
) -> None:
    # Excel keeps 入职日期 as a date cell: 2026-04-15 counts as April 2026.
    import datetime

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["姓名", "部门", "岗位", "入职日期"])
    sheet.append(["张三", "公司/华东", "销售", None])
    sheet.append(["李四", "公司/华东", "销售", datetime.datetime(2026, 4, 15)])
    book.save(tmp_path / "people.xlsx")
    target = _target()
    target["org"]["roster"] = "people.xlsx"
    spec = load_spec(write_target(target))
    (ref,) = spec.roles
    assert [p if isinstance(p, str) else (p.name, str(p.joined)) for p in ref.role.people] == [
        "张三",
        ("李四", "2026-04"),
    ]


def test_a_gb18030_csv_roster(tmp_path: Path, write_target: Callable[..., Path]) -> None:
    (tmp_path / "people.csv").write_bytes(f"{HEADER}\n张三,华东,销售,,\n".encode("gb18030"))
    spec = load_spec(write_target(_target()))
    assert [r.role.people for r in spec.roles] == [("张三",)]


def test_every_problem_of_a_roster_is_reported_at_once(roster: Callable[..., Path]) -> None:
    # Rows are checked column by column and across rows (a name twice, joining after the
    # plan); every problem is reported, sorted by row and column.
    text = (
        "name,unit,role,joined,left,history,capacity.visits\n"
        ",华东//上海,销,2026-13,soon,abc,-5/月\n"
        "张三,,,2026-05,2026-03,,\n"
        "李四,华东,销售,,,5万,\n"
        "李四,华东,销售,,,,\n"
        "王五,华东,销售,2027-03,,,\n"
        "赵六,公司/,销售,,,,\n"
    )
    with pytest.raises(InputError) as info:
        load_spec(roster(text))
    assert [(i.line, i.path, i.message) for i in info.value.issues] == [
        (2, "capacity.visits", "expected a positive count per period, got '-5/月'"),
        (2, "history", "'abc' is not a quantity I can read"),
        (2, "joined", "'2026-13' is not a month"),
        (2, "left", "'soon' is not a month"),
        (2, "name", "no name given"),
        (2, "role", "no role '销' in the role catalogue (roles:)"),
        (2, "unit", "the unit path '华东//上海' has an empty part"),
        (3, "left", "leaves (2026-03) before joining (2026-05)"),
        (3, "role", "no role given"),
        (3, "unit", "no unit given"),
        (5, "name", "'李四' is listed twice in 华东 (also row 4)"),
        (6, "joined", "王五 joins after the plan ends"),
        (7, "unit", "the unit path '公司/' has an empty part"),
    ]


def test_namesakes_in_different_units_are_two_people(roster: Callable[..., Path]) -> None:
    # a name twice in the roster, but in two units: each unit has its own 张三 (no problem);
    # the same name twice in one unit is reported (above)
    spec = load_spec(roster(f"{HEADER}\n张三,华东,销售,,\n张三,华北,销售,,\n李四,华北,销售,,\n"))
    people = {ref.unit.unit.name: ref.role.people for ref in spec.roles}
    assert people == {"华东": ("张三",), "华北": ("张三", "李四")}
