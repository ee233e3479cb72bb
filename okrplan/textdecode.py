"""A text file's bytes decoded as planners' files come: UTF-8 (a BOM dropped), UTF-16 with a
BOM, else GB18030 (Chinese Windows editors save GBK/GB18030), the last two with a warning.
The one rule for the target file (:mod:`okrplan.source`) and tables (:mod:`okrplan.tabletext`).
"""

from __future__ import annotations

import codecs
from typing import NamedTuple

from okrplan.errors import InputError, Issue, Severity


class Kind(NamedTuple):
    """How a kind of text file's problems are worded."""

    name: str  # "text file", "CSV text file"
    hint: str  # for a file that is not such text at all
    save_as: str  # what a warning asks it to be saved as
    gb18030: str  # the name of GB18030 in that warning
    undecodable: str  # the hint for a file in none of the encodings


def decode_text(raw: bytes, file: str, kind: Kind) -> tuple[str, list[Issue]]:
    """``raw`` as text, and a warning where it was not UTF-8 (see :func:`decoded`)."""
    text, notes, _ = decoded(raw, file, kind)
    return text, notes


def decoded(raw: bytes, file: str, kind: Kind) -> tuple[str, list[Issue], str]:
    """``raw`` as text, a warning where it was not UTF-8, and the Python codec read
    (``utf-8-sig``, ``utf-16`` or ``gb18030``).

    Raises
    ------
    InputError
        A file with NUL bytes outside UTF-16, UTF-16 that is not, or bytes in none of the
        encodings (naming the line of the first byte that is not UTF-8: most such files are
        UTF-8 with a stray byte).

    >>> kind = Kind("text file", "", "UTF-8", "GB18030", "")
    >>> decoded("销售额".encode("gb18030"), "a.txt", kind)[::2]
    ('销售额', 'gb18030')
    >>> decoded(codecs.BOM_UTF8 + "销售额".encode(), "a.txt", kind)
    ('销售额', [], 'utf-8-sig')
    """
    for bom in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        if raw.startswith(bom):
            try:
                return raw.decode("utf-16"), [_note(file, "UTF-16", kind)], "utf-16"
            except UnicodeDecodeError as exc:
                raise InputError(
                    [not_text(file, f"byte {exc.start} is not UTF-16", kind)]
                ) from None
    if b"\x00" in raw:
        raise InputError([not_text(file, "it contains NUL bytes", kind)])
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        return raw.decode("utf-8"), [], "utf-8-sig"
    except UnicodeDecodeError as exc:
        not_utf8 = exc.start
    try:
        return raw.decode("gb18030"), [_note(file, kind.gb18030, kind)], "gb18030"
    except UnicodeDecodeError:
        end = b"\n" if b"\n" in raw else b"\r"  # lines end in \r alone in old Mac files
        issue = Issue(
            f"the file is neither UTF-8 nor GB18030 text (byte {not_utf8} is not UTF-8)",
            file,
            raw.count(end, 0, not_utf8) + 1,
            hint=kind.undecodable,
        )
        raise InputError([issue]) from None


def not_text(file: str, why: str, kind: Kind) -> Issue:
    """The problem of a file that is not a ``kind`` of text file, and why."""
    return Issue(f"this is not a {kind.name} ({why})", file, hint=kind.hint)


def _note(file: str, encoding: str, kind: Kind) -> Issue:
    return Issue(
        f"the file is not UTF-8; read it as {encoding}",
        file,
        hint=f"save it as {kind.save_as} to silence this warning",
        severity=Severity.WARNING,
    )
