"""Tests for okrplan.source: safe YAML reading that remembers where every key and value is."""

from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest

from okrplan import source
from okrplan.errors import InputError, Issue, Severity
from okrplan.source import MAX_BYTES, MAX_DEPTH, Source, decode, load_yaml, parse_yaml


def problems(text: str) -> list[str]:
    """The rendered issues ``parse_yaml`` raises for ``text``."""
    with pytest.raises(InputError) as info:
        parse_yaml(text, "t.yaml")
    return [str(issue) for issue in info.value.issues]


# --- positions -------------------------------------------------------------------------------

DOC = """\
plan:
  name: A公司
  seasonality: [15%, 25%]
org:
  units:
    - name: 销售部
      roles:
        - {role: 销售岗, headcount: 8}
"""


@pytest.mark.parametrize(
    ("path", "value", "key"),
    [
        ((), (1, 1), None),
        (("plan",), (2, 3), (1, 1)),
        (("plan", "name"), (2, 9), (2, 3)),
        (("plan", "seasonality"), (3, 16), (3, 3)),
        (("plan", "seasonality", 1), (3, 22), None),
        (("org", "units", 0), (6, 7), None),
        (("org", "units", 0, "name"), (6, 13), (6, 7)),
        (("org", "units", 0, "roles", 0, "role"), (8, 18), (8, 12)),
        (("org", "units", 0, "roles", 0, "headcount"), (8, 34), (8, 23)),
    ],
    ids=lambda value: None,
)
def test_positions_of_values_and_keys(
    path: source.KeyPath, value: tuple[int, int], key: tuple[int, int] | None
) -> None:
    src = parse_yaml(DOC)
    assert src.values[path] == value
    assert src.keys.get(path) == key


def test_data_is_plain_python() -> None:
    src = parse_yaml(DOC)
    assert src.data == {
        "plan": {"name": "A公司", "seasonality": ["15%", "25%"]},
        "org": {"units": [{"name": "销售部", "roles": [{"role": "销售岗", "headcount": 8}]}]},
    }


def test_scalars_keep_yaml_types_and_dates_stay_text() -> None:
    src = parse_yaml("a: 8\nb: 2.5\nc: true\nd: ~\ne: 2015-03-01\nf: 2015-03\n2015: x\n")
    assert src.data == {
        "a": 8,
        "b": 2.5,
        "c": True,
        "d": None,
        "e": "2015-03-01",
        "f": "2015-03",
        "2015": "x",
    }


def test_locate_falls_back_to_the_nearest_ancestor() -> None:
    src = parse_yaml(DOC)
    path = ("org", "units", 0, "roles", 0, "people")
    assert src.locate(path) == (8, 11)  # the role's mapping
    assert src.locate(path, key=True) == (8, 11)  # a list item has no key: its value
    assert src.locate(("plan", "name"), key=True) == (2, 3)
    assert src.locate(("plan", "name")) == (2, 9)
    assert Source("t.yaml", None).locate(("x",)) == (None, None)


def test_issue_names_file_position_and_path() -> None:
    src = parse_yaml(DOC, "t.yaml")
    issue = src.issue(("plan", "name"), "must not be empty", "write the plan's title")
    assert issue == Issue(
        "must not be empty", "t.yaml", 2, 9, "plan.name", "write the plan's title"
    )
    assert str(issue) == (
        "t.yaml:2:9: error: plan.name: must not be empty\n    hint: write the plan's title"
    )
    assert str(src.issue(("plan", "nme"), "unknown key", key=True)).startswith(
        "t.yaml:1:1: error: plan.nme: unknown key"
    )


# --- aliases and merge keys --------------------------------------------------------------------


def test_alias_repeats_the_anchored_value() -> None:
    src = parse_yaml("a: &cap {calls: 100/周}\nb: *cap\n")
    assert src.data == {"a": {"calls": "100/周"}, "b": {"calls": "100/周"}}
    assert src.keys[("b",)] == (2, 1)
    # the value of b was written at the anchor: that is where to change it
    assert src.values[("b", "calls")] == src.values[("a", "calls")] == (1, 17)


