"""The labels of a goal-tree diagram's boxes: an owner's header, facts and OKR sheet (org view),
and a key result's node (KR view). Folded owners' numbers show as ranges."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from itertools import compress
from operator import attrgetter, is_not
from typing import Any

from okrplan.graph import Kind
from okrplan.model import KeyResult, KRKind, Node, Number, Per, RoleGroup, Unit
from okrplan.numbers import Numbers
from okrplan.present import (
    group_title,
    kr_cadence_text,
    label,
    money_text,
    ramp_text,
    span_text,
    weight_text,
)
from okrplan.quantity import format_number, format_percent
from okrplan.render.layout import Box, Context
from okrplan.render.markup import circled, escape_html, gap, html_lines, pack, styled

KR_WIDTH = 34  # columns (a CJK character is two) before a key result's text wraps
TARGET_WIDTH = 22
FACTS_WIDTH = 40
NAME_WIDTH = 28
PEOPLE_SHOWN = 8
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# (header, light) colours by org level (1 = the company); roles and conflicts apart.
LEVELS = (
    ("#1F4E79", "#DCE6F1"),
    ("#2E7D32", "#E2F0E3"),
    ("#A85D00", "#FBEBD5"),
    ("#6A1B9A", "#EFE2F5"),
    ("#00695C", "#DCEFED"),
    ("#4E342E", "#EFE7E4"),
)
ROLE = ("#455A64", "#ECEFF1")
CONFLICT, CONFLICT_LIGHT = "#C62828", "#FDECEA"
MUTED = "#5F6B73"


def kr_cadence(kr: KeyResult, locale: str, numbers: Numbers | None = None) -> str:
    """The target with its period when the target alone does not say it: ``71 个/周``."""
    return kr_cadence_text(kr, locale, numbers)


def colours(ctx: Context, box: Box) -> tuple[str, str]:
    if box.kind == Kind.ROLE:
        return ROLE
    return LEVELS[(ctx.org_level(box.members[0]) - 1) % len(LEVELS)]


def owner_title(owner: Node, locale: str = "zh-CN") -> str:
    """How a diagram and the report head a unit (its name) or a role group (``销售岗 × 10``,
    ``销售岗 · 3月入职 × 1``)."""
    if isinstance(owner, RoleGroup):
        return f"{group_title(owner, locale)} × {owner.headcount}"
    return owner.name


def title(ctx: Context, box: Box) -> tuple[str, str]:
    """The header text of a box and the lead (or '')."""
    owners = [ctx.record(m) for m in box.members]
    first = owners[0]
    if len(owners) == 1 and isinstance(first, RoleGroup):
        return owner_title(first, ctx.locale), ""
    if isinstance(first, RoleGroup):
        heads = sum(o.headcount for o in owners if isinstance(o, RoleGroup))
        return f"{first.name} × {heads}", ""
    name = first.name
    if len(owners) > 1:
        name = ctx.text("units_like", name=name, n=len(owners))
    leads = {o.lead or "" for o in owners if isinstance(o, Unit)}
    return name, leads.pop() if len(leads) == 1 else ""


def _money_span(ctx: Context, values: list[Number]) -> str:
    if not values:
        return ""
    return span_text(*ctx.numbers.amounts([min(values), max(values)]))


def _unit_facts(ctx: Context, box: Box, units: list[Unit]) -> list[str]:
    locale, folded = ctx.locale, len(units) > 1
    parts = []
    targets = [u.target for u in units if u.target is not None]
    if targets:
        text = f"{label(locale, 'target')} {_money_span(ctx, targets)}"
        if folded:
            text = (
                f"{label(locale, 'target')} {label(locale, 'each')} "
                f"{_money_span(ctx, targets)}, {label(locale, 'total')} "
                f"{money_text(sum(targets), locale, ctx.numbers)}"
            )
        parts.append(text)
    assigned = [u.assigned for u in units if u.assigned is not None]
    if assigned and not folded:
        parts.append(f"{label(locale, 'assigned')} {_money_span(ctx, assigned)}")
    people = ctx.people(box)
    if people:
        parts.append(ctx.text("people_count", n=people))
    lines = [" · ".join(parts)] if parts else []
    supports = units[0].supports
    if supports:
        metric = ctx.plan.metrics.get(supports.metric, {}).get("name", supports.metric)
        share = format_percent(Decimal(str(supports.share)), locale)
        lines.append(ctx.text("supplies", share=share, metric=metric))
    return lines


def _role_facts(ctx: Context, roles: list[RoleGroup]) -> list[str]:
    locale, folded, first = ctx.locale, len(roles) > 1, roles[0]
    selling = [r.selling for r in roles if r.selling is not None]
    parts = []
    if selling:
        per_person = _money_span(ctx, [s.per_person for s in selling])
        parts.append(f"{label(locale, 'per_person')} {per_person}")
        total = money_text(sum(s.quota for s in selling), locale, ctx.numbers)
        parts.append(f"{label(locale, 'total')} {total}")
    if folded:
        parts.append(ctx.text("groups", n=len(roles)))
    lines = [" · ".join(parts)] if parts else []
    ramp = ramp_text(first.selling.ramp if first.selling else ())
    if ramp and not folded:
        lines.append(f"{label(locale, 'ramp')} {ramp}")
    names = first.people
    if names and not folded:
        shown = "、".join(names[:PEOPLE_SHOWN])
        if len(names) > PEOPLE_SHOWN:
            shown += f"… ({ctx.text('people_count', n=len(names))})"
        lines.append(f"{label(locale, 'people')}: {shown}")
    return lines


def facts(ctx: Context, box: Box) -> list[str]:
    """Short lines under the header: target, quota, people, ramp, support share."""
    owners = [ctx.record(m) for m in box.members]
    units = [o for o in owners if isinstance(o, Unit)]
    if units:
        return _unit_facts(ctx, box, units)
    return _role_facts(ctx, [o for o in owners if isinstance(o, RoleGroup)])


@dataclass(frozen=True, slots=True)
class Row:
    """One line of a sheet in a node: an objective (``O1 title``) or one of its key results."""

    objective: bool
    text: str
    target: str = ""
    weight: str = ""
    phasing: tuple[str, ...] = ()


def _span(
    krs: Sequence[KeyResult],
    value: Callable[[KeyResult], Any],
    fmt: Callable[[KeyResult], str],
) -> str:
    """``fmt`` of the KRs with the smallest and largest ``value``, as a range."""
    # in C (compress, attrgetter): a folded box of a roster can stand for 15,000 owners. The
    # first smallest and largest, as min and max pick them (a present value is its own key)
    present = list(compress(krs, map(_PRESENT, map(value, krs))))
    if not present:
        return fmt(krs[0]) if krs else ""
    return span_text(fmt(min(present, key=value)), fmt(max(present, key=value)))


_PRESENT = partial(is_not, None)
_TARGET = attrgetter("target")
_WEIGHT = attrgetter("weight")


def kr_target(ctx: Context, same: Sequence[KeyResult]) -> str:
    """The target of a KR, or the range of targets of the same KR of folded owners."""
    return _span(same, _TARGET, lambda kr: kr_cadence(kr, ctx.locale, ctx.numbers))


def kr_weight(same: Sequence[KeyResult]) -> str:
    weighted = list(compress(same, map(_PRESENT, map(_WEIGHT, same))))
    if not weighted:
        return ""
    return _span(weighted, _WEIGHT, lambda kr: weight_text(kr.weight))


def sheet_rows(ctx: Context, box: Box) -> Iterator[Row]:
    """The objectives and key results of a box, folded owners' numbers as ranges."""
    locale = ctx.locale
    sheets = [ctx.sheet(m) for m in box.members]
    for index, (objective, krs) in enumerate(sheets[0]):
        # each key result's column over the folded owners, by C (folded owners' sheets have
        # one shape; a shorter one fails below, as indexing it did)
        columns = list(zip(*[sheet[index][1] for sheet in sheets], strict=False))
        weights = [kr.weight for kr in krs if kr.weight is not None]
        yield Row(
            True,
            f"O{index + 1} {objective.name}",
            weight=weight_text(sum(weights)) if weights else "",
        )
        for position, kr in enumerate(krs):
            same = list(columns[position])
            text = kr.name
            if kr.kr_kind is KRKind.DEDUCTION:
                text += f" ({label(locale, 'deduction')})"
            target = kr_target(ctx, same)
            if kr.due and kr.kr_kind is not KRKind.STAFFING:
                target += f" · {label(locale, 'by')} {kr.due}"
            phasing = _phasing(ctx, kr) if box.kind == Kind.UNIT and len(same) == 1 else []
            yield Row(False, text, target, kr_weight(same), tuple(phasing))


