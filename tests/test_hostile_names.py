"""Hostile names, end to end through the command line (see SECURITY.md).

Names with quotes, ``<``, ``>``, ``{``, ``|``, newlines, zero-width characters, emoji and 200
characters come out right in DOT, SVG, HTML, xlsx, CSV, Markdown and plan.json: escaped, never
interpreted. Control characters (C0 but the line break, DEL, C1) and bidi controls are refused
in a target file with file:line:key; a hand-edited plan.json can still bring them, so the
writers drop or escape them and the terminal shows them escaped.
"""

from __future__ import annotations

import csv
import html.parser
import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import yaml
from click.testing import CliRunner
from conftest import minimal_target
from openpyxl import load_workbook

from okrplan.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "a-company-2015.yaml"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")

XSS = '</script><script>alert("x")</script>'
LONG = "长" * 180 + "ABCDEFGHIJKLMNOPQRST"  # 200 characters
NAMES = {
    "plan": "Plan <script>alert('p')</script> & \"co\"",
    "org": "Co <i>{x}</i>",
    "lead": XSS,
    "unit": "Team \"Q\" 'A' <script>alert(1)</script> {x} | y",
    "unit2": "两行\n第二行 \u200d\u202eRTL 😀🚀",
    "role": 'Rep {a|b} <b>bold</b> "q"',
    "person": "张\u200d三 \u202eevil 😀",
    "person2": LONG,
    "objective": 'Win <img src=x onerror=alert(1)> & grow | more {braces} "quoted"\nline2',
    "kr": "Report ' \" < > & | { } weekly\nsecond 👨‍👩‍👧 \u202e",
    "metric": "Sales | <u>销售额</u>",
    "unit_word": "<个>",
}
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def hostile_target() -> dict[str, Any]:
    metrics = {
        "revenue": {"name": NAMES["metric"], "kind": "money"},
        "deals": {
            "name": "成交 'deals'",
            "unit": NAMES["unit_word"],
            "yields": {"revenue": "10万"},
        },
    }
    return minimal_target(
        plan={"name": NAMES["plan"]},
        metrics=metrics,
        org={
            "name": NAMES["org"],
            "lead": NAMES["lead"],
            "units": [
                {
                    "name": NAMES["unit"],
                    "roles": [
                        {
                            "role": NAMES["role"],
                            "sells": "deals",
                            "people": [NAMES["person"], NAMES["person2"]],
                            "capacity": {"deals": "30/月"},
                        }
                    ],
                },
                {
                    "name": NAMES["unit2"],
                    "roles": [
                        {
                            "role": "销售",
                            "headcount": 2,
                            "sells": "deals",
                            "capacity": {"deals": "30/月"},
                        }
                    ],
                },
            ],
        },
        objectives=[
            {
                "title": NAMES["objective"],
                "key_results": [
                    {"metric": "revenue", "weight": "50%"},
                    {"metric": "deals", "weight": "30%"},
                    {"text": NAMES["kr"], "target": "2/月", "per": "month", "weight": "20%"},
                ],
            }
        ],
        weights={"rule": "given", "step": "5%", "min": "5%"},
    )


