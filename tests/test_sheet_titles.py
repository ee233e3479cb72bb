"""Sheet titles: the shortcut for plain names gives what the rules give (issue 16: a book of
100,000 people asks for 57,000 titles)."""

from __future__ import annotations

import os
from unittest import mock

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from okrplan.export.names import (
    Tabs,
    _plain_title,
    _plain_titles,
    safe_sheet_title,
    sheet_title_by_rules,
    tab_titles,
)

# characters each rule looks at: forbidden ones, spaces, apostrophes, a combining accent
# (NFC), a character beyond U+FFFF (two UTF-16 units), a bidi override and a tab
_ALPHABET = "ab华东销售岗1 '[]:*?/\\\t\u0301e\u202e\U0001f600HISTORYhistory-"
_EXAMPLES = int(os.environ.get("OKRPLAN_FUZZ_EXAMPLES", "300"))


@settings(max_examples=_EXAMPLES, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=40), st.sampled_from([31, 26, 2]))
def test_shortcut_agrees_with_the_rules(name: str, limit: int) -> None:
    assert safe_sheet_title(name, limit=limit) == sheet_title_by_rules(name, limit=limit)


def test_plain_and_other_names() -> None:
    # a plain name comes back as it is; every rule still applies to the others
    assert (
        safe_sheet_title("华北1区第1分公司-营业部01-销售岗") == "华北1区第1分公司-营业部01-销售岗"
    )
    assert safe_sheet_title("History") == "History_"
    assert safe_sheet_title("'a'") == "a"
    assert safe_sheet_title("a  b") == "a b"
    assert safe_sheet_title("e\u0301") == "\u00e9"  # NFC
    assert (
        safe_sheet_title("\U0001f600" * 16) == "\U0001f600" * 8 + "…" + "\U0001f600" * 7
    )  # 16 + 1 + 14 units
    assert safe_sheet_title("a/b") == "a_b"


@settings(max_examples=_EXAMPLES // 5, deadline=None)
@given(
    st.lists(
        st.lists(st.text(alphabet=_ALPHABET, min_size=1, max_size=12), min_size=1, max_size=3),
        max_size=6,
    ),
    st.booleans(),
)
def test_tabs_made_in_bulk_are_the_tabs_made_one_by_one(
    names: list[list[str]], plain_beside: bool
) -> None:
    """tab_titles makes a round's tabs in bulk where all of them are plain: the tabs, their
    safe titles and keys are those it makes with the bulk check off (each tab made safe one
    by one)."""
    contexts = [tuple(n) for n in names] + ([("北京", "直销组"), ("上海", "直销组")] * plain_beside)
    least = [1 + i % 2 for i in range(len(contexts))]
    bulk = tab_titles(contexts, least)
    assert _one_by_one(contexts, least) == bulk
    assert bulk.titles == [safe_sheet_title(t) for t in bulk.tabs]


def _one_by_one(contexts: list[tuple[str, ...]], least: list[int]) -> Tabs:
    """:func:`tab_titles` with its bulk check off: each tab made safe one by one."""
    with mock.patch("okrplan.export.names._plain_titles", return_value=False):
        return tab_titles(contexts, least)


_PLAIN = st.sampled_from(["北京", "上海", "直销组", "Ab", "aB", "华北1区"])
_OTHER = st.sampled_from([" a", "e\u0301", "很" * 20, "a/b"])  # not plain or too long


@settings(max_examples=_EXAMPLES // 5, deadline=None)
@given(
    st.lists(
        st.tuples(st.lists(_OTHER, max_size=1), st.lists(_PLAIN, min_size=1, max_size=3)),
        max_size=8,
    ),
    st.lists(st.integers(1, 2), min_size=8, max_size=8),
)
def test_tabs_grown_by_a_name_are_the_tabs_made_one_by_one(
    names: list[tuple[list[str], list[str]]], least: list[int]
) -> None:
    """A tab that takes one more name is made of the tab it was where every tab is plain: the
    tabs, titles and keys over all rounds are those made with the bulk check off (repeated
    names, names equal but for case, and first names that are not plain or too long, met
    in a later round)."""
    contexts = [(*other, *plain) for other, plain in names]
    least = least[: len(contexts)]
    bulk = tab_titles(contexts, least)
    assert _one_by_one(contexts, least) == bulk


_ANY = st.sampled_from(["M", "a", "Q", "Ab", "aB", "M-a ", "M:-a", "M/-a", " a", "北京"])


@settings(max_examples=_EXAMPLES // 5, deadline=None)
@given(st.lists(st.lists(_ANY, min_size=1, max_size=4), max_size=8))
def test_tabs_grown_where_a_name_anywhere_is_not_plain(names: list[list[str]]) -> None:
    """Names that are not plain anywhere in a context (a tab that is not plain in one round,
    still there when others grow in the next): the same tabs as made one by one, each title
    its tab made safe."""
    contexts = [tuple(n) for n in names]
    least = [1] * len(contexts)
    bulk = tab_titles(contexts, least)
    assert _one_by_one(contexts, least) == bulk
    assert bulk.titles == [safe_sheet_title(t) for t in bulk.tabs]


@pytest.mark.parametrize(
    ("contexts", "last"),
    [
        # round 1: "Q-M-a " is not plain; round 2: the two "M-a" grow by a plain name; the
        # third tab keeps its trailing space, taken off in its title
        ([("X", "M", "a"), ("Z", "M", "a"), ("Q", "M-a ")], "Q-M-a"),
        # the same with a character Excel forbids, which the title replaces
        ([("X", "M_", "a"), ("Z", "M_", "a"), ("Q", "M/-a")], "Q-M_-a"),
    ],
)
def test_a_tab_not_plain_stays_made_safe_when_others_grow(
    contexts: list[tuple[str, ...]], last: str
) -> None:
    made = tab_titles(contexts, [1, 1, 1])
    assert made.titles == [safe_sheet_title(t) for t in made.tabs]
    assert made.titles[2] == last


@settings(max_examples=_EXAMPLES, deadline=None)
@given(st.lists(st.text(alphabet=_ALPHABET, max_size=34), max_size=5))
def test_bulk_check_agrees_with_each_titles_check(texts: list[str]) -> None:
    """The check of a round's titles at once holds exactly where each one's check holds (but
    for History, which the caller looks for, and characters beyond U+FFFF, which it leaves to
    the one by one check)."""
    assume(all(t.casefold() != "history" for t in texts))
    each = all(_plain_title(t, 31) and all(c <= "\uffff" for c in t) for t in texts)
    assert _plain_titles(texts) == each


def test_bulk_check_of_plain_titles() -> None:
    # each rule of a plain title, checked on a round's titles at once
    assert _plain_titles(["华北1区-销售岗", "a b", "x'y"])
    for bad in (
        " a",
        "a ",
        "'a",
        "a'",
        "a  b",
        "a/b",
        "e\u0301",
        "\U0001f600",
        "",
        "a\tb",
        "x" * 32,
    ):
        assert not _plain_titles(["华北1区-销售岗", bad, "b"]), bad
        assert not _plain_titles([bad])
