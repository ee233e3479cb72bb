"""From a plan directory to review files: the period, the store, the pack, the renderers.

The command (:mod:`okrplan.commands.review`) and notebooks call :func:`review_pack` and
:func:`pack_files`; writing goes through :func:`write_review`, which never replaces a file
without ``force`` and writes every file atomically (:mod:`okrplan.export.output`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from okrplan.errors import InputError, Issue, OptionError, OutputError
from okrplan.periods import fiscal_start
from okrplan.review.pack import Pack, build_pack
from okrplan.review.periods import last_complete_month, review_period, span

if TYPE_CHECKING:
    from okrplan.plan import Plan

FORMATS = ("md", "xlsx", "html")


def choose_period(plan: Plan, text: str | None, today: date) -> str:
    """The review period: ``text`` (a month or quarter of the plan), else the last complete
    month before ``today`` — the plan's last month once the plan is over.

    Raises
    ------
    OptionError
        If ``text`` is no month or quarter, or lies outside the plan, or the plan has not
        started by ``today``.
    """
    months = [str(m) for m in plan.meta.get("months") or ()]
    if not months:
        raise InputError(
            [
                Issue(
                    "the plan lists no months (plan.months)",
                    hint="write it again with this version: okrplan decompose TARGET --force",
                )
            ]
        )
    first, last = span(months[0]).first, span(months[-1]).last
    if text is None:
        label = last_complete_month(today)
        if span(label).first > last:
            label = months[-1]
        if span(label).last < first:
            raise OptionError(
                [
                    Issue(
                        f"the plan starts in {months[0]}: no month of it is over yet",
                        path="--period",
                        hint=f"pass --period {months[0]} to review its first month",
                    )
                ]
            )
        return label
    try:
        label = review_period(text, fiscal_start(plan.meta))
    except ValueError as exc:
        raise OptionError([Issue(str(exc), path="--period")]) from None
    days = span(label, fiscal_start(plan.meta))
    if days.last < first or days.first > last:
        raise OptionError(
            [
                Issue(
                    f"{label} is outside the plan ({months[0]} – {months[-1]})",
                    path="--period",
                    hint=f"pass a month or quarter from {months[0]} to {months[-1]}",
                )
            ]
        )
    return label


def choose_formats(text: str | None, to_folder: bool) -> tuple[str, ...]:
    """The formats of ``--format`` (``md,xlsx,html``); all three for a folder, Markdown for
    standard output.

    Raises
    ------
    OptionError
        For an unknown format, or a workbook or page without a folder to write it to.
    """
    if text is None:
        return FORMATS if to_folder else ("md",)
    wanted = [f.strip().lower().lstrip(".") for f in text.split(",") if f.strip()]
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown or not wanted:
        raise OptionError(
            [
                Issue(
                    f"unknown format {', '.join(unknown) or text!r}",
                    path="--format",
                    hint="choose from md, xlsx, html, separated by commas",
                )
            ]
        )
    if not to_folder and wanted != ["md"]:
        raise OptionError(
            [
                Issue(
                    "a workbook or page needs a folder to go to",
                    path="--format",
                    hint="add -o DIR, or ask for --format md to print Markdown",
                )
            ]
        )
    return tuple(dict.fromkeys(wanted))


def store_folder(path: str | os.PathLike[str]) -> Path | None:
    """The plan directory whose progress store goes with ``path`` (a plan directory or its
    plan.json); None for a target file, which has no store."""
    source = Path(path)
    if source.is_dir():
        return source
    if source.suffix.lower() == ".json":
        return source.parent
    return None


def review_pack(plan: Plan, folder: Path | None, unit_id: str, period: str) -> Pack:
    """The pack of ``unit_id`` for ``period``, from the store in ``folder`` (none: no data)."""
    return review_packs(plan, folder, [unit_id], period)[0]


def review_packs(
    plan: Plan, folder: Path | None, unit_ids: Sequence[str], period: str
) -> list[Pack]:
    """The packs of several units for one period; the store is read and every KR's progress
    computed once for all of them."""
    from okrplan.progress import latest, progress

    as_of = span(period, fiscal_start(plan.meta)).last
    checkins = latest(folder, as_of=as_of) if folder is not None else []
    state = progress(plan, checkins, as_of)
    return [build_pack(plan, u, period, checkins, state) for u in unit_ids]


def pack_files(pack: Pack, stem: str, formats: Sequence[str]) -> dict[str, str | bytes]:
    """The pack rendered as ``stem.md``, ``stem.xlsx``, ``stem.html`` (those asked for)."""
    from okrplan.review.html import to_html
    from okrplan.review.markdown import to_markdown
    from okrplan.review.xlsx import to_xlsx

    renderers: dict[str, Callable[[Pack], str | bytes]] = {
        "md": to_markdown,
        "xlsx": to_xlsx,
        "html": to_html,
    }
    return {f"{stem}.{suffix}": renderers[suffix](pack) for suffix in formats}


def file_stem(pack: Pack) -> str:
    """``复盘-北京销售团队-2021-06`` (``review-…`` in English), safe as a file name."""
    from okrplan.export.names import safe_file_stem

    word = "review" if pack.locale.lower().startswith("en") else "复盘"
    return safe_file_stem(f"{word}-{pack.unit_name}-{pack.period}")


def check_free(folder: Path, names: Iterable[str], *, force: bool) -> None:
    """Refuse (before anything is rendered or written) to replace files without ``force``.

    Raises
    ------
    OutputError
        Naming the first file that exists and how many more do.
    """
    taken = sorted(name for name in names if (folder / name).exists())
    if taken and not force:
        raise OutputError(
            f"{folder / taken[0]} already exists"
            + (f" (and {len(taken) - 1} more)" if len(taken) > 1 else "")
            + "; pass --force to replace it"
        )


def write_review(
    folder: str | os.PathLike[str], files: dict[str, str | bytes], *, force: bool = False
) -> list[Path]:
    """Write ``files`` into ``folder`` (made if its parent exists), each atomically.

    Raises
    ------
    OutputError
        If a file exists and ``force`` is not given (nothing is written then), or the folder
        cannot be made or written.
    """
    from okrplan.export.output import write_files

    where = Path(folder)
    if where.exists() and not where.is_dir():
        raise OutputError(f"{where} is a file; -o names a folder for the review files")
    if not where.exists():
        if not where.parent.is_dir():
            raise OutputError(f"the folder {where.parent} does not exist")
        try:
            where.mkdir()
        except OSError as exc:
            raise OutputError(f"cannot make {where}: {exc.strerror or exc}") from None
    check_free(where, files, force=force)
    return write_files(where, files)


def all_files(
    plan: Plan, folder: Path | None, period: str, formats: Sequence[str]
) -> dict[str, str | bytes]:
    """One pack per unit (in tree order) and an ``index.md`` linking them."""
    from okrplan.export.names import unique_file_names
    from okrplan.graph import node
    from okrplan.model import Unit
    from okrplan.queries import tree_order
    from okrplan.review.words import words

    units = [n for n in tree_order(plan.graph) if isinstance(node(plan.graph, n), Unit)]
    packs = review_packs(plan, folder, units, period)
    names = unique_file_names([file_stem(p) for p in packs], ".md", reserved=["index.md"])
    files: dict[str, str | bytes] = {}
    title = words(plan.locale)["title"].format(unit=str(plan.meta.get("name", "")), period=period)
    lines = [f"# {title}", ""]
    items = []
    for pack, name in zip(packs, names, strict=True):
        stem = name.removesuffix(".md")
        files.update(pack_files(pack, stem, formats))
        links = " · ".join(f"[{suffix}](<{stem}.{suffix}>)" for suffix in formats)
        lines.append(f"{'  ' * (len(pack.unit_path) - 1)}- {pack.unit_name}: {links}")
        items.append((len(pack.unit_path) - 1, pack.unit_name, stem))
    files["index.md"] = "\n".join(lines) + "\n"
    if "html" in formats:
        files["index.html"] = index_html(title, items, plan.locale)
    return files


def index_html(title: str, items: Sequence[tuple[int, str, str]], locale: str) -> str:
    """A page linking each unit's HTML pack, indented by level."""
    from html import escape
    from urllib.parse import quote

    lang = "en" if locale.lower().startswith("en") else "zh-CN"
    rows = "".join(
        f'<li style="margin-left:{depth * 1.5}em">'
        f'<a href="{quote(stem)}.html">{escape(name)}</a></li>'
        for depth, name, stem in items
    )
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{escape(title)}'
        f'</title></head><body style="font-family:sans-serif"><h1>{escape(title)}</h1>'
        f'<ul style="list-style:none">{rows}</ul></body></html>\n'
    )
