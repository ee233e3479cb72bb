"""Unit sums (okrplan.solve.sums): packed into 64-bit fields where every amount fits, as lists
where one does not, and slot by slot where groups' metrics differ; numbers worked by hand."""

from __future__ import annotations

from dataclasses import dataclass

from okrplan.solve.series import Series
from okrplan.solve.sums import subtree_sums


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
