"""What the CLI and notebooks call: load, validate, describe, and write starter files.

Every function here raises :class:`~okrplan.errors.OkrplanError` subclasses for a user's
mistakes and returns values; printing is the caller's business.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from okrplan.errors import InputError, Issue, OutputError
from okrplan.spec import Spec, load_spec

TEMPLATES = ("sales", "market-share")


@dataclass(frozen=True, slots=True)
class Checked:
    """The outcome of validating one file: the spec, or the problems found."""

    file: str
    spec: Spec | None
    issues: tuple[Issue, ...]

    @property
    def ok(self) -> bool:
        return self.spec is not None


def check_file(path: str | os.PathLike[str]) -> Checked:
    """Validate one target file without raising for its problems."""
    try:
        spec = load_spec(path)
    except InputError as exc:
        return Checked(os.fspath(path), None, exc.issues)
    return Checked(spec.file, spec, spec.warnings)


def summarize(spec: Spec) -> str:
    """A few lines that show a planner the file was understood: KPI, org size, funnels."""
    from okrplan.quantity import format_number, format_percent

    target = spec.target
    plan, metrics, locale = target.plan, target.metrics, target.plan.locale
    kpi_metric = metrics[target.kpi.metric]
    base = metrics[spec.base_metric]
    kpi = f"{kpi_metric.name} ({target.kpi.metric})"
    if spec.base_metric != target.kpi.metric:
        kpi += f" → {base.name} {format_number(spec.kpi_value, locale)}"
    else:
        kpi += f" {format_number(spec.kpi_value, locale)}{base.unit}"
    sellers = [r for r in spec.roles if r.role.sells]
    people = sum(r.headcount for r in spec.roles)
    hiring = sum(1 for r in spec.roles if r.role.hire)
    support = [u.unit.name for u in spec.units if u.unit.supports]
    krs = sum(len(o.key_results) for o in target.objectives)
    lines = [
        f"{plan.name} · {plan.period.label} · {plan.locale} · {plan.currency}",
        f"  KPI: {kpi}; buffer {format_percent(plan.buffer, locale)} per level",
        f"  org: {len(spec.units)} units, {len(spec.roles)} role groups, {people} people"
        + (f", {hiring} group{'s' if hiring != 1 else ''} may hire" if hiring else "")
        + (f"; support: {', '.join(support)}" if support else ""),
    ]
    chains: dict[str, list[str]] = {}
    for ref in sellers:
        assert ref.role.sells is not None
        chains.setdefault(ref.role.sells, [])
        if ref.role.role not in chains[ref.role.sells]:
            chains[ref.role.sells].append(ref.role.role)
    for sells, roles in chains.items():
        funnel = " → ".join(metrics[m].name for m in spec.funnel(sells))
        lines.append(f"  funnel ({', '.join(roles)}): {funnel}")
    lines.append(f"  objectives: {len(target.objectives)} with {krs} key results; "
                 f"weights: {target.weights.rule}")
    return "\n".join(lines)


def schema_text() -> str:
    """The target file's JSON Schema as stable, indented JSON."""
    from okrplan.spec import json_schema

    return json.dumps(json_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def template_text(name: str) -> str:
    """The commented starter target file called ``name`` (see :data:`TEMPLATES`)."""
    if name not in TEMPLATES:
        raise InputError([Issue(f"no template named {name!r}",
                                hint=f"choose one of: {', '.join(TEMPLATES)}")])
    return (resources.files("okrplan") / "templates" / f"{name}.yaml").read_text("utf-8")


def write_new_file(path: str | os.PathLike[str], text: str, *, force: bool = False) -> Path:
    """Write ``text`` to a new file atomically; refuse to replace an existing one unless forced."""
    target = Path(path)
    if target.exists() and not force:
        raise OutputError(f"{target} already exists; pass --force to replace it")
    if not target.parent.exists():
        raise OutputError(f"the folder {target.parent} does not exist")
    temporary = target.with_name(f".{target.name}.okrplan-tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, target)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise OutputError(f"cannot write {target}: {exc.strerror}") from None
    return target


def load(path: str | os.PathLike[str]) -> Spec:
    """Load and validate a target file (see :func:`okrplan.spec.load_spec`)."""
    return load_spec(path)


def describe(checked: Checked) -> dict[str, Any]:
    """A JSON-friendly record of a validation, for `okrplan validate --json`."""
    return {
        "file": checked.file,
        "ok": checked.ok,
        "issues": [{"severity": str(i.severity), "line": i.line, "column": i.column,
                    "path": i.path, "message": i.message, "hint": i.hint}
                   for i in checked.issues],
    }
