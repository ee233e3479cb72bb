"""Fuzzing the command line: whatever a planner feeds okrplan, it answers with a message and an
exit code, never a traceback, and never runs what a file smuggles in.

Inputs are random mutations of the shipped scenarios and starter templates (keys dropped,
renamed, retyped; values out of range; quantities garbled; lists duplicated or emptied),
random edits of their text, and random YAML. Each goes through `okrplan validate`; a file that
validates also goes through `decompose`, then `explain` and `render --format dot` of the plan.
Every run must end with exit 0, 1 or 3 and say something (an exception escaping is a bug), and
a file that validates must decompose (exit 0, or 3 for a plan that cannot be met): what
`validate` lets through, `decompose` can do.

plan.json is okrplan's own output, but it is edited by hand too: a real plan's nodes, edges,
plan, solver and metrics sections get keys dropped, renamed and retyped, values swapped for
other nodes' ids, metric names and period labels, and `render`, `explain`, `report`,
`export`, `score` and `import-actuals --plan` must each answer it the same way.

Workbooks come back typed into by hand, so the OKR workbook is fuzzed too: odd values typed
into its cells (the actual column, hidden ids, the sheet list), damaged XML inside it, and cut
bytes; `import-actuals` and `score` must answer the same way.

The number of examples per test is ``OKRPLAN_FUZZ_EXAMPLES``: 6 by default, which keeps the
whole suite within its 90 s on two cores; run ``OKRPLAN_FUZZ_EXAMPLES=10000 pytest
tests/test_fuzz.py`` for a long local run. The examples are derandomised (the same N examples on
every run, no example database), so a failure in CI fails again on the next run and on a
developer's machine; a long run with another N explores other examples.
Images are not drawn (as without Graphviz), so that the examples go to okrplan's own code.
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
from book_cache import same_books_same_bytes  # noqa: F401  (a fixture)
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context, event, reject

from okrplan.cli import cli

# A failing example prints in full, however long (filterwarnings = error would put hypothesis's
# warning about a long repr in place of the failure).
# Equal books (a scenario written again) are written to .xlsx bytes once per module.
pytestmark = [
    pytest.mark.filterwarnings("ignore:Generating overly large repr"),
    pytest.mark.usefixtures("same_books_same_bytes"),
]

EXAMPLES = int(os.environ.get("OKRPLAN_FUZZ_EXAMPLES", "6"))
# Derandomised, no example database: every run draws the same examples (a failure prints the
# input that caused it, and fails again the next time).
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
    derandomize=True,
)

ROOT = Path(__file__).resolve().parent.parent
SOURCES = {
    p.stem: p.read_text(encoding="utf-8") for p in sorted((ROOT / "scenarios").glob("*.yaml"))
}
SOURCES.update(
    {
        f"template-{name}": (resources.files("okrplan") / "templates" / f"{name}.yaml").read_text(
            "utf-8"
        )
        for name in ("sales", "market-share")
    }
)
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
    0,
    -1,
    -(10**18),
    10**18,
    10**100,
    0.0,
    -0.5,
    1e308,
    float("inf"),
    float("-inf"),
    float("nan"),
    "0",
    "-1",
    "0%",
    "-5%",
    "100%",
    "101%",
    "1000%",
    "1e400",
    "-1e400",
    "1e-400",
    "0.0000001",
    "99999999999999999999999999999999亿",
    "-8000万",
    "0万",
    "+500pp",
    "-500pp",
    "0pp",
    "0/周",
    "-1/周",
    "100000000000/周",
    "1/秒",
    "100/周/月",
    "2015-00",
    "2015-13",
    "0000-01",
    "9999-12",
    "2015-Q0",
    "2015-Q5",
    "2015-W60",
    "1970",
    "99999",
    "-2015",
    "NaN",
    ".inf",
    "∞",
    "八千万亿亿",
    "1,2,3",
    "1..2",
    "%",
    "万",
    "/周",
    "",
]
ODD_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(OUT_OF_RANGE),
    st.sampled_from(KNOWN_KEYS),
    st.text(max_size=3).map(lambda s: s * 80),  # long names
)
ODD_VALUES = st.one_of(
    ODD_SCALARS,
    st.lists(ODD_SCALARS, max_size=4),
    st.dictionaries(
        st.one_of(st.sampled_from(KNOWN_KEYS), st.text(max_size=6)), ODD_SCALARS, max_size=3
    ),
)
OPERATIONS = (
    "drop",
    "rename",
    "retype",
    "out_of_range",
    "garble",
    "duplicate",
    "empty",
    "wrap",
    "swap",
    "nudge",
)
GENTLE = ("nudge", "drop", "duplicate")  # often still valid: they reach the solver and writers
NUMBERS = st.one_of(
    st.sampled_from(
        [
            "0",
            "1",
            "0.5",
            "3",
            "7",
            "99",
            "100",
            "101",
            "12345",
            "0.001",
            "1000000",
            "1e6",
            "99999999999",
        ]
    ),
    st.integers(0, 10**6).map(str),
    st.decimals(0, 10**4, places=3, allow_nan=False).map(str),
)


def _places(data: Any, found: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Every (container, key or index) in ``data``, depth first."""
    items = (
        list(data.items())
        if isinstance(data, dict)
        else list(enumerate(data))
        if isinstance(data, list)
        else []
    )
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
def mutate(
    draw: st.DrawFn,
    data: Any,
    operations: tuple[str, ...] = OPERATIONS,
    keys: list[str] = KNOWN_KEYS,
    odd: st.SearchStrategy[Any] = ODD_VALUES,
) -> str:
    """Apply one random mutation to ``data`` in place (renaming keys to ``keys`` or garbled
    ones, retyping values to ``odd`` ones); say what it did."""
    places = _places(data, [])
    if not places:
        return "nothing"
    parent, key = places[draw(st.integers(0, len(places) - 1))]
    operation = draw(st.sampled_from(operations))
    value = parent[key]
    if operation == "drop":
        del parent[key]
    elif operation == "rename" and isinstance(parent, dict):
        new = draw(
            st.one_of(st.sampled_from(keys), garbled(str(key)), st.text(min_size=1, max_size=12))
        )
        parent[new] = parent.pop(key)
    elif operation == "out_of_range":
        parent[key] = draw(st.sampled_from(OUT_OF_RANGE))
    elif operation == "nudge" and isinstance(value, str | int) and not isinstance(value, bool):
        # the same kind of value with another number: still valid, often, and odd
        number = re.match(r"[+-]?[0-9.,]+", str(value))
        if number is not None:
            new = draw(NUMBERS)
            text = new + str(value)[number.end() :]
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
        if not _contains(value, other) and not _contains(other, value):
            parent[key], other_parent[other_key] = copy.deepcopy(other), copy.deepcopy(value)
    else:
        parent[key] = draw(odd)
    now = (
        parent.get(key, "(gone)")
        if isinstance(parent, dict)
        else (parent[key] if key < len(parent) else "(gone)")
    )
    return f"{operation} [{key!r}]: {_short(value)} → {_short(now)}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _contains(outer: Any, inner: Any) -> bool:
    """Whether the container ``inner`` is ``outer`` or inside it (a scalar never is: whether
    two equal scalars are one object varies from run to run, and hypothesis replays runs)."""
    if not isinstance(inner, dict | list):
        return False
    places = _places(outer, [])
    return inner is outer or any(
        container is inner or container[key] is inner for container, key in places
    )


