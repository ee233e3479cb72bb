"""Property tests: random organisations and funnels always decompose into a consistent plan.

Every generated target file either solves (status optimal) with totals that add up exactly at
every unit, role quotas that are whole per-person quotas, and activity key results that respect
every capacity in every period and are never below the exact need — or it is infeasible and says
what would fix it. It never raises.
"""

from __future__ import annotations

import calendar
import math
import os
from collections.abc import Sequence
from fractions import Fraction
from itertools import pairwise
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okrplan import api
from okrplan.planmeta import Binding
from okrplan.queries import json_nodes

STEP = 100_000  # the default money step, 10万
PERS = {"周": "week", "月": "month", "季度": "quarter", "": "plan"}

# Examples per property test: OKRPLAN_FUZZ_EXAMPLES, as for tests/test_fuzz.py (each example
# decomposes a random organisation; 6 keeps the suite quick, 1000 makes a long local run),
# derandomised as there: the same examples on every run.
EXAMPLES = int(os.environ.get("OKRPLAN_FUZZ_EXAMPLES", "6"))
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@st.composite
def percents_summing_to_100(draw: st.DrawFn, n: int) -> list[int]:
    """n whole percentages, each at least 1, summing to exactly 100."""
    cuts = sorted(draw(st.lists(st.integers(1, 99), min_size=n - 1, max_size=n - 1, unique=True)))
    bounds = [0, *cuts, 100]
    return [b - a for a, b in pairwise(bounds)]


@st.composite
def roles(draw: st.DrawFn, stages: list[str], index: int) -> dict[str, Any]:
    sells = stages[draw(st.integers(0, len(stages) - 1))]
    funnel = stages[: stages.index(sells) + 1]
    role: dict[str, Any] = {"role": f"R{index}", "sells": sells}
    if draw(st.integers(0, 3)) == 0:  # named people, some joining during the year
        joins = draw(st.lists(st.one_of(st.none(), st.integers(1, 12)), min_size=1, max_size=6))
        role["people"] = [
            f"P{index}.{i}"
            if month is None
            else {"name": f"P{index}.{i}", "joined": f"2015-{month:02d}"}
            for i, month in enumerate(joins)
        ]
    else:
        role["headcount"] = draw(st.integers(0, 12))
    capacity = {}
    limited = draw(st.integers(0, 4)) > 0  # most roles have a capacity, so it binds often
    for metric in funnel:
        if limited and (metric == sells or draw(st.booleans())):
            value = draw(st.integers(1, 60))
            per = draw(st.sampled_from(sorted(PERS)))
            capacity[metric] = f"{value}/{per}" if per else value
    if capacity:
        role["capacity"] = capacity
    if draw(st.booleans()):
        role["ramp"] = [
            f"{r}%" for r in draw(st.lists(st.integers(5, 100), min_size=1, max_size=4))
        ]
        role["ramp_per"] = draw(st.sampled_from(["quarter", "month"]))
    hire = draw(st.sampled_from(["no", "yes", "limited"]))
    if hire == "yes":
        role["hire"] = True
    elif hire == "limited":
        role["hire"] = {
            "max": draw(st.integers(0, 5)),
            "by": f"2015-{draw(st.integers(1, 12)):02d}",
        }
    return role


@st.composite
def units(draw: st.DrawFn, stages: list[str], depth: int, name: str) -> dict[str, Any]:
    unit: dict[str, Any] = {"name": name}
    if depth > 0:
        count = draw(st.integers(1, 4))
        unit["units"] = [draw(units(stages, depth - 1, f"{name}.{i}")) for i in range(count)]
    else:
        count = draw(st.integers(1, 3))
        unit["roles"] = [draw(roles(stages, i)) for i in range(count)]
    return unit


