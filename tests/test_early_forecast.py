"""The plan-time forecast made beside the solver (okrplan/forecast/early.py): the forecast a
forked child makes from the plan's owners, before its key results and weights exist, is the
one the solved plan would make of itself, and a child that fails costs nothing but time."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from test_properties import PROPERTY, targets

from okrplan import api
from okrplan.forecast import early, glance
from okrplan.forecast.org import org_from_owners, org_of
from okrplan.forked import Beside
from okrplan.plan import solve_plan
from okrplan.spec import Spec, load_spec

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


def solved_with_owners(spec: Spec) -> tuple[Any, Any]:
    """The solved plan and the org :func:`org_from_owners` makes of what ``beside`` is given."""
    seen: list[Any] = []

    def beside(owners: Any, meta: Any, metrics: Any) -> None:
        seen.append(org_from_owners(owners, meta, metrics))

    plan = solve_plan(spec, beside=beside)
    return plan, seen[0]


def same_org(before: Any, after: Any) -> None:
    assert list(before.records.items()) == list(after.records.items())  # order too
    assert before.children == after.children
    assert before.root == after.root
    assert before.meta == after.meta
    assert before.metrics == after.metrics


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_the_owners_org_is_the_solved_plans(path: Path) -> None:
    plan, org = solved_with_owners(load_spec(path))
    same_org(org, org_of(plan))
    assert glance.to_json(glance.forecast_of(org)) == glance.to_json(glance.glance(plan))


@PROPERTY
@given(target=targets())
def test_the_owners_org_is_the_solved_plans_for_random_organisations(
    target: dict[str, Any], tmp_path: Path
) -> None:
    import yaml

    path = tmp_path / "target.yaml"
    path.write_text(yaml.safe_dump(target, allow_unicode=True), encoding="utf-8")
    plan, org = solved_with_owners(load_spec(path))
    same_org(org, org_of(plan))


@pytest.fixture
def early_from_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(early, "EARLY_FROM", 1)


@pytest.fixture(scope="module")
def expected() -> str:
    """The forecast of the sales centre as the solved plan makes it (not beside)."""
    return glance.to_json(glance.glance(api.decompose(SCENARIOS[-1])))


def test_the_child_makes_it_and_the_plan_has_it(
    early_from_one: None, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = os.getpid()
    made_here: list[int] = []
    forecast_of = glance.forecast_of

    def counted(org: Any, top: str | None = None) -> Any:
        if os.getpid() == here:
            made_here.append(1)
        return forecast_of(org, top)

    monkeypatch.setattr(glance, "forecast_of", counted)
    plan = api.decompose(SCENARIOS[-1], forecast=True)
    assert glance.known(plan) is not None  # remembered before anything asked for it
    assert glance.to_json(glance.glance(plan)) == expected
    assert made_here == []  # the child's, not made again here


def test_a_child_that_dies_has_it_made_here(
    early_from_one: None, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = os.getpid()
    forecast_of = glance.forecast_of

    made_here: list[int] = []

    def dies_in_the_child(org: Any, top: str | None = None) -> Any:
        if os.getpid() != here:
            os._exit(3)
        made_here.append(1)
        return forecast_of(org, top)

    monkeypatch.setattr(glance, "forecast_of", dies_in_the_child)
    plan = api.decompose(SCENARIOS[-1], forecast=True)
    assert glance.to_json(glance.glance(plan)) == expected
    assert made_here == [1]  # the child died: made here, once


def test_a_process_forked_since_makes_it_itself(early_from_one: None, expected: str) -> None:
    # only the process that forked the forecast's child can wait for it: another asks
    # before its own fork (decompose's child asks after the main process has it), else makes it
    plan = api.decompose(SCENARIOS[-1], forecast=True)
    here = os.getpid()
    other = Beside(lambda: {"text": glance.to_json(glance.glance(plan)), "pid": str(os.getpid())})
    made = other.result()
    assert made["text"] == expected
    assert made["pid"] != str(here)  # made in that process, not redone here after a failure
    assert glance.to_json(glance.glance(plan)) == expected  # this process still has its own


def test_a_small_plan_is_not_forecast_beside(expected: str) -> None:
    plan = api.decompose(SCENARIOS[-1], forecast=True)  # 22 owners, below EARLY_FROM
    assert glance.known(plan) is None
    assert glance.to_json(glance.glance(plan)) == expected


def test_an_infeasible_plan_has_no_forecast(monkeypatch: pytest.MonkeyPatch) -> None:
    from okrplan.model import Status

    cancelled: list[bool] = []
    cancel = Beside.cancel

    def counted(self: Beside) -> None:
        cancelled.append(True)
        cancel(self)

    monkeypatch.setattr(Beside, "cancel", counted)

    class Solver:
        status = Status.INFEASIBLE

    class Plan:
        solver = Solver()

    plan = Plan()
    made = early.Early([], {}, {})
    made.keep(plan)  # type: ignore[arg-type]
    assert cancelled == [True]
    assert glance.known(plan) is None  # type: ignore[arg-type]


def test_the_forecast_is_handed_over_to_the_plan_with_history(
    early_from_one: None, expected: str
) -> None:
    from okrplan.versions import with_history

    plan = api.decompose(SCENARIOS[-1], forecast=True)
    what_if = with_history(plan, overrides=["kpi.target=1"])
    glance.hand_over(plan, what_if)
    assert glance.known(what_if) is not None
    assert glance.to_json(glance.glance(what_if)) == expected


def test_a_forecast_nobody_reads_has_its_child_stopped_and_reaped() -> None:
    # an error after the start, or a plan dropped before its forecast was asked for
    made = early.Early([], {}, {})
    pid = made._child._pid
    assert pid is not None
    del made
    with pytest.raises(ChildProcessError):  # reaped already: not a zombie of this process
        os.waitpid(pid, os.WNOHANG)
