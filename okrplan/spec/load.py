"""Reading a target file: size limits, the schema, then the checks across the file."""

from __future__ import annotations

import os
from typing import Any

from pydantic import (
    ValidationError,
)

from okrplan.errors import InputError, Issue, Severity
from okrplan.source import Source, load_yaml
from okrplan.spec.checks import check_spec
from okrplan.spec.fields import MAX_PEOPLE, MAX_ROLE_GROUPS, MAX_UNITS, SCHEMA_VERSION
from okrplan.spec.messages import schema_issues
from okrplan.spec.refs import Spec
from okrplan.spec.roster import merge_roster
from okrplan.spec.schema import TargetFile
from okrplan.spec.words import written


def load_spec(path: str | os.PathLike[str]) -> Spec:
    """Read, parse and check a target file.

    Raises
    ------
    InputError
        With every problem found, each with its file, line, column, key path and hint.
    """
    return spec_from_source(load_yaml(path))


def spec_from_source(source: Source) -> Spec:
    """Check parsed YAML against the schema and the cross-reference rules."""
    if not isinstance(source.data, dict):
        raise InputError(
            [
                source.issue(
                    (),
                    "the file must be a mapping of keys (plan:, kpi:, …)",
                    "start from `okrplan init target.yaml`",
                ),
                *source.warnings,
            ]
        )
    version = source.data.get("okrplan", SCHEMA_VERSION)
    if type(version) is not int or version != SCHEMA_VERSION:  # true and 1.0 equal 1 in Python
        raise InputError(
            [
                source.issue(
                    ("okrplan",),
                    f"this file is format {written(version)}; this okrplan reads format "
                    f"{SCHEMA_VERSION}",
                    "set okrplan: 1, or upgrade okrplan",
                ),
                *source.warnings,
            ]
        )
    source = merge_roster(source)
    too_large = size_issues(source)
    if too_large:
        raise InputError([*too_large, *source.warnings])
    try:
        target = TargetFile.model_validate(source.data)
    except ValidationError as exc:
        raise InputError([*schema_issues(exc, source), *source.warnings]) from None
    spec = Spec(source.file, target, source.warnings)
    problems = check_spec(spec, source)
    if any(p.severity is Severity.ERROR for p in problems):
        raise InputError([*problems, *source.warnings])
    return spec.with_warnings((*source.warnings, *problems))


def size_issues(source: Source) -> list[Issue]:
    """Refuse an organisation beyond :data:`MAX_UNITS`, :data:`MAX_ROLE_GROUPS` or
    :data:`MAX_PEOPLE` before anything is validated or built for it."""
    org = source.data.get("org")
    stack: list[Any] = [org] if isinstance(org, dict) else []
    # units are counted as the planner writes them, under the top one (itself not counted)
    units, groups, people = -1, 0, 0
    top = str(org.get("name") or "org") if isinstance(org, dict) else "org"
    while stack:
        unit = stack.pop()
        units += 1
        below, roles = unit.get("units"), unit.get("roles")
        if isinstance(below, list):
            stack.extend(u for u in below if isinstance(u, dict))
        for role in roles if isinstance(roles, list) else ():
            if not isinstance(role, dict):
                continue
            groups += 1
            headcount, named = role.get("headcount"), role.get("people")
            people += max(
                headcount if type(headcount) is int else 0,
                len(named) if isinstance(named, list) else 0,
            )
    split = "split the organisation into several target files, e.g. one per division"
    return [
        source.issue(
            ("org",),
            f"the organisation has {count:,} {what}; okrplan plans at most {limit:,} in one file",
            f"check the headcounts, or {split}" if what == "people" else split,
        )
        for count, limit, what in (
            (units, MAX_UNITS, f"units under {top}"),
            (groups, MAX_ROLE_GROUPS, "role groups"),
            (people, MAX_PEOPLE, "people"),
        )
        if count > limit
    ]
