"""Fuzzing the command line: whatever a planner feeds okrplan, it answers with a message and an
exit code, never a traceback, and never runs what a file smuggles in.

Inputs are random mutations of the shipped scenarios and starter templates (keys dropped,
renamed, retyped; values out of range; quantities garbled; lists duplicated or emptied),
random edits of their text, and random YAML. Each goes through `okrplan validate`; a file that
validates also goes through `decompose`, then `explain` and `render --format dot` of the plan.
Every run must end with exit 0, 1 or 3 and say something (an exception escaping is a bug).

Workbooks come back typed into by hand, so the OKR workbook is fuzzed too: odd values typed
into its cells (the actual column, hidden ids, the sheet list), damaged XML inside it, and cut
bytes; `import-actuals` and `score` must answer the same way.

The number of examples per test is ``OKRPLAN_FUZZ_EXAMPLES`` (60 by default, for CI); run
``OKRPLAN_FUZZ_EXAMPLES=10000 pytest tests/test_fuzz.py`` for a long local run. Images are
not drawn (as without Graphviz), so that the examples go to okrplan's own code.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context, event, reject

from okrplan.cli import cli

EXAMPLES = int(os.environ.get("OKRPLAN_FUZZ_EXAMPLES", "60"))
# No example database: each run explores afresh (a failure prints the input that caused it).
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
                database=None)

ROOT = Path(__file__).resolve().parent.parent
SOURCES = {p.stem: p.read_text(encoding="utf-8")
           for p in sorted((ROOT / "scenarios").glob("*.yaml"))}
SOURCES.update({f"template-{name}": (resources.files("okrplan") / "templates" / f"{name}.yaml")
                .read_text("utf-8") for name in ("sales", "market-share")})
BASES = {name: yaml.safe_load(text) for name, text in SOURCES.items()}

#: Created only if something ran a command from a fuzzed file.
PWNED = Path(tempfile.gettempdir()) / f"okrplan-fuzz-pwned-{os.getpid()}"


def _keys(data: Any) -> Iterator[str]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield str(key)
            yield from _keys(value)
    elif isinstance(data, list):
        for item in data:
            yield from _keys(item)


KNOWN_KEYS = sorted({key for base in BASES.values() for key in _keys(base)})

# ---------------------------------------------------------------------------------------------
# Strategies

QUANTITY_CHARS = "0123456789０１２.,，-+−%％万亿千百十两八零kKMmBb/／周月季度年天weekmonthpp e "
OUT_OF_RANGE = [
    0, -1, -10**18, 10**18, 10**100, 0.0, -0.5, 1e308, float("inf"), float("-inf"), float("nan"),
    "0", "-1", "0%", "-5%", "100%", "101%", "1000%", "1e400", "-1e400", "1e-400", "0.0000001",
    "99999999999999999999999999999999亿", "-8000万", "0万", "+500pp", "-500pp", "0pp", "0/周",
    "-1/周", "100000000000/周", "1/秒", "100/周/月", "2015-00", "2015-13", "0000-01", "9999-12",
    "2015-Q0", "2015-Q5", "2015-W60", "1970", "99999", "-2015", "NaN", ".inf", "∞", "八千万亿亿",
    "1,2,3", "1..2", "%", "万", "/周", "",
]
ODD_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30),
    st.sampled_from(OUT_OF_RANGE), st.sampled_from(KNOWN_KEYS),
    st.text(max_size=3).map(lambda s: s * 80),  # long names
)
ODD_VALUES = st.one_of(
    ODD_SCALARS,
    st.lists(ODD_SCALARS, max_size=4),
    st.dictionaries(st.one_of(st.sampled_from(KNOWN_KEYS), st.text(max_size=6)), ODD_SCALARS,
                    max_size=3),
)
OPERATIONS = ("drop", "rename", "retype", "out_of_range", "garble", "duplicate", "empty", "wrap",
              "swap", "nudge")
GENTLE = ("nudge", "drop", "duplicate")  # often still valid: they reach the solver and writers
NUMBERS = st.one_of(st.sampled_from(["0", "1", "0.5", "3", "7", "99", "100", "101", "12345",
                                     "0.001", "1000000", "1e6", "99999999999"]),
                    st.integers(0, 10**6).map(str),
                    st.decimals(0, 10**4, places=3, allow_nan=False).map(str))


def _places(data: Any, found: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Every (container, key or index) in ``data``, depth first."""
    items = list(data.items()) if isinstance(data, dict) else list(enumerate(data)) if isinstance(
        data, list) else []
    for key, value in items:
        found.append((data, key))
        _places(value, found)
    return found


