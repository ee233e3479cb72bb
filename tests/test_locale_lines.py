"""okrplan's own lines follow the plan's language (zh-CN and en): validate's count of problems,
init's and import-actuals' lines, decompose's warnings, the objectives checks' warnings."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import dump, minimal_target

from okrplan.cli import cli
from okrplan.wording import LABELS, words

KEYS = (
    "warning_line",
    "no_images",
    "wrote_then_validate",
    "read_actuals",
    "file_problems",
    "same_name_units",
    "same_name_units_hint",
    "support_kr_off",
    "support_kr_off_hint",
)


def test_every_line_is_in_both_languages() -> None:
    for key in KEYS:
        assert key in LABELS["zh-CN"] and key in LABELS["en"]
    assert words("zh-CN", "read_actuals", n=3, books=1) == "从 1 个工作簿读到 3 个实际值"
    assert words("en", "read_actuals", n=1, books=2) == "read 1 actual from 2 workbooks"
    assert words("en", "warning_line", text="x") == "warning: x"
    assert words("zh-CN", "warning_line", text="x") == "警告：x"
    said = {"unit": "市场部", "supplies": "opportunities", "metric": "visits"}
    assert words("zh-CN", "support_kr_off", **said).startswith("市场部 提供 opportunities；")
    assert words("en", "same_name_units", n=2, name="华东") == (
        "2 units are named '华东'; the objective applies to all of them"
    )


@pytest.mark.parametrize(
    ("locale", "line"), [("zh-CN", "bad.yaml：1 个问题\n"), ("en", "bad.yaml: 1 problem\n")]
)
def test_validate_counts_problems_in_the_plans_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, locale: str, line: str
) -> None:
    target = minimal_target(plan={"locale": locale})
    target["kpi"] = {"metric": "revenue"}  # no target: one problem
    (tmp_path / "bad.yaml").write_text(dump(target), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["validate", "bad.yaml"])
    assert result.exit_code == 1
    assert result.stderr.endswith(line)


def test_init_says_what_it_wrote_in_the_starters_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["init", "t.yaml"])
    assert result.exit_code == 0
    assert result.stderr == "已写入 t.yaml；编辑后运行：okrplan validate t.yaml\n"