def _phasing(ctx: Context, kr: KeyResult) -> list[str]:
    """``Q1 1,320万`` … for the plan's base money KR: how seasonality phases it."""
    base = ctx.plan.meta.get("kpi", {}).get("base")
    if kr.metric != base or kr.per is not Per.PLAN or not 1 < len(kr.periods) <= 6:
        return []
    values = list(kr.periods.values())
    shown = (
        ctx.numbers.amounts(values)
        if kr.money
        else [format_number(Decimal(str(v)), ctx.locale) for v in values]
    )
    return [
        f"{period_name(key, ctx.locale)} {text}"
        for key, text in zip(kr.periods, shown, strict=True)
    ]


def period_name(key: str, locale: str) -> str:
    """``2015-Q1`` → ``Q1``; ``2015-03`` → ``3月`` (``Mar``); ``2015-W10`` → ``W10``.

    >>> [period_name(k, "zh-CN") for k in ("2015-Q1", "2015-03")], period_name("2015-03", "en")
    (['Q1', '3月'], 'Mar')
    """
    tail = key.rsplit("-", 1)[-1]
    if tail.isdigit() and 1 <= int(tail) <= 12:
        month = int(tail)
        return MONTHS[month - 1] if locale.startswith("en") else f"{month}月"
    return tail


