"""Which files of an output folder are okrplan's: the manifest written beside them.

Every folder okrplan writes (``decompose -o``, ``export -o``) gets :data:`MANIFEST_FILE`: the
path of each file okrplan wrote there and the SHA-256 of its bytes, sorted, with no times, so
equal plans give equal manifests. A later run replaces or deletes a file only while its hash
still matches; a file that was changed, or that okrplan did not write, is the planner's.

A workbook with actuals typed in has other bytes, yet nothing to lose but those actuals, which
``decompose`` carries into the new workbook. So a workbook's entry also holds ``cells``, a hash
of every cell outside the actual cells (a formula counts by its place, not its text, which
spreadsheets rewrite), and ``rollups``, the actual cells where okrplan wrote a unit's roll-up
formula. A workbook whose ``cells`` still match, and whose actual cells hold numbers, nothing,
or a formula only where okrplan wrote one, has had actuals typed in and nothing else changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path, PurePosixPath
from typing import Any
from xml.etree import ElementTree

from okrplan.errors import OutputError

MANIFEST_FILE = ".okrplan-manifest.json"
MANIFEST_FORMAT = 1
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
MAX_WORKBOOK_BYTES = 64 * 2**20  # as okrplan.actuals reads: a zip bomb is not unpacked
MAX_MANIFEST_BYTES = 64 * 2**20

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_KR_ID_HEADER = "okrplan:kr"  # the hidden column okrplan.export.xlsx writes KR ids into


@dataclass(frozen=True, slots=True)
class Written:
    """What okrplan wrote at one path: the file's hash, and for a workbook its cells."""

    sha256: str
    cells: str = ""
    rollups: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class WorkbookCells:
    """A workbook's content as :func:`workbook_cells` reads it."""

    cells: str  # hash of the cells outside the actual cells
    rollups: tuple[str, ...]  # actual cells holding a formula (``tab!O4``)
    typed: tuple[str, ...]  # actual cells holding anything else


@dataclass(frozen=True, slots=True)
class Survey:
    """An existing output folder compared with its manifest and the files a run will write.

    ``replace`` holds the paths okrplan may replace or delete (every other file is kept),
    ``carry`` the workbooks whose typed actuals go into the new workbook, ``problems`` one
    line per file that would be lost, ``legacy`` whether the folder had no manifest.
    """

    replace: frozenset[str]
    carry: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    legacy: bool = False
    kept: tuple[str, ...] = field(default=())


def digest(data: bytes | Iterable[bytes]) -> str:
    """The SHA-256 of ``data`` (bytes, or its parts in order) in hex."""
    sha = hashlib.sha256()
    for part in [data] if isinstance(data, bytes) else data:
        sha.update(part)
    return sha.hexdigest()


