"""The review pack as Markdown, to paste into a wiki or 飞书文档."""

from __future__ import annotations

from okrplan.review.pack import LOW_CONFIDENCE, Pack
from okrplan.review.tables import (
    Table,
    activity_table,
    diagnosis_lines,
    funnel_table,
    funnel_title,
    hires_table,
    next_table,
    note_text,
    progress_tables,
    short_lines,
)
from okrplan.review.words import words


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def table_md(table: Table, level: int = 3) -> list[str]:
    """A table as Markdown lines, with its title as a heading of ``level``."""
    out = [f"{'#' * level} {table.title}", ""] if table.title else []
    out.append("| " + " | ".join(map(_cell, table.header)) + " |")
    out.append("|" + "|".join("---" if i == 0 else "---:" for i in range(len(table.header))) + "|")
    out += ["| " + " | ".join(_cell(c.text) for c in row) + " |" for row in table.rows]
    return [*out, ""]


def header_lines(pack: Pack) -> list[str]:
    w = words(pack.locale)
    where = "/".join(pack.unit_path)
    days = f"{pack.span.first.isoformat()} – {pack.span.last.isoformat()}"
    return [
        f"# {w['title'].format(unit=pack.unit_name, period=pack.period)}",
        "",
        f"{pack.plan_name} · {where} · {days}",
        "",
    ]


def section_title(pack: Pack, number: int) -> str:
    w = words(pack.locale)
    if number == 2:
        return w["s2_quarter"] if "Q" in pack.period else w["s2_month"]
    return w[f"s{number}"]


def to_markdown(pack: Pack) -> str:
    """The pack's four sections as one Markdown document.

    Parameters
    ----------
    pack : Pack
        From :func:`okrplan.review.build_pack`.
    """
    w = words(pack.locale)
    out = header_lines(pack)
    out += [f"## {section_title(pack, 1)}", ""]
    if not pack.objectives:
        out += [w["no_okr"], ""]
    for table in progress_tables(pack):
        out += table_md(table)
    out += [f"## {section_title(pack, 2)}", ""]
    out += table_md(activity_table(pack)) if pack.activities else [w["no_activity"], ""]
    out += [f"### {w['comments']}", ""]
    out += [f"- {note_text(n, pack.locale)}" for n in pack.notes] or [w["no_comments"]]
    out.append("")
    if pack.hires:
        out += table_md(hires_table(pack))
    out += [f"## {section_title(pack, 3)}", ""]
    for item in pack.next:
        out += table_md(next_table(item, pack.numbers))
    if not pack.next:
        out += [w["no_next"], ""]
    out += [f"## {section_title(pack, 4)}", ""]
    for funnel in pack.funnels:
        out += [f"### {funnel_title(pack, funnel)}", ""]
        out += table_md(funnel_table(funnel.diagnosis, pack.numbers))[:]
        out += [*diagnosis_lines(funnel.diagnosis, pack.numbers), ""]
    if pack.funnels:
        out += [f"*{w['funnel_note']}*", ""]
    else:
        out += [w["no_funnel"], ""]
    out += [f"### {w['short_title']}", ""]
    out += [f"- {line}" for line in short_lines(pack)] or [w["no_short"]]
    out += ["", f"### {w['blockers'].format(low=LOW_CONFIDENCE)}", ""]
    out += [f"- {note_text(n, pack.locale)}" for n in pack.blockers] or [w["no_blockers"]]
    return "\n".join(out).rstrip() + "\n"
