"""Working days from a country's module imported alone are the library's own (its
``country_holidays``), for China's adjusted weekends and for other countries."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta

import pytest

from okrplan.periods import Month
from okrplan.workdays import _country_holidays, working_flags

holidays = pytest.importorskip("holidays")


@pytest.mark.parametrize("country", ["CN", "US", "DE"])
def test_same_days_as_country_holidays(country: str) -> None:
    ours = _country_holidays(country, [2026])
    theirs = holidays.country_holidays(country, years=[2026])
    day = date(2026, 1, 1)
    for _ in range(365):
        assert ours.is_working_day(day) == theirs.is_working_day(day), (country, day)
        day += timedelta(days=1)
    assert dict(ours) == dict(theirs)


def test_february_2026_in_china() -> None:
    # 20 weekdays, less 春节 (16–20 and 23 February), plus the working Saturdays 14 and 28
    flags = working_flags("CN", (Month(2026, 2),))[0]
    assert sum(flags) == 20 - 6 + 2
    assert flags[13] and flags[27] and not flags[15]


def test_one_country_module_imported() -> None:
    code = (
        "import sys\n"
        "import holidays\n"
        "from okrplan.periods import Month\n"
        "from okrplan.workdays import working_flags\n"
        "working_flags('CN', (Month(2026, 2),))\n"
        "loaded = [m for m in sys.modules if m.startswith('holidays.countries.')]\n"
        # a holidays release without the lazy loader okrplan reads goes its own way (every
        # country imported): only the days are then checked (test_same_days_...)
        "lazy = all(hasattr(holidays.CN, a) for a in ('module_name', 'entity_name'))\n"
        # (china's module alone, or with one it imports itself: not the 279 countries)
        "print('holidays.countries.china' in loaded and len(loaded) <= 2 if lazy else True)\n"
        "import holidays.countries\n"  # the package imported afterwards still works
        "print(holidays.countries.China is sys.modules['holidays.countries.china'].China)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["True", "True"]