@st.composite
def garbled(draw: st.DrawFn, text: str) -> str:
    """``text`` with a few characters inserted, deleted or replaced."""
    chars = list(text)
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(chars)))
        edit = draw(st.sampled_from(["insert", "delete", "replace"]))
        if edit == "delete" and chars:
            del chars[min(at, len(chars) - 1)]
        elif edit == "replace" and chars:
            chars[min(at, len(chars) - 1)] = draw(st.sampled_from(QUANTITY_CHARS))
        else:
            chars.insert(at, draw(st.sampled_from(QUANTITY_CHARS)))
    return "".join(chars)


@st.composite
def mutate(draw: st.DrawFn, data: Any, operations: tuple[str, ...] = OPERATIONS) -> None:
    """Apply one random mutation to ``data`` in place."""
    places = _places(data, [])
    if not places:
        return
    parent, key = places[draw(st.integers(0, len(places) - 1))]
    operation = draw(st.sampled_from(operations))
    value = parent[key]
    if operation == "drop":
        del parent[key]
    elif operation == "rename" and isinstance(parent, dict):
        new = draw(st.one_of(st.sampled_from(KNOWN_KEYS), garbled(str(key)),
                             st.text(min_size=1, max_size=12)))
        parent[new] = parent.pop(key)
    elif operation == "out_of_range":
        parent[key] = draw(st.sampled_from(OUT_OF_RANGE))
    elif operation == "nudge" and isinstance(value, str | int) and not isinstance(value, bool):
        # the same kind of value with another number: still valid, often, and odd
        number = re.match(r"[+-]?[0-9.,]+", str(value))
        if number is not None:
            new = draw(NUMBERS)
            text = new + str(value)[number.end():]
            parent[key] = int(new) if isinstance(value, int) and new.isdigit() else text
    elif operation == "garble" and isinstance(value, str | int | float):
        parent[key] = draw(garbled(str(value)))
    elif operation == "duplicate" and isinstance(parent, list):
        parent.insert(key, copy.deepcopy(value))
    elif operation == "empty" and isinstance(value, dict | list):
        value.clear()
    elif operation == "wrap":
        parent[key] = draw(st.sampled_from([[value], {"name": value}, [value, value]]))
    elif operation == "swap":
        other_parent, other_key = places[draw(st.integers(0, len(places) - 1))]
        other = other_parent[other_key]
        if other is not value and not _contains(value, other) and not _contains(other, value):
            parent[key], other_parent[other_key] = copy.deepcopy(other), copy.deepcopy(value)
    else:
        parent[key] = draw(ODD_VALUES)


def _contains(outer: Any, inner: Any) -> bool:
    return any(container is inner for container, _ in _places(outer, [])) or any(
        container[key] is inner for container, key in _places(outer, []))


@st.composite
def mutated_targets(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(sorted(BASES)))
    data = copy.deepcopy(BASES[name])
    gentle = draw(st.booleans())
    for _ in range(draw(st.integers(1, 2 if gentle else 4))):
        draw(mutate(data, GENTLE if gentle else OPERATIONS))
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


YAML_BITS = [
    "{", "}", "[", "]", ":", ": ", "- ", ",", "&a ", "*a", "&b [*a, *a, *a]", "<<: *a\n", "? ",
    "'", '"', "#", "|\n", ">\n", "%YAML 1.1\n", "%TAG ! tag:x,2000:\n", "---\n", "...\n", "\t",
    "\n", "  ", "\n  ", "@", "`", "\\", "\\x", "\x00", "\x07", "\x85", "\ufeff", "\u202e",
    "\u200d", "😀", "万", "8000万", "100/周", "25%", "+5pp", "2015-Q3", "~", "null", "yes",
    ".inf", "0x1F", "1e400", "!!str ", "!!int ", "!!binary aGk=", "!!set {a}", "!!omap [a: 1]",
    "!foo ", "!<tag:yaml.org,2002:python/none> ",
    f"!!python/object/apply:os.system ['touch {PWNED}']",
    f"!!python/object/apply:subprocess.call [[touch, {PWNED}]]",
    "!!python/name:os.system ", "!!python/module:os ",
    "org:\n  units:\n    - name: x\n", "- {role: r, headcount: 3, sells: deals}\n",
]


@st.composite
def edited_text(draw: st.DrawFn) -> str:
    """A shipped file's text with YAML fragments inserted and pieces cut out."""
    text = SOURCES[draw(st.sampled_from(sorted(SOURCES)))]
    for _ in range(draw(st.integers(1, 5))):
        at = draw(st.integers(0, len(text)))
        if draw(st.booleans()):
            bit = draw(st.one_of(st.sampled_from(YAML_BITS), st.text(max_size=6)))
            text = text[:at] + bit + text[at:]
        else:
            text = text[:at] + text[at + draw(st.integers(1, 40)):]
    return text


