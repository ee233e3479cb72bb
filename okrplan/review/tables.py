"""The pack's four sections as tables of text and numbers, shared by every renderer.

Markdown and HTML show the text; the workbook writes the numbers as numbers, so each cell is
a :class:`Cell`: the text a reader sees and, where there is one, the exact value behind it.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from okrplan.numbers import Numbers
from okrplan.review.funnel import Cause, Diagnosis
from okrplan.review.nextsteps import NextKr
from okrplan.review.pack import LOW_CONFIDENCE, Activity, Funnel, KrLine, Note, Pack
from okrplan.review.words import amount, percent, signed, status_word, words


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    value: Fraction | None = None
    kind: str = "text"  # text | money | count | percent
    tag: str = ""  # a status (on_track, behind, …) or "over" for a page to colour


@dataclass(frozen=True, slots=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    title: str = ""


def _num(value: Fraction | None, fmt: Numbers, money: bool) -> Cell:
    return Cell(amount(value, fmt, money=money), value, "money" if money else "count")


def _pct(value: Fraction | None) -> Cell:
    return Cell(percent(value), value, "percent")


def _t(text: str) -> Cell:
    return Cell(text)


def _kr_value(line: KrLine, value: Fraction | None, fmt: Numbers) -> Cell:
    if line.percent and value is not None:
        return _pct(value)
    return _num(value, fmt, line.money)


def _kr_cells(line: KrLine, name: str, fmt: Numbers) -> tuple[Cell, ...]:
    return (
        _t(name),
        _kr_value(line, line.target, fmt),
        _kr_value(line, line.expected, fmt),
        _kr_value(line, line.actual, fmt),
        _pct(line.progress),
        Cell(status_word(line.status, fmt.locale), tag=line.status),
        Cell(
            "" if line.confidence is None else f"{line.confidence}/10",
            None if line.confidence is None else Fraction(line.confidence),
        ),
    )


def progress_tables(pack: Pack) -> list[Table]:
    """Section 1: one table per objective, and one line per direct child."""
    w, loc = words(pack.locale), pack.numbers
    head = (
        w["kr"],
        w["target"],
        w["expected"],
        w["actual"],
        w["progress"],
        w["status"],
        w["confidence"],
    )
    out = [
        Table(head, tuple(_kr_cells(k, k.name, loc) for k in o.krs), f"O{i} {o.name}")
        for i, o in enumerate(pack.objectives, 1)
    ]
    rows: list[tuple[Cell, ...]] = []
    for child in pack.children:
        line = child.headline
        name = child.name
        people = _num(Fraction(child.headcount), loc, False)
        if line is None:
            rows.append((_t(name), people, *(_t(""),) * 6))
            continue
        cells = _kr_cells(line, line.name, loc)
        rows.append((_t(name), people, *cells[:6]))
    if rows:
        out.append(
            Table(
                (w["child"], w["people"], w["metric"], *head[1:6]),
                tuple(rows),
                w["children"],
            )
        )
    return out


def activity_table(pack: Pack) -> Table:
    """Section 2: each metric's volume of the period against its plan, and who reported it."""
    w, loc = words(pack.locale), pack.numbers
    rows = tuple(
        (
            _t(a.name),
            _num(a.planned, loc, a.money),
            _num(a.actual, loc, a.money),
            _pct(_attain(a)),
            Cell(f"{a.reported}/{a.people}", Fraction(a.reported), "count"),
        )
        for a in pack.activities
    )
    head = (w["metric"], w["planned_period"], w["actual_period"], w["attain"], w["reported"])
    return Table(head, rows)


def _attain(a: Activity) -> Fraction | None:
    return a.actual / a.planned if a.actual is not None and a.planned else None


def hires_table(pack: Pack) -> Table:
    w, loc = words(pack.locale), pack.numbers
    rows = tuple(
        (
            _t(h.owner),
            _t(h.kr),
            _num(h.target, loc, False),
            _num(h.period, loc, False),
            _num(h.to_date, loc, False),
        )
        for h in pack.hires
    )
    return Table(
        (w["owner"], w["kr"], w["target"], w["hires_period"], w["hires_to_date"]), rows, w["hires"]
    )


def note_text(note: Note, locale: str) -> str:
    """A comment as one line: who, on which KR, when, and how confident."""
    w = words(locale)
    who = " · ".join(p for p in (note.owner, note.person) if p)
    confidence = f" ({w['confidence']} {note.confidence}/10)" if note.confidence is not None else ""
    return f"{who} · {note.kr} · {note.period}: {note.comment}{confidence}".rstrip(": ")


def next_table(item: NextKr, fmt: Numbers) -> Table:
    """Section 3: one KR's remaining periods, as rows (periods are the columns)."""
    w = words(fmt.locale)
    money = item.money
    labels = tuple(w["rest_of"].format(label=n.label) if n.partial else n.label for n in item.needs)
    rows: list[tuple[Cell, ...]] = [
        (_t(w["plan_orig"]), *(_num(n.planned, fmt, money) for n in item.needs)),
        (_t(w["need"]), *(_num(n.need, fmt, money) for n in item.needs)),
    ]
    if item.headcount:
        rows.append((_t(w["per_person"]), *(_num(n.per_person, fmt, money) for n in item.needs)))
        if any(n.capacity is not None for n in item.needs):
            rows.append((_t(w["capacity"]), *(_num(n.capacity, fmt, money) for n in item.needs)))
            rows.append(
                (_t(w["over"]), *(Cell("⚠", tag="over") if n.over else _t("") for n in item.needs))
            )
    return Table((w["period"], *labels), tuple(rows), next_title(item, fmt))