def file_digest(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in parts."""
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(2**20):
            sha.update(chunk)
    return sha.hexdigest()


def entry(name: str, data: bytes | str, sha256: str = "") -> Written:
    """The manifest entry of ``data`` written as ``name`` (``sha256`` if already known)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    sha = sha256 or digest(raw)
    if not name.lower().endswith(WORKBOOK_SUFFIXES):
        return Written(sha)
    cells = workbook_cells(raw)
    return Written(sha) if cells is None else Written(sha, cells.cells, cells.rollups)


def manifest_text(entries: Mapping[str, Written]) -> str:
    """The manifest file: sorted, indented JSON, the same for the same files."""
    files: dict[str, dict[str, object]] = {}
    for name in sorted(entries):
        written = entries[name]
        item: dict[str, object] = {"sha256": written.sha256}
        if written.cells:
            item["cells"] = written.cells
            item["rollups"] = list(written.rollups)
        files[name] = item
    record = {"okrplan_manifest": MANIFEST_FORMAT, "files": files}
    return json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def read_manifest(folder: Path) -> dict[str, Written] | None:
    """The manifest of ``folder``; None if it has none (written by an older okrplan).

    Raises
    ------
    OutputError
        If the manifest cannot be read (the message says how to go on without it).
    """
    path = folder / MANIFEST_FILE
    if not os.path.lexists(path):
        return None
    way_out = (
        f"; delete it, and okrplan treats {folder} as written by an older version "
        "(it then replaces only the files it writes, with --force)"
    )
    try:
        if not path.is_file() or path.stat().st_size > MAX_MANIFEST_BYTES:
            raise OutputError(f"{path} is not an okrplan manifest{way_out}")
        record = json.loads(path.read_text(encoding="utf-8"))
        if record.get("okrplan_manifest") != MANIFEST_FORMAT:
            raise ValueError(f"format {record.get('okrplan_manifest')!r}")
        return {
            str(name): Written(
                str(item["sha256"]),
                str(item.get("cells", "")),
                tuple(str(cell) for cell in item.get("rollups", ())),
            )
            for name, item in record["files"].items()
        }
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise OutputError(f"cannot read {path}: {exc}{way_out}") from None


def on_disk(name: str) -> str:
    """``name`` as the OS is to store it: UTF-8, even where Python's file-system encoding is
    ASCII (``LC_ALL=C`` without UTF-8 mode), whose surrogate escapes give back those bytes.

    >>> on_disk("plan.json")
    'plan.json'
    """
    try:
        os.fsencode(name)
    except UnicodeEncodeError:
        return os.fsdecode(name.encode("utf-8"))
    return name


def from_disk(name: str) -> str:
    """A file name as the OS gave it, as the text okrplan wrote: the inverse of
    :func:`on_disk` (a name in UTF-8 bytes reads as that text whatever the locale; bytes
    that are not UTF-8 stay surrogate escapes).

    >>> from_disk("plan.json"), from_disk("\\udce9\\udc94\\udc80\\udce5\\udc94\\udcae.md")
    ('plan.json', '销售.md')
    """
    return name if name.isascii() else os.fsencode(name).decode("utf-8", "surrogateescape")


def folder_files(folder: Path) -> list[str]:
    """Every file (or link, or other non-folder entry) under ``folder`` as a relative POSIX
    path (the text of its name, as the manifest holds it: :func:`from_disk`), without
    entering linked folders; the manifest itself is left out."""
    found = []
    for root, dirs, names in os.walk(folder):
        base = Path(root)
        for name in [*names, *(d for d in dirs if (base / d).is_symlink())]:
            relative = from_disk((base / name).relative_to(folder).as_posix())
            if relative != MANIFEST_FILE:
                found.append(relative)
    return sorted(found)


# ---------------------------------------------------------------------------------------------
# Comparing a folder with its manifest


def workbook_state(path: Path, written: Written) -> tuple[str, tuple[str, ...]]:
    """``("unchanged", cells)``, ``("actuals", cells)`` or ``("edited", ())`` for a file okrplan
    wrote at ``path``; ``cells`` are the actual cells of a workbook that hold a value (see
    the module docstring)."""
    same = file_digest(path) == written.sha256
    if not written.cells:
        return ("unchanged" if same else "edited"), ()
    cells = read_workbook_cells(path)
    if same:
        return "unchanged", () if cells is None else cells.typed
    if cells is None or cells.cells != written.cells:
        return "edited", ()
    if not set(cells.rollups) <= set(written.rollups):
        return "edited", ()  # a formula typed where okrplan left the cell for a number
    return "actuals", cells.typed


def read_workbook_cells(path: Path) -> WorkbookCells | None:
    """:func:`workbook_cells` of a file; None if it is too large or not a workbook."""
    try:
        if path.stat().st_size > MAX_WORKBOOK_BYTES:
            return None
        return workbook_cells(path.read_bytes())
    except OSError:
        return None


def survey(folder: Path, names: Iterable[str], *, discard: bool = False) -> Survey:
    """Compare the existing ``folder`` with its manifest, for a run that writes ``names`` and
    drops the rest of okrplan's files (``decompose``).

    With a manifest: unchanged files are okrplan's to replace or delete; a workbook with only
    actuals typed in is too, its actuals carried; an edited file is a problem unless
    ``discard``; a file okrplan did not write is kept, and a problem if okrplan would write
    the same name. Without one (an older okrplan's folder): the files okrplan writes now are
    replaced, every other file is kept, and actuals in a workbook of those are carried.

    Raises
    ------
    OutputError
        If the manifest cannot be read.
    """
    writing = set(names) - {MANIFEST_FILE}
    manifest = read_manifest(folder)
    present = folder_files(folder)
    if manifest is None:
        known = {p for p in present if p in writing}
        books = tuple(p for p in sorted(known) if p.lower().endswith(WORKBOOK_SUFFIXES))
        others = tuple(p for p in present if p not in known)
        return Survey(frozenset(known | {MANIFEST_FILE}), books, (), True, others)
    replace = {MANIFEST_FILE}
    carry: list[str] = []
    problems: list[str] = []
    kept: list[str] = []
    for relative in present:
        path = folder / on_disk(relative)
        written = manifest.get(relative)
        if written is None or path.is_symlink() or not path.is_file():
            kept.append(relative)
            if relative in writing:
                problems.append(f"{path}: not written by okrplan")
            continue
        state, typed = workbook_state(path, written)
        if typed or (state == "edited" and relative.lower().endswith(WORKBOOK_SUFFIXES)):
            carry.append(relative)
        if state == "edited" and not discard:
            problems.append(f"{path}: edited since okrplan wrote it")
        else:
            replace.add(relative)
    return Survey(frozenset(replace), tuple(carry), tuple(problems), False, tuple(kept))


# ---------------------------------------------------------------------------------------------
# Reading a workbook's cells (the XML itself: fast, and the same for whoever saved it)


def workbook_cells(data: bytes) -> WorkbookCells | None:
    """The cells of an .xlsx (see :class:`WorkbookCells`); None if it is not one.

    Actual cells are those in the column headed by an actual header of
    :data:`okrplan.present.LABELS` on the rows that carry a KR id.
    """
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(i.file_size for i in archive.infolist()) > MAX_WORKBOOK_BYTES:
                return None
            shared = _shared_strings(archive)
            lines: list[str] = []
            rollups: list[str] = []
            typed: list[str] = []
            for title, part in sheet_parts(archive):
                lines.append(f"sheet\t{title}")
                cells = _cells(archive.read(part), shared)
                actual = _actual_cells(cells)
                for ref, (kind, value) in sorted(cells.items()):
                    if ref in actual:
                        (rollups if kind == "f" else typed).append(f"{title}!{ref}")
                    else:
                        lines.append(f"{title}\t{ref}\t{kind}\t{value}")
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError, ValueError):
        return None
    return WorkbookCells(digest("\n".join(lines).encode("utf-8")), tuple(rollups), tuple(typed))


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    try:
        info = archive.getinfo("xl/sharedStrings.xml")
    except KeyError:
        return []
    with archive.open(info) as stream:
        root = ElementTree.parse(stream).getroot()
    return [_text(si) for si in root.iter(f"{_MAIN}si")]


