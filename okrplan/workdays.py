"""Working days per month from a country's public-holiday calendar (``plan.calendar: CN``).

The holidays come from the ``holidays`` package (a maintained library, not a hand-written
table): its public holidays, and for China the adjusted working weekends (调休) it knows as
working days. A working day is a day the calendar says is one: Monday to Friday unless a public
holiday, and a weekend day made a working day. February 2026 in China has 16: 20 weekdays, less
春节 (16–20 and 23 February), plus the working Saturdays 14 and 28 February.
"""

from __future__ import annotations

import calendar
import functools
import importlib.util
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path
from types import ModuleType
from typing import Any

from okrplan.errors import MissingDependencyError
from okrplan.periods import Month

INSTALL_HINT = "install it with: pip install holidays"


def _library() -> Any:
    try:
        import holidays
    except ImportError:  # pragma: no cover - a runtime dependency
        raise MissingDependencyError(
            f"plan.calendar needs the holidays package, which is not installed; {INSTALL_HINT}"
        ) from None
    return holidays


def _country_holidays(country: str, years: list[int]) -> Any:
    """``holidays.country_holidays(country, years=years)``, importing that country's module
    alone: the library's ``countries`` package imports all of its 279 country modules first
    (0.1 s). Any other layout of the library takes its own way."""
    library = _library()
    try:
        loader = getattr(library, country)  # the library's lazy loader of that country's class
        name, entity = loader.module_name, loader.entity_name
        module = sys.modules.get(name) or _module_alone(name, Path(library.__file__).parent)
        made = getattr(module, entity)
    except Exception:  # another holidays version: its own way
        return library.country_holidays(country, years=years)
    return made(years=years)  # country_holidays' defaults: all of them the class's own


def _module_alone(name: str, root: Path) -> ModuleType:
    """The module ``name`` of the holidays library, without running its package's
    ``__init__`` (which imports every sibling); importing the package later still works (it
    finds this module in ``sys.modules``)."""
    path = root.joinpath(*name.split(".")[1:]).with_suffix(".py")
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None or not path.is_file():
        raise ImportError(name)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


@functools.lru_cache(maxsize=16)
def countries() -> frozenset[str]:
    """The country codes ``plan.calendar`` accepts (ISO 3166-1 alpha-2, e.g. CN, US, DE)."""
    library = _library()
    try:  # the codes from the registry, without importing every country's module (0.15 s)
        from holidays.registry import EntityLoader

        return frozenset(EntityLoader.get_country_codes())
    except (ImportError, AttributeError):  # pragma: no cover - another holidays version
        return frozenset(library.list_supported_countries())


@functools.lru_cache(maxsize=64)
def working_days(country: str, months: tuple[Month, ...]) -> tuple[int, ...]:
    """How many working days each of ``months`` has in ``country``.

    >>> working_days("CN", (Month(2026, 2), Month(2026, 10)))
    (16, 18)
    """
    return tuple(sum(days) for days in working_flags(country, months))


@functools.lru_cache(maxsize=64)
def working_flags(country: str, months: tuple[Month, ...]) -> tuple[tuple[bool, ...], ...]:
    """For each of ``months``, whether each of its days (1st, 2nd, …) is a working day.

    >>> [d for d, work in enumerate(working_flags("CN", (Month(2026, 10),))[0], 1) if work][:3]
    [8, 9, 10]
    """
    years = sorted({m.year for m in months})
    days = _country_holidays(country, years)
    out = []
    for month in months:
        first = date(month.year, month.month, 1)
        count = calendar.monthrange(month.year, month.month)[1]
        out.append(
            tuple(bool(days.is_working_day(first + timedelta(days=i))) for i in range(count))
        )
    return tuple(out)


@dataclass(frozen=True, slots=True)
class WorkingDays:
    """Working days of each month of a plan, and of an average month of the years it touches
    (the year's working days ÷ 12), which a capacity "per month" is written for."""

    months: tuple[int, ...]
    average: Fraction
    days: tuple[tuple[bool, ...], ...] = ()  # per month: whether each day is a working day


def plan_working_days(country: str, months: tuple[Month, ...]) -> WorkingDays:
    """The working days of ``months`` and of an average month of their years.

    >>> plan_working_days("CN", (Month(2026, 2),)).average  # 248 working days in 2026
    Fraction(62, 3)
    """
    years = sorted({m.year for m in months})
    whole = working_days(country, tuple(Month(y, m) for y in years for m in range(1, 13)))
    return WorkingDays(
        working_days(country, months),
        Fraction(sum(whole), 12 * len(years)),
        working_flags(country, months),
    )
