"""`okrplan export`: OKR sheets of a plan."""

from __future__ import annotations

from pathlib import Path

import click

from okrplan.choices import SHEET_FORMATS

#: What --format takes: the sheet files, and ``pdf`` (printed handouts, with --per-person).
EXPORT_FORMATS = (*SHEET_FORMATS, "pdf")


def _formats(ctx: click.Context, param: click.Parameter, value: str) -> tuple[str, ...]:
    formats = tuple(dict.fromkeys(f.strip().lower() for f in value.split(",") if f.strip()))
    unknown = [f for f in formats if f not in EXPORT_FORMATS]
    if unknown or not formats:
        raise click.BadParameter(
            f"unknown format {', '.join(unknown) or '(none)'}; "
            f"choose from {', '.join(EXPORT_FORMATS)} (comma-separated)"
        )
    return formats


@click.command("export")
@click.argument("plan_or_target", type=click.Path())
@click.option(
    "-o",
    "--output",
    default="sheets",
    show_default=True,
    type=click.Path(file_okay=False),
    help="The folder to write the sheets into.",
)
@click.option(
    "-f",
    "--format",
    "formats",
    default=",".join(SHEET_FORMATS),
    show_default=True,
    callback=_formats,
    help=f"Which files, comma-separated: {', '.join(EXPORT_FORMATS)} (pdf: a printed page "
    "per person, with --per-person).",
)
@click.option(
    "-u", "--unit", help="Only this unit's sheets and those of the units and roles below it."
)
@click.option("-r", "--role", help="Only the sheets of this role (its name or group label).")
@click.option(
    "--per-person",
    is_flag=True,
    help="A sheet for every person, numbering people who are not named.",
)
@click.option(
    "--pdf-each",
    is_flag=True,
    help="With --format pdf: also a PDF file per person, beside the one of everyone.",
)
@click.option(
    "--force",
    "--discard-edits",
    "force",
    is_flag=True,
    help="Replace okrplan's sheets even if they were edited or actuals were typed in.",
)
def command(
    plan_or_target: str,
    output: str,
    formats: tuple[str, ...],
    unit: str | None,
    role: str | None,
    per_person: bool,
    pdf_each: bool,
    force: bool,
) -> None:
    """Write the OKR sheets each unit, role and person works in.

    One .xlsx workbook (a summary, then a sheet per unit and role group, or per person where
    people are named, with new hires as 新人1, 新人2 …) in the layout of the seed tables:
    序号, 目标 (O), 目标详细描述, 关键成果 (KRs), KR权重, O分值, then target, unit, period, the
    value actuals are scored against, the target of each period, and the actual and score
    columns. Type actuals into the workbook and the scores, O分值 and totals recompute (in
    Excel and LibreOffice). Also a .csv (UTF-8 with BOM) and .md per sheet. The folder's
    .okrplan-manifest.json lists what okrplan wrote: a sheet edited since (text changed, a row
    added, actuals or a formula typed in) is not replaced without --force (or
    --discard-edits), and a file okrplan did not write never is.

    \b
    Example:
      okrplan export plan/ -o sheets/
      okrplan export plan/plan.json --unit 销售部 --role 销售岗 --format xlsx
      okrplan export plan/ --per-person --format pdf -o handouts/   # a page per person

    With --per-person --format pdf, one PDF with a printed page per person (their OKR sheet
    in the seed layout, their targets by quarter, their weekly activity targets), printed by
    a headless Chromium in Noto Sans CJK; --pdf-each adds a file per person.
    """
    from okrplan import api

    _check_pdf(formats, per_person, pdf_each)
    plan = api.load_plan(plan_or_target)
    sheet_formats = tuple(f for f in formats if f != "pdf")
    written: list[Path] = []
    if sheet_formats:
        written += api.export_sheets(
            plan,
            output,
            formats=sheet_formats,
            unit=unit,
            role=role,
            per_person=per_person,
            force=force,
        )
    if "pdf" in formats:
        from okrplan.export.handout import export_handouts

        written += export_handouts(plan, output, unit=unit, role=role, each=pdf_each, force=force)
    click.echo(_wrote(written, output, plan.locale), err=True)


def _check_pdf(formats: tuple[str, ...], per_person: bool, pdf_each: bool) -> None:
    """Refuse --format pdf without --per-person and --pdf-each without --format pdf; with
    pdf, check that a browser can print before any sheet is written (all of the export or
    none of it)."""
    if "pdf" in formats and not per_person:
        raise click.UsageError("--format pdf prints a page per person: add --per-person")
    if pdf_each and "pdf" not in formats:
        raise click.UsageError("--pdf-each is for --format pdf")
    if "pdf" in formats:
        from okrplan.export.handout_print import require_browser

        require_browser()


def _wrote(written: list[Path], output: str, locale: str) -> str:
    """``wrote 14 files to sheets/: A公司.xlsx, …`` (``已写入 14 个文件到 sheets/：…``): every
    file when few, else the workbooks and the handouts of everyone.

    >>> _wrote([Path("A.xlsx"), Path("A.csv")], "out", "en")
    'wrote 2 files to out/: A.xlsx, A.csv'
    >>> _wrote([Path("A.xlsx")], "out", "zh-CN")
    '已写入 1 个文件到 out/：A.xlsx'
    """
    from okrplan.present import wrote_files_text

    many = len(written) >= 8
    shown = [
        p.name
        for p in written
        if not many or p.suffix == ".xlsx" or p.name.endswith(("-个人OKR.pdf", "-handouts.pdf"))
    ]
    colon = ": " if locale.startswith("en") else "："
    return (
        wrote_files_text(len(written), f"{output}/", locale)
        + colon
        + ", ".join(shown)
        + (", …" if many else "")
    )