def test_merge_key_keys_written_here_win() -> None:
    text = """\
base: &base {headcount: 8, sells: deals}
role:
  role: 销售岗
  <<: *base
  headcount: 10
"""
    src = parse_yaml(text)
    assert src.data["role"] == {"role": "销售岗", "headcount": 10, "sells": "deals"}
    assert src.values[("role",)] == (3, 3)  # not moved to the anchor
    assert src.values[("role", "headcount")] == (5, 14)  # the key written here
    assert src.keys[("role", "headcount")] == (5, 3)
    assert src.keys[("role", "sells")] == (1, 28)  # a merged key: where it was written


def test_merge_key_list_earlier_mappings_win() -> None:
    src = parse_yaml("a: &a {x: 1}\nb: &b {x: 2, y: 2}\nm:\n  <<: [*a, *b]\n  z: 3\n")
    assert src.data["m"] == {"z": 3, "x": 1, "y": 2}


def test_merge_key_of_a_scalar_is_an_error() -> None:
    assert problems("m:\n  <<: 5\n  x: 1\n") == [
        "t.yaml:2:7: error: m: << merges a mapping into this one\n"
        "    hint: write <<: *name, where &name marks a mapping of keys"
    ]


# --- duplicates, keys and tags ---------------------------------------------------------------


def test_duplicate_keys_are_reported_at_the_second() -> None:
    assert problems("plan:\n  name: a\n  name: b\nkpi: {metric: x, metric: y}\n") == [
        "t.yaml:3:3: error: plan.name: the key 'name' appears twice\n"
        "    hint: delete one of them; YAML keeps only the last",
        "t.yaml:4:18: error: kpi.metric: the key 'metric' appears twice\n"
        "    hint: delete one of them; YAML keeps only the last",
    ]


def test_a_key_must_be_a_plain_name() -> None:
    assert problems("[a, b]: 1\n") == [
        "t.yaml:1:1: error: (top level): a key must be a plain name, not a list or mapping\n"
        "    hint: write keys as plain names, e.g. headcount:"
    ]


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        ("!!python/object/apply:os.system [echo hi]", "!!python/object/apply:os.system"),
        ("!!python/name:os.system", "!!python/name:os.system"),
        ("!!python/object:decimal.Decimal 8000", "!!python/object:decimal.Decimal"),
        ("!!binary aGVsbG8=", "!!binary"),
        ("!!set {x, y}", "!!set"),
        ("!!omap [x: 1]", "!!omap"),
        ("!custom 5", "!custom"),
    ],
    ids=["python-apply", "python-name", "python-object", "binary", "set", "omap", "local"],
)
def test_tags_are_refused(value: str, tag: str) -> None:
    assert problems(f"a: {value}\n") == [
        f"t.yaml:1:4: error: a: the tag {tag} is not allowed\n"
        "    hint: okrplan reads plain YAML only: remove the tag"
    ]


@pytest.mark.parametrize(
    ("text", "where", "tag"),
    [
        ("!foo name: x\n", "1:1: error: name", "!foo"),
        ("plan:\n  !!str name: x\n", "2:3: error: plan.name", "!!str"),
        ("!!int 5: x\n", "1:1: error: 5", "!!int"),
        ("!!bool maybe: x\n", "1:1: error: maybe", "!!bool"),
        ("? !!python/name:os.system a\n: 1\n", "1:3: error: a", "!!python/name:os.system"),
        ("x: [{!!binary aGk=: 1}]\n", "1:6: error: x[0].aGk=", "!!binary"),
    ],
    ids=["local", "str", "int", "bad-bool", "python", "binary-in-flow"],
)
def test_tags_on_keys_are_refused(text: str, where: str, tag: str) -> None:
    """A tag on a key would be dropped without a word (a key is a name): refused like a tag
    on a value, where it is written."""
    assert problems(text) == [
        f"t.yaml:{where}: the tag {tag} is not allowed on a key\n"
        "    hint: okrplan reads plain YAML only: remove the tag, a key is a plain name"
    ]


def test_keys_that_only_look_typed_are_names() -> None:
    """Without a tag, 1:, yes: and a date are keys like any other (the schema judges them)."""
    assert parse_yaml("1: a\nyes: b\n2015-01-01: c\n'x': d\n").data == {
        "1": "a",
        "yes": "b",
        "2015-01-01": "c",
        "x": "d",
    }