def _text(element: ElementTree.Element) -> str:
    """The text of a string item: its ``t``, or its runs' ``t`` (phonetic runs left out)."""
    direct = element.find(f"{_MAIN}t")
    if direct is not None:
        return direct.text or ""
    return "".join(t.text or "" for r in element.iter(f"{_MAIN}r") for t in r.iter(f"{_MAIN}t"))


def sheet_parts(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet title, part name) in the workbook's order."""
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for rel in rels.iter(f"{_PACKAGE_REL}Relationship"):
        target = rel.get("Target", "")
        part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        targets[rel.get("Id")] = str(PurePosixPath(part))
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    return [
        (sheet.get("name", ""), targets[sheet.get(f"{_REL}id")])
        for sheet in book.iter(f"{_MAIN}sheet")
    ]


def _cells(data: bytes, shared: list[str]) -> dict[str, tuple[str, str]]:
    """Every non-empty cell of a worksheet: reference → (kind, canonical value); a formula is
    ``("f", "")``."""
    found: dict[str, tuple[str, str]] = {}
    tag_f, tag_v, tag_is = f"{_MAIN}f", f"{_MAIN}v", f"{_MAIN}is"
    for element in ElementTree.fromstring(data).iter(f"{_MAIN}c"):
        ref, kind = element.get("r", ""), element.get("t", "n")
        formula, value = element.find(tag_f), element.find(tag_v)
        if formula is not None:
            found[ref] = ("f", "")
        elif kind == "inlineStr":
            inline = element.find(tag_is)
            text = "" if inline is None else _text(inline)
            if text:
                found[ref] = ("s", text)
        elif value is not None and value.text:
            if kind == "s":
                text = shared[int(value.text)]
                if text:
                    found[ref] = ("s", text)
            elif kind == "n":
                found[ref] = ("n", _number(value.text))
            else:
                found[ref] = (kind, value.text)
    return found