@pytest.fixture(scope="module")
def hostile_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The plan of :func:`hostile_target`. The target-file check refuses its bidi overrides
    (test_bidi_controls_in_a_target_file_are_refused); the writers are the second line of
    defence (a hand-edited plan.json reaches them unchecked), so the check is off here."""
    tmp = tmp_path_factory.mktemp("hostile")
    target = tmp / "target.yaml"
    target.write_text(
        yaml.safe_dump(hostile_target(), allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    with mock.patch("okrplan.source.unsafe_character", return_value=None):
        result = CliRunner().invoke(cli, ["decompose", str(target), "-o", str(tmp / "plan")])
    assert result.exit_code == 0, result.output
    return tmp / "plan"


def _plain(text: str) -> str:
    """What a reader sees of a name where a line break is a space and overrides are gone."""
    return re.sub(r"\s+", " ", text.translate(dict.fromkeys(map(ord, BIDI))))


def test_plan_json_keeps_every_name_exactly(hostile_plan: Path) -> None:
    data = json.loads((hostile_plan / "plan.json").read_text("utf-8"))
    names = {node["name"] for node in data["graph"]["nodes"]}
    people = {p for node in data["graph"]["nodes"] for p in node.get("people") or []}
    for key in ("org", "unit", "unit2", "role", "objective", "kr"):
        assert NAMES[key] in names, key
    assert {NAMES["person"], NAMES["person2"]} <= people
    assert data["plan"]["name"] == NAMES["plan"]


@needs_dot
def test_dot_escapes_every_name(hostile_plan: Path) -> None:
    dot = (hostile_plan / "tree.dot").read_text("utf-8")
    labels = re.findall(r"label=(<.*>)\]?$", dot, flags=re.MULTILINE)
    assert labels
    assert "<script" not in dot and "<img" not in dot and "<b>" not in dot and "<i>" not in dot
    for escaped in (
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "&lt;b&gt;bold&lt;/b&gt;",
        "&quot;Q&quot;",
        "{a|b}",
        "&lt;img src=x onerror=alert(1)&gt;",
        "&lt;/script&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;",
        "😀🚀",
        "张\u200d三",
        "👨‍👩‍👧",
    ):
        assert escaped in dot, escaped
    assert not set(BIDI) & set(dot)  # an override would reverse the numbers drawn after it
    assert "两行<BR/>第二行" in dot  # a line break in a name is a line break in the box


@needs_dot
def test_svg_shows_names_as_text_and_runs_nothing(hostile_plan: Path) -> None:
    root = ET.parse(hostile_plan / "tree.svg").getroot()
    tags = {element.tag.rsplit("}", 1)[-1] for element in root.iter()}
    assert not tags & {"script", "foreignObject", "iframe", "img"}, tags
    attributes = {name for element in root.iter() for name in element.attrib}
    assert not any(name.lower().startswith("on") for name in attributes)
    text = "".join(
        "".join(element.itertext()) for element in root.iter() if element.tag.endswith("text")
    )
    for shown in (
        "<script>alert(1)</script>",
        "<b>bold</b>",
        "{a|b}",
        "😀🚀",
        "长长长长",
        "<img",
        "onerror=alert(1)>",
        '"quoted"',
    ):
        assert shown in text, shown


class _Tags(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse_html(text: str) -> _Tags:
    parser = _Tags()
    parser.feed(text)
    parser.close()
    return parser


def test_report_html_shows_names_as_text(hostile_plan: Path, tmp_path: Path) -> None:
    page = hostile_plan / "report.html"
    if not page.exists():
        pytest.skip("decompose writes no report.html")
    hostile = _parse_html(page.read_text("utf-8"))
    made = CliRunner().invoke(cli, ["decompose", str(SCENARIO), "-o", str(tmp_path / "plain")])
    assert made.exit_code == 0, made.output
    plain = _parse_html((tmp_path / "plain" / "report.html").read_text("utf-8"))

    def scripts(parsed: _Tags) -> int:
        return sum(1 for tag, _ in parsed.tags if tag == "script")

    assert scripts(hostile) == scripts(plain)  # only the report's own
    assert not [
        (tag, attrs)
        for tag, attrs in hostile.tags
        if tag in ("img", "iframe", "object", "embed")
        or any(name.startswith("on") for name, _ in attrs)
    ]
    text = " ".join(hostile.text)
    for shown in (
        NAMES["unit"],
        NAMES["role"],
        NAMES["org"],
        XSS,
        "<img src=x onerror=alert(1)>",
    ):  # as text: a tag would not be in the text
        assert _plain(shown) in _plain(text), shown


def _workbook_text(folder: Path) -> tuple[set[str], set[str]]:
    """Shown cell text, and the hidden ids, of the workbook in ``folder``."""
    (path,) = folder.glob("*.xlsx")
    wb = load_workbook(path)
    shown: set[str] = set()
    ids: set[str] = set()
    for ws in wb.worksheets:
        hidden = ws.sheet_state == "hidden"
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.data_type == "s":
                    (ids if hidden or cell.value.startswith(("k:", "r:", "u:")) else shown).add(
                        cell.value
                    )
    return shown, ids


def test_xlsx_holds_names_as_text(hostile_plan: Path) -> None:
    shown, ids = _workbook_text(hostile_plan / "sheets")
    for key in ("objective", "kr", "role"):
        assert NAMES[key].translate(dict.fromkeys(map(ord, BIDI))) in shown, key
    assert any(NAMES["person2"] in cell for cell in shown)  # 200 characters, whole
    assert not any(set(BIDI) & set(cell) for cell in shown)
    assert any("\u202e" in i for i in ids)  # ids read back exactly
    # formulas are okrplan's own; names only as quoted sheet references
    wb = load_workbook(next((hostile_plan / "sheets").glob("*.xlsx")))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    own = re.sub(r"'(?:[^']|'')*'!", "", str(cell.value))
                    assert "script" not in own and "alert" not in own, cell.value


def test_csv_holds_names_exactly(hostile_plan: Path) -> None:
    cells: set[str] = set()
    for path in (hostile_plan / "sheets").glob("*.csv"):
        text = path.read_text(encoding="utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        assert len({len(r) for r in rows}) == 1, path.name  # no name broke a row
        cells.update(c for r in rows for c in r)
    assert NAMES["objective"] in cells and NAMES["kr"] in cells


def _unescaped(text: str, chars: str) -> list[str]:
    return re.findall(rf"(?<!\\)[{re.escape(chars)}]", text)


def test_markdown_escapes_every_name(hostile_plan: Path) -> None:
    files = [hostile_plan / "plan.md", *sorted((hostile_plan / "sheets").glob("*.md"))]
    for path in files:
        text = path.read_text("utf-8")
        if path.name == "index.md":  # its own links: [md](<file name.md>)
            text = re.sub(r"\]\(<[^>\n]*>\)", "]()", text)
        assert not _unescaped(text, "<>"), path.name
        assert not set(BIDI) & set(text), path.name
        assert "\\<script\\>" in text or path.name != "plan.md"
        for table in re.findall(r"(?:^\|.*\|$\n?)+", text, flags=re.MULTILINE):
            widths = {len(_unescaped(line, "|")) for line in table.splitlines()}
            assert len(widths) == 1, (path.name, table)  # no name broke a table
    plan_md = (hostile_plan / "plan.md").read_text("utf-8")
    assert 'Rep {a\\|b} \\<b\\>bold\\</b\\> "q"' in plan_md
    assert LONG in plan_md and "两行 第二行" in plan_md and "👨‍👩‍👧" in plan_md


def test_bidi_controls_in_a_target_file_are_refused(tmp_path: Path) -> None:
    """A bidi override makes a name show other than it is: the target file is refused where
    it holds one (a line break is allowed: a name on two lines is drawn on two lines)."""
    text = yaml.safe_dump(hostile_target(), allow_unicode=True, sort_keys=False)
    target = tmp_path / "target.yaml"
    target.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(target)])
    assert result.exit_code == 1

    def line_of(start: str) -> int:  # the file's own line where a value starts
        return text[: text.index(start)].count("\n") + 1

    hint = (
        "    hint: delete it: it reorders the text on screen, so a name would show other than it is"
    )
    for start, key in (
        ("      - 张", "org.units[0].roles[0].people[0]"),
        ("  - name: '两行", "org.units[1].name"),
        ("  - text: 'Report", "objectives[0].key_results[2].text"),
    ):
        found = next(x for x in result.stderr.splitlines() if f" error: {key}: " in x)
        assert found.startswith(f"{target}:{line_of(start)}:"), found
        assert found.endswith(f"{key}: the text has the character U+202E (a bidi control) in it")
        assert result.stderr.split(found + "\n", 1)[1].startswith(hint)
    assert result.stderr.endswith(f"{target}：3 个问题\n")


@pytest.fixture(scope="module")
def plan_with_controls(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plan.json whose plan name was edited by hand to hold an escape sequence that clears
    the screen, a C1 CSI and a bidi override."""
    from okrplan import api

    tmp = tmp_path_factory.mktemp("controls")
    api.write_plan(api.decompose(SCENARIO), tmp / "plan", images=False, report=False)
    data = json.loads((tmp / "plan" / "plan.json").read_text("utf-8"))
    data["plan"]["name"] += "\x1b[2J\x9b\u202e"
    (tmp / "plan" / "plan.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return tmp / "plan"


UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def test_the_terminal_shows_control_characters_escaped(plan_with_controls: Path) -> None:
    # color=True: as on a terminal, where click leaves escape sequences in
    shown = CliRunner().invoke(cli, ["explain", str(plan_with_controls)], color=True)
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.startswith("A公司2015年度OKR\\u001b[2J\\u009b\\u202e：")  # as escapes
    assert not UNSAFE.search(shown.stdout)


def test_escapes_on_the_terminal_keep_json_exact() -> None:
    """What a command prints as JSON reads back to the names as they are: the escapes are
    JSON's own."""
    from okrplan.text import escape_unsafe

    names = {"name": "".join(map(chr, range(0xA0))) + "\u202a\u202e\u2066\u2069 销售"}
    printed = escape_unsafe(json.dumps(names, ensure_ascii=False))
    assert not UNSAFE.search(printed) and json.loads(printed) == names


def test_outline_index_lists_hostile_names_as_the_book_does(hostile_plan: Path) -> None:
    """A book too large for a workbook is listed by its outline: the same tabs, paths and
    names, escaped the same way, as the book's own index."""
    from okrplan.api import load_plan
    from okrplan.export.sheetfiles import outline_index, sheet_files
    from okrplan.export.sheetoutline import build_outline
    from okrplan.export.sheets import build_book

    plan = load_plan(hostile_plan)
    outline = build_outline(plan)
    book = build_book(plan, rows=False)
    assert outline.tabs == [s.tab for s in book.sheets]
    assert outline_index(outline) == sheet_files(book, ["md"], index_only=True)["index.md"]