JSONISH = st.recursive(
    st.one_of(ODD_SCALARS, st.sampled_from(KNOWN_KEYS)),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.one_of(st.sampled_from(KNOWN_KEYS),
                                                      st.text(max_size=8)), inner, max_size=4)),
    max_leaves=25,
)
RANDOM_YAML = st.one_of(
    st.lists(st.one_of(st.sampled_from(YAML_BITS), st.text(max_size=8)), max_size=40).map(
        "".join),
    JSONISH.map(lambda data: yaml.safe_dump(data, allow_unicode=True)),
    edited_text(),
)


# ---------------------------------------------------------------------------------------------
# Running okrplan


@pytest.fixture(scope="module", autouse=True)
def without_images() -> Iterator[None]:
    with mock.patch("okrplan.api.image_problem", return_value="images are off in the fuzz"):
        yield


def invoke(args: list[str]) -> Result:
    """Run the CLI in-process; anything but a clean exit 0, 1 or 3 with a message fails."""
    result = CliRunner().invoke(cli, args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"okrplan {' '.join(args[:1])} raised "
                             f"{type(result.exception).__name__}") from result.exception
    assert result.exit_code in (0, 1, 3), (args, result.exit_code, result.output)
    assert "Traceback" not in result.output
    assert not PWNED.exists(), "a command in a target file was run"
    if result.exit_code:  # a message: on stderr, or with --json on stdout
        assert result.stderr.strip() or result.stdout.strip(), (args, result.exit_code)
    return result


def note(outcome: str) -> None:
    """Count outcomes in ``--hypothesis-show-statistics`` (how deep the examples reach)."""
    if currently_in_test_context():
        event(outcome)


def check_target(text: str | bytes) -> None:
    """validate, and for a valid file decompose, explain and render; every step answers."""
    with tempfile.TemporaryDirectory(prefix="okrplan-fuzz-") as tmp:
        target = Path(tmp) / "target.yaml"
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text, encoding="utf-8", errors="surrogatepass")
        checked = invoke(["validate", "--json", str(target)])
        note(f"validate exits {checked.exit_code}")
        reported = json.loads(checked.stdout)
        assert reported[0]["ok"] == (checked.exit_code == 0)
        if checked.exit_code:
            assert reported[0]["issues"]
            assert invoke(["validate", str(target)]).exit_code == 1
            return
        out = Path(tmp) / "plan"
        made = invoke(["decompose", str(target), "-o", str(out)])
        note(f"decompose exits {made.exit_code}")
        if made.exit_code == 1:
            assert made.stderr.startswith("Error:") or ": error: " in made.stderr, made.stderr
            return
        assert f"wrote {out}/" in made.stderr
        if made.exit_code == 3:
            assert "cannot be met" in made.stderr
        explained = invoke(["explain", str(out)])
        assert explained.exit_code == 0 and explained.stdout.strip()
        drawn = invoke(["render", str(out), "--format", "dot"])
        assert drawn.exit_code == 0 and drawn.stdout.startswith("digraph")


