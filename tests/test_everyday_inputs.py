"""Everyday inputs that once validated and then failed later, or ended in a traceback (issue 15).

Each reproduction asserts okrplan's exact message and exit code: the validator refuses with
file:line, key path and hint what decompose could not plan or plan.json could not hold.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from book_cache import same_books_same_bytes  # noqa: F401  (a fixture)
from click.testing import CliRunner, Result
from conftest import dump, minimal_target
from test_bad_files import edit

from okrplan.cli import cli
from okrplan.export.planjson import REMAKE_HINT
from okrplan.model import MAX_NUMBER
from okrplan.spec import MAX_PLANNED

# equal books (the same scenario written again) are written to .xlsx bytes once per module
pytestmark = pytest.mark.usefixtures("same_books_same_bytes")


def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    monkeypatch.chdir(tmp_path)
    return CliRunner().invoke(cli, list(args))


def validate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> Result:
    (tmp_path / "bad.yaml").write_text(text, encoding="utf-8")
    return run(tmp_path, monkeypatch, "validate", "bad.yaml")


def refused(result: Result, error: str, hint: str) -> None:
    """Exit 1, no traceback, and exactly this one problem on stderr."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1, result.output
    assert result.stderr == f"{error}\n    hint: {hint}\nbad.yaml：1 个问题\n"


# --- magnitudes beyond what plan.json stores ------------------------------------------------


def test_the_validator_bound_is_plan_jsons() -> None:
    assert MAX_PLANNED == MAX_NUMBER


def test_huge_yield_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = edit(("yields: {revenue: 20万}", "yields: {revenue: 20000000000000万}"))
    refused(
        validate(tmp_path, monkeypatch, text),
        "bad.yaml:26:11: error: org.units[0].roles[0].capacity: 销售岗's capacity would carry "
        "about 7.97e+19 of revenue, beyond what a plan holds (10^18)",
        "check the capacity, the headcount and the yields of the funnel from deals to revenue",
    )


@pytest.mark.parametrize(
    ("written", "shown"),
    [("5000000000000000000", "5000000000000000000"), ("1e28", "'1e28'")],
    ids=["5e18", "1e28"],
)
def test_huge_deduction_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, written: str, shown: str
) -> None:
    text = edit(
        ("weight: 5%}", f"weight: 5%}}\n      - {{text: 有效投诉案例, deduction: {written}}}")
    )
    refused(
        validate(tmp_path, monkeypatch, text),
        f"bad.yaml:41:35: error: objectives[0].key_results[3].deduction: must be at most 10^18, "
        f"got {shown}",
        "A 减分项: points subtracted per case, e.g. 5",
    )


def test_kpi_buffered_beyond_the_bound_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = edit(("target: 8000万", "target: 1000000000000000000"))
    refused(
        validate(tmp_path, monkeypatch, text),
        "bad.yaml:9:11: error: kpi.target: the KPI with a buffer of 10% on each of 2 levels "
        "reaches 1.21e+18, beyond what a plan holds (10^18)",
        "check the target's digits and unit (万, 亿), and plan.buffer",
    )


def test_a_large_plan_within_the_bound_is_read_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What validates decomposes, and every other command reads the plan.json it wrote."""
    text = edit(("target: 8000万", "target: 8000亿"), ("revenue: 20万", "revenue: 2000亿"))
    (tmp_path / "big.yaml").write_text(text, encoding="utf-8")
    assert run(tmp_path, monkeypatch, "validate", "big.yaml").exit_code == 0
    made = run(tmp_path, monkeypatch, "decompose", "big.yaml", "-o", "plan")
    assert made.exit_code in (0, 3), made.output
    report = run(tmp_path, monkeypatch, "report", "plan/plan.json", "-o", "r.html")
    assert report.exit_code == 0, report.output


# --- inputs that ended in a traceback --------------------------------------------------------


@pytest.fixture(scope="module")
def plan_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plan decomposed from the bad-files base target."""
    folder = tmp_path_factory.mktemp("plan")
    (folder / "base.yaml").write_text(edit(("8000万", "5000万")), encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["decompose", str(folder / "base.yaml"), "-o", str(folder / "plan"), "-q"]
    )
    assert result.exit_code == 0, result.output
    return folder / "plan"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("okrplan: !!bool maybe\n", "bad.yaml:1:10: error: okrplan: 'maybe' is not a valid !!bool"),
        ("!!bool\n", "bad.yaml:1:1: error: (top level): '' is not a valid !!bool"),
    ],
    ids=["bool-maybe", "bool-nothing"],
)
def test_bad_bool_tag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, error: str
) -> None:
    refused(
        validate(tmp_path, monkeypatch, text),
        f"{error} value",
        "write the value without the tag, or fix it",
    )


