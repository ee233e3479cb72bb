"""What validates, decomposes: `okrplan validate` solves a valid file too (writing nothing),
so that what only the solver sees is refused there, at the line it is about."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import dump, minimal_target

from okrplan.cli import cli


def _sheet(*weights: str | None, **rules: str) -> dict[str, Any]:
    """One objective of the revenue, deals and visits KRs with ``weights`` fixed (None: free),
    on the company's sheet; ``rules`` go to weights:."""
    krs = [
        {"metric": metric, **({"weight": w} if w else {})}
        for metric, w in zip(("revenue", "deals", "visits"), weights, strict=False)
    ]
    target = minimal_target(objectives=[{"title": "业绩", "at": ["company"], "key_results": krs}])
    if rules:
        target["weights"] = rules
    return target


@pytest.mark.parametrize(
    ("target", "key", "message", "hint"),
    [
        (
            _sheet("30%", "30%", rule="given"),
            "weights",
            "the sheet 公司: the weights add up to 60%, not 100% (销售额, 成交项目)",
            "make the weights on each sheet add up to exactly 100%",
        ),
        (
            _sheet("60%", "60%"),
            "objectives[0].key_results[0].weight",
            "the sheet 公司: the fixed weights add up to 120%, more than 100% (销售额, 成交项目)",
            "lower some fixed weights",
        ),
        (
            _sheet("50%", None, None, min="30%"),
            "weights",
            "the sheet 公司: 2 KRs without a fixed weight need at least 30% each, "
            "but only 50% is left",
            "lower weights.min, fix fewer weights, or drop KRs",
        ),
    ],
    ids=["given-short", "fixed-over", "min-over"],
)
def test_weights_no_sheet_can_reach_are_refused_by_validate(
    write_target: Callable[..., Path], target: dict[str, Any], key: str, message: str, hint: str
) -> None:
    path = write_target(target)
    text = dump(target)
    first = key.split(".")[-1] if key == "weights" else "weight"
    line = text[: text.index(f"{first}:")].count("\n") + 1  # where the key is written
    checked = CliRunner().invoke(cli, ["validate", str(path)])
    assert checked.exit_code == 1
    assert checked.stderr.startswith(f"{path}:{line}:")
    assert f": error: {key}: {message}\n    hint: {hint}\n" in checked.stderr
    made = CliRunner().invoke(cli, ["decompose", str(path), "-o", str(path.parent / "plan")])
    assert made.exit_code == 1 and message in made.stderr  # the same refusal


def test_a_plan_that_cannot_be_met_is_valid(write_target: Callable[..., Path]) -> None:
    """Infeasible is not invalid: validate says ok, decompose writes the plan and exits 3."""
    path = write_target(
        minimal_target(
            kpi={"metric": "revenue", "target": "100亿"},
            org={
                "name": "公司",
                "units": [
                    {
                        "name": "销售部",
                        "roles": [
                            {
                                "role": "销售",
                                "headcount": 5,
                                "sells": "deals",
                                "capacity": {"deals": "1/月"},
                            }
                        ],
                    }
                ],
            },
        )
    )
    assert CliRunner().invoke(cli, ["validate", str(path)]).exit_code == 0
    made = CliRunner().invoke(cli, ["decompose", str(path), "-o", str(path.parent / "plan")])
    assert made.exit_code == 3
