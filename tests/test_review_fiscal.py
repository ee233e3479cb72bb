"""`okrplan review --period` in a plan whose year starts in February (FY2027 = 2026-02..2027-01).

By hand: FY2027-Q1 is February, March and April 2026: 2026-02-01 to 2026-04-30; FY2027-Q4 is
November 2026 to January 2027.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import dump, minimal_target

from okrplan import api
from okrplan.cli import cli
from okrplan.export.planjson import to_json
from okrplan.review.periods import review_period, span


@pytest.mark.parametrize(
    "written", ["FY2027-Q1", "FY27 Q1", "fy27q1", "FY 2027 Q1", "27财年Q1", "2027财年第一季度"]
)
def test_fiscal_quarters_as_planners_write_them(written: str) -> None:
    assert review_period(written, fiscal=2) == "FY2027-Q1"


def test_fiscal_spans_and_calendar_plans() -> None:
    q1, q4 = span("FY2027-Q1", 2), span("FY2027-Q4", 2)
    assert (q1.first, q1.last) == (date(2026, 2, 1), date(2026, 4, 30))
    assert (q4.first, q4.last) == (date(2026, 11, 1), date(2027, 1, 31))
    assert review_period("FY2015-Q3") == "2015-Q3"  # a calendar plan: FY2015 is 2015
    assert review_period("2015-Q2", fiscal=2) == "2015-Q2"  # calendar quarters as before
    with pytest.raises(ValueError, match="fiscal quarter"):
        review_period("FY2027-Q5", fiscal=2)


@pytest.fixture(scope="module")
def fiscal_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fiscal")
    target = minimal_target(plan={"period": {"from": "2026-02", "to": "2027-01"}})
    (folder / "t.yaml").write_text(dump(target), encoding="utf-8")
    (folder / "plan").mkdir()  # plan.json alone: all review and score read
    (folder / "plan" / "plan.json").write_text(to_json(api.decompose(folder / "t.yaml")), "utf-8")
    return folder / "plan"


@pytest.mark.parametrize("written", ["FY2027-Q1", "FY27 Q1", "27财年Q1"])
def test_review_takes_a_fiscal_quarter(fiscal_plan: Path, written: str) -> None:
    result = CliRunner().invoke(cli, ["review", str(fiscal_plan), "--period", written])
    assert result.exit_code == 0, result.output
    assert "FY2027-Q1" in result.output and "2026-02-01 – 2026-04-30" in result.output


def test_a_fiscal_quarter_outside_the_plan_is_refused(fiscal_plan: Path) -> None:
    result = CliRunner().invoke(cli, ["review", str(fiscal_plan), "--period", "FY2028-Q1"])
    assert result.exit_code == 2
    assert "FY2028-Q1" in result.output
