"""OKR sheets and scores: the workbook, CSV and Markdown each person receives, the actuals
typed back, and scoring a plan against actuals (re-exported by :mod:`okrplan.api`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from okrplan.choices import SHEET_FORMATS
from okrplan.errors import InputError, Issue

if TYPE_CHECKING:
    from okrplan.plan import Plan


def score(
    plan: Plan,
    actuals_path: str | os.PathLike[str] | None,
    *,
    store_folder: str | os.PathLike[str] | None = None,
    stretch: str | None = None,
    percent: bool = False,
    allow_stdin: bool = False,
) -> tuple[list[Any], Any, list[Issue]]:
    """Score a plan against a table of actuals (CSV or .xlsx; ``-`` is standard input with
    ``allow_stdin``), or an OKR workbook with actuals typed in; with ``actuals_path`` None,
    against the check-ins in the progress store of the plan folder ``store_folder``.

    Returns
    -------
    tuple
        The sheets' scores, the options used, and the warnings to show (an encoding guessed, a
        money actual that looks like it lacks its unit).

    Raises
    ------
    InputError
        For a file okrplan cannot read, a bad row (every one, with its line), or a bad stretch.
    """
    from fractions import Fraction

    from okrplan.actuals import read_any_actuals
    from okrplan.quantity import QuantityError
    from okrplan.score import ScoreOptions, parse_stretch, score_plan

    cap = Fraction(1)
    if stretch is not None:
        try:
            cap = parse_stretch(stretch)
        except QuantityError as exc:
            raise InputError([Issue(f"--stretch {stretch!r}: {exc}", hint=exc.hint)]) from None
    options = ScoreOptions(stretch=cap, percent=percent)
    if actuals_path is None:  # the plan's progress store (okrplan checkin)
        from okrplan.score import store_actuals

        actuals, warnings = store_actuals(plan, store_folder or "."), list[Issue]()
    else:
        actuals, warnings = read_any_actuals(actuals_path, plan, allow_stdin=allow_stdin)
    return score_plan(plan, actuals, options), options, warnings


SHEETS_DIR = "sheets"
MAX_WORKBOOK_SHEETS = 2000  # decompose leaves larger workbooks to `okrplan export --unit`


def sheet_files(
    plan: Plan,
    *,
    formats: tuple[str, ...] | list[str] = SHEET_FORMATS,
    unit: str | None = None,
    role: str | None = None,
    per_person: bool = False,
    max_workbook: int | None = None,
) -> dict[str, str | bytes]:
    """The files of a sheets folder by name: one ``.xlsx`` workbook (a summary and a sheet per
    unit, role group or person), and ``.csv`` and ``.md`` per sheet with an ``index.md``.

    A book of more than ``max_workbook`` sheets gets ``index.md`` alone: it lists every sheet
    and says how to export them one unit at a time (a workbook or thousands of files of a
    large organisation are better written per unit).

    Raises
    ------
    InputError
        For an unknown format, or a ``unit`` or ``role`` the plan does not have.
    """
    from okrplan.export.sheetfiles import outline_index
    from okrplan.export.sheetfiles import sheet_files as files_of
    from okrplan.export.sheetoutline import build_outline
    from okrplan.export.sheets import build_book

    unknown = [f for f in formats if f not in SHEET_FORMATS]
    if unknown or not formats:
        raise InputError(
            [
                Issue(
                    f"unknown sheet format {', '.join(unknown) or '(none)'}",
                    hint=f"choose from: {', '.join(SHEET_FORMATS)}",
                )
            ]
        )
    if max_workbook is not None:
        outline = build_outline(plan, per_person=per_person, unit=unit, role=role)
        if len(outline.sheets) > max_workbook:
            from okrplan.export.sheetmodel import INDEX_FILE
            from okrplan.present import label

            count = len(outline.sheets)
            note = label(plan.locale, "no_workbook").format(n=count, max=max_workbook)
            note = f"{note} {label(plan.locale, 'no_sheet_files')}"
            return {INDEX_FILE: outline_index(outline, note)}
    book = build_book(plan, per_person=per_person, unit=unit, role=role)
    return files_of(book, formats)


def export_sheets(
    plan: Plan,
    directory: str | os.PathLike[str],
    *,
    formats: tuple[str, ...] | list[str] = SHEET_FORMATS,
    unit: str | None = None,
    role: str | None = None,
    per_person: bool = False,
    force: bool = False,
) -> list[Path]:
    """Write the OKR sheets into ``directory`` (made if missing), each file atomically, and
    the folder's manifest (see :mod:`okrplan.export.manifest`) last.

    A file of the same name is replaced only if okrplan wrote it and it is unchanged since
    (its hash in the manifest); an edited one (a changed text, a row added, actuals or a
    formula typed in) only with ``force``; one okrplan did not write never. In a folder with
    no manifest (an older okrplan's), an existing file is replaced only with ``force``. Files
    of earlier exports are left where they are.

    Raises
    ------
    OutputError
        Naming every file that would be lost, or if the folder cannot be written.
    """
    from okrplan.export.export_dir import write_export

    files = sheet_files(plan, formats=formats, unit=unit, role=role, per_person=per_person)
    return write_export(directory, files, force=force)


def import_actuals(
    workbooks: list[str] | tuple[str, ...], plan: Plan | None = None
) -> tuple[list[Any], str]:
    """The actuals typed into OKR workbooks, and the same as the CSV `okrplan score` reads
    (``kr,period,actual,source``); with ``plan``, every KR is checked against it.

    Raises
    ------
    InputError
        For a file that is not an okrplan workbook, a typed value that is not a number, two
        copies that disagree, or a KR the plan does not have.
    """
    from okrplan.actuals import actuals_csv, combine, typed_actuals

    typed = [entry for path in workbooks for entry in typed_actuals(path)]
    actuals = combine(typed, plan)
    sources: dict[str, list[str]] = {}
    for entry in typed:
        where = f"{Path(entry.file).name}: {entry.tab}!{entry.cell}"
        if where not in sources.setdefault(entry.kr, []):
            sources[entry.kr].append(where)
    return actuals, actuals_csv(actuals, {k: "; ".join(v) for k, v in sources.items()})
