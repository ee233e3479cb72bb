"""The fast ways of #19's scale target agree with the plain ones: a CRM export read as columns
(pandas) counts what the row-by-row reading counts; the directory read from a large plan's
role and KR lines is the whole plan's; ``expected_to`` adds whole periods as the plain sum does.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from fractions import Fraction as F
from pathlib import Path

import pytest
from progress_plans import team

from okrplan.progress import columnar, crm
from okrplan.progress.config import ActualsSource
from okrplan.progress.readers import Directory

SOURCE = ActualsSource.model_validate(
    {
        "file": "crm.csv",
        "person": "p",
        "date": "d",
        "unit": "u",
        "metric": {"column": "k", "values": {"deal": "revenue", "call": "calls"}},
        "amount": {"column": "amt", "metric": "revenue"},
    }
)


def _export(rng: random.Random, rows: int, amounts: list[str]) -> str:
    """Rows of a, b (and a stranger z) with units written two ways, quoted cells (one with a
    line break inside), kinds not counted, blank lines."""
    lines = ['p,"u",d,k,amt,note']
    for _ in range(rows):
        person = rng.choice(["a", " a ", "b", "z"])
        unit = rng.choice(["C", "", '"C"'])
        day = date(2015, 1, 1) + timedelta(days=rng.randrange(365))
        kind = rng.choice(["deal", "call", "call", "mail"])
        amount = rng.choice(amounts) if kind == "deal" else ""
        note = rng.choice(["", '"x, y"', '"two\nlines"', '"say ""hi"""'])
        lines.append(f"{person},{unit},{day.isoformat()},{kind},{amount},{note}")
        if rng.random() < 0.01:
            lines.append("")
    return "\n".join(lines) + "\n"


def _read(folder: Path, monkeypatch: pytest.MonkeyPatch, fast: bool) -> crm.Batch:
    with monkeypatch.context() as patch:
        if not fast:
            patch.setattr(crm, "csv_chunks", lambda *args: None)
        else:
            patch.setattr(columnar, "ROWS", 7)  # many chunks, each factorised on its own
        return crm.read_crm(SOURCE, folder, Directory(team(["a", "b"], {"2015-Q1": 100})))


@pytest.mark.parametrize("amounts", [["10", "5万", "300"], ["1.5", "2", "2.25"]])
def test_columns_count_what_rows_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, amounts: list[str]
) -> None:
    (tmp_path / "crm.csv").write_text(_export(random.Random(7), 400, amounts), "utf-8")
    fast, slow = (_read(tmp_path, monkeypatch, f) for f in (True, False))
    assert slow.errors == [] and fast.read == slow.read > 400  # blank lines are read too
    assert [tuple(c) for c in _rows(fast)] == [tuple(c) for c in _rows(slow)]
    assert len(_rows(fast)) > 12 and fast.unmatched == slow.unmatched and "z" in fast.unmatched
    assert [i.message for i in fast.issues] == [i.message for i in slow.issues]


def _rows(batch: crm.Batch) -> list[tuple[str, str, str, F]]:
    return [(c.kr, c.person, c.period, c.value) for c in batch.rows]


def test_a_short_row_is_read_row_by_row_and_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = 'p,u,d,k,amt\na,C,2015-03-02,deal,10\na,C,"2015-03-02",call\n'
    (tmp_path / "crm.csv").write_text(text, "utf-8")
    assert columnar.csv_chunks(str(tmp_path / "crm.csv"), "utf-8", ",", [], [0, 4]) is None
    batch = _read(tmp_path, monkeypatch, True)
    assert [(i.line, i.message) for i in batch.errors] == [(3, "the row has too few columns")]


