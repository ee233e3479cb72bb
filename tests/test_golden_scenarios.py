"""plan.json and plan.md of every shipped scenario, byte for byte (golden files).

A change to the solver or the writers shows here as a diff to review: run
``pytest tests/test_golden_scenarios.py --update-golden`` and read ``git diff tests/golden``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from okrplan import api
from okrplan.export.markdown import to_markdown
from okrplan.export.planjson import to_json

SCENARIOS = sorted((Path(__file__).resolve().parent.parent / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario_outputs_match_golden(path: Path, golden: Callable[[str, str], None]) -> None:
    plan = api.decompose(path)
    golden(f"scenarios/{path.stem}/plan.json", to_json(plan))
    golden(f"scenarios/{path.stem}/plan.md", to_markdown(plan))
