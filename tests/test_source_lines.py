"""The line reader of plain YAML (okrplan.source_lines) against libyaml: whatever it reads, it
reads exactly as PyYAML's safe loader and the event reader do (same values, same types, same
key order); anything else it leaves to them (None)."""

from __future__ import annotations

import math
import os
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from okrplan import source
from okrplan.source_events import plain_values
from okrplan.source_lines import line_values

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
EXAMPLES = int(os.environ.get("OKRPLAN_FUZZ_EXAMPLES", "6")) * 50


def _same(a: Any, b: Any) -> bool:
    """Equal, of the same types, mappings in the same key order (1 == True == 1.0 is not)."""
    if type(a) is not type(b):
        return False
    if type(a) is dict:
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if type(a) is list:
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b or (isinstance(a, float) and math.isnan(a) and math.isnan(b)))


def _check(text: str) -> Any:
    """line_values of ``text``, checked against the event reader and the full reader (both
    libyaml's) wherever it reads the text."""
    quick = line_values(text, LOADER, source.MAX_DEPTH, source.MAX_VALUES)
    if quick is not None:
        events = plain_values(text, LOADER, source.MAX_DEPTH, source.MAX_VALUES)
        assert events is not None, text
        assert _same(quick, events[0]), text
        with pytest.MonkeyPatch.context() as patch:  # the composer's way, and nothing else
            patch.setattr(source, "line_values", lambda *args: None)
            patch.setattr(source, "plain_values", lambda *args: None)
            assert _same(quick, source.parse_yaml(text).data), text
    return quick


READ = [
    "plan:\n  name: A公司\n  year: 2015\n",
    "a: [1, 2.5, '3', yes, ~, '', 2015-06-30, -5, 0x1F, 1_000, 20%]\nb:\n  - {x: 1}\n",
    "org:\n  units:\n  - name: 华东\n    roles:\n    - {role: 销售, headcount: 10}\n  lead: x\n",
    "# a comment\nk:   v   # and another\n\nm:\n    - [a b, 'it''s', \"q: x\"]\n    - {}\n",
    "a:\n  b:\n    c: {d: [1, [2, {e: f}]], g: []}\n  h: 1\ni: 2\n",
]


@pytest.mark.parametrize("text", READ)
def test_reads_plain_lines_as_libyaml_does(text: str) -> None:
    assert _check(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "",  # empty
        "# only a comment\n",
        "just text\n",  # not a mapping
        "- a\n- b\n",  # a list at the top
        "a: &x {b: 1}\nc: *x\n",  # anchors and aliases
        "a: {b: 1}\nc:\n  <<: {d: 2}\n",  # a merge
        "a: !!str 5\n",  # a tag
        "a: 1\na: 2\n",  # a key twice
        "a: {b: 1, b: 2}\n",  # a key twice in a flow mapping
        "a: |\n  two\n  lines\n",  # a block scalar
        "a: one\n  more\n",  # a word on two lines
        "a: [1,\n  2]\n",  # a flow list on two lines
        "a:\n",  # a key without a value
        "a:\nb: 1\n",
        "a: 1\n---\nb: 2\n",  # two documents
        "a: 1\n\tb: 2\n",  # a tab
        "a: 1\r\nb: 2\r\n",  # carriage returns
        "a: x#y\n",  # a # inside a word
        "a: x:y\n",  # a colon inside a word
        'a: "esc\\x07"\n',  # an escape
        "a: {b: 1,}\n",  # a trailing comma
        "a: {b:1}\n",
        "a: {b : 1}\n",
        "a: [b: 1]\n",
        "a: =\n",  # the value tag
        "  a: 1\n",  # indented at the top
        "a:\n    b: 1\n  c: 2\n",  # an indent between two
        "a: " + "[" * 70 + "]" * 70 + "\n",  # too deep
    ],
)
def test_anything_else_goes_to_the_event_reader(text: str) -> None:
    assert _check(text) is None


