"""Shared helpers: write a target file into a test's tmp_path, build a minimal target."""

from __future__ import annotations

import copy
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

# pytest caches its assertion-rewritten test modules (and Python the compiled okrplan modules)
# in __pycache__ even where PYTHONDONTWRITEBYTECODE is set: rewriting the test files again costs
# each xdist worker about 4 s of CPU on every run.
sys.dont_write_bytecode = False

FUNNEL = {
    "revenue": {"name": "销售额", "kind": "money"},
    "deals": {"name": "成交项目", "unit": "个", "yields": {"revenue": "10万"}},
    "visits": {"name": "客户拜访", "unit": "家次", "yields": {"deals": "20%"}},
}


def minimal_target(**sections: Any) -> dict[str, Any]:
    """A valid target (one team of 5 who sell deals, 1000万) with ``sections`` replacing keys.

    ``plan`` entries are merged into the default plan; every other key replaces its section.
    """
    target: dict[str, Any] = {
        "okrplan": 1,
        "plan": {"name": "test", "period": 2015, "locale": "zh-CN", "buffer": "0%"},
        "kpi": {"metric": "revenue", "target": "1000万"},
        "metrics": copy.deepcopy(FUNNEL),  # tests edit it: never the shared one
        "org": {
            "name": "公司",
            "units": [
                {"name": "销售部", "roles": [{"role": "销售", "headcount": 5, "sells": "deals"}]}
            ],
        },
    }
    target["plan"] = {**target["plan"], **sections.pop("plan", {})}
    target.update(sections)
    return target


def dump(target: dict[str, Any] | str) -> str:
    return (
        target
        if isinstance(target, str)
        else yaml.safe_dump(target, allow_unicode=True, sort_keys=False)
    )


@pytest.fixture
def write_target(tmp_path: Path) -> Callable[..., Path]:
    """``write_target(text_or_dict, name="target.yaml")`` → the path of the written file."""

    def write(target: dict[str, Any] | str, name: str = "target.yaml") -> Path:
        path = tmp_path / name
        path.write_text(dump(target), encoding="utf-8")
        return path

    return write


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite the golden files in tests/golden/ from the current output",
    )


GOLDEN = Path(__file__).resolve().parent / "golden"


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """``golden(name, text)``: compare with tests/golden/NAME, or rewrite it with
    ``--update-golden`` (then review the diff with ``git diff tests/golden``)."""
    update = bool(request.config.getoption("--update-golden"))

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return
        assert path.exists(), f"no golden file {path}; run pytest --update-golden and review it"
        assert text == path.read_text(encoding="utf-8"), (
            f"{name} differs from its golden file; if the change is intended, run "
            "pytest --update-golden and review the diff"
        )

    return check
