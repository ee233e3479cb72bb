"""plan.json: the plan's stable, versioned, deterministic serialisation (DESIGN.md's contract)."""

from __future__ import annotations

import json
from typing import Any

from okrplan.errors import InputError, Issue
from okrplan.graph import from_node_link, to_node_link
from okrplan.plan import Plan

FORMAT_VERSION = 1


def to_json(plan: Plan) -> str:
    """The plan as JSON text: sorted keys, no timestamps, so equal plans give equal bytes."""
    data: dict[str, Any] = {
        "okrplan": FORMAT_VERSION,
        "plan": plan.meta,
        "solver": plan.solver,
        "metrics": plan.metrics,
        "graph": to_node_link(plan.graph),
    }
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def from_json(text: str, file: str = "plan.json") -> Plan:
    """Read a plan written by :func:`to_json`."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError([Issue(f"not valid JSON: {exc.msg}", file, exc.lineno, exc.colno,
                                hint="pass a plan.json written by okrplan decompose, or a "
                                "target .yaml file")]) from None
    if not isinstance(data, dict) or data.get("okrplan") != FORMAT_VERSION or "graph" not in data:
        raise InputError([Issue("this JSON is not an okrplan plan (format 1)", file,
                                hint="pass a plan.json written by okrplan decompose")])
    try:
        graph = from_node_link(data["graph"])
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError([Issue(f"the plan's graph cannot be read: {exc}", file)]) from None
    return Plan(data.get("plan", {}), data.get("solver", {}), graph, data.get("metrics", {}))