@pytest.mark.parametrize(
    ("text", "column", "character", "hint"),
    [
        ('"销售\\e[31m部"', 4, "U+001B (a control character)", "invisible"),
        ('"\\x9b31m"', 4, "U+009B (a control character)", "invisible"),
        ('"a\\x7f"', 4, "U+007F (a control character)", "invisible"),
        ('"a\\tb"', 4, "U+0009 (a tab)", "tab"),
        ('"a\\rb"', 4, "U+000D (a carriage return)", "line break"),
        ('"张\u202e三"', 4, "U+202E (a bidi control)", "reorders"),
        ("李\u2066四", 4, "U+2066 (a bidi control)", "reorders"),
    ],
    ids=["esc", "csi", "del", "tab", "cr", "override", "isolate"],
)
def test_control_characters_in_a_text_are_refused(
    text: str, column: int, character: str, hint: str
) -> None:
    (message,) = problems(f"a: {text}\n")
    assert message.startswith(
        f"t.yaml:1:{column}: error: a: the text has the character {character} in it\n"
    )
    assert hint in message.split("hint: ")[1]


def test_a_line_break_and_the_ends_of_a_text_are_allowed() -> None:
    """A name on two lines is drawn on two lines; a block scalar's last line break and the
    spaces around a text are stripped by the schema."""
    assert parse_yaml('a: "两行\\n第二行"\nb: |\n  text\n').data == {
        "a": "两行\n第二行",
        "b": "text\n",
    }


def test_standard_scalar_tags_are_read() -> None:
    assert parse_yaml("a: !!str 123\nb: !!int '5'\n").data == {"a": "123", "b": 5}


def test_every_problem_of_the_file_is_reported() -> None:
    assert len(problems("a: !foo 1\nb: 1\nb: 2\nc: !!binary eA==\n")) == 3


# --- syntax errors ---------------------------------------------------------------------------


SYNTAX_ERRORS = [
    pytest.param(
        "a:\n  b: 1\n c: 2\n",
        "t.yaml:3:2: error: YAML syntax error: the indentation of this line matches no key above it"
        "\n    hint: check the indentation and quoting on this line and the one before",
        id="indentation",
    ),
    pytest.param(
        "- 1\nb: 2\n",
        "t.yaml:2:1: error: YAML syntax error: "
        "the indentation of this line matches no item above it\n"
        "    hint: check the indentation and quoting on this line and the one before",
        id="list-indentation",
    ),
    pytest.param(
        "a: 'x\nb: 1\n",
        "t.yaml:1:4: error: YAML syntax error: this quoted text is never closed\n"
        "    hint: end it with the same quote it starts with, on the same line",
        id="unclosed-quote",
    ),
    pytest.param(
        "a: [1, 2\nb: 1\n",
        "t.yaml:1:4: error: YAML syntax error: the [ here is not closed before line 2\n"
        "    hint: close it with ] on the same line, and separate the items with commas",
        id="unclosed-bracket",
    ),
    pytest.param(
        "a: {x: 1 y: 2}\n",
        "t.yaml:1:11: error: YAML syntax error: a comma or } is missing before this\n"
        "    hint: close it with } on the same line, and separate the items with commas",
        id="missing-comma",
    ),
    pytest.param(
        'a: "C:\\okr\\x"\n',
        "t.yaml:1:7: error: YAML syntax error: a backslash here starts an escape that YAML does "
        "not know\n    hint: a backslash in double quotes starts an escape: use single quotes, "
        "or write \\\\",
        id="escape",
    ),
    pytest.param(
        "a: @x\n",
        "t.yaml:1:4: error: YAML syntax error: a value cannot start with @\n"
        "    hint: quote values that start with %, @ or `",
        id="reserved-character",
    ),
    pytest.param(
        "a:\n  b: c: d\n",
        "t.yaml:2:7: error: YAML syntax error: a ':' here starts a key where a value is expected\n"
        "    hint: a value that contains ': ' must be quoted, or the indentation is off",
        id="colon-in-value",
    ),
    pytest.param(
        "a:\n\tb: 1\n",
        "t.yaml:2:1: error: YAML syntax error: a tab in the indentation\n"
        "    hint: YAML indents with spaces, not tabs",
        id="tab",
    ),
    pytest.param(
        "a: 1\n---\nb: 2\n",
        "t.yaml:2:1: error: YAML syntax error: a second document starts here\n"
        "    hint: a target file is one YAML document: remove the --- line, or split the file",
        id="second-document",
    ),
    pytest.param(
        "a: *x\n",
        "t.yaml:1:4: error: YAML syntax error: *x names no anchor above it\n"
        "    hint: an alias *name must come after its anchor &name",
        id="undefined-alias",
    ),
    pytest.param(
        "a: &x 1\nb: &x 2\n",
        "t.yaml:2:4: error: YAML syntax error: the anchor &x is defined twice\n"
        "    hint: give each anchor its own name",
        id="duplicate-anchor",
    ),
    pytest.param(
        "a: & 1\n",
        "t.yaml:1:5: error: YAML syntax error: a name must follow & or * here\n"
        "    hint: write &name on a value to name it, and *name to repeat it",
        id="anchor-without-name",
    ),
]


