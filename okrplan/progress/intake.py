"""`okrplan checkin`: read every file first, then record each as one import.

Nothing is recorded when any file has a bad row: the planner fixes the rows named and runs the
same command again (an import of an unchanged file changes nothing, so re-running is safe).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from okrplan.errors import InputError, Issue, OptionError, Severity
from okrplan.plan import Plan
from okrplan.progress.config import ActualsSource
from okrplan.progress.crm import read_crm
from okrplan.progress.folder import plan_folder as plan_folder  # re-exported
from okrplan.progress.folder import without_gc as without_gc  # re-exported
from okrplan.progress.readers import Batch, Directory, read_long, read_workbook, uncumulate
from okrplan.progress.store import CheckIn, besides, record, remember, setting
from okrplan.source import MAX_BYTES, Source, decode, load_yaml, parse_yaml
from okrplan.tabular import read_input

TARGET_SETTING = "target"


def crm_sources(
    target: str | os.PathLike[str], locale: str = "en"
) -> tuple[list[ActualsSource], Path]:
    """The ``actuals:`` entries of a target file, and the folder their files are relative to
    (a missing section said in ``locale``, the plan's).

    Raises
    ------
    InputError
        If the section is not as documented (each problem with its line and key).
    """
    source = _actuals_section(target)
    data = source.data if isinstance(source.data, dict) else {}
    raw = data.get("actuals")
    if not raw:
        from okrplan.wording import words

        message, hint = words(locale, "ck_no_actuals"), words(locale, "ck_no_actuals_hint")
        raise InputError([Issue(message, source.file, hint=hint, locale=locale)])
    try:
        entries = TypeAdapter(list[ActualsSource]).validate_python(raw)
    except ValidationError as exc:
        problems = [
            source.issue(("actuals", *error["loc"]), error["msg"]) for error in exc.errors()
        ]
        raise InputError(problems) from None
    return entries, Path(source.file).resolve().parent


def _actuals_section(target: str | os.PathLike[str]) -> Source:
    """The target file parsed as far as ``actuals:`` goes: only its top-level block (the
    lines before it blank, so every line number is the file's), not the organisation of
    100,000 people around it; the whole file where the block is not plain to find."""
    name = os.fspath(target)
    text, warnings = decode(read_input(name, MAX_BYTES), name)
    lines = text.splitlines(keepends=True)
    first = next((i for i, line in enumerate(lines) if line.startswith("actuals:")), None)
    if first is None:
        return load_yaml(target)  # says what is wrong with the file, or that there is none
    end = first + 1
    while end < len(lines) and (not lines[end].strip() or lines[end][0] in " \t#-"):
        end += 1
    return parse_yaml("\n" * first + "".join(lines[first:end]), name, warnings)


@dataclass(frozen=True, slots=True)
class Imported:
    """One file's import: its batch and how many stored values changed."""

    batch: Batch
    changed: int


def check_in(
    plan: Plan | None,
    folder: Path,
    files: Sequence[str],
    *,
    as_of: date,
    cumulative: bool = False,
    target: str | None = None,
    people: Directory | None = None,
) -> list[Imported]:
    """Read ``files`` (and the exports of ``target``'s ``actuals:``; with no files and no
    target, those of the target used before), then record each. ``people`` is the plan's
    :class:`Directory` where already made; ``plan`` may be None when there are no files
    (see :func:`okrplan.progress.planfile.light_directory`).

    Raises
    ------
    InputError
        With every bad row of every file; nothing is recorded then.
    """
    from okrplan.export.sheetmodel import META_TAB
    from okrplan.tabular import WORKBOOK_SUFFIXES, sheet_names

    if people is None or files:
        assert plan is not None, "files are read against the whole plan"
        people = Directory(plan)
    locale = plan.locale if plan is not None else people.locale
    batches: list[Batch] = []
    for name in files:
        assert plan is not None
        workbook = Path(name).suffix.lower() in WORKBOOK_SUFFIXES
        if workbook and META_TAB in sheet_names(name):
            batches.append(_continued(read_workbook(name, plan, as_of), folder))
        else:
            batch = read_long(name, plan, people)
            batches.append(_continued(batch, folder) if cumulative else batch)
    target = target or (None if files else setting(folder, TARGET_SETTING))
    if target is None and not files:
        from okrplan.wording import words

        message, hint = words(locale, "ck_nothing"), words(locale, "ck_nothing_hint")
        raise OptionError([Issue(message, hint=hint, locale=locale)])
    if target is not None:
        sources, base = crm_sources(target, locale)
        batches += [read_crm(source, base, people) for source in sources]
    problems = [issue for batch in batches for issue in batch.errors]
    if problems:
        from okrplan.wording import words

        total = sum(batch.bad for batch in batches)
        key = "ck_bad_row" if total == 1 else "ck_bad_rows"
        raise InputError(problems, words(batches[0].locale, key, n=total))
    done = [
        Imported(batch, record(folder, batch.rows, source=_source(batch), lines=batch.lines))
        for batch in batches
    ]
    if target is not None:
        remember(folder, TARGET_SETTING, str(Path(target).resolve()))
    return done


def _source(batch: Batch) -> str:
    return str(Path(batch.source.partition("[")[0]).resolve())


def _continued(batch: Batch, folder: Path) -> Batch:
    """A year-to-date batch turned into values per period (see :func:`uncumulate`)."""
    before: dict[tuple[str, str], list[CheckIn]] = {}
    for row in besides(folder, _source(batch)):
        before.setdefault((row.kr, row.person), []).append(row)
    uncumulate(batch, before)
    return batch


def warnings_of(imported: Sequence[Imported]) -> list[Issue]:
    """The warnings to show (encodings, values not counted), errors having stopped earlier."""
    return [i for item in imported for i in item.batch.issues if i.severity is Severity.WARNING]