def _number(text: str) -> str:
    try:
        return str(Decimal(text).normalize())
    except InvalidOperation:
        return text


_REF = re.compile(r"([A-Z]+)(\d+)")


_MONTH_ACTUAL = re.compile(r"\d{4}-\d{2}\n")


def _actual_cells(cells: Mapping[str, tuple[str, str]]) -> set[str]:
    """The actual cells of a sheet: the actual column on the rows below the header that carry
    a KR id (the hidden column headed ``okrplan:kr``)."""
    from okrplan.present import LABELS

    actual_headers = {words["actual"] for words in LABELS.values()}
    split = {ref: _REF.fullmatch(ref) for ref in cells}
    rows: dict[int, dict[str, tuple[str, str]]] = {}
    for ref, match in split.items():
        if match is not None:
            rows.setdefault(int(match.group(2)), {})[match.group(1)] = cells[ref]
    for number in sorted(rows)[:12]:
        row = rows[number]
        texts = {value: column for column, (kind, value) in row.items() if kind == "s"}
        kr_column = texts.get(_KR_ID_HEADER)
        actual_column = next((texts[h] for h in actual_headers if h in texts), None)
        if kr_column is None or actual_column is None:
            continue
        # and the actual of each month (xlsx_actuals): headed 2015-01⏎实际
        columns = [actual_column] + [c for v, c in texts.items() if _MONTH_ACTUAL.match(v)]
        return {
            f"{column}{r}"
            for r in rows
            if r > number and rows[r].get(kr_column, ("", ""))[1].startswith("k:")
            for column in columns
        }
    return set()


# ---------------------------------------------------------------------------------------------
# What decompose and export do with them

PLAN_WAY_OUT = (
    "keep your changes elsewhere (score actuals typed into a CSV first: okrplan score), "
    "or pass --discard-edits to overwrite okrplan's own files that were edited"
)
NOT_OURS_WAY_OUT = "okrplan never replaces or deletes a file it did not write: move or rename it"
ACTUALS_WAY_OUT = "read actuals typed into them first (okrplan import-actuals, okrplan score)"


def refusal(folder: Path, problems: Iterable[str], way_out: str) -> OutputError:
    """The error that stops a run which would lose ``problems`` (one line each)."""
    lines = sorted(problems)
    hints = [way_out]
    if any(line.endswith("not written by okrplan") for line in lines):
        hints.append(NOT_OURS_WAY_OUT)
    return OutputError(
        f"okrplan would overwrite work in {folder}:\n"
        + "\n".join(f"  {line}" for line in lines)
        + "\n"
        + "\n".join(hints)
    )


def plan_entries(files: Mapping[str, object], known: Mapping[str, str]) -> str:
    """The manifest of a plan directory about to be written: ``files`` (name → text or bytes;
    any other content's hash must be in ``known``)."""
    entries = {}
    for name, content in files.items():
        if isinstance(content, str | bytes):
            entries[name] = entry(name, content)
        elif name in known:
            entries[name] = Written(known[name])
        else:
            raise ValueError(f"no hash for {name}")
    return manifest_text(entries)


def carry_into(
    folder: Path, survey: Survey, files: MutableMapping[str, Any], *, discard: bool
) -> tuple[list[str], list[str]]:
    """Type the actuals of ``survey.carry``'s workbooks into the new workbooks of ``files``
    (in place): the same name, else the one workbook in the same folder. Returns the lines of
    problems (a workbook whose actuals cannot be read, unless ``discard``) and of actuals that
    could not be placed."""
    if not survey.carry:  # nothing to carry: not even the readers of actuals are imported
        return [], []
    from okrplan.actuals import TypedActual, typed_actuals
    from okrplan.carry import carry_actuals, unplaced_text
    from okrplan.errors import InputError

    problems: list[str] = []
    warnings: list[str] = []
    into: dict[str, list[TypedActual]] = {}
    lost: list[TypedActual] = []
    for relative in survey.carry:
        cells = read_workbook_cells(folder / on_disk(relative))
        if cells is not None and not cells.typed:
            continue
        try:
            typed = typed_actuals(folder / on_disk(relative))
        except InputError as exc:
            reason = exc.issues[0].message
            line = f"{folder / on_disk(relative)}: its actuals cannot be read ({reason})"
            (warnings if discard else problems).append(line)
            continue
        target = _new_workbook(relative, files)
        if target is None:
            lost += typed
        else:
            into.setdefault(target, []).extend(typed)
    for name, typed in sorted(into.items()):
        content = files[name]
        assert isinstance(content, bytes)
        files[name], unplaced = carry_actuals(typed, content)
        lost += unplaced
    if lost:
        warnings.append(
            "these actuals have no KR in the new plan's workbook, and were not carried:\n"
            + unplaced_text(lost)
        )
    return problems, warnings