@pytest.fixture(params=["libyaml", "python"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Read with libyaml (when PyYAML has it), then with PyYAML's pure-Python parser."""
    if request.param == "python":
        monkeypatch.delattr(source.yaml, "CSafeLoader", raising=False)
    elif not hasattr(source.yaml, "CSafeLoader"):
        pytest.skip("PyYAML is installed without libyaml")


@pytest.mark.usefixtures("parser")
@pytest.mark.parametrize(("text", "expected"), SYNTAX_ERRORS)
def test_syntax_errors_in_okrplans_words_whichever_parser_reads(text: str, expected: str) -> None:
    assert problems(text) == [expected]


def test_control_character_position_counts_characters_not_bytes() -> None:
    assert problems("name: 销售部\nlead: 总监\x07\n") == [
        "t.yaml:2:9: error: the character U+0007 is not allowed in a YAML file\n"
        "    hint: delete it; control characters are invisible in most editors"
    ]


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n"])
def test_empty_documents(text: str) -> None:
    assert problems(text) == [
        "t.yaml:1:1: error: the file is empty\n    hint: start from `okrplan init target.yaml`"
    ]


# --- limits ----------------------------------------------------------------------------------


def test_billion_laughs_is_refused_before_it_is_expanded() -> None:
    # a9 would be 10**10 values: refused at a6 (10**7 lols and 1,111,111 lists), the first past
    # the limit of 2,500,000 (a5 is 1,111,111 lists and lols), so nothing is built
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    found = problems("\n".join(lines) + "\n")
    assert found == [
        "t.yaml:7:5: error: a6: this value expands to more than 2,500,000 values\n"
        "    hint: YAML aliases (*name) that repeat large blocks are not supported"
    ]


def test_value_limit_counts_aliases(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(source, "MAX_VALUES", 10)
    text = "a: &a [1, 2, 3]\nb: [*a, *a, *a]\n"  # b alone is 1 + 3 × 4 = 13 values
    assert problems(text) == [
        "t.yaml:2:4: error: b: this value expands to more than 10 values\n"
        "    hint: YAML aliases (*name) that repeat large blocks are not supported"
    ]
    assert parse_yaml("a: &a [1, 2, 3]\nb: *a\n").data["b"] == [1, 2, 3]  # 9 values: fine


def test_recursive_alias_is_refused() -> None:
    found = problems("a: &a [*a]\n")
    assert found[0].startswith("t.yaml:1:4: error: a[0]: this value expands to more than ")


def test_alias_nesting_past_the_limit_is_refused_once() -> None:
    deep = "[" * 60 + "x" + "]" * 60
    assert problems(f"a: &a {deep}\nb: [[[[[[[*a, *a]]]]]]]\n") == [
        "t.yaml:1:64: error: b[0]: the file nests deeper than 64 levels through an alias\n"
        "    hint: flatten the organisation or split it into several files"
    ]


def test_nesting_up_to_the_limit_is_read() -> None:
    text = "a: " + "[" * (MAX_DEPTH - 1) + "x" + "]" * (MAX_DEPTH - 1) + "\n"
    data = parse_yaml(text).data["a"]
    for _ in range(MAX_DEPTH - 2):
        data = data[0]
    assert data == ["x"]


@pytest.mark.parametrize("style", ["flow", "block"])
def test_200_deep_nesting_is_refused(style: str) -> None:
    if style == "flow":
        text = "a: " + "[" * 200 + "]" * 200 + "\n"
        where = "1:67"
    else:
        text = "".join(" " * i + f"k{i}:\n" for i in range(200)) + " " * 200 + "v\n"
        where = "65:65"
    assert problems(text) == [
        f"t.yaml:{where}: error: the file nests deeper than {MAX_DEPTH} levels\n"
        "    hint: flatten the organisation or split it into several files"
    ]


def test_million_deep_nesting_is_refused_without_crashing() -> None:
    # libyaml's composer recurses in C: composing this would take minutes, then crash; newer
    # PyYAML stops it itself, in its own words: either way the message is okrplan's
    found = problems("a: " + "[" * 1_000_000 + "]" * 1_000_000)
    assert found[0].startswith("t.yaml:1:67: error: the file nests deeper than 64 levels")


def test_file_over_max_bytes_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)  # sparse: nothing is written, and nothing must be read
    with pytest.raises(InputError) as info:
        load_yaml(path)
    assert [str(i) for i in info.value.issues] == [
        f"{path}: error: the file is 64.0 MiB; okrplan reads at most 64 MiB\n"
        "    hint: split the organisation into several target files"
    ]


# --- files and encodings ---------------------------------------------------------------------


def test_load_yaml_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("plan:\n  name: A公司\n", encoding="utf-8")
    src = load_yaml(path)
    assert src.file == os.fspath(path)
    assert src.data == {"plan": {"name": "A公司"}}
    assert src.warnings == ()


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        load_yaml(tmp_path / "nope.yaml")
    assert info.value.issues[0].message == "no such file"
    assert "okrplan init" in info.value.issues[0].hint


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        load_yaml(tmp_path)
    assert str(info.value.issues[0]) == f"{tmp_path}: error: this is a directory, not a file"


def test_gb18030_is_read_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "gbk.yaml"
    path.write_bytes("plan:\n  name: A公司\n".encode("gb18030"))
    src = load_yaml(path)
    assert src.data == {"plan": {"name": "A公司"}}
    assert src.values[("plan", "name")] == (2, 9)
    assert [str(w) for w in src.warnings] == [
        f"{path}: warning: the file is not UTF-8; read it as GB18030/GBK\n"
        "    hint: save it as UTF-8 to silence this warning"
    ]


def test_warnings_come_with_the_errors(tmp_path: Path) -> None:
    path = tmp_path / "gbk.yaml"
    path.write_bytes("a: 1\na: 销售\n".encode("gb18030"))
    with pytest.raises(InputError) as info:
        load_yaml(path)
    assert [i.severity for i in info.value.issues] == [Severity.WARNING, Severity.ERROR]
    assert info.value.summary == "1 problem found"


def test_decode_utf8_with_and_without_bom() -> None:
    assert decode("a: 销售\n".encode(), "t.yaml") == ("a: 销售\n", [])
    assert decode(codecs.BOM_UTF8 + "a: 销售\n".encode(), "t.yaml") == ("a: 销售\n", [])


def test_decode_utf16_with_bom() -> None:
    text, warnings = decode(codecs.BOM_UTF16_LE + "a: 销售\n".encode("utf-16-le"), "t.yaml")
    assert text == "a: 销售\n"
    assert [w.message for w in warnings] == ["the file is not UTF-8; read it as UTF-16"]


def test_decode_refuses_a_bom_of_utf16_before_bytes_that_are_not() -> None:
    # FF FE, then a lone high surrogate (00 D8) and "a": no UTF-16 text, a refusal, never a
    # traceback; an odd count of bytes after the BOM (k, p, i, :, space, one byte) the same.
    for raw, byte in (
        (b"\xff\xfe\x00\xd8a\x00", 2),
        (b"\xff\xfek\x00p\x00i\x00:\x00 \x00\x00", 12),
    ):
        with pytest.raises(InputError) as info:
            decode(raw, "t.yaml")
        assert str(info.value.issues[0]) == (
            f"t.yaml: error: this is not a text file (byte {byte} is not UTF-16)\n"
            "    hint: pass a YAML target file, e.g. target.yaml"
        )


def test_decode_refuses_binary() -> None:
    with pytest.raises(InputError) as info:
        decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "tree.png")
    assert str(info.value.issues[0]) == (
        "tree.png: error: this is not a text file (it contains NUL bytes)\n"
        "    hint: pass a YAML target file, e.g. target.yaml"
    )


def test_decode_points_at_the_first_byte_that_is_not_utf8() -> None:
    with pytest.raises(InputError) as info:
        decode("a: 销售\nb: 1\n".encode() + b"c: \xff\n", "t.yaml")
    assert str(info.value.issues[0]) == (
        "t.yaml:3: error: the file is neither UTF-8 nor GB18030 text (byte 18 is not UTF-8)\n"
        "    hint: save the file as UTF-8 in your editor"
    )