def _sheet_markup(ctx: Context, box: Box) -> list[str]:
    """The table rows of a box's sheet: objectives on a light band, KRs with target, weight
    and (for a unit's base KR) its phasing."""
    light = colours(ctx, box)[1]
    rows = []
    for row in sheet_rows(ctx, box):
        if row.objective:
            rows.append(
                f'<TR><TD COLSPAN="2" BGCOLOR="{light}" ALIGN="LEFT" BALIGN="LEFT">'
                f"{styled(html_lines(row.text, KR_WIDTH + 10), 11, bold=True)}"
                f'</TD><TD BGCOLOR="{light}" ALIGN="RIGHT">'
                f"{styled(escape_html(gap(row.weight)), 10, bold=True)}</TD></TR>"
            )
            continue
        rows.append(
            f'<TR><TD ALIGN="LEFT" BALIGN="LEFT">{styled(html_lines(row.text, KR_WIDTH), 10)}'
            f'</TD><TD ALIGN="RIGHT" BALIGN="RIGHT">'
            f"{styled(html_lines(gap(row.target), TARGET_WIDTH), 10)}</TD>"
            f'<TD ALIGN="RIGHT">{styled(escape_html(gap(row.weight)), 10, MUTED)}</TD></TR>'
        )
        if row.phasing:
            rows.append(
                f'<TR><TD COLSPAN="3" ALIGN="LEFT">'
                f"{styled(escape_html('  ·  '.join(row.phasing)), 9, MUTED)}</TD></TR>"
            )
    return rows


def org_label(ctx: Context, box: Box, refs: list[int], conflict: bool) -> str:
    """An owner's box in the org view: header, facts, a conflict mark, its sheet."""
    dark = colours(ctx, box)[0]
    name, lead = title(ctx, box)
    head = styled(html_lines(name, NAME_WIDTH), 13, "white", bold=True)
    if lead:
        head += styled("  " + escape_html(lead), 10, "white")
    header = f'<TR><TD BGCOLOR="{dark}" ALIGN="LEFT" BALIGN="LEFT" CELLPADDING="3">{head}</TD></TR>'
    rows: list[str] = []
    packed = pack(facts(ctx, box), FACTS_WIDTH)
    if packed:
        rows.append(
            f'<TR><TD COLSPAN="3" ALIGN="LEFT" BALIGN="LEFT">'
            f"{styled('<BR/>'.join(html_lines(f, FACTS_WIDTH) for f in packed), 10)}"
            "</TD></TR>"
        )
    if conflict:
        text = f"⚠ {label(ctx.locale, 'conflict')}"
        if refs:
            text += "  " + ctx.text("see", refs="".join(circled(r) for r in refs))
        rows.append(
            f'<TR><TD COLSPAN="3" BGCOLOR="{CONFLICT_LIGHT}" ALIGN="LEFT">'
            f"{styled(escape_html(text), 10, CONFLICT, bold=True)}</TD></TR>"
        )
    rows += _sheet_markup(ctx, box)
    if box.cut:
        what = ctx.what_text(*ctx.below(box.members))
        rows.append(
            f'<TR><TD COLSPAN="3" ALIGN="LEFT">'
            f"{styled('▶ ' + escape_html(ctx.text('not_drawn', what=what)), 10, MUTED)}"
            "</TD></TR>"
        )
    # Rows sit in an inner table: tight lines, with a margin to the border all round.
    # dot rejects a TABLE without rows: a box with nothing to list has no inner table
    body = (
        '<TR><TD CELLPADDING="3"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" '
        'CELLPADDING="1">' + "".join(f"\n    {row}" for row in rows) + "</TABLE></TD></TR>"
        if rows
        else ""
    )
    return (
        f'<<TABLE BORDER="{3 if conflict else 1}" CELLBORDER="0" CELLSPACING="0" '
        f'CELLPADDING="0" COLOR="{CONFLICT if conflict else dark}" BGCOLOR="white">'
        f"\n    {header}\n    {body}</TABLE>>"
    )


def kr_label(ctx: Context, same: list[KeyResult]) -> str:
    """A KR node: its name, target (a range over folded owners) and weight."""
    target = kr_target(ctx, same)
    weight = kr_weight(same)
    if weight:
        target += f"  {weight}"
    return (
        f"<{styled(html_lines(same[0].name, 24), bold=True)}<BR/>{styled(escape_html(target), 10)}>"
    )