def _new_workbook(relative: str, files: Mapping[str, object]) -> str | None:
    if isinstance(files.get(relative), bytes):
        return relative
    parent = PurePosixPath(relative).parent
    books = [
        name
        for name, content in files.items()
        if name.lower().endswith(WORKBOOK_SUFFIXES)
        and PurePosixPath(name).parent == parent
        and isinstance(content, bytes)
    ]
    return books[0] if len(books) == 1 else None


def over_previous(
    directory: str | os.PathLike[str],
    files: MutableMapping[str, Any],
    *,
    force: bool,
    discard: bool,
    warn: Callable[[str], None],
    marker: str = "plan.json",
) -> frozenset[str] | None:
    """What of an existing plan directory okrplan may replace (None: there is none to keep
    files of); its workbook's actuals are carried into ``files``.

    Raises
    ------
    OutputError
        If files would be lost (see :func:`okrplan.api.write_plan`).
    """
    final = Path(os.path.abspath(directory))
    if final.is_symlink():
        final = final.resolve()  # as write_dir does
    if not force or not final.is_dir():
        return None
    if not (final / marker).exists() and not (final / MANIFEST_FILE).exists():
        return None  # not an okrplan output: write_dir refuses it
    found = survey(final, files, discard=discard)
    problems, warnings = carry_into(final, found, files, discard=discard)
    if found.problems or problems:
        raise refusal(final, [*found.problems, *problems], PLAN_WAY_OUT)
    if found.legacy and found.kept:
        count = f"{len(found.kept)} other file{'s' if len(found.kept) != 1 else ''}"
        warnings.append(
            f"{final} has no {MANIFEST_FILE} (an older okrplan wrote it): replaced the files "
            f"okrplan writes, kept {count}"
        )
    for text in warnings:
        warn(text)
    return found.replace


def export_check(folder: Path, names: Iterable[str], *, force: bool) -> dict[str, Written]:
    """Refuse an export into ``folder`` that would overwrite work; the folder's manifest.

    With a manifest, a file okrplan wrote is replaced while unchanged (or with ``force``); a
    file it did not write never is. Without one (an older okrplan's folder), an existing file
    of a name to write is replaced only with ``force``.

    Raises
    ------
    OutputError
        Naming each file that would be lost, and the way out.
    """
    manifest = read_manifest(folder) if folder.is_dir() else None
    problems = []
    for name in sorted(set(names) - {MANIFEST_FILE}):
        path = folder / on_disk(name)
        if not os.path.lexists(path):
            continue
        written = None if manifest is None else manifest.get(name)
        if manifest is not None and (written is None or path.is_symlink()):
            problems.append(f"{path}: not written by okrplan")
        elif force:
            continue
        elif written is None:
            problems.append(f"{path}: okrplan cannot tell whether it was changed (no manifest)")
        else:
            state, typed = workbook_state(path, written)
            if typed and state != "edited":
                more = f" and {len(typed) - 3} more" if len(typed) > 3 else ""
                problems.append(f"{path} ({', '.join(typed[:3])}{more}): actuals typed in")
            elif state == "edited":
                problems.append(f"{path}: edited since okrplan wrote it")
    if problems:
        raise refusal(
            folder,
            problems,
            f"{ACTUALS_WAY_OUT}, or pass --force to replace them (the same as --discard-edits)",
        )
    return manifest or {}


def export_manifest(
    folder: Path, before: Mapping[str, Written], files: Mapping[str, str | bytes]
) -> str:
    """The manifest after an export: what it wrote, and the entries of earlier exports whose
    files are still there."""
    entries = {
        n: w for n, w in before.items() if n not in files and (folder / on_disk(n)).is_file()
    }
    entries.update({name: entry(name, content) for name, content in files.items()})
    return manifest_text(entries)
