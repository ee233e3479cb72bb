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
from typing import TYPE_CHECKING, Any

from okrplan.errors import InputError, Issue, OutputError
from okrplan.spec import Spec, load_spec

if TYPE_CHECKING:
    from okrplan.plan import Plan

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


# ---------------------------------------------------------------------------------------------
# Plans.

PLAN_FILE, MARKDOWN_FILE = "plan.json", "plan.md"


def decompose(spec_or_path: Spec | str | os.PathLike[str]) -> Plan:
    """Solve a target file (or a loaded :class:`Spec`) into a :class:`~okrplan.plan.Plan`."""
    from okrplan.plan import solve_plan

    spec = spec_or_path if isinstance(spec_or_path, Spec) else load_spec(spec_or_path)
    return solve_plan(spec)


def load_plan(path: str | os.PathLike[str]) -> Plan:
    """A plan from a plan.json, a plan directory, or a target file (decomposed in memory)."""
    from okrplan.export.planjson import from_json

    source = Path(path)
    if source.is_dir() and (source / PLAN_FILE).is_file():
        source = source / PLAN_FILE
    if source.suffix.lower() == ".json":
        try:
            text = source.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError([Issue(f"cannot read the file: {exc.strerror}", str(source))]
                             ) from None
        return from_json(text, str(source))
    return decompose(source)


def plan_files(plan: Plan) -> dict[str, str]:
    """The files of a plan directory, by relative name."""
    from okrplan.export.markdown import to_markdown
    from okrplan.export.planjson import to_json

    return {PLAN_FILE: to_json(plan), MARKDOWN_FILE: to_markdown(plan)}


def write_plan(plan: Plan, directory: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Write a plan directory atomically (see :mod:`okrplan.export.output`)."""
    from okrplan.export.output import write_dir

    return write_dir(directory, plan_files(plan), force=force)


def explain(plan: Plan, unit: str | None = None) -> list[dict[str, Any]]:
    """For each quota: its basis, stretch, what binds it, and what more capacity is worth."""
    from okrplan.graph import Kind

    rows = []
    for node_id, data in plan.graph.nodes(data=True):
        if data["kind"] != Kind.ROLE or data.get("quota") is None:
            continue
        if unit is not None and unit not in data["path"]:
            continue
        rows.append({"id": node_id, "role": data.get("label", data["name"]),
                     "unit": data["path"][-1], "headcount": data["headcount"],
                     "quota": data["quota"], "per_person": data["per_person"],
                     "basis": data.get("basis"), "stretch": data.get("stretch"),
                     "binding": data.get("binding", []), "marginal": data.get("marginal", [])})
    if unit is not None and not rows:
        names = sorted({n for _, d in plan.graph.nodes(data=True) if d["kind"] == Kind.UNIT
                        for n in [d["name"]]})
        close = __import__("difflib").get_close_matches(unit, names, n=1)
        raise InputError([Issue(f"no unit named {unit!r} carries a quota in this plan",
                                hint=(f"did you mean {close[0]!r}? " if close else "")
                                + f"units: {', '.join(names)}")])
    return rows


def explain_text(plan: Plan, unit: str | None = None) -> str:
    """:func:`explain` as lines a planner reads."""
    from okrplan.present import money_text, per_text

    locale = plan.locale
    lines = [f"{plan.meta.get('name', '')}: {plan.solver.get('status')}, largest stretch "
             f"{plan.solver.get('stretch')}"]
    for message in (r["message"] for r in plan.solver.get("relaxations", [])):
        lines.append(f"  to make it feasible: {message}")
    for row in explain(plan, unit):
        lines.append(f"{row['role']} × {row['headcount']} in {row['unit']}: quota "
                     f"{money_text(row['quota'], locale)} ({money_text(row['per_person'], locale)}"
                     f" per person); basis {money_text(row['basis'] or 0, locale)}, stretch "
                     f"{row['stretch']}")
        if row["binding"]:
            lines.append(f"  bound by: {'; '.join(row['binding'])}")
        else:
            lines.append("  bound by: nothing (it carries the common stretch level)")
        for gain in row["marginal"]:
            metric = plan.metrics.get(gain["metric"], {}).get("name", gain["metric"])
            if gain["adds"]:
                lines.append(f"  one more {metric} per {per_text(gain['per'], locale)} per "
                             f"{row['role']} adds {money_text(gain['adds'], locale)} of "
                             "reachable revenue")
    return "\n".join(lines)


def score(plan: Plan, actuals_path: str | os.PathLike[str], *, stretch: str | None = None,
          percent: bool = False) -> tuple[list[Any], Any]:
    """Score a plan against a CSV of actuals; returns the sheets' scores and the options used."""
    from fractions import Fraction

    from okrplan.quantity import QuantityError, parse_quantity
    from okrplan.score import ScoreOptions, read_actuals, score_plan

    cap = Fraction(1)
    if stretch is not None:
        try:
            cap = Fraction(parse_quantity(stretch).value)
        except QuantityError as exc:
            raise InputError([Issue(f"--stretch {stretch!r}: {exc}", hint="e.g. --stretch 120%")]
                             ) from None
        if cap < 1:
            raise InputError([Issue("--stretch must be at least 100%", hint="e.g. 120%")])
    options = ScoreOptions(stretch=cap, percent=percent)
    return score_plan(plan, read_actuals(actuals_path, plan), options), options