@st.composite
def targets(draw: st.DrawFn) -> dict[str, Any]:
    n = draw(st.integers(1, 4))
    stages = [f"m{i}" for i in range(n)]
    metrics: dict[str, Any] = {"revenue": {"name": "revenue", "kind": "money"}}
    for i, key in enumerate(stages):
        if i == n - 1:
            metrics[key] = {"name": key, "yields": {"revenue": f"{draw(st.integers(1, 50))}万"}}
        else:
            metrics[key] = {"name": key, "yields": {stages[i + 1]: f"{draw(st.integers(1, 100))}%"}}
    plan: dict[str, Any] = {"name": "p", "period": 2015, "buffer": f"{draw(st.integers(0, 20))}%"}
    season = draw(st.sampled_from([0, 4, 12]))
    if season:
        plan["seasonality"] = [f"{v}%" for v in draw(percents_summing_to_100(season))]
    depth = draw(st.integers(1, 3))
    org = {
        "name": "C",
        "units": [draw(units(stages, depth - 1, f"U{i}")) for i in range(draw(st.integers(1, 4)))],
    }
    kpi = draw(st.sampled_from([10, 100, 1000, 10_000])) * draw(st.integers(1, 50))
    krs = [{"metric": "revenue", "per": "month"}] + [{"metric": m, "per": "month"} for m in stages]
    target: Any = f"{kpi}万"
    if draw(st.integers(0, 4)) == 0:  # a market-share KPI: revenue over the market size
        metrics["share"] = {
            "name": "share",
            "kind": "share",
            "share_of": {"revenue": f"{kpi * 10}万"},
        }
        start = draw(st.integers(0, 80))
        target = {"from": f"{start}%", "change": f"+{draw(st.integers(1, 20))}pp"}
    return {
        "okrplan": 1,
        "plan": plan,
        "kpi": {"metric": "share" if isinstance(target, dict) else "revenue", "target": target},
        "metrics": metrics,
        "org": org,
        "split": {"basis": draw(st.sampled_from(["capacity", "headcount", "even"]))},
        "objectives": [{"title": "O", "key_results": krs}],
    }


def per_yuan(target: dict[str, Any], metric: str) -> Fraction:
    """Units of ``metric`` one yuan of revenue needs (the reverse funnel)."""
    factor, here = Fraction(1), metric
    metrics = target["metrics"]
    while here != "revenue":
        ((there, rate),) = metrics[here]["yields"].items()
        factor *= (
            Fraction(rate.rstrip("%")) / 100
            if rate.endswith("%")
            else (Fraction(rate.rstrip("万")) * 10_000)
        )
        here = there
    return 1 / factor


def month_capacity(text: Any, month: int) -> Fraction:
    value, _, per = str(text).partition("/")
    days = calendar.monthrange(2015, month)[1]
    return {
        "周": Fraction(int(value) * days, 7),
        "月": Fraction(int(value)),
        "季度": Fraction(int(value), 3),
        "": Fraction(int(value), 12),
    }[per]


def window_months(text: Any) -> list[list[int]]:
    per = str(text).partition("/")[2]
    if per in ("周", "月"):
        return [[m] for m in range(1, 13)]
    if per == "季度":
        return [[q * 3 + 1, q * 3 + 2, q * 3 + 3] for q in range(4)]
    return [list(range(1, 13))]


