"""KR weights per sheet: integer percents in steps, summing to exactly 100 (OR-Tools CP-SAT).

Each sheet (one owner's key results, deduction items excluded) is one small model: weight =
step × k, weight ≥ min, Σ = 100, fixed weights exactly as written, the others as close as
possible to their rule's ideal (least total deviation, then least largest deviation).

Rules
-----
``given``
    Every KR carries a fixed weight; they must sum to 100.
``equal``
    The free weights share what the fixed ones leave, as evenly as the step allows.
``leverage``
    A KR's ideal is proportional to its leverage on the KPI:
    ``leverage = R × 2^-d``, where ``R`` is the revenue of the sheet's owner that flows through
    the KR's metric (all of it for a rep's calls, the followed share for collections) and ``d``
    is the number of funnel steps from the metric to the KPI metric (revenue 0, deals 1,
    opportunities 2, visits 3, calls 4). Each step away halves the leverage: an activity pays
    only through the conversions after it, so outcome KRs come before the activities that feed
    them. Manual, staffing and hygiene KRs have no leverage and sit at the minimum unless
    weighted.

    Worked example (a 销售岗 sheet, quota R, step 5%, min 5%, three manual KRs): leverages are
    revenue R, collections 0.95R, opportunities R/4, visits R/8, calls R/16, in all 2.3875R.
    The manual KRs take 3 × 5% = 15%; the other 85% split by leverage is revenue 35.6,
    collections 33.8, opportunities 8.9, visits 4.5, calls 2.2; in 5% steps with a 5% floor:
    revenue 35, collections 30, opportunities 10, visits 5, calls 5, manual 5 + 5 + 5 = 100.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from okrplan.errors import InputError, Issue
from okrplan.model import Status
from okrplan.solve.options import DEFAULT_OPTIONS, SolverOptions, new_solver, status_of
from okrplan.solve.ties import SCALE, nearest_steps


@dataclass(frozen=True, slots=True)
class WeightItem:
    """One KR on a sheet: its name (for messages), fixed weight if any, and leverage."""

    name: str
    fixed: int | None = None
    leverage: Fraction = Fraction(0)


def ideal_weights(
    items: Sequence[WeightItem], rule: str, budget: int, minimum: int = 0
) -> list[Fraction]:
    """Each item's ideal weight: fixed as written; without leverage the minimum; the rest share
    what is left in proportion to leverage (``equal``: evenly)."""
    free = [i for i in items if i.fixed is None]
    raw = {id(i): Fraction(1) if rule == "equal" else i.leverage for i in free}
    idle = [i for i in free if raw[id(i)] == 0]
    total = sum(raw.values(), Fraction(0))
    if total == 0:
        raw, total, idle = {id(i): Fraction(1) for i in free}, Fraction(len(free) or 1), []
    left = Fraction(budget - minimum * len(idle))
    return [
        Fraction(i.fixed)
        if i.fixed is not None
        else Fraction(minimum)
        if raw[id(i)] == 0
        else left * raw[id(i)] / total
        for i in items
    ]


def _ideal_key(
    items: Sequence[WeightItem], rule: str, budget: int, minimum: int
) -> tuple[int | tuple[int], ...]:
    """:func:`ideal_key` of the items' fixed weights and leverages (``equal``: all 1)."""
    raws = [Fraction(1) if rule == "equal" else i.leverage for i in items if i.fixed is None]
    common = math.lcm(*(r.denominator for r in raws)) if raws else 1
    ints = [r.numerator * (common // r.denominator) for r in raws]  # raw × common
    return ideal_key([i.fixed for i in items], ints, budget, minimum)


def ideal_key(
    fixed: Sequence[int | None], raws: Sequence[int], budget: int, minimum: int
) -> tuple[int | tuple[int], ...]:
    """Each item's fixed weight, or ``(round(ideal × SCALE),)`` with the ideal of
    :func:`ideal_weights` — worked out in integers: most sheets are alike, and their weights
    are then found by this key alone (the fractions of the ideals are made only for a new
    key). ``raws`` are the free items' leverages (in order) times any one positive number,
    as integers: the ideals depend on their ratios only. Rounding is Python's, half to even,
    as ``round`` of a fraction."""
    ints = list(raws)
    total = sum(ints)
    idle = ints.count(0)
    if total == 0:
        ints, total, idle = [1] * len(ints), len(ints) or 1, 0
    left = (budget - minimum * idle) * SCALE
    if total < 0:
        left, total = -left, -total
    shares = iter(ints)
    key: list[int | tuple[int]] = []
    for weight in fixed:
        if weight is not None:
            key.append(weight)
            continue
        raw = next(shares)
        if raw == 0:
            key.append((minimum * SCALE,))
            continue
        whole, rest = divmod(left * raw, total)  # ideal × SCALE = left·raw / total
        if rest * 2 > total or (rest * 2 == total and whole & 1):
            whole += 1
        key.append((whole,))
    return tuple(key)


def sheet_key(
    fixed: Sequence[int | None], raws: Sequence[int], step: int, minimum: int
) -> tuple[Any, ...]:
    """What :func:`weights_status` keys its ``cache`` by, for a ``leverage`` sheet with at
    least one free KR (``raws`` as in :func:`ideal_key`): a sheet of a key found there is
    weighable and has those weights."""
    budget = 100 - sum(w for w in fixed if w is not None)
    return (step, minimum, ideal_key(fixed, raws, budget, minimum))


def solve_weights(
    items: Sequence[WeightItem],
    *,
    rule: str,
    step: int,
    minimum: int,
    sheet: str,
    file: str = "",
    cache: dict[Any, tuple[list[int], Status]] | None = None,
) -> list[int]:
    """Integer percent weights for one sheet (see :func:`weights_status`).

    >>> items = [WeightItem("销售额", leverage=Fraction(1)),
    ...          WeightItem("回款额", leverage=Fraction(95, 100)),
    ...          WeightItem("新增项目机会", leverage=Fraction(1, 4)),
    ...          WeightItem("拜访新客户", leverage=Fraction(1, 8)),
    ...          WeightItem("有效电话", leverage=Fraction(1, 16)),
    ...          WeightItem("回款周报表"), WeightItem("日报周报"), WeightItem("培训")]
    >>> solve_weights(items, rule="leverage", step=5, minimum=5, sheet="销售岗")
    [35, 30, 10, 5, 5, 5, 5, 5]

    Sheets whose model is the same (the same fixed weights and ideals) get the same weights:
    pass a ``cache`` dict to solve each such model once.

    Raises
    ------
    InputError
        When no weights can satisfy the rule: fixed weights over 100, more KRs than
        ``100 / min`` allows, a ``given`` sheet with missing weights or not summing to 100.
    """
    return weights_status(
        items, rule=rule, step=step, minimum=minimum, sheet=sheet, file=file, cache=cache
    )[0]


def weights_status(
    items: Sequence[WeightItem],
    *,
    rule: str,
    step: int,
    minimum: int,
    sheet: str,
    file: str = "",
    cache: dict[Any, tuple[list[int], Status]] | None = None,
    options: SolverOptions = DEFAULT_OPTIONS,
) -> tuple[list[int], Status]:
    """:func:`solve_weights`, and whether the weights are proven nearest their ideals
    (``FEASIBLE`` when the solver's limit stopped the proof)."""
    if not items:
        return [], Status.OPTIMAL
    budget = _budget(items, rule, step, minimum, sheet, file)
    if all(i.fixed is not None for i in items):
        return [i.fixed or 0 for i in items], Status.OPTIMAL
    # The model sees each free ideal in thousandths of a percent: that and the fixed weights
    # are all that decide the weights.
    key = (step, minimum, _ideal_key(items, rule, budget, minimum))
    if cache is not None and key in cache:
        found, status = cache[key]
        return list(found), status
    targets = {n: k[0] for n, k in enumerate(key[2]) if isinstance(k, tuple)}
    weights, status = nearest_steps(items, targets, step, minimum), Status.OPTIMAL
    if weights is None:
        ideals = ideal_weights(items, rule, budget, minimum)
        weights, status = _solve(items, ideals, step, minimum, options)
    if cache is not None:
        cache[key] = (list(weights), status)
    return weights, status


def _budget(
    items: Sequence[WeightItem], rule: str, step: int, minimum: int, sheet: str, file: str
) -> int:
    """What the fixed weights leave for the others, once the sheet is known to be weighable.

    Raises
    ------
    InputError
        As :func:`solve_weights`.
    """
    fixed_sum = sum(i.fixed for i in items if i.fixed is not None)
    free = [i for i in items if i.fixed is None]
    names = (
        ", ".join(i.name for i in items)
        if (fixed_sum > 100 or (not free and fixed_sum != 100))
        else ""
    )

    def fail(message: str, hint: str) -> InputError:
        return InputError([Issue(f"the sheet {sheet}: {message}", file, path="weights", hint=hint)])

    if rule == "given" and free:
        raise fail(
            "weights.rule is given, but these KRs have no weight: "
            + ", ".join(i.name for i in free),
            "give every KR a weight, or use weights.rule: leverage or equal",
        )
    if fixed_sum > 100:
        raise fail(
            f"the fixed weights add up to {fixed_sum}%, more than 100% ({names})",
            "lower some fixed weights",
        )
    if not free and fixed_sum != 100:
        raise fail(
            f"the weights add up to {fixed_sum}%, not 100% ({names})",
            "make the weights on each sheet add up to exactly 100%",
        )
    budget = 100 - fixed_sum
    if free and len(free) * minimum > budget:
        raise fail(
            f"{len(free)} KRs without a fixed weight need at least {minimum}% each, but "
            f"only {budget}% is left",
            "lower weights.min, fix fewer weights, or drop KRs",
        )
    if budget % step:
        raise fail(
            f"the fixed weights leave {budget}%, not a multiple of the step {step}%",
            "make fixed weights multiples of weights.step",
        )
    return budget


"""Ideals are compared in thousandths of a percent."""


def _solve(
    items: Sequence[WeightItem],
    ideals: Sequence[Fraction],
    step: int,
    minimum: int,
    options: SolverOptions,
) -> tuple[list[int], Status]:
    from ortools.sat.python import cp_model

    scale = SCALE  # ideals to thousandths of a percent
    model = cp_model.CpModel()
    weights: list[Any] = []
    deviations = []
    worst = model.new_int_var(0, 100 * scale, "worst")
    low = -(-minimum // step)
    for n, (item, ideal) in enumerate(zip(items, ideals, strict=True)):
        if item.fixed is not None:
            weights.append(item.fixed)
            continue
        k = model.new_int_var(low, 100 // step, f"k{n}")
        target = round(ideal * scale)
        deviation = model.new_int_var(0, 100 * scale, f"d{n}")
        model.add(k * step * scale - target <= deviation)
        model.add(target - k * step * scale <= deviation)
        model.add(deviation <= worst)
        weights.append(k * step)
        deviations.append(deviation)
    model.add(sum(weights) == 100)
    model.minimize(sum(deviations) * (len(items) + 1) + worst)
    solver = new_solver(options)
    status = status_of(solver.solve(model))
    if not status.is_ok:  # pragma: no cover - checked above
        raise ValueError("no weights satisfy the sheet's rules")
    return [w if isinstance(w, int) else int(solver.value(w)) for w in weights], status
