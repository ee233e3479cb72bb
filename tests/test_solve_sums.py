"""Unit sums (okrplan.solve.sums): packed into 64-bit fields where every amount fits, as lists
where one does not, and slot by slot where groups' metrics differ; numbers worked by hand, and
the packed path against the lists over random organisations."""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from okrplan.solve import rollup, sums
from okrplan.solve.funnel import Followers
from okrplan.solve.series import Series
from okrplan.solve.sums import subtree_sums

EXAMPLES = int(os.environ.get("OKRPLAN_FUZZ_EXAMPLES", "6")) * 10


@dataclass(frozen=True)
class _Unit:
    names: tuple[str, ...]


@dataclass(frozen=True)
class _Group:
    id: str
    unit: _Unit
    headcount: int


def _sums(series: dict[str, dict[str, Series]], heads: dict[str, int]) -> dict[str, list[int]]:
    # 公司 ← 华东 (groups a, b) and 华南 (group c); two months
    units = [("公司",), ("公司", "华东"), ("公司", "华南")]
    where = {"a": units[1], "b": units[1], "c": units[2]}
    groups = [_Group(g, _Unit(where[g]), heads[g]) for g in series]
    sums = subtree_sums(units, groups, series, 2)  # type: ignore[arg-type]
    company = sums[units[0]].series(2)
    return {m: [*s.num, s.den] for m, s in company.items()}


def test_sums_add_headcount_times_each_series_up_the_tree() -> None:
    rev = Series((10, 20), 1, True)
    calls = Series((1, 3), 4, False)
    series = {
        "a": {"revenue": rev, "calls": calls},
        "b": {"revenue": Series((5, 5), 1, True), "calls": calls},
        "c": {"revenue": rev, "calls": calls},
    }
    # revenue: 3×(10,20) + 2×(5,5) + 1×(10,20) = (50, 90); calls: 6×(1,3) = (6, 18) over 4
    assert _sums(series, {"a": 3, "b": 2, "c": 1}) == {
        "revenue": [50, 90, 1],
        "calls": [6, 18, 4],
    }


def test_an_amount_past_64_bits_is_added_as_lists() -> None:
    big = 1 << 64
    series = {
        "a": {"revenue": Series((big, 1), 1, True)},
        "b": {"revenue": Series((1, 2), 1, True)},
        "c": {"revenue": Series((big, 0), 1, True)},
    }
    # (2^64, 1) + 2×(1, 2) + (2^64, 0) = (2^65 + 2, 5): no field carries into the next
    assert _sums(series, {"a": 1, "b": 2, "c": 1}) == {"revenue": [2 * big + 2, 5, 1]}


def test_metrics_over_other_denominators_are_added_slot_by_slot() -> None:
    series = {
        "a": {"revenue": Series((1, 1), 1, True)},
        "b": {"revenue": Series((1, 1), 1, True), "visits": Series((1, 2), 3, False)},
        "c": {"visits": Series((1, 1), 2, False), "revenue": Series((3, 0), 1, True)},
    }
    # revenue: (1,1) + (1,1) + (3,0) = (5, 2); visits: (1,2)/3 + (1,1)/2 = (2+3, 4+3)/6
    assert _sums(series, {"a": 1, "b": 1, "c": 1}) == {
        "revenue": [5, 2, 1],
        "visits": [5, 7, 6],
    }


METRICS = ("revenue", "calls", "visits")


@st.composite
def _organisations(draw: st.DrawFn) -> tuple[Any, ...]:
    """(months, units, groups, series): up to 6 units under the company, up to 8 groups, each
    with one of 4 per-person series (shared objects, as a profile's groups have), whose
    metrics and denominators may differ (added slot by slot)."""
    count = draw(st.integers(1, 4))
    units: list[tuple[str, ...]] = [("公司",)]
    for i in range(draw(st.integers(0, 6))):
        units.append((*draw(st.sampled_from(units)), f"u{i}"))
    pool = []
    for _ in range(draw(st.integers(1, 4))):
        metrics = draw(st.lists(st.sampled_from(METRICS), min_size=1, max_size=3, unique=True))
        pool.append(
            {
                m: Series(
                    tuple(draw(st.lists(st.integers(0, 10**6), min_size=count, max_size=count))),
                    draw(st.sampled_from([1, 2, 3])),
                    m == "revenue",
                )
                for m in metrics
            }
        )
    groups, series = [], {}
    for g in range(draw(st.integers(1, 8))):
        groups.append(_Group(f"g{g}", _Unit(draw(st.sampled_from(units))), draw(st.integers(0, 5))))
        series[f"g{g}"] = draw(st.sampled_from(pool))
    return count, units, groups, series


def _seen(block: Any, count: int, times: list[int], target: Fraction) -> list[Any]:
    """What a unit's sums give: amounts, series, amounts × each of ``times``, and the unit's
    own series under ``target`` (rollup: scaled from the sums where one denominator per
    metric)."""
    follow = Followers.__new__(Followers)
    follow.rules = (("visits", "revenue", Fraction(1, 2), False),)  # follows revenue
    own = rollup._own_series(block, None, target, "revenue", count, Fraction(1), follow)
    return [
        block.slots,
        block.single,
        block.amounts(count),
        [(m, s.num, s.den, s.money) for m, s in block.series(count).items()],
        [block.scaled(count, t) for t in times],
        [(m, s.num, s.den, s.money) for m, s in own.items()],
    ]


@settings(max_examples=EXAMPLES, deadline=None)
@given(_organisations(), st.integers(0, 40), st.integers(1, 10**7))
def test_packed_sums_are_the_lists(organisation: Any, times: int, target: int) -> None:
    count, units, groups, series = organisation
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sums, "_PACKS", False)  # the check that every amount fits 64 bits
        lists = subtree_sums(units, groups, series, count)
    packed = subtree_sums(units, groups, series, count)
    assert lists.keys() == packed.keys()
    for names, block in packed.items():
        # every amount fits: packed (a 64-bit platform), else lists
        assert isinstance(block.values, int) == sums._PACKS
        assert isinstance(lists[names].values, list)
        # a multiplier past the room of the fields (and past 64 bits): scaled as lists
        many = [times, block.room + 1, (1 << 64) + times]
        seen = _seen(block, count, many, Fraction(target, 7))
        assert seen == _seen(lists[names], count, many, Fraction(target, 7)), names