@pytest.fixture(scope="module")
def workbook_plan(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    """A plan directory, and its OKR workbook's bytes."""
    from conftest import minimal_target

    from okrplan import api

    tmp = tmp_path_factory.mktemp("workbook")
    target = tmp / "target.yaml"
    target.write_text(yaml.safe_dump(minimal_target(objectives=[
        {"title": "业绩", "key_results": [
            {"metric": "revenue"}, {"metric": "visits", "per": "month"},
            {"text": "周报", "target": "100%", "per": "week"}, {"text": "投诉", "deduction": 5}]}]),
        allow_unicode=True), encoding="utf-8")
    plan = api.decompose(target)
    api.write_plan(plan, tmp / "plan", images=False, report=False)
    (workbook,) = (tmp / "plan" / "sheets").glob("*.xlsx")
    return tmp / "plan", workbook.read_bytes()


TYPED = st.one_of(ODD_SCALARS, st.sampled_from(["=1/0", "=A1", "#DIV/0!", "=SUM(", "k:x", "okrplan",
                                                "_okrplan", "1e999", "50%", "３００"]),
                  st.datetimes(), st.dates(), st.times())


#: Cells to type into: (sheet, row, column) counted modulo the workbook's size (column 0: the
#: sheet's actual column), and a value.
TYPING = st.lists(st.tuples(st.integers(0, 100), st.integers(1, 60),
                            st.one_of(st.just(0), st.integers(1, 30)), TYPED),
                  min_size=1, max_size=6)
ACTUAL_HEADERS = ("实际完成", "Actual")


def typed_workbook(original: bytes, typing: list[tuple[int, int, int, Any]]) -> bytes | None:
    """The workbook with values typed into cells (hidden ones included); None if openpyxl
    cannot write what was typed (nobody could have typed it then)."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(original))
    for sheet, row, column, value in typing:
        ws = wb.worksheets[sheet % len(wb.worksheets)]
        if column == 0:
            column = next((c.column for c in ws[3] if c.value in ACTUAL_HEADERS), 1)
        cell = ws.cell(1 + (row - 1) % (ws.max_row + 1), 1 + (column - 1) % (ws.max_column + 1))
        if type(cell).__name__ != "MergedCell":
            with contextlib.suppress(Exception):  # IllegalCharacterError and the like
                cell.value = value[:1000] if isinstance(value, str) else value
    out = io.BytesIO()
    try:
        wb.save(out)
    except Exception:
        return None
    return out.getvalue()


XML_BITS = [b"<", b">", b"&", b'"', b"</c>", b"<c r=\"A1\"><v>x</v></c>", b"&a;", b"\xff",
            b"<!DOCTYPE x [<!ENTITY a \"aaaa\">]>", b" r=\"ZZZ999999\"", b"999999999999", b"-1",
            b""]
#: Damage: cut the file's bytes (part None) or splice XML into a part; positions are counted
#: modulo the length of what they cut into.
DAMAGE = st.tuples(st.one_of(st.none(), st.integers(0, 100)),
                   st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 40),
                                      st.one_of(st.sampled_from(XML_BITS),
                                                st.binary(max_size=30))),
                            min_size=1, max_size=4))


def damaged_workbook(original: bytes, damage: tuple[int | None, list[tuple[int, int, bytes]]]
                     ) -> bytes:
    """The workbook with its bytes cut, or XML spliced into one of its parts."""
    part, edits = damage

    def splice(data: bytes) -> bytes:
        for at, cut, bit in edits:
            at %= len(data) + 1
            data = data[:at] + bit + data[at + cut:]
        return data

    if part is None:
        return splice(original)
    archive = zipfile.ZipFile(io.BytesIO(original))
    parts = {name: archive.read(name) for name in archive.namelist()}
    name = sorted(parts)[part % len(parts)]
    parts[name] = splice(parts[name])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as damaged:
        for each, content in parts.items():
            damaged.writestr(each, content)
    return out.getvalue()


def check_workbook(plan: Path, data: bytes) -> None:
    with tempfile.TemporaryDirectory(prefix="okrplan-fuzz-") as tmp:
        workbook = Path(tmp) / "filled.xlsx"
        workbook.write_bytes(data)
        read = invoke(["import-actuals", str(workbook), "--plan", str(plan)])
        note(f"import-actuals exits {read.exit_code}")
        scored = invoke(["score", str(plan), str(workbook)])
        note(f"score exits {scored.exit_code}")


# ---------------------------------------------------------------------------------------------
# Tests


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_the_unmutated_files_decompose(name: str) -> None:
    check_target(SOURCES[name])


@FUZZ
@given(text=mutated_targets())
def test_mutated_scenarios_never_crash(text: str) -> None:
    check_target(text)


@FUZZ
@given(text=RANDOM_YAML)
def test_random_yaml_never_crashes(text: str) -> None:
    check_target(text)


@FUZZ
@given(data=st.binary(max_size=200), text=st.sampled_from(sorted(SOURCES)))
def test_random_bytes_never_crash(data: bytes, text: str) -> None:
    check_target(data)
    raw = SOURCES[text].encode("utf-8")
    check_target(raw[: len(raw) // 2] + data + raw[len(raw) // 2:])


@FUZZ
@given(typing=TYPING)
def test_typed_workbooks_never_crash(workbook_plan: tuple[Path, bytes],
                                     typing: list[tuple[int, int, int, Any]]) -> None:
    plan, original = workbook_plan
    data = typed_workbook(original, typing)
    if data is None:
        reject()
    check_workbook(plan, data)


@FUZZ
@given(damage=DAMAGE)
def test_damaged_workbooks_never_crash(workbook_plan: tuple[Path, bytes],
                                       damage: tuple[int | None, list[tuple[int, int, bytes]]]
                                       ) -> None:
    plan, original = workbook_plan
    check_workbook(plan, damaged_workbook(original, damage))