WORDS = [
    "1", "-5", "1.5", "yes", "No", "~", "null", "2025-03", "2025-03-01", "20%", "380万", "a b",
    "0x1F", "0o17", "1_000", "1:30", "=", "<<", ".inf", ".5", "a?b", "a!b", "'q'", "'it''s'",
    '"dq"', '"a\\tb"', "#c", "a #c", "a#b", "", "@x", "%x", "`x`", "&a x", "*a", "!t x", "|",
    ">", "- x", "-", "? x", "x:", "x: y", "{a: 1}", "[1, 2]", "{a: [1, {b: 2}]}", "{a: 1,}",
    "[1,]", "{a}", "{a:1}", "{a : 1}", "[a: 1]", "é", "销售", "\u3000x", "x ", "{}", "[]",
    "{a: 'x, y'}", "[\"a]\", b]", "...", "---", "a  b", "true", "Off", "0", "-0.5e3", "0b101",
]  # fmt: skip
GOOD = [
    "1", "-5", "1.5", "yes", "~", "2025-03", "2025-03-01", "20%", "380万", "a b", "0x1F", "1:30",
    "'q'", "'it''s'", '"dq"', "销售", "{a: 1}", "[1, 2]", "{a: [1, {b: 2}], c: 'x, y'}", "{}",
    "[]", "true", "x  # c", ".inf", "Off",
]  # fmt: skip
KEYS = ["a", "b", "名称", "1", "true", "a b", "<<", "x:", "-k", ".k", "'q'", "k ", "~", "a"]


# The strategies _texts draws from, made once: a strategy made afresh at every draw is
# validated again each time, which cost the test more than half its time (the same draws).
_ONE_IN_FOUR, _ITEMS, _KINDS, _ONE_IN_TEN = (st.integers(0, 3), st.integers(1, 4),
                                              st.integers(0, 5), st.integers(0, 9))  # fmt: skip
_WORDS = {True: st.sampled_from(WORDS), False: st.sampled_from(GOOD)}
_SHIFTS = {True: st.sampled_from([0, 0, 1, -1, 2]), False: st.sampled_from([0] * 30 + [1])}
_STEPS = {True: st.sampled_from([2, 2, 4, 0, 1]), False: st.sampled_from([2, 4, 0])}
_KEYS, _FIRST_KEYS = st.sampled_from(KEYS), st.sampled_from(KEYS[:5])
_BLANKS = st.sampled_from(["", "# c", "   # c", "  "])
_ENDS = st.sampled_from(["\n", "", "\n\n"])


@st.composite
def _texts(draw: st.DrawFn) -> str:
    """A YAML-like text: mappings and lists of tricky words, mostly well indented."""
    lines: list[str] = []
    tricky = draw(_ONE_IN_FOUR) == 0  # else mostly words and indents the reader takes
    words, shifts, steps = _WORDS[tricky], _SHIFTS[tricky], _STEPS[tricky]

    def block(indent: int, depth: int, is_map: bool) -> None:
        for i in range(draw(_ITEMS)):
            pad = " " * max(0, indent + draw(shifts))
            key = draw(_KEYS) if tricky else f"{draw(_FIRST_KEYS)}{i}"
            head = f"{key}:" if is_map else "-"
            kind = draw(_KINDS) if depth < 3 else 0
            if kind <= 2:
                word = draw(words)
                lines.append(f"{pad}{head} {word}".rstrip(" ") if word else f"{pad}{head}")
            elif kind == 3 and not is_map:  # a mapping inside a list item
                lines.append(f"{pad}- {draw(_KEYS)}: {draw(words)}")
                block(len(pad) + 2, depth + 1, True)
            else:
                lines.append(f"{pad}{head}")
                block(len(pad) + draw(steps), depth + 1, kind == 4)
            if draw(_ONE_IN_TEN) == 0:
                lines.append(draw(_BLANKS))

    block(0, 0, True)
    return "\n".join(lines) + draw(_ENDS)


@settings(max_examples=EXAMPLES, deadline=None)
@given(_texts())
def test_random_texts_read_as_libyaml_does(text: str) -> None:
    _check(text)


def test_positions_come_from_the_events_when_looked_at() -> None:
    text = "plan:\n  name: A公司\nkpi: {metric: revenue, target: 1}\n"
    parsed = source.parse_yaml(text)
    events = plain_values(text, LOADER, source.MAX_DEPTH, source.MAX_VALUES)
    assert events is not None
    assert dict(parsed.values) == dict(events[1]) and dict(parsed.keys) == dict(events[2])
    assert parsed.values[("kpi", "target")] == (
        3,
        32,
    )  # "kpi: {" 6, "metric: revenue, " 17, "target: " 8
    assert parsed.locate(("plan", "name"), key=True) == (2, 3)


def test_too_many_values_goes_to_the_event_reader() -> None:
    text = "a: [1, 2, 3]\nb:\n- 4\n"  # the mapping, two lists, four numbers: 7 values
    assert line_values(text, LOADER, source.MAX_DEPTH, 7) is not None
    assert line_values(text, LOADER, source.MAX_DEPTH, 6) is None