def check_plan(target: dict[str, Any], plan: Any) -> None:
    graph = plan.graph
    nodes = dict(json_nodes(graph).items())
    kids: dict[str, list[str]] = {}
    for source, dest, data in graph.edges(data=True):
        if data["kind"] == "contains":
            kids.setdefault(source, []).append(dest)
    root = "u:C"
    kpi = target["kpi"]["target"]
    if isinstance(kpi, dict):  # (from + change) × market
        market = int(target["metrics"]["share"]["share_of"]["revenue"].rstrip("万")) * 10_000
        share = Fraction(kpi["from"].rstrip("%")) + Fraction(kpi["change"].strip("+p"))
        assert nodes[root]["target"] == share / 100 * market
    else:
        assert nodes[root]["target"] == int(kpi.rstrip("万")) * 10_000
    for node_id, data in nodes.items():
        if data["kind"] == "unit" and "assigned" in data:
            parts = [
                nodes[c].get("target", 0)
                if nodes[c]["kind"] == "unit"
                else nodes[c].get("quota", 0)
                for c in kids.get(node_id, [])
            ]
            assert sum(parts) == data["assigned"], node_id
            assert data["assigned"] % STEP == 0
        if data["kind"] != "role" or data.get("quota") is None:
            continue
        assert data["per_person"] * data["headcount"] == data["quota"], node_id
        assert data["per_person"] % STEP == 0
        if data["headcount"] == 0:
            continue
        krs = {
            d["metric"]: d
            for d in nodes.values()
            if d["kind"] == "kr" and d["owner"] == node_id and d.get("metric")
        }
        revenue = krs["revenue"]["periods"]
        assert sum(revenue.values()) == data["per_person"], node_id
        ramp = data["ramp"]
        for metric, text in data["capacity"].items():
            need = per_yuan(target, metric)
            for window in window_months(text):
                exact = sum(
                    (Fraction(revenue[f"2015-{m:02d}"]) * need for m in window), Fraction(0)
                )
                have = sum(
                    (month_capacity(text, m) * Fraction(str(ramp[m - 1])) for m in window),
                    Fraction(0),
                )
                assert exact <= have, (node_id, metric, window, float(exact), float(have))
                if len(window) == 1:  # the KR itself, rounded up, still fits
                    assert krs[metric]["periods"][f"2015-{window[0]:02d}"] <= math.ceil(have)
        for metric, kr in krs.items():
            if metric == "revenue":
                continue
            need = per_yuan(target, metric)
            exact = {label: Fraction(revenue[label]) * need for label in kr["periods"]}
            # rounded up once, at the total; every period apportioned from it (so within one
            # of its exact share, and never two above its exact amount)
            assert kr["total"] == math.ceil(sum(exact.values())), (node_id, metric)
            assert sum(kr["periods"].values()) == kr["total"], (node_id, metric)
            for label, value in kr["periods"].items():
                assert abs(value - exact[label]) < 2, (node_id, label)
    for node_id, data in nodes.items():  # every count KR, of units too: periods add up
        if data["kind"] == "kr" and data.get("money") is False and data["periods"]:
            assert sum(data["periods"].values()) == data["total"], node_id


