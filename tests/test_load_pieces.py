"""Pieces of the load stage made quicker: each gives what the slower way gave."""

from __future__ import annotations

import functools
import inspect
from pathlib import Path

import holidays

from okrplan.spec import Spec, load_spec
from okrplan.workdays import countries

ROOT = Path(__file__).resolve().parent.parent


def test_country_codes_are_those_the_holidays_package_lists() -> None:
    assert countries() == frozenset(holidays.list_supported_countries())
    assert {"CN", "US", "DE"} <= countries()


def test_a_spec_with_warnings_keeps_every_fact_worked_out() -> None:
    # every cached_property of Spec, found by name on the class (a new one is found too)
    facts = [
        name
        for name in dir(Spec)
        if isinstance(inspect.getattr_static(Spec, name), functools.cached_property)
    ]
    assert {"period", "working_days", "units", "roles", "kpi_value"} <= set(facts)
    spec = load_spec(ROOT / "scenarios" / "a-company-2015.yaml")
    worked_out = {name: getattr(spec, name) for name in facts}
    kept = spec.with_warnings(())
    assert kept.warnings == ()
    for name in facts:  # the same objects, not worked out again
        assert kept.__dict__[name] is worked_out[name], name
