"""Schema errors in a planner's words."""

from __future__ import annotations

import difflib
from decimal import Decimal
from typing import Any

from pydantic import (
    BaseModel,
    ValidationError,
)

from okrplan.errors import Issue
from okrplan.source import KeyPath, Source, format_path
from okrplan.spec.fields import MAX_PLANNED
from okrplan.spec.schema import Objective, TargetFile
from okrplan.spec.words import got, short

# ---------------------------------------------------------------------------------------------
# Schema errors, in a planner's words.

_TAGS = {
    "amount",
    "share",
    "str",
    "constrained-str",
    "Person",
    "bool",
    "Hire",
    "function-plain[_text_of()]",
    "kpi-one",
    "kpi-list",
}


def _model_at(loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The model class that holds the last key of ``loc``, following the schema."""
    import typing

    current: Any = TargetFile
    user_key = False  # the next part is a key the planner chose (metrics: {revenue: …})
    for part in loc:
        if isinstance(part, int) or user_key:
            user_key = False
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = next((f for n, f in current.model_fields.items() if part in (n, f.alias)), None)
        if field is None:
            return None
        user_key = typing.get_origin(field.annotation) is dict
        current = _inner_model(field.annotation, typing)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _inner_model(annotation: Any, typing: Any) -> Any:
    """The model inside tuple[Unit, ...], dict[str, Metric], Role | None and the like."""
    stack = [annotation]
    while stack:
        item = stack.pop()
        if isinstance(item, type) and issubclass(item, BaseModel):
            return item
        stack.extend(a for a in typing.get_args(item) if a is not Ellipsis)
    return annotation


# How to write the fields whose schema description says what they are but not their shape.
_SHAPE_HINTS: dict[tuple[str, str], str] = {
    ("TargetFile", "plan"): "write plan: with at least name and period, e.g. "
    "plan: {name: A公司2015年度OKR, period: 2015}",
    ("TargetFile", "kpi"): "write kpi: {metric: revenue, target: 8000万}",
    ("TargetFile", "metrics"): "a mapping of metric keys, e.g. "
    "revenue: {name: 销售额, kind: money} and deals: {name: 成交项目, yields: {revenue: 40万}}",
    ("TargetFile", "org"): "write org: with a name and its units or roles, e.g. "
    "org: {name: A公司, units: [{name: 销售部, roles: [...]}]}",
    ("TargetFile", "objectives"): "a list: each objective starts with - title: …",
    ("TargetFile", "split"): "e.g. split: {basis: capacity, bounds: {min: 70%, max: 130%}}",
    ("TargetFile", "weights"): "e.g. weights: {rule: leverage, step: 5%, min: 5%}",
    ("Unit", "units"): "a list: each unit starts with - name: …",
    ("Unit", "roles"): "a list: each role starts with - role: …",
    ("Objective", "key_results"): "a list of key results: {metric: visits, per: month}, "
    "{text: 每周五提交回款周报表, target: 100%} or {text: 有效投诉案例, deduction: 5}",
}


# An empty list that would select nothing: what to write instead.
_EMPTY_HINTS: dict[str, str] = {
    "at": "name the levels, e.g. at: [unit, role], or leave at: out for all three",
    "units": "name the units, or leave units: out for every unit",
    "under": "name the units, or leave under: out for the whole organisation",
    "roles": "name the roles, e.g. roles: [销售岗], or leave roles: out for all",
}


def _field_hint(loc: tuple[str | int, ...]) -> str:
    parent = _model_at(loc[:-1]) if loc else None
    key = loc[-1] if loc else None
    if parent is not None and isinstance(key, str):
        if (parent.__name__, key) in _SHAPE_HINTS:
            return _SHAPE_HINTS[parent.__name__, key]
        for name, field in parent.model_fields.items():
            if key in (name, field.alias) and field.description:
                return field.description
    # an item of a list or a planner's key in a mapping: what the list or mapping holds
    return _field_hint(loc[:-1]) if len(loc) > 1 else ""


def schema_issues(exc: ValidationError, source: Source) -> list[Issue]:
    errors = []
    for error in exc.errors(include_url=False):
        loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and p in _TAGS))
        errors.append((loc, len(loc) < len(error["loc"]), error))
    # A union branch that got further says what is wrong inside ({max: -1} for hire: true or
    # {max: 5}); the other branches' "expected true or false" at the same place is noise.
    inside = {loc[:n] for loc, _, _ in errors for n in range(len(loc))}
    issues: dict[str, tuple[KeyPath, str, str, bool]] = {}
    for loc, branch, error in errors:
        if branch and loc in inside:
            continue
        if error["type"] == "too_short" and loc in inside:
            continue  # pydantic counts only the valid items; the invalid one is reported
        message, hint, at_key = _describe(error, loc)
        path = format_path(loc)
        if path in issues:
            # the branches of a union (hire: true or {max: 5}) fail at one place: say it once
            first = issues[path][1]
            if first.startswith("expected ") and message.startswith("expected "):
                wanted, _, got = first.partition(", got ")
                other = message.partition(", got ")[0].removeprefix("expected ")
                issues[path] = (loc, f"{wanted}, or {other}, got {got}", hint, at_key)
            continue
        issues[path] = (loc, message, hint, at_key)
    return [
        source.issue(loc, message, hint, key=at_key)
        for loc, message, hint, at_key in issues.values()
    ]


def _describe(error: Any, loc: tuple[str | int, ...]) -> tuple[str, str, bool]:
    kind: str = error["type"]
    value = error.get("input")
    key = loc[-1] if loc else ""
    hint = _field_hint(loc)
    if kind == "quantity":
        return error["msg"], error.get("ctx", {}).get("hint", hint), False
    if kind == "extra_forbidden":
        parent = _model_at(loc[:-1])
        names = sorted({f.alias or n for n, f in parent.model_fields.items()}) if parent else []
        close = difflib.get_close_matches(str(key), names, n=1, cutoff=0.6)
        suggestion = f"did you mean {close[0]!r}? " if close else ""
        return (f"unknown key {key!r}", f"{suggestion}allowed here: {', '.join(names)}", True)
    if kind == "missing":
        return f"the key {key!r} is missing", hint, True
    if kind in {"int_type", "int_from_float", "int_parsing"}:
        if isinstance(value, float | Decimal) or (isinstance(value, str) and "." in value):
            return f"expected a whole number, got {value!r}", hint, False
        return f"expected a whole number, got {got(value)}", hint, False
    if kind == "greater_than_equal":
        return f"must be {error['ctx']['ge']} or more, got {value!r}", hint, False
    if kind == "less_than_equal":
        limit = error["ctx"]["le"]
        shown = "10^18" if limit == MAX_PLANNED else str(limit)
        return f"must be at most {shown}, got {value!r}", hint, False
    if kind == "greater_than":
        return f"must be more than {error['ctx']['gt']}, got {value!r}", hint, False
    if kind == "literal_error":
        return f"{value!r} is not one of {error['ctx']['expected']}", hint, False
    if kind in {"string_type", "string_too_short", "string_too_long"}:
        if kind == "string_too_short":
            return "must not be empty", hint, False
        if kind == "string_too_long":
            return f"is longer than {error['ctx']['max_length']} characters", hint, False
        return f"expected text, got {got(value)}", hint, False
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return f"expected a mapping of keys, got {got(value)}", hint, False
    if kind in {"tuple_type", "list_type"}:
        return f"expected a list, got {got(value)}", hint, False
    if kind == "too_short":
        parent = _model_at(loc[:-1])
        if parent is Objective and key in _EMPTY_HINTS:
            hint = _EMPTY_HINTS[str(key)]
        return "must not be empty", hint, False
    if kind in {"bool_type", "bool_parsing"}:
        return f"expected true or false, got {got(value)}", hint, False
    if kind == "union_tag_invalid":
        return f"unexpected value {short(value)}", hint, False
    if kind in {"decimal_type", "decimal_parsing"}:
        return f"expected a number, got {value!r}", hint, False
    return error["msg"], hint, False