def decompose(target: dict[str, Any], tmp_path: Path) -> Any:
    path = tmp_path / "target.yaml"
    path.write_text(yaml.safe_dump(target, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return api.decompose(path)


@PROPERTY
@given(target=targets())
def test_every_target_decomposes_into_a_consistent_plan(
    target: dict[str, Any], tmp_path: Path
) -> None:
    plan = decompose(target, tmp_path)
    if plan.solver.status == "optimal":
        check_plan(target, plan)
    else:
        assert plan.solver.status == "infeasible"
        assert plan.solver.relaxations, plan.solver


# An infeasible plan's suggested target and each suggested change are checked over targets
# infeasible by construction in tests/test_infeasible_properties.py.


@st.composite
def supported_targets(draw: st.DrawFn) -> dict[str, Any]:
    """A random target with one to three support units, each beside the units of a random
    non-leaf unit and supplying a random share (1–60%) of a random funnel metric."""
    target = draw(targets())
    stages = [k for k, m in target["metrics"].items() if m.get("yields")]
    parents = [target["org"]]
    for unit in parents:  # grows while it is read: every unit with sub-units
        parents += [u for u in unit.get("units", []) if "units" in u]
    names = []
    for i in range(draw(st.integers(1, 3))):
        parent = parents[draw(st.integers(0, len(parents) - 1))]
        metric = stages[draw(st.integers(0, len(stages) - 1))]
        share = f"{draw(st.integers(1, 60))}%"
        parent["units"].append({"name": f"S{i}", "supports": {"metric": metric, "share": share}})
        names.append(f"S{i}")
    krs = [{"metric": m, "per": "month"} for m in stages]
    target["objectives"].append({"title": "S", "at": ["unit"], "units": names, "key_results": krs})
    return target


def support_units(target: dict[str, Any]) -> list[tuple[tuple[str, ...], str, Fraction]]:
    """Each support unit as (its path, the metric, the share)."""
    found = []
    todo: list[tuple[tuple[str, ...], dict[str, Any]]] = [((target["org"]["name"],), target["org"])]
    while todo:
        path, unit = todo.pop()
        for child in unit.get("units", []):
            todo.append(((*path, child["name"]), child))
            if "supports" in child:
                share = Fraction(child["supports"]["share"].rstrip("%")) / 100
                found.append(((*path, child["name"]), child["supports"]["metric"], share))
    return found


def check_supports(target: dict[str, Any], plan: Any) -> None:
    """supplied + self-sourced = needed for every metric, for every rep, unit and the company.

    Worked out here from each rep's revenue: a support unit supplies its share s of what is
    still needed after the supports downstream of it; needed[X] = gross[X] × Π (1 − S_Y) over
    the metrics Y after X in the funnel, self-sourced[X] = needed[X] × (1 − S_X), with S the
    shares reaching the rep added up (at most 99%; supports share what that cap leaves in
    proportion to their shares). KRs show the exact amounts rounded up."""
    nodes = json_nodes(plan.graph)
    supports = support_units(target)
    stages = [k for k, m in target["metrics"].items() if m.get("yields")]
    needed: dict[tuple[tuple[str, ...], str], Fraction] = {}
    sourced: dict[tuple[tuple[str, ...], str], Fraction] = {}
    supplied: dict[tuple[str, ...], Fraction] = {path: Fraction(0) for path, _, _ in supports}
    passed: dict[tuple[str, ...], Fraction] = {}  # revenue given to the groups below a unit
    krs: dict[tuple[str, str], dict[str, Any]] = {}
    for kr in nodes.values():
        if kr["kind"] == "kr" and kr.get("metric"):
            krs.setdefault((kr["owner"], kr["metric"]), kr)
    for rid, role in nodes.items():
        if role["kind"] != "role" or role.get("quota") is None or not role["headcount"]:
            continue
        path, heads = tuple(role["path"]), role["headcount"]
        reaching = [(p, m, s) for p, m, s in supports if path[: len(p) - 1] == p[:-1]]
        total = {m: sum((s for _, n, s in reaching if n == m), Fraction(0)) for m in stages}
        capped = {m: min(t, Fraction(99, 100)) for m, t in total.items()}
        revenue = {k: Fraction(str(v)) for k, v in krs[rid, "revenue"]["periods"].items()}
        funnel = stages  # what a role sells yields the later stages down to revenue
        left, factor = Fraction(1), {}
        for metric in reversed(funnel):  # (needed, self-sourced) per yuan
            before = left
            left *= 1 - capped[metric]
            factor[metric] = (before * per_yuan(target, metric), left * per_yuan(target, metric))
        for metric in funnel:
            need, own = (sum(revenue.values()) * f for f in factor[metric])
            kr = krs[rid, metric]
            assert kr["total"] == math.ceil(need), (rid, metric)
            assert kr.get("sourced") == (math.ceil(own) if own != need else None), rid
            for i in range(1, len(path) + 1):
                needed[path[:i], metric] = needed.get((path[:i], metric), 0) + need * heads
                sourced[path[:i], metric] = sourced.get((path[:i], metric), 0) + own * heads
            for where, m, share in reaching:
                if m == metric:
                    supplied[where] += share / total[m] * (need - own) * heads
        for i in range(1, len(path) + 1):
            passed[path[:i]] = passed.get(path[:i], 0) + Fraction(str(role["quota"]))
        for metric, text in role["capacity"].items():  # capacity holds what they source
            for window in window_months(text):
                labels = [f"2015-{m:02d}" for m in window]
                own = sum((revenue[x] for x in labels), Fraction(0)) * factor[metric][1]
                have = sum(
                    (month_capacity(text, m) * Fraction(str(role["ramp"][m - 1])) for m in window),
                    Fraction(0),
                )
                assert own <= have, (rid, metric, window)
    for (path, metric), need in needed.items():
        kr = krs.get(("u:" + "/".join(path), metric))
        if kr is not None:  # a unit: what its own target needs, and the part its reps source
            unit, own = nodes["u:" + "/".join(path)], sourced[path, metric]
            if unit.get("target") is not None and passed.get(path):
                scale = Fraction(str(unit["target"])) / passed[path]  # levels: not the pass-down
                need, own = need * scale, own * scale
            assert kr["total"] == math.ceil(need), (path, metric)
            assert kr.get("sourced") == (math.ceil(own) if own != need else None), path
    for path, metric, _ in supports:
        assert krs["u:" + "/".join(path), metric]["total"] == math.ceil(supplied[path])
    root = (target["org"]["name"],)
    for metric in stages:  # the company: supplied + self-sourced = needed, exactly
        given = sum((supplied[p] for p, m, _ in supports if m == metric), Fraction(0))
        assert given + sourced.get((root, metric), 0) == needed.get((root, metric), 0), metric


@PROPERTY
@given(target=supported_targets())
def test_supplied_and_self_sourced_add_up_to_what_is_needed(
    target: dict[str, Any], tmp_path: Path
) -> None:
    plan = decompose(target, tmp_path)
    if plan.solver.status == "optimal":
        check_supports(target, plan)
    else:
        assert plan.solver.relaxations, plan.solver


@st.composite
def staffed_supports(draw: st.DrawFn) -> dict[str, Any]:
    """A supported target whose support units have a role with a capacity for the metric they
    supply or one upstream of it: named people (some joining), or headcount, a ramp, hires."""
    target = draw(supported_targets())
    stages = [k for k, m in target["metrics"].items() if m.get("yields")]
    for path, metric, _ in support_units(target):
        unit = _unit_at(target, path)
        worked = stages[: stages.index(metric) + 1]
        role = draw(roles(worked, 0))
        role.pop("sells")
        capped = worked[draw(st.integers(0, len(worked) - 1))]
        value, per = draw(st.integers(1, 400)), draw(st.sampled_from(["周", "月", "季度"]))
        role["capacity"] = {capped: f"{value}/{per}"}
        role["role"] = "SR"
        unit["roles"] = [role]
    target["objectives"][-1]["at"] = ["unit", "role"]
    return target


def check_support_capacity(target: dict[str, Any], plan: Any) -> None:
    """Each support role's per-person KR fits one person's capacity in every window (months,
    quarters or the plan, rounded up once), or the plan names the window ``over capacity``.

    A support role's KR is what one fully ramped person is asked for: the unit's need ÷ the
    people counted that month (joiners and hires by their ramp), so it is checked against one
    full person's capacity."""
    nodes = json_nodes(plan.graph)
    binding = set(plan.solver.binding)
    for rid, role in nodes.items():
        if role["kind"] != "role" or not role["path"][-1].startswith("S"):
            continue  # support units are S0, S1, S2 (supported_targets); the others U…
        hires = _role_spec(target, role["path"])["hire"] is True
        for metric, text in role["capacity"].items():
            krs = [
                d
                for d in nodes.values()
                if d["kind"] == "kr" and d["owner"] == rid and d.get("metric") == metric
            ]
            for kr in krs:
                for window in window_months(text):
                    labels = [f"2015-{m:02d}" for m in window]
                    done = sum(kr["periods"][x] for x in labels)
                    have = sum((month_capacity(text, m) for m in window), Fraction(0))
                    span = labels[0] if len(labels) == 1 else f"{labels[0]}..{labels[-1]}"
                    over = Binding(rid, f"over capacity {metric} {text} in {span} (support)")
                    assert done <= math.ceil(have) or over in binding, (rid, span, done, have)
                    # hires without a limit start in month 1 at a ramp above 0: they close any gap
                    assert not (hires and over in binding), (rid, span)


def _unit_at(target: dict[str, Any], path: Sequence[str]) -> dict[str, Any]:
    unit: dict[str, Any] = target["org"]
    for name in path[1:]:
        unit = next(u for u in unit["units"] if u["name"] == name)
    return unit


def _role_spec(target: dict[str, Any], path: Sequence[str]) -> dict[str, Any]:
    return {"hire": False, **_unit_at(target, path)["roles"][0]}


@PROPERTY
@given(target=staffed_supports())
def test_support_roles_fit_their_capacity_in_every_period(
    target: dict[str, Any], tmp_path: Path
) -> None:
    check_support_capacity(target, decompose(target, tmp_path))