def next_title(item: NextKr, fmt: Numbers) -> str:
    w = words(fmt.locale)
    who = item.owner + (
        f" ({item.headcount} {w['people']})"
        if item.headcount and fmt.locale.startswith("en")
        else f"（{item.headcount}人）"
        if item.headcount
        else ""
    )
    return (
        f"{who} · {item.name} — {w['remaining']} {amount(item.remaining, fmt, money=item.money)}"
        f" ({w['done']} {amount(item.done, fmt, money=item.money)} / "
        f"{amount(item.total, fmt, money=item.money)})"
    )


def funnel_table(d: Diagnosis, fmt: Numbers) -> Table:
    """Section 4: a funnel's stages with volumes, rates and the part of the gap each explains."""
    w = words(fmt.locale)
    money_last = True
    explained = {f.metric: f for f in d.factors}
    rows = []
    for i, stage in enumerate(d.stages):
        money = money_last and i == len(d.stages) - 1
        factor = explained.get(stage.metric)
        rate_plan = factor.planned if factor is not None and factor.source is not None else None
        rate_actual = factor.actual if factor is not None and factor.source is not None else None
        rows.append(
            (
                _t(stage.name),
                _num(stage.planned, fmt, money),
                _num(stage.actual, fmt, money),
                _rate(rate_plan, fmt, money),
                _rate(rate_actual, fmt, money),
                Cell(signed(factor.explains, fmt, money=True), factor.explains, "money")
                if factor is not None
                else _t(""),
            )
        )
    head = (
        w["stage"],
        w["planned_period"],
        w["actual_period"],
        w["rate_plan"],
        w["rate_actual"],
        w["explains"],
    )
    return Table(head, tuple(rows))


def _rate(value: Fraction | None, fmt: Numbers, money: bool) -> Cell:
    """A conversion rate: a percent between counts, an amount per unit into money."""
    if value is None:
        return _t("")
    return _num(value, fmt, True) if money else _pct(value)


def diagnosis_lines(d: Diagnosis, fmt: Numbers) -> list[str]:
    """The funnel's verdict in words: the gap's split, and the main cause."""
    w = words(fmt.locale)
    name = d.stages[-1].name if d.stages else ""
    if d.cause is Cause.NO_DATA:
        return [w["cause_no_data"].format(name=name)]
    lines = [
        w["gap_line"].format(
            name=name,
            gap=signed(d.gap, fmt, money=True),
            volume=signed(d.volume, fmt, money=True),
            conversion=signed(d.conversion, fmt, money=True),
        )
    ]
    if d.cause is Cause.ON_PLAN:
        lines.append(w["cause_on_plan"].format(name=name))
    elif d.cause is Cause.VOLUME:
        first = d.factors[0]
        stage = next(s for s in d.stages if s.metric == first.metric)
        lines.append(
            w["cause_volume"].format(
                name=stage.name,
                actual=amount(first.actual, fmt, money=False),
                planned=amount(first.planned, fmt, money=False),
            )
        )
    elif (worst := d.worst) is not None:
        names = {s.metric: s.name for s in d.stages}
        money = worst.metric == d.stages[-1].metric
        shown = (lambda v: amount(v, fmt, money=True)) if money else percent
        lines.append(
            w["cause_conversion"].format(
                source=names.get(str(worst.source), worst.source),
                name=names.get(worst.metric, worst.metric),
                actual=shown(worst.actual),
                planned=shown(worst.planned),
            )
        )
    return lines


def short_lines(pack: Pack) -> list[str]:
    """The direct children whose remaining need exceeds their capacity, with the people short."""
    w, loc = words(pack.locale), pack.numbers
    return [
        w["short_line"].format(
            owner=s.child,
            kr=s.kr,
            label=s.label,
            need=amount(s.per_person, loc, money=s.money),
            capacity=amount(s.capacity, loc, money=s.money),
            people=s.people,
            persons="person" if s.people == 1 else "people",
        )
        for s in pack.short
    ]


def funnel_title(pack: Pack, funnel: Funnel) -> str:
    """A funnel's heading: its stages, where its people are and how many."""
    w = words(pack.locale)
    chain = " → ".join(s.name for s in funnel.diagnosis.stages)
    english = pack.locale.lower().startswith("en")
    people = (
        f"{funnel.people} {'person' if funnel.people == 1 else 'people'}"
        if english
        else f"{funnel.people}人"
    )
    if funnel.reported < funnel.people:
        people += (
            f", {funnel.reported} of them reported"
            if english
            else f"，其中{funnel.reported}人有数据"
        )
    return w["funnel"].format(groups=f"{chain} ({', '.join(funnel.children)}, {people})")


__all__ = ["LOW_CONFIDENCE", "Cell", "Table"]