def edited_plan(plan_dir: Path, tmp_path: Path, change: Any) -> Path:
    data = json.loads((plan_dir / "plan.json").read_text(encoding="utf-8"))
    change(data)
    (tmp_path / "plan.json").write_text(json.dumps(data), encoding="utf-8")
    return tmp_path / "plan.json"


def test_lone_surrogate_in_plan_json(
    plan_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edited_plan(plan_dir, tmp_path, lambda data: data["plan"].update(name="A\ud800B"))
    result = run(tmp_path, monkeypatch, "export", "plan.json", "-o", "out")
    assert result.exit_code == 1
    assert result.stderr == (
        "plan.json: error: not a plan okrplan wrote: a text holds half of a UTF-16 pair "
        "(an escape \\ud800 to \\udfff on its own), which is no character\n"
        f"    hint: {REMAKE_HINT}\n1 problem found\n"
    )


def test_too_many_months_in_plan_json(
    plan_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    months = [f"{2015 + i // 12}-{i % 12 + 1:02d}" for i in range(100_000 // 12 * 12)]
    edited_plan(plan_dir, tmp_path, lambda data: data["plan"].update(months=months))
    result = run(tmp_path, monkeypatch, "export", "plan.json", "-o", "out")
    assert result.exit_code == 1
    assert result.stderr == (
        "plan.json: error: plan.months: 99,996 months; a plan covers at most 36\n"
        f"1 problem found\n    hint: {REMAKE_HINT}\n"
    )


def test_file_names_in_utf8_under_the_c_locale(plan_dir: Path, tmp_path: Path) -> None:
    """With LC_ALL=C and UTF-8 mode off, Python's file names are ASCII: okrplan still writes
    its Chinese file names, in UTF-8, and recognises them as its own when it writes the plan
    again (`decompose --force` over it replaces them)."""
    env = {**os.environ, "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": "utf-8"}
    env.pop("LANG", None)
    # no `dot` on the PATH: the tree's images have ASCII names, and drawing them twice in a
    # fresh process (no drawing shared with the other tests) is most of this test's time
    env["PATH"] = str(tmp_path / "no-dot")
    # the commands one after another in one process, as the console script would run each
    code = """
import json, sys
from okrplan.cli import cli
assert sys.getfilesystemencoding() == "ascii", sys.getfilesystemencoding()
for args in json.loads(sys.argv[1]):
    try:
        cli.main(args, prog_name="okrplan")
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise
"""
    target = str(plan_dir.parent / "base.yaml")
    commands = [
        ["decompose", target, "-o", "plan", "-q"],
        ["export", str(plan_dir / "plan.json"), "-o", "sheets", "--format", "md"],  # names only
        ["decompose", target, "-o", "plan", "-q", "--force"],
    ]
    done = subprocess.run(
        [sys.executable, "-c", code, json.dumps(commands)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
    )
    assert done.returncode == 0, done.stderr.decode()
    written = os.listdir(bytes(tmp_path / "plan" / "sheets"))
    assert "销售部-销售岗.md".encode() in written
    assert not [name for name in written if b".okrplan" in name]  # nothing left over
    assert "销售部-销售岗.md".encode() in os.listdir(bytes(tmp_path / "sheets"))


# --- diagrams: what would draw an empty table ------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "error", "hint"),
    [
        (
            "at: [role]",
            "at: []",
            "bad.yaml:34:9: error: objectives[0].at: must not be empty",
            "name the levels, e.g. at: [unit, role], or leave at: out for all three",
        ),
        (
            "roles: [销售岗]",
            "roles: []",
            "bad.yaml:35:12: error: objectives[0].roles: must not be empty",
            "name the roles, e.g. roles: [销售岗], or leave roles: out for all",
        ),
    ],
    ids=["at", "roles"],
)
def test_empty_selection_on_an_objective(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str, error: str, hint: str
) -> None:
    refused(validate(tmp_path, monkeypatch, edit((old, new))), error, hint)


def test_nobody_anywhere_draws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every headcount 0: an infeasible plan (exit 3) with its diagram, not a dot syntax error."""
    text = edit(("headcount: 10", "headcount: 0"), ("headcount: 3", "headcount: 0"))
    (tmp_path / "zero.yaml").write_text(text, encoding="utf-8")
    result = run(tmp_path, monkeypatch, "decompose", "zero.yaml", "-o", "plan")
    assert result.exit_code == 3, result.output
    assert "syntax error" not in result.output
    assert (tmp_path / "plan" / "tree.svg").is_file()


@pytest.mark.parametrize("command", ["render", "report"])
def test_plan_without_a_name_draws(
    plan_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    edited_plan(plan_dir, tmp_path, lambda data: data["plan"].update(name=""))
    output = "tree.svg" if command == "render" else "report.html"
    result = run(tmp_path, monkeypatch, command, "plan.json", "-o", output)
    assert result.exit_code == 0, result.output
    assert result.stderr == f"已写入 {output}\n"  # the plan is zh-CN


# --- only regular files are read --------------------------------------------------------------


def not_regular(name: str, summary: str) -> str:
    return (
        f"{name}: error: this is not a regular file (a device, pipe or socket)\n"
        f"    hint: save the data to a file and pass that\n{summary}\n"
    )


@pytest.mark.parametrize(
    ("command", "name"),
    [
        *(("validate", name) for name in ("/dev/zero", "/dev/stdin", "fifo.yaml")),
        *(("render", name) for name in ("/dev/zero", "/dev/stdin", "fifo.yaml", "fifo.json")),
    ],
)
def test_devices_and_pipes_are_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str, name: str
) -> None:
    if not name.startswith("/"):
        os.mkfifo(tmp_path / name)  # opened for reading, it would wait for a writer forever
    args = ["validate", name] if command == "validate" else ["render", name, "-o", "t.svg"]
    result = run(tmp_path, monkeypatch, *args)
    assert result.exit_code == 1
    summary = f"{name}：1 个问题" if command == "validate" else "1 problem found"
    assert result.stderr == not_regular(name, summary)


# --- looseness ---------------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["true", "1.0"])
def test_the_format_version_is_the_integer_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, written: str
) -> None:
    # true and 1.0 equal 1 in Python; a target file of format 1 says 1
    refused(
        validate(tmp_path, monkeypatch, f"okrplan: {written}\nplan: {{name: p, period: 2015}}\n"),
        f"bad.yaml:1:10: error: okrplan: this file is format {written}; this okrplan reads "
        "format 1",
        "set okrplan: 1, or upgrade okrplan",
    )


def test_a_market_of_size_0_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a share of a market of 0 is a plan of zeros: refused like a target of 0
    text = (
        "okrplan: 1\n"
        "plan: {name: p, period: 2015}\n"
        "kpi: {metric: share, target: {from: 10%, change: +1pp}}\n"
        "metrics:\n"
        "  revenue: {name: 销售额, kind: money}\n"
        "  deals: {name: 成交, yields: {revenue: 10万}}\n"
        "  share: {name: 份额, kind: share, share_of: {revenue: 0}}\n"
        "org: {name: 公司, units: [{name: 销售部, roles: [\n"
        "  {role: 销售, headcount: 5, sells: deals}]}]}\n"
    )
    refused(
        validate(tmp_path, monkeypatch, text),
        "bad.yaml:7:54: error: metrics.share.share_of.revenue: the market size must be above 0 "
        "(a share of nothing plans nothing)",
        "write the market's size, e.g. share_of: {revenue: 40亿}",
    )


@pytest.mark.parametrize("length", [242, 250, 255])
def test_an_output_name_of_any_allowed_length_is_written(
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    length: int,
) -> None:
    # the temporary names beside it (.NAME.new-xxxxxxxx) must fit where NAME fits (255 bytes);
    # what the plan holds does not matter here: the smallest plan is written (every kind of
    # file, sheets, images and the report, in a fraction of the shipped scenario's time)
    scenario = tmp_path_factory.mktemp("target") / "target.yaml"
    scenario.write_text(dump(minimal_target()), encoding="utf-8")
    name = "p" * length
    for extra in ([], ["--force"]):  # a new folder, then one replaced
        done = run(tmp_path, monkeypatch, "decompose", str(scenario), "-o", name, "-q", *extra)
        assert done.exit_code == 0, done.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # no temporary left behind


def test_a_long_name_is_shortened_like_a_short_one() -> None:
    # the middle of a name is cut to fit; with 32,000 characters as with 12 (a binary search,
    # the same cut the character-by-character search made)
    from okrplan.export.names import shorten

    assert shorten("华东区域大客户销售部一二", 7) == "华东区…部一二"
    long = "华" * 16_000 + "东" * 16_000
    assert shorten(long, 9) == "华华华华…东东东东"
