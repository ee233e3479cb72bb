"""Safe file and sheet names built from unit, role and people names a planner wrote.

Names in a target file are free text: ``../../x``, ``=cmd|' /C calc'!A0`` or a 40-character
Chinese unit name are all valid there. Before such a name becomes part of a path or an Excel
sheet title it goes through this module:

- file names lose path separators, control characters and the characters Windows forbids, may
  not start with a dot or end with a dot or space, avoid Windows' reserved device names, stay
  within a byte budget, and are unique without regard to case (macOS and Windows folders);
- sheet titles follow Excel's rules: at most 31 characters, none of ``[]:*?/\\``, no leading or
  trailing apostrophe, not ``History``, unique without regard to case, also after truncation.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from itertools import compress
from operator import lt
from typing import NamedTuple

SHEET_TITLE_MAX = 31  # Excel's limit, in UTF-16 code units
FILE_STEM_MAX_BYTES = 120  # well under the 255 bytes most file systems allow per name

_SHEET_FORBIDDEN_CHARS = "[]:*?/\\"
_SHEET_FORBIDDEN = re.compile(f"[{re.escape(_SHEET_FORBIDDEN_CHARS)}]")
_FILE_FORBIDDEN = re.compile(r'[<>:"/\\|?*]')
_WINDOWS_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(1, 10)),
    *(f"lpt{i}" for i in range(1, 10)),
}


def _printable(text: str) -> str:
    """NFC text without control and format characters (bidi overrides, zero-width marks)."""
    text = unicodedata.normalize("NFC", str(text))
    if text.isprintable():  # no Cc, Cf or Cs character (nor tab or line break): all of it
        return text
    return "".join(
        " " if ch in "\t\r\n" else ch
        for ch in text
        if ch in "\t\r\n" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs")
    )


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def shorten(text: str, limit: int, measure: Callable[[str], int] = len) -> str:
    """``text`` cut in the middle to ``limit`` (by ``measure``), so that both its start and its
    end, where long names tend to differ, stay readable.

    >>> shorten("华东区域大客户销售部一二", 7), shorten("short", 7)
    ('华东区…部一二', 'short')
    """
    if measure(text) <= limit:
        return text

    def cut(keep: int) -> str:
        head = (keep + 1) // 2
        return text[:head] + "…" + text[len(text) - (keep - head) :][: keep - head]

    # the most characters kept that fit: each more one only adds to the measure, so a binary
    # search finds it (a 32,000-character name no longer takes seconds)
    low, high = 0, len(text) - 1  # cut(low) fits or low == 0; cut(high + 1) is the text
    while low < high:
        middle = (low + high + 1) // 2
        if measure(cut(middle)) <= limit:
            low = middle
        else:
            high = middle - 1
    return cut(low) if low > 0 and measure(cut(low)) <= limit else ""


def safe_file_stem(name: str, fallback: str = "sheet") -> str:
    """A file name stem (no folder, no suffix) that is safe on Linux, macOS and Windows.

    >>> safe_file_stem("../../x")
    '_.._x'
    >>> safe_file_stem("销售部/销售岗")
    '销售部_销售岗'
    >>> safe_file_stem("CON"), safe_file_stem(" . "), safe_file_stem("a: b?")
    ('_CON', 'sheet', 'a_ b_')
    """
    text = _FILE_FORBIDDEN.sub("_", _printable(name))
    text = re.sub(r"\s+", " ", text).strip()
    text = text.lstrip(".").strip()
    text = shorten(text, FILE_STEM_MAX_BYTES, _utf8_len).rstrip(". ")
    if not text:
        return fallback
    if text.split(".")[0].lower() in _WINDOWS_RESERVED or text.startswith("-"):
        text = "_" + text  # a device name on Windows; an option to a shell command
    return text


def unique_file_names(
    stems: Iterable[str], suffix: str, *, reserved: Iterable[str] = ()
) -> list[str]:
    """``stem + suffix`` for every stem, made safe and unique without regard to case, and
    different from every ``reserved`` name.

    >>> unique_file_names(["销售岗", "销售岗", "A", "a", "index"], ".csv", reserved=["index.csv"])
    ['销售岗.csv', '销售岗 (2).csv', 'A.csv', 'a (2).csv', 'index (2).csv']
    """
    taken = {r.casefold() for r in reserved}
    out = []
    for stem in stems:
        base = safe_file_stem(stem)
        name, number = base, 1
        while (name + suffix).casefold() in taken:
            number += 1
            tail = f" ({number})"
            name = shorten(base, FILE_STEM_MAX_BYTES - len(tail), _utf8_len).rstrip(". ") + tail
        taken.add((name + suffix).casefold())
        out.append(name + suffix)
    return out


def safe_sheet_title(name: str, fallback: str = "Sheet", limit: int = SHEET_TITLE_MAX) -> str:
    """An Excel sheet title: forbidden characters replaced, at most ``limit`` (31) characters,
    a long name cut in the middle.

    >>> safe_sheet_title("=cmd|' /C calc'!A0")
    "=cmd|' _C calc'!A0"
    >>> safe_sheet_title("'quoted'"), safe_sheet_title("History"), safe_sheet_title("a[1]:b")
    ('quoted', 'History_', 'a_1__b')
    >>> safe_sheet_title("华东区域大客户销售与渠道合作发展事业部" * 2 + "一二")
    '华东区域大客户销售与渠道合作发…户销售与渠道合作发展事业部一二'
    """
    if _plain_title(name, limit):
        return name
    return sheet_title_by_rules(name, fallback, limit)


def sheet_title_by_rules(name: str, fallback: str = "Sheet", limit: int = SHEET_TITLE_MAX) -> str:
    """:func:`safe_sheet_title` by its rules one after another, without its shortcut for a
    name they leave as it is (the two agree on every name: see the tests)."""
    text = _SHEET_FORBIDDEN.sub("_", _printable(name))
    text = _SPACES.sub(" ", text).strip().strip("'").strip()
    text = shorten(text, limit, _utf16_len).strip().strip("'").strip()
    if not text:
        return fallback
    if text.casefold() == "history":
        text += "_"
    return text


_SPACES = re.compile(r"\s+")


def _plain_title(text: str, limit: int) -> bool:
    """Whether :func:`safe_sheet_title` would give ``text`` back unchanged: printable NFC text
    (its only white space is then the ASCII space) within ``limit`` UTF-16 units, without a
    forbidden character, a run of spaces, or a space or apostrophe at either end. A large
    book asks for 40,000 titles; nearly all are plain.

    >>> _plain_title("华北1区-营业部01", 31), _plain_title("a  b", 31), _plain_title("'a", 31)
    (True, False, False)
    """
    if type(text) is not str or not 0 < len(text) <= limit:
        return False
    if text[0] in " '" or text[-1] in " '" or "  " in text:
        return False
    if 2 * len(text) > limit and max(text) > "\uffff" and _utf16_len(text) > limit:
        return False  # only a character beyond U+FFFF takes two UTF-16 units
    if len(text) == 7 and text.casefold() == "history":
        return False
    return (
        text.isprintable()
        and _SHEET_FORBIDDEN.search(text) is None
        and unicodedata.is_normalized("NFC", text)
    )


_EDGES = ("  ", "\n ", " \n", "\n'", "'\n")  # two spaces; a space or apostrophe at an end
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _plain_titles(texts: list[str], limit: int = SHEET_TITLE_MAX) -> bool:
    """Whether :func:`_plain_title` holds for every one of ``texts`` but the casefold check
    (the caller folds them anyway), looked at all at once in C: the texts joined by line
    breaks (a text with one is not printable) are NFC exactly when each text is (a line
    break is a starter nothing composes with). False for any character beyond U+FFFF: those
    texts go one by one."""
    if not texts:
        return True
    if set(map(type, texts)) != {str} or not all(map(str.isprintable, texts)):
        return False
    if min(map(len, texts)) == 0 or max(map(len, texts)) > limit:
        return False
    joined = "\n".join(texts)
    # a space or an apostrophe at either end of a text is one beside a line break or at an
    # end of the whole (substring searches: a regular expression anchored at every line
    # takes five times as long), looked for only if the texts have one at all (the search
    # for one character is the quickest: most names have neither)
    if joined[0] in " '" or joined[-1] in " '":
        return False
    if (" " in joined or "'" in joined) and any(e in joined for e in _EDGES):
        return False
    return (
        _ASTRAL.search(joined) is None
        and not any(c in joined for c in _SHEET_FORBIDDEN_CHARS)  # (each one's search, as above)
        and unicodedata.is_normalized("NFC", joined)
    )


class SheetTitles:
    """Hands out sheet titles unique within one workbook (Excel compares them case-blind).

    >>> titles = SheetTitles(reserved=["汇总"])
    >>> [titles.take(n) for n in ["汇总", "很" * 40, "很" * 40, "a", "A"]] == [
    ...     "汇总 (2)", "很" * 15 + "…" + "很" * 15, "很" * 13 + "…" + "很" * 13 + " (2)",
    ...     "a", "A (2)"]
    True
    """

    def __init__(self, reserved: Iterable[str] = ()) -> None:
        self._taken = {t.casefold() for t in reserved}

    def take(self, name: str, safe: str | None = None) -> str:
        """A title for ``name`` unique in the book (``safe``: its :func:`safe_sheet_title`,
        if made already)."""
        title, number = safe if safe is not None else safe_sheet_title(name), 1
        while title.casefold() in self._taken:
            number += 1
            tail = f" ({number})"
            title = safe_sheet_title(name, limit=SHEET_TITLE_MAX - len(tail)) + tail
        self._taken.add(title.casefold())
        return title


def quote_sheet(title: str) -> str:
    """A sheet title as a formula reference prefix: ``'销售岗 (2)'!``.

    >>> quote_sheet("O'Brien")
    "'O''Brien'!"
    """
    return "'" + title.replace("'", "''") + "'!"


class Tabs(NamedTuple):
    """Sheet tabs as :func:`tab_titles` makes them, in the contexts' order: each tab, its
    :func:`safe_sheet_title` and that title's key (casefolded: Excel compares titles
    case-blind)."""

    tabs: list[str]
    titles: list[str]
    keys: list[str]


def sheet_tabs(contexts: list[tuple[str, ...]], least: list[int]) -> list[str]:
    """Sheet titles from the last names of each context (``销售部-销售岗``), taking more of a
    context where titles would otherwise repeat (``北京-直销组`` and ``上海-直销组``): the
    tabs of :func:`tab_titles`.

    >>> sheet_tabs([("北京", "直销组"), ("上海", "直销组"), ("北京", "渠道组")], [1, 1, 1])
    ['北京-直销组', '上海-直销组', '渠道组']
    """
    return tab_titles(contexts, least).tabs


def tab_titles(contexts: list[tuple[str, ...]], least: list[int]) -> Tabs:
    """The tabs of ``contexts`` (taking at least ``least`` names of each), with their safe
    titles and keys.

    Round by round, every tab of a group of equal titles (case-blind) whose full contexts'
    titles differ takes one more name, until no such group is left. A round finds its groups
    in C (the repeated titles by a count) and makes its new tabs in bulk, each different one
    checked once; only the tabs of repeated titles are looked at one by one: a book of
    100,000 people has 19,000 tabs (894 different ones at first), 100 such groups and two
    rounds.
    """
    depth = list(least)
    lengths = list(map(len, contexts))
    titled: dict[str, tuple[str, str]] = {}  # a large book repeats titles: each made safe once
    made: dict[tuple[str, ...], str] = {}  # and repeats the names a title is made of
    full: dict[tuple[str, ...], str] = {}  # a context's full title's key

    def title(tab: str) -> tuple[str, str]:
        found = titled.get(tab)
        if found is None:
            safe = safe_sheet_title(tab)
            found = titled[tab] = (safe, safe.casefold())
        return found

    def tab_of(parts: tuple[str, ...]) -> str:
        found = made.get(parts)
        if found is None:
            found = made[parts] = _tab(parts)
        return found

    def full_key(context: tuple[str, ...]) -> str:
        found = full.get(context)
        if found is None:
            found = full[context] = title(tab_of(context))[1]
        return found

    first = [c[-d:] if d else c for c, d in zip(contexts, depth, strict=True)]
    # joined: whether every tab is still its names joined and plain (its own title): then a
    # tab that takes one more name is that name, "-" and the tab it was (see _grown)
    (tabs, titles, keys), joined = _made_of(first, tab_of, title)
    joined = joined and all(depth)  # (a depth of 0 takes the whole context)
    while moving := _growing(_repeated(keys), contexts, depth, lengths, full_key):
        for i in moving:  # only these tabs change
            depth[i] += 1
        grown = None
        if joined:
            names = [contexts[i][-depth[i]] for i in moving]
            grown = _grown(names, [tabs[i] for i in moving], [keys[i] for i in moving])
        if grown is None:
            parts = [contexts[i][-depth[i] :] for i in moving]
            grown, plain = _made_of(parts, tab_of, title)
            joined = joined and plain  # (a tab that did not move stays as it was)
        for i, tab, safe, key in zip(moving, *grown, strict=True):
            tabs[i], titles[i], keys[i] = tab, safe, key
    return Tabs(tabs, titles, keys)


def _grown(names: list[str], tabs: list[str], keys: list[str]) -> Tabs | None:
    """The tabs that take one more name each (``names``, one a tab), made of the plain tabs
    they were (``tabs``, their own titles, with their ``keys``), when all of them are plain
    again: each is its name, "-" and its tab, and its key the name's key, "-" and the tab's
    (casefolding is one character at a time). None when a name is not plain or a tab grows
    too long: those are made from their names again (:func:`_made_of`).

    A plain name beside a plain tab is plain: the "-" between is a printable starter that
    nothing composes with, no forbidden character, no space; nor is a text with "-" History.
    Only the different names are checked and folded (the second round of a book of 100,000
    people grows 18,000 tabs by a few hundred unit names)."""
    different = list(dict.fromkeys(names))
    if not _plain_titles(different):
        return None
    grown = list(map("-".join, zip(names, tabs, strict=True)))
    if max(map(len, grown), default=0) > SHEET_TITLE_MAX:
        return None
    folded = dict(zip(different, map(str.casefold, different), strict=True))
    keys = list(map("-".join, zip(map(folded.__getitem__, names), keys, strict=True)))
    return Tabs(grown, grown.copy(), keys)


def _repeated(folded: list[str]) -> list[list[int]]:
    """The groups (two or more) of the indexes of equal keys in ``folded``, each in index
    order: the repeated keys found in C (a count), only their indexes looked at one by one."""
    if len(set(folded)) == len(folded):
        return []
    twice = {k for k, n in Counter(folded).items() if n > 1}
    groups: dict[str, list[int]] = {}
    for i in compress(range(len(folded)), map(twice.__contains__, folded)):
        groups.setdefault(folded[i], []).append(i)
    return list(groups.values())


def _growing(
    groups: list[list[int]],
    contexts: list[tuple[str, ...]],
    depth: list[int],
    lengths: list[int],
    full_key: Callable[[tuple[str, ...]], str],
) -> list[int]:
    """The tabs that take one more name this round, in index order: those of each group
    whose full contexts' titles differ (equal contexts have equal titles) that have a name
    left to take."""
    moving: list[int] = []
    for group in groups:
        first = full_key(contexts[group[0]])
        # (nearly always the second one differs: a group's other titles are rarely made)
        if all(full_key(contexts[i]) == first for i in group):
            continue
        moving += compress(
            group, map(lt, map(depth.__getitem__, group), map(lengths.__getitem__, group))
        )
    moving.sort()
    return moving


def _made_of(
    parts: list[tuple[str, ...]],
    tab_of: Callable[[tuple[str, ...]], str],
    title: Callable[[str], tuple[str, str]],
) -> tuple[Tabs, bool]:
    """The tabs of many contexts' names, with their titles and keys, made in bulk where every
    tab is short and plain (then its own safe title): one round's 19,000 tabs. ``tab_of``
    and ``title`` are :func:`tab_titles`'s (a tab of names, a tab's title and key). True
    with them if every tab is its names joined by "-" and its own title."""
    tabs = list(map("-".join, parts))  # _tab's answer for every tab that fits
    cut = bool(tabs) and max(map(len, tabs)) > SHEET_TITLE_MAX
    if cut:
        tabs = [
            t if len(t) <= SHEET_TITLE_MAX else tab_of(p) for t, p in zip(tabs, parts, strict=True)
        ]
    # each different tab looked at once (the first round repeats a large book's unit names)
    different = list(dict.fromkeys(tabs))
    if _plain_titles(different):
        folded = list(map(str.casefold, different))
        if "history" not in folded:  # (the one plain title _plain_titles lets through)
            if len(different) < len(tabs):
                folded = list(map(dict(zip(different, folded, strict=True)).__getitem__, tabs))
            return Tabs(tabs, tabs.copy(), folded), not cut
    titles = list(map(title, tabs))
    return Tabs(tabs, [t for t, _ in titles], [k for _, k in titles]), False


def _tab(parts: tuple[str, ...]) -> str:
    """``unit-who`` as a sheet title: the earlier names cut first so the last stays readable."""
    names = list(parts)
    while len(names) > 1 and len("-".join(names)) > SHEET_TITLE_MAX:
        room = SHEET_TITLE_MAX - len("-".join(names[1:])) - 1
        if room >= 4:
            names[0] = shorten(names[0], room)
            break
        names.pop(0)
    return "-".join(names)


def path_stem(parts: Iterable[str]) -> str:
    """A file stem from path parts, the longest parts cut first (in the middle) to fit."""
    names = [p for p in parts if p]
    budget = FILE_STEM_MAX_BYTES - 16  # room for a " (n)" suffix and the file suffix
    while len("-".join(names).encode("utf-8")) > budget:
        longest = max(range(len(names)), key=lambda i: (len(names[i]), -i))
        if len(names[longest]) <= 4:
            break
        names[longest] = shorten(names[longest], len(names[longest]) - 1)
    return "-".join(names)
