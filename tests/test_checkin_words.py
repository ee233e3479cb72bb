"""`okrplan checkin` speaks the plan's language: every line of a zh-CN plan's check-in in
Chinese, an en plan's in English (the messages of the readers, the CRM count and the
problems' "error:"/"warning:"/"hint:" and summary)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import dump, minimal_target

from okrplan import api
from okrplan.cli import cli
from okrplan.errors import InputError, Issue, Severity

REVENUE = "k:公司/销售部/销售#1.1"


@pytest.fixture(scope="module", params=["zh-CN", "en"])
def made(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp(request.param)
    target = minimal_target(plan={"locale": request.param})
    target["org"]["units"][0]["roles"][0] = {"role": "销售", "people": ["张三"], "sells": "deals"}
    target["actuals"] = [
        {"file": "crm.csv", "person": "负责人", "date": "日期",
         "metric": {"column": "类型", "values": {"成交": "deals", "电话": "calls"}}}
    ]  # fmt: skip
    (folder / "target.yaml").write_text(dump(target), encoding="utf-8")
    api.write_plan(api.decompose(folder / "target.yaml"), folder / "plan", images=False,
                   sheets=False, report=False)  # fmt: skip
    return folder


def _run(made: Path, tmp_path: Path, *args: str) -> Result:
    shutil.copytree(made, tmp_path, dirs_exist_ok=True)
    return CliRunner().invoke(cli, ["checkin", str(tmp_path / "plan"), *args])


def _lines(made: Path) -> dict[str, list[str]]:
    zh = made.name.startswith("zh")
    return {
        "bad": [
            "bad.csv:2: 错误：kr：计划中没有关键成果 'k:nope'",
            "bad.csv:3: 错误：period：'2015-13' 不是期间",
            "    提示：请写月份（2015-03）、周（2015-W10）、季度（2015-Q2）或日期（2015-06-30）",
            "bad.csv:4: 错误：confidence：信心指数 '11' 不在 0 到 10 之间",
            "    提示：请写 0 到 10 的整数",
            "3 行有问题；什么都没有记录",
        ]
        if zh
        else [
            "bad.csv:2: error: kr: no KR 'k:nope' in the plan",
            "bad.csv:3: error: period: '2015-13' is not a period",
            "    hint: write a month (2015-03), a week (2015-W10), a quarter (2015-Q2) or a date"
            " (2015-06-30)",
            "bad.csv:4: error: confidence: confidence '11' is not 0 to 10",
            "    hint: write a whole number 0 to 10",
            "3 bad rows; nothing was recorded",
        ],
        "crm": [
            "crm.csv: 警告：销售 没有指标 'calls' 的关键成果：1 个月度合计未存入",
            "crm.csv：读取 3 行，1 条进度，1 项有变化",
            "crm.csv：计划中没有这些人（未计入）：钱七 (1)",
        ]
        if zh
        else [
            "crm.csv: warning: 销售 has no KR of the metric 'calls': 1 monthly totals not stored",
            "crm.csv: 3 rows read, 1 check-ins, 1 values changed",
            "crm.csv: no one in the plan is called (not counted): 钱七 (1)",
        ],
    }


def test_bad_rows_in_the_plans_language(made: Path, tmp_path: Path) -> None:
    bad = (
        "kr,period,value,confidence\nk:nope,2015-03,1,\n"
        f"{REVENUE},2015-13,1,\n{REVENUE},2015-03,1,11\n"
    )
    (tmp_path / "bad.csv").write_text(bad, encoding="utf-8")
    done = _run(made, tmp_path, str(tmp_path / "bad.csv"))
    assert done.exit_code == 1
    got = done.stderr.replace(f"{tmp_path}/", "").splitlines()
    assert got == _lines(made)["bad"]


def test_a_crm_import_in_the_plans_language(made: Path, tmp_path: Path) -> None:
    crm = "负责人,日期,类型\n张三,2015-03-02,成交\n张三,2015-03-09,电话\n钱七,2015-03-05,成交\n"
    (tmp_path / "crm.csv").write_text(crm, encoding="utf-8")
    done = _run(made, tmp_path, "--target", str(tmp_path / "target.yaml"))
    assert done.exit_code == 0, done.output
    shown = (done.stderr + done.stdout).replace(f"{tmp_path}/", "").splitlines()
    assert all(line in shown for line in _lines(made)["crm"]), shown


def test_a_problem_without_a_plan_reads_as_before() -> None:
    issue = Issue("x", "t.yaml", 3, path="k", hint="h", severity=Severity.WARNING)
    assert str(issue) == "t.yaml:3: warning: k: x\n    hint: h"
    assert InputError([Issue("y")]).summary == "1 problem found"
    assert InputError([Issue("y", locale="zh-CN")] * 2).summary == "发现 2 个问题"


def test_a_bad_day_for_status_is_said_in_the_plans_language(made: Path) -> None:
    result = CliRunner().invoke(cli, ["status", str(made / "plan"), "--as-of", "6月底"])
    zh = made.name.startswith("zh")
    assert result.exit_code == 2
    assert result.stderr == (
        "错误：--as-of '6月底' 不是日期\n    提示：例如 2015-06-30\n发现 1 个问题\n"
        if zh
        else "error: --as-of '6月底' is not a date\n    hint: e.g. 2015-06-30\n1 problem found\n"
    )