def test_the_light_directory_is_the_whole_plans(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from okrplan.export import planjson
    from okrplan.progress.planfile import light_directory

    plan = team(["a", "b", "c"], {"2015-Q1": 100, "2015-Q2": 50})
    (tmp_path / "plan.json").write_text(planjson.to_json(plan), "utf-8")
    assert light_directory(tmp_path) is None  # a small plan's layout: read in full
    monkeypatch.setattr(planjson, "ITEM_PER_LINE_FROM", 0)
    (tmp_path / "plan.json").write_text(planjson.to_json(plan), "utf-8")
    light = light_directory(tmp_path)
    assert light is not None
    people, locale = light
    whole = Directory(plan)  # the plan in memory, as load_plan would read it back
    assert people.people == whole.people and people.kr_of == whole.kr_of
    assert people.kr_of == {("u:C", "revenue"): "k:C#1.1", ("r:T", "revenue"): "k:T#1.1"}
    assert people.person_group("b") == whole.person_group("b") and locale == plan.locale


def test_expected_to_adds_whole_periods_as_the_plain_sum_does() -> None:
    from okrplan.progress import calendar
    from okrplan.progress.pace import expected_to

    rng = random.Random(3)
    for _ in range(200):
        schedule = []
        for month in range(1, 13):
            first, last = calendar.span(f"2015-{month:02d}")
            value = rng.choice([rng.randrange(10**9), F(rng.randrange(100), 7), 0])
            schedule.append((first, last, value))
        day = date(2015, 1, 1) + timedelta(days=rng.randrange(-5, 370))
        plain = sum((v * calendar.elapsed(first, last, day) for first, last, v in schedule), F(0))
        assert expected_to(schedule, day) == plain
    from okrplan.progress.pace import exact_sum

    for values in ([3, F(4), 0], [F(1, 3), 2, 0.5], []):
        assert exact_sum(values) == sum((F(v) for v in values), F(0))  # 7; 2 5/6; 0
    # the issue's: 8,000 phased 20/20/20/40% by quarter, as of 30 June: 1,600 + 1,600 = 3,200
    quarters = [
        (*calendar.span(f"2015-Q{q}"), v)
        for q, v in zip((1, 2, 3, 4), (1600,) * 3 + (3200,), strict=True)
    ]
    assert expected_to(quarters, date(2015, 6, 30)) == 3200
    # and half of June's 310 when only its first 15 of 30 days are gone: 155
    assert expected_to([(*calendar.span("2015-06"), 310)], date(2015, 6, 15)) == 155


def test_checkin_of_a_large_layout_plan_stores_what_the_small_one_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner
    from conftest import dump, minimal_target

    from okrplan import api
    from okrplan.cli import cli
    from okrplan.export import planjson
    from okrplan.progress import latest

    target = minimal_target()
    target["org"]["units"][0]["roles"][0] = {  # type: ignore[index]
        "role": "销售", "people": ["张三", "李四"], "sells": "deals"
    }  # fmt: skip
    target["actuals"] = [
        {"file": "crm.csv", "person": "负责人", "date": "日期",
         "metric": {"column": "类型", "values": {"成交": "deals"}},
         "amount": {"column": "金额", "metric": "revenue"}}
    ]  # fmt: skip
    (tmp_path / "target.yaml").write_text(dump(target), encoding="utf-8")
    rows = ["张三,2015-03-20,成交,12万", "李四,2015-04-01,成交,300000", "钱七,2015-03-05,成交,1"]
    (tmp_path / "crm.csv").write_text("负责人,日期,类型,金额\n" + "\n".join(rows) + "\n", "utf-8")
    plan = api.decompose(tmp_path / "target.yaml")
    stored = []
    for name, layout in (("small", 20_000), ("large", 0)):  # format 2, then one node per line
        monkeypatch.setattr(planjson, "ITEM_PER_LINE_FROM", layout)
        api.write_plan(plan, tmp_path / name, images=False, sheets=False, report=False)
        done = CliRunner().invoke(
            cli, ["checkin", str(tmp_path / name), "--target", str(tmp_path / "target.yaml")]
        )
        assert done.exit_code == 0, done.output
        assert "钱七 (2)" in done.stderr  # a monthly total of deals and one of revenue
        stored.append(latest(tmp_path / name))
    from okrplan.progress.planfile import light_directory

    assert light_directory(tmp_path / "large") is not None  # read the light way
    assert stored[0] == stored[1] and len(stored[0]) == 4  # 2 people × (deals, revenue)
    assert {c.value for c in stored[0]} == {1, 120_000, 300_000}


def test_dense_totals_are_the_sorted_ones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # amounts that add up to 0 keep their key (-10 + 10 in one month is a month with deals)
    (tmp_path / "crm.csv").write_text(_export(random.Random(3), 600, ["10", "-10", "5万"]), "utf-8")
    dense = _read(tmp_path, monkeypatch, True)
    monkeypatch.setattr(crm, "_SLOTS", 0)  # no room: the keys are sorted instead
    assert _rows(dense) == _rows(_read(tmp_path, monkeypatch, True)) and len(_rows(dense)) > 12