@st.composite
def mutated_targets(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(sorted(BASES)))
    data = copy.deepcopy(BASES[name])
    gentle = draw(st.booleans())
    for _ in range(draw(st.integers(1, 2 if gentle else 4))):
        draw(mutate(data, GENTLE if gentle else OPERATIONS))
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


YAML_BITS = [
    "{",
    "}",
    "[",
    "]",
    ":",
    ": ",
    "- ",
    ",",
    "&a ",
    "*a",
    "&b [*a, *a, *a]",
    "<<: *a\n",
    "? ",
    "'",
    '"',
    "#",
    "|\n",
    ">\n",
    "%YAML 1.1\n",
    "%TAG ! tag:x,2000:\n",
    "---\n",
    "...\n",
    "\t",
    "\n",
    "  ",
    "\n  ",
    "@",
    "`",
    "\\",
    "\\x",
    "\x00",
    "\x07",
    "\x85",
    "\ufeff",
    "\u202e",
    "\u200d",
    "😀",
    "万",
    "8000万",
    "100/周",
    "25%",
    "+5pp",
    "2015-Q3",
    "~",
    "null",
    "yes",
    ".inf",
    "0x1F",
    "1e400",
    "!!str ",
    "!!int ",
    "!!binary aGk=",
    "!!set {a}",
    "!!omap [a: 1]",
    "!foo ",
    "!<tag:yaml.org,2002:python/none> ",
    f"!!python/object/apply:os.system ['touch {PWNED}']",
    f"!!python/object/apply:subprocess.call [[touch, {PWNED}]]",
    "!!python/name:os.system ",
    "!!python/module:os ",
    "org:\n  units:\n    - name: x\n",
    "- {role: r, headcount: 3, sells: deals}\n",
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
            text = text[:at] + text[at + draw(st.integers(1, 40)) :]
    return text


JSONISH = st.recursive(
    st.one_of(ODD_SCALARS, st.sampled_from(KNOWN_KEYS)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.one_of(st.sampled_from(KNOWN_KEYS), st.text(max_size=8)), inner, max_size=4
        ),
    ),
    max_leaves=25,
)
RANDOM_YAML = st.one_of(
    st.lists(st.one_of(st.sampled_from(YAML_BITS), st.text(max_size=8)), max_size=40).map("".join),
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
        raise AssertionError(
            f"okrplan {' '.join(args[:1])} raised {type(result.exception).__name__}"
        ) from result.exception
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
        # what validates, decomposes: a refusal here is one the validator should have made
        assert made.exit_code in (0, 3), f"validate said ok, decompose said:\n{made.stderr}"
        assert f"wrote {out}/" in made.stderr or f"已写入 {out}/" in made.stderr
        if made.exit_code == 3:
            assert "cannot be met" in made.stderr
        explained = invoke(["explain", str(out)])
        assert explained.exit_code == 0 and explained.stdout.strip()
        drawn = invoke(["render", str(out), "--format", "dot"])
        assert drawn.exit_code == 0 and drawn.stdout.startswith("digraph")


class WorkbookPlan:
    """A plan directory, and its OKR workbook's bytes (left out of the repr that a failing
    example prints: hypothesis would print a dataclass field by field)."""

    def __init__(self, plan: Path, original: bytes) -> None:
        self.plan, self.original = plan, original

    def __repr__(self) -> str:
        return f"WorkbookPlan({self.plan})"


@pytest.fixture(scope="module")
def workbook_plan(tmp_path_factory: pytest.TempPathFactory) -> WorkbookPlan:
    """A plan directory, and its OKR workbook's bytes."""
    from conftest import minimal_target

    from okrplan import api

    tmp = tmp_path_factory.mktemp("workbook")
    target = tmp / "target.yaml"
    target.write_text(
        yaml.safe_dump(
            minimal_target(
                objectives=[
                    {
                        "title": "业绩",
                        "key_results": [
                            {"metric": "revenue"},
                            {"metric": "visits", "per": "month"},
                            {"text": "周报", "target": "100%", "per": "week"},
                            {"text": "投诉", "deduction": 5},
                        ],
                    }
                ]
            ),
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    plan = api.decompose(target)
    api.write_plan(plan, tmp / "plan", images=False, report=False)
    (workbook,) = (tmp / "plan" / "sheets").glob("*.xlsx")
    return WorkbookPlan(tmp / "plan", workbook.read_bytes())


TYPED = st.one_of(
    ODD_SCALARS,
    st.sampled_from(
        ["=1/0", "=A1", "#DIV/0!", "=SUM(", "k:x", "okrplan", "_okrplan", "1e999", "50%", "３００"]
    ),
    st.datetimes(),
    st.dates(),
    st.times(),
)


#: Cells to type into: (sheet, row, column) counted modulo the workbook's size (column 0: the
#: sheet's actual column), and a value.
TYPING = st.lists(
    st.tuples(
        st.integers(0, 100), st.integers(1, 60), st.one_of(st.just(0), st.integers(1, 30)), TYPED
    ),
    min_size=1,
    max_size=6,
)
ACTUAL_HEADERS = ("实际完成", "Actual")


def typed_workbook(original: bytes, typing: list[tuple[int, int, int, Any]]) -> bytes | None:
    """The workbook with values typed into cells (hidden ones included); None if openpyxl
    cannot write what was typed (nobody could have typed it then)."""
    from conftest import open_xlsx

    wb = open_xlsx(original)
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


XML_BITS = [
    b"<",
    b">",
    b"&",
    b'"',
    b"</c>",
    b'<c r="A1"><v>x</v></c>',
    b"&a;",
    b"\xff",
    b'<!DOCTYPE x [<!ENTITY a "aaaa">]>',
    b' r="ZZZ999999"',
    b"999999999999",
    b"-1",
    b"",
]
#: Damage: cut the file's bytes (part None) or splice XML into a part; positions are counted
#: modulo the length of what they cut into.
DAMAGE = st.tuples(
    st.one_of(st.none(), st.integers(0, 100)),
    st.lists(
        st.tuples(
            st.integers(0, 10**6),
            st.integers(0, 40),
            st.one_of(st.sampled_from(XML_BITS), st.binary(max_size=30)),
        ),
        min_size=1,
        max_size=4,
    ),
)


def damaged_workbook(
    original: bytes, damage: tuple[int | None, list[tuple[int, int, bytes]]]
) -> bytes:
    """The workbook with its bytes cut, or XML spliced into one of its parts."""
    part, edits = damage

    def splice(data: bytes) -> bytes:
        for at, cut, bit in edits:
            at %= len(data) + 1
            data = data[:at] + bit + data[at + cut :]
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
    check_target(raw[: len(raw) // 2] + data + raw[len(raw) // 2 :])


@FUZZ
@given(typing=TYPING)
def test_typed_workbooks_never_crash(
    workbook_plan: WorkbookPlan, typing: list[tuple[int, int, int, Any]]
) -> None:
    plan, original = workbook_plan.plan, workbook_plan.original
    data = typed_workbook(original, typing)
    if data is None:
        reject()
    check_workbook(plan, data)


@FUZZ
@given(damage=DAMAGE)
def test_damaged_workbooks_never_crash(
    workbook_plan: WorkbookPlan, damage: tuple[int | None, list[tuple[int, int, bytes]]]
) -> None:
    plan, original = workbook_plan.plan, workbook_plan.original
    check_workbook(plan, damaged_workbook(original, damage))


# ---------------------------------------------------------------------------------------------
# plan.json edited by hand


class PlanBases(dict[str, dict[str, Any]]):
    """Plans by name (shown by their names: a failing example prints its fixtures)."""

    def __repr__(self) -> str:
        return f"PlanBases({', '.join(self)})"


@pytest.fixture(scope="module")
def plan_bases(tmp_path_factory: pytest.TempPathFactory) -> PlanBases:
    """Real plans to mutate, by name: each with its JSON, an actuals CSV of some of its KRs
    and its OKR workbook with actuals typed in. They hold every kind of node, edge and KR:
    staffing KRs and hires (a-company-2015), a share KPI and support units
    (chip-market-share), an infeasible plan (sales-center-2021 with a higher KPI), weekly,
    manual and deduction KRs (the small plan)."""
    from conftest import minimal_target

    from okrplan import api

    tmp = tmp_path_factory.mktemp("plans")
    small = minimal_target(
        objectives=[
            {
                "title": "业绩",
                "key_results": [
                    {"metric": "revenue"},
                    {"metric": "visits", "per": "month"},
                    {"metric": "deals", "per": "week"},
                    {"text": "周报", "target": "100%", "per": "week"},
                    {"text": "投诉", "deduction": 5},
                ],
            }
        ]
    )
    infeasible = yaml.safe_load(SOURCES["sales-center-2021"])
    infeasible["kpi"]["target"] = "100亿"
    texts = {
        "small": yaml.safe_dump(small, allow_unicode=True),
        "infeasible": yaml.safe_dump(infeasible, allow_unicode=True),
        "a-company-2015": SOURCES["a-company-2015"],
        "chip-market-share": SOURCES["chip-market-share"],
    }
    bases = PlanBases()
    for name, text in texts.items():
        target = tmp / f"{name}.yaml"
        target.write_text(text, encoding="utf-8")
        plan = api.decompose(target)
        api.write_plan(plan, tmp / name, images=False, report=False)
        data = json.loads((tmp / name / "plan.json").read_text("utf-8"))
        krs = [n for n in data["graph"]["nodes"] if n["kind"] == "kr"]
        rows = ["kr,period,actual"] + [f"{kr['id']},plan,{i * 7}" for i, kr in enumerate(krs[:8])]
        rows += [f"{kr['id']},{period},3" for kr in krs[:8] for period in list(kr["periods"])[:2]]
        actuals = tmp / f"{name}-actuals.csv"
        actuals.write_text("\n".join(rows) + "\n", encoding="utf-8")
        (sheets,) = (tmp / name / "sheets").glob("*.xlsx")
        workbook = tmp / f"{name}-filled.xlsx"
        workbook.write_bytes(filled_workbook(sheets.read_bytes()))
        bases[name] = {"data": data, "actuals": actuals, "workbook": workbook}
    return bases


def filled_workbook(original: bytes) -> bytes:
    """An OKR workbook with an actual typed into each KR row (a hidden ``k:`` id in it) among
    the first five rows of each sheet: row × 2 (typed into the sheets' XML, see xlsx_typing)."""
    from xlsx_typing import column_letters, rows_of, sheet_parts, type_cells

    typed: dict[tuple[str, str], int] = {}
    for tab in sheet_parts(original):
        rows = rows_of(original, tab)
        column = next((c for c, v in rows.get(3, {}).items() if v in ACTUAL_HEADERS), None)
        for row in range(4, 9):
            cells = rows.get(row, {})
            if column is not None and any(v.startswith("k:") for v in cells.values()):
                typed[tab, f"{column_letters(column)}{row}"] = row * 2
    assert typed
    return type_cells(original, typed)


PLAN_GENTLE = ("nudge", "drop", "duplicate", "swap", "out_of_range")
PLAN_PARTS = (
    "node",
    "node",
    "node",
    "nodes",
    "edge",
    "edge",
    "edges",
    "plan",
    "solver",
    "metrics",
    "document",
)


def _plan_values(data: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values a planner might type into a plan.json: other nodes' ids, metric names, period
    labels, kinds, and the odd values of the target-file fuzz."""
    graph = data["graph"]
    known = sorted(
        {n["id"] for n in graph["nodes"]}
        | set(data["metrics"])
        | {str(p) for n in graph["nodes"] for p in n.get("periods") or {}}
        | {
            "unit",
            "role",
            "objective",
            "kr",
            "contains",
            "owns",
            "measures",
            "aligns",
            "drives",
            "supports",
            "plan",
            "quarter",
            "month",
            "week",
            "derived",
            "manual",
            "deduction",
            "staffing",
            "increase",
            "decrease",
            "percent",
            "points",
            "en",
            "zh-CN",
            "optimal",
            "infeasible",
            "2015-W53",
            "2016-W53",
            "2015-00",
            "2015-13",
            "0000-01",
            "9999-Q4",
        }
    )
    return st.one_of(
        ODD_VALUES, st.sampled_from(known), st.lists(st.sampled_from(known), max_size=3)
    )


class EditedPlan:
    """A plan's JSON after edits, shown by what was edited (a failing example prints it)."""

    def __init__(self, data: dict[str, Any], edits: tuple[str, ...]) -> None:
        self.data, self.edits = data, edits

    def __repr__(self) -> str:
        return f"EditedPlan({'; '.join(self.edits)})"


@st.composite
def mutated_plan(draw: st.DrawFn, data: dict[str, Any]) -> EditedPlan:
    """``data`` (a plan's JSON) with one to three parts of it mutated."""
    data = copy.deepcopy(data)
    edits = []
    keys = sorted(set(_keys(data)))
    odd = _plan_values(data)
    # gentle edits (numbers changed, items dropped, duplicated or swapped) often leave a plan
    # that is read: they reach the commands' own code
    operations = draw(st.sampled_from([OPERATIONS, PLAN_GENTLE]))
    for _ in range(draw(st.integers(1, 3))):
        part = draw(st.sampled_from(PLAN_PARTS))
        graph = data.get("graph")
        graph = graph if isinstance(graph, dict) else {}
        target: Any = data
        where = part
        if part in ("node", "nodes", "edge", "edges"):
            items = graph.get("nodes" if part.startswith("node") else "edges")
            target = items if isinstance(items, list) and items else data
            if part in ("node", "edge") and target is items:
                index = draw(st.integers(0, len(items) - 1))
                target = items[index]
                where = f"{part}s[{index}]"
        elif part != "document":
            target = data.get(part)
        if not isinstance(target, dict | list) or not target:
            target, where = data, "document"
        edits.append(f"{where}: {draw(mutate(target, operations, keys, odd))}")
    return EditedPlan(data, tuple(edits))


def check_plan_json(text: str, base: dict[str, Any]) -> None:
    """Every command that reads a plan.json, on ``text``: each answers with exit 0, 1 or 3,
    and one that refuses the plan names its file."""
    with tempfile.TemporaryDirectory(prefix="okrplan-fuzz-") as tmp:
        plan = Path(tmp) / "plan.json"
        plan.write_text(text, encoding="utf-8", errors="surrogatepass")
        for args in (
            ["render", str(plan), "--format", "dot"],
            ["render", str(plan), "--format", "dot", "--view", "kr"],
            ["explain", str(plan)],
            ["explain", str(plan), "--json"],
            ["report", str(plan)],
            ["export", str(plan), "-o", f"{tmp}/sheets"],
            ["score", str(plan), str(base["actuals"])],
            ["import-actuals", str(base["workbook"]), "--plan", str(plan)],
        ):
            result = invoke(args)
            note(f"{args[0]} exits {result.exit_code}")
            if result.exit_code and args[0] in ("render", "explain", "report"):
                assert f"{plan}:" in result.stderr, (args, result.stderr)


@pytest.mark.parametrize("name", ["small", "infeasible", "a-company-2015", "chip-market-share"])
def test_the_unedited_plans_are_read(plan_bases: PlanBases, name: str) -> None:
    base = plan_bases[name]
    check_plan_json(json.dumps(base["data"], ensure_ascii=False), base)
    assert invoke(["explain", str(base["actuals"].parent / name)]).exit_code == 0


@FUZZ
@given(data=st.data())
def test_edited_plan_json_never_crashes(plan_bases: PlanBases, data: st.DataObject) -> None:
    base = plan_bases[data.draw(st.sampled_from(sorted(plan_bases)), label="plan")]
    edited = data.draw(mutated_plan(base["data"]), label="edited")
    check_plan_json(json.dumps(edited.data, ensure_ascii=False), base)
