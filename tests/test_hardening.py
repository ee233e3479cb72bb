"""Hostile and broken inputs, end to end through the command line (see SECURITY.md).

- Bounded inputs: an alias bomb, a 70 MB file, 10,000-deep nesting, a million-unit (and a
  1.2-million-people) organisation are refused by a documented limit, in little memory; each is
  run in a fresh ``okrplan`` process, its peak resident memory measured (a generous timeout
  only guards against a hang: timings belong in benchmarks/).
- No code from input: Python tags are refused and never run; Graphviz's ``dot`` is run with an
  argument list, never a shell, and user text reaches it only on stdin.
- Hostile names: see test_hostile_names.py.
- Output locations that are missing, read-only or not a folder are a clear error.

The loader's own limits are unit-tested in test_source.py; this file runs whole commands.
"""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import minimal_target

from okrplan import source, spec
from okrplan.cli import cli
from okrplan.export import sheets

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "a-company-2015.yaml"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")

#: What a refused input may cost a fresh okrplan process at most.
REFUSAL_MB = 200


# ---------------------------------------------------------------------------------------------
# Running okrplan in a fresh process, measured


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str
    peak_mb: float  # the process's peak resident memory


# Each command runs in a process of its own, forked from a small server that has imported
# okrplan once (importing it costs a fresh process about 0.9 s of CPU, more than most refusals
# here; the server is started once per test file). A process's peak (ru_maxrss) counts the
# image it was forked from: the server's is okrplan's own modules and nothing else (about the
# 50 MB that a fresh `okrplan validate` reaches too), never pytest's.
_SERVER = """
import json, os, sys, traceback
import okrplan.api, okrplan.cli, okrplan.plan, okrplan.spec  # what the commands import

for line in sys.stdin:
    request = json.loads(line)
    pid = os.fork()
    if pid == 0:  # the command, as the console script runs it
        code = 1
        try:
            os.chdir(request["cwd"])
            for fd, name, mode in ((0, os.devnull, os.O_RDONLY),
                                   (1, request["stdout"], os.O_WRONLY | os.O_CREAT),
                                   (2, request["stderr"], os.O_WRONLY | os.O_CREAT)):
                os.dup2(os.open(name, mode), fd)
            try:
                okrplan.cli.cli.main(request["args"], prog_name="okrplan")
                code = 0
            except SystemExit as exc:  # sys.exit(code), or sys.exit(message): exit 1
                code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
                if isinstance(exc.code, str):
                    print(exc.code, file=sys.stderr)
            except BaseException:
                traceback.print_exc()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)
    _, status, usage = os.wait4(pid, 0)
    print(json.dumps([os.waitstatus_to_exitcode(status), usage.ru_maxrss]), flush=True)
"""
_server: list[subprocess.Popen[str]] = []


@pytest.fixture(scope="module", autouse=True)
def _stop_the_server() -> Iterator[None]:
    yield
    while _server:
        _server.pop().communicate(timeout=60)  # it ends when its input does


def _the_server() -> subprocess.Popen[str]:
    if not _server or _server[0].poll() is not None:
        _server[:] = [
            subprocess.Popen(
                [sys.executable, "-c", _SERVER],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                start_new_session=True,
            )
        ]
    return _server[0]


def okrplan(*args: str, cwd: Path | None = None, timeout: float = 120) -> Run:
    """Run the okrplan command in a new process, with its peak memory; ``timeout`` seconds
    (generous, for a loaded machine) only stop a hang."""
    server = _the_server()
    assert server.stdin is not None and server.stdout is not None
    with tempfile.TemporaryDirectory() as tmp:
        out, err = Path(tmp) / "stdout", Path(tmp) / "stderr"
        request = {"args": list(args), "cwd": str(cwd or Path.cwd()), "stdout": str(out)}
        server.stdin.write(json.dumps({**request, "stderr": str(err)}) + "\n")
        server.stdin.flush()
        ready, _, _ = select.select([server.stdout], [], [], timeout)
        if not ready:
            os.killpg(server.pid, signal.SIGKILL)
            server.communicate()
            raise subprocess.TimeoutExpired(["okrplan", *args], timeout)
        code, peak = json.loads(server.stdout.readline())
        return Run(
            code,
            out.read_text(encoding="utf-8"),
            err.read_text(encoding="utf-8"),
            peak / 1024,
        )


def refused(run: Run, message: str) -> None:
    """Exit 1 with ``message`` on stderr, no traceback, within the memory budget."""
    assert run.code == 1, (run.code, run.stderr[-2000:])
    assert message in run.stderr, run.stderr[-2000:]
    assert "Traceback" not in run.stderr
    assert run.peak_mb < REFUSAL_MB, f"{run.peak_mb:.0f} MB"


# ---------------------------------------------------------------------------------------------
# Bounded inputs


def _alias_bomb() -> str:
    lines = [
        "okrplan: 1",
        "plan: {name: bomb, period: 2015}",
        "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]",
    ]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 12)]
    return "\n".join(lines) + "\n"  # 10^12 values, 1 KB


def _units(count: int, people: int = 5) -> str:
    """A target of ``count`` teams of ``people`` sellers, 100 teams to a branch."""
    # written as text: dumping 10,000 units with PyYAML takes seconds
    team = "{name: 组%d, roles: [{role: 销售, headcount: %d, sells: deals}]}"
    branches = "".join(
        f"    - name: 分公司{j}\n      units:\n"
        + "".join(
            f"        - {team % (i, people)}\n" for i in range(j * 100, min(count, j * 100 + 100))
        )
        for j in range((count + 99) // 100)
    )
    head = yaml.safe_dump(minimal_target(org=None), allow_unicode=True, sort_keys=False)
    return head.replace("org: null\n", f"org:\n  name: 集团\n  units:\n{branches}")


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(_alias_bomb(), encoding="utf-8")
    for command in ("validate", "decompose"):
        run = okrplan(
            command, str(path), *(["-o", str(tmp_path / "out")] if command == "decompose" else [])
        )
        refused(run, f"this value expands to more than {source.MAX_VALUES:,} values")
        assert "hint: YAML aliases (*name) that repeat large blocks are not supported" in (
            run.stderr
        )
    assert not (tmp_path / "out").exists()


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    line = b"# " + b"x" * 97 + b"\n"
    with path.open("wb") as handle:
        for _ in range(70):
            handle.write(line * 10_000)  # 1 MB
    # 70,000,000 bytes / 2^20 = 66.76 MiB: just over the 64 MiB limit
    assert path.stat().st_size == 70_000_000 > source.MAX_BYTES
    run = okrplan("decompose", str(path), "-o", str(tmp_path / "out"))
    refused(
        run,
        f"{path}: error: the file is 66.8 MiB; okrplan reads at most "
        f"{source.MAX_BYTES // 2**20} MiB",
    )
    assert run.peak_mb < 100  # it was never read into memory


@pytest.mark.parametrize("style", ["flow", "block"])
def test_10000_deep_nesting_is_refused(tmp_path: Path, style: str) -> None:
    path = tmp_path / "deep.yaml"
    if style == "flow":
        path.write_text("okrplan: 1\norg: " + "[" * 10_000 + "]" * 10_000 + "\n")
    else:
        path.write_text("okrplan: 1\norg:\n" + "- " * 10_000 + "x\n")
    run = okrplan("validate", str(path))
    refused(run, f"error: the file nests deeper than {source.MAX_DEPTH} levels")


def test_more_values_than_the_limit_are_refused_before_they_are_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the limit is lowered: the message is the point here, and the scan that refuses the real
    # limit's 2,500,001st value costs seconds (its cost is measured in SECURITY.md)
    monkeypatch.setattr(source, "MAX_VALUES", 1_000)
    path = tmp_path / "values.yaml"
    path.write_text(
        "okrplan: 1\nplan: {name: x, period: 2015, seasonality: ["
        + ",".join(["1%"] * 2_000)
        + "]}\n"
    )
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    # values: the file's mapping, 1, plan's mapping, x, 2015, the list (6), so the 1,001st is
    # the list's 995th item, at column 45 + 3 × 994 = 3027 of line 2
    assert f"{path}:2:3027: error: the file has more than 1,000 values" in result.stderr


def test_a_million_unit_organisation_is_refused(tmp_path: Path) -> None:
    # Written out, four million units is a 72 MB file even with one-character names: over the
    # size limit (refused by its size before it is read, so the names need not differ).
    plain = tmp_path / "plain.yaml"
    with plain.open("w", encoding="utf-8") as handle:
        handle.write("okrplan: 1\norg:\n  name: 集团\n  units:\n")
        for _ in range(4):
            handle.write("    - {name: 组}\n" * 1_000_000)  # 18 bytes a line
    refused(okrplan("validate", str(plain)), "okrplan reads at most 64 MiB")
    # Repeated by aliases, a million units is a few lines: 7 values a team (the mapping, its
    # name, the roles list, the role's mapping and its 3 values), 7,000,000: over the value limit.
    teams = ", ".join(["*team"] * 1000)
    aliased = tmp_path / "aliased.yaml"
    aliased.write_text(
        "okrplan: 1\nplan: {name: x, period: 2015}\n"
        "team: &team {name: 组, roles: [{role: 销售, headcount: 1, sells: deals}]}\n"
        f"region: &region {{name: 区, units: [{teams}]}}\n"
        f"org: {{name: 集团, units: [{', '.join(['*region'] * 1000)}]}}\n",
        encoding="utf-8",
    )
    refused(okrplan("validate", str(aliased)), f"expands to more than {source.MAX_VALUES:,} values")


def test_more_units_than_the_limit_are_refused_before_validation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the limit is lowered to 1,000 (the message is the point; parsing 100,001 units costs
    # seconds, measured in SECURITY.md): 991 teams in 10 branches (99 of 100 teams, one of 91)
    # are 1,001 units under 集团, one more than the limit
    from okrplan.spec import load

    monkeypatch.setattr(load, "MAX_UNITS", 1_000)
    path = tmp_path / "units.yaml"
    path.write_text(_units(991), encoding="utf-8")
    result = CliRunner().invoke(cli, ["decompose", str(path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert (
        "error: org: the organisation has 1,001 units under 集团; okrplan plans at most 1,000 in "
        "one file" in result.stderr
    ), result.stderr
    assert "hint: split the organisation into several target files" in result.stderr
    assert not (tmp_path / "out").exists()


def test_as_many_units_as_the_limit_pass_the_size_check() -> None:
    """99,900 teams in 100 branches: 100,000 units under 集团, the limit itself (the check reads
    the parsed data: built here directly, sharing one list of teams; parsing 100,000 units
    would cost seconds)."""
    from okrplan.source import Source
    from okrplan.spec.load import size_issues

    teams = [{"name": f"组{i}", "roles": [{"role": "销售", "headcount": 5}]} for i in range(999)]
    branches = [{"name": f"分公司{j}", "units": teams} for j in range(100)]
    org = {"name": "集团", "units": branches}
    assert size_issues(Source("t.yaml", {"org": org})) == []
    org["units"] = [*branches, {"name": "分公司100"}]  # one more: 100,001
    (issue,) = size_issues(Source("t.yaml", {"org": org}))
    assert issue.message.startswith("the organisation has 100,001 units under 集团; ")


def test_a_million_people_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "people.yaml"
    path.write_text(_units(2, people=600_000), encoding="utf-8")
    run = okrplan("decompose", str(path), "-o", str(tmp_path / "out"))
    refused(
        run,
        f"the organisation has 1,200,000 people; okrplan plans at most "
        f"{spec.MAX_PEOPLE:,} in one file",
    )
    assert "hint: check the headcounts" in run.stderr


def test_a_sheet_per_person_for_a_huge_group_is_refused(tmp_path: Path) -> None:
    from okrplan.api import decompose
    from okrplan.export.planjson import to_json

    data = json.loads(to_json(decompose(SCENARIO)))
    for node in data["graph"]["nodes"]:  # a hand-edited plan.json is not checked by the spec
        if node["kind"] == "role":
            node["headcount"] = 400_000
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    run = okrplan("export", str(edited), "--per-person", "-o", str(tmp_path / "sheets"))
    refused(
        run, f"error: a sheet per person would make more than {sheets.MAX_PERSON_SHEETS:,} sheets"
    )
    assert "hint: export one unit or role at a time (--unit, --role)" in run.stderr
    assert not (tmp_path / "sheets").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe{", "error: this is not UTF-8 text (byte 0 is not UTF-8)"),
        (b"[" * 100_000 + b"]" * 100_000, "error: the JSON nests too deeply to be an okrplan plan"),
        (
            b'{"okrplan": 1, "graph": []}',
            "error: graph: expected an object with the lists nodes and edges",
        ),
        (
            b'{"okrplan": 1, "plan": [], "graph": {"nodes": [{"id": ["x"], "kind": {}}], '
            b'"edges": [{"source": "a"}]}}',
            "error: graph.nodes[0].id: expected a text id",
        ),
        (
            b'{"okrplan": 1, "graph": {"nodes": [{"id": "a", "kind": "objective", "name": "o"}], '
            b'"edges": []}}',
            "error: graph: the graph has no root unit",
        ),
    ],
    ids=["encoding", "deep", "graph", "nodes", "root"],
)
def test_a_broken_plan_json_is_refused(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "plan.json"
    path.write_bytes(content)
    for args in (
        ["explain", str(path)],
        ["render", str(path), "-f", "dot"],
        ["export", str(path), "-o", str(tmp_path / "sheets")],
    ):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 1, (args, result.output)
        assert f"{path}: {message}" in result.stderr, result.stderr
        assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.fixture(scope="module")
def plan_json(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    """A real plan's JSON (of a plan with hires, so staffing KRs too), and its directory."""
    tmp = tmp_path_factory.mktemp("plan-json")
    made = CliRunner().invoke(cli, ["decompose", str(SCENARIO), "-o", str(tmp / "plan")])
    assert made.exit_code == 0, made.output
    return json.loads((tmp / "plan" / "plan.json").read_text("utf-8")), tmp / "plan"


def _node(data: dict[str, Any], kind: str, key: str = "kind", index: int = 0) -> dict[str, Any]:
    return [n for n in data["graph"]["nodes"] if n["kind"] == kind and key in n][index]


def _edge(data: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(e for e in data["graph"]["edges"] if e["kind"] == kind)


def _set(where: Any, key: str, value: Any) -> None:
    where[key] = value


#: Hand edits of a plan.json that once stopped a command with a traceback (a wrong type, a
#: value out of range, a reference to nothing), and the message each gives now.
EDITS = {
    "kr-weight-text": (
        lambda d: _set(_node(d, "kr", "weight"), "weight", "50%"),
        "('k:A公司#1.1').weight: expected a number",
    ),
    "kr-periods-list": (
        lambda d: _set(_node(d, "kr"), "periods", [1, 2]),
        ".periods: expected an object",
    ),
    "kr-period-label": (
        lambda d: _set(_node(d, "kr"), "periods", {"2015-13": 5}),
        ".periods['2015-13']: expected a period (2015-03, 2015-Q1 or 2015-W09) as the key",
    ),
    "kr-per": (
        lambda d: _set(_node(d, "kr"), "per", "fortnight"),
        ".per: expected one of 'plan', 'quarter', 'month', 'week'",
    ),
    "kr-metric": (
        lambda d: _set(_node(d, "kr", "metric"), "metric", "profit"),
        "names the metric 'profit', which metrics does not have",
    ),
    "kr-no-owner": (lambda d: _node(d, "kr").pop("owner"), ".owner: missing"),
    "kr-owner-elsewhere": (
        lambda d: _set(_node(d, "kr"), "owner", _node(d, "role")["id"]),
        # format 2 draws the owns edge from the owner: the KR's objective is then another's
        ".objective: expected the id of an objective of the same owner",
    ),
    "role-headcount-text": (
        lambda d: _set(_node(d, "role"), "headcount", "5"),
        ".headcount: expected a whole number from 0 to 1,000,000",
    ),
    "role-headcount-negative": (
        lambda d: _set(_node(d, "role"), "headcount", -3),
        ".headcount: expected a whole number from 0 to 1,000,000",
    ),
    "role-quota-null": (
        lambda d: _set(_node(d, "role", "quota"), "quota", None),
        ".quota: expected a number",
    ),
    "role-people-names": (
        lambda d: _set(_node(d, "role"), "people", [{"name": "王"}]),
        ".people[0]: expected text",
    ),
    "role-ramp-dropped": (
        lambda d: _node(d, "role", "ramp").pop("ramp"),
        ".ramp: missing (a role with a quota has",
    ),
    "unit-path": (
        lambda d: _set(_node(d, "unit", index=1), "path", ["别的公司", "销售部"]),
        ".path: expected the names of the units above it",
    ),
    "unit-supports": (
        lambda d: _set(_node(d, "unit"), "supports", "visits"),
        ".supports: expected an object with metric, share",
    ),
    "objective-detail": (
        lambda d: _set(_node(d, "objective"), "detail", 3),
        ".detail: expected text",
    ),
    "plan-months": (
        lambda d: _set(d["plan"], "months", ["2015-01", "2015-03"]),
        "plan.months: expected a list of consecutive months (YYYY-MM)",
    ),
    "plan-locale": (
        lambda d: _set(d["plan"], "locale", "fr"),
        "plan.locale: expected one of 'zh-CN', 'en'",
    ),
    "plan-kpi": (lambda d: d["plan"]["kpi"].pop("base"), "plan.kpi.base: missing"),
    "solver-status": (
        lambda d: _set(d["solver"], "status", "OK"),
        "solver.status: expected one of 'optimal', 'feasible', 'infeasible'",
    ),
    "solver-stretch": (
        lambda d: _set(d["solver"], "stretch", "1.2"),
        "solver.stretch: expected a number",
    ),
    "solver-hires": (
        lambda d: _set(d["solver"], "hires", {"r:nobody": 2}),
        "solver.hires: names 'r:nobody', which is not a role of the plan",
    ),
    "solver-relaxations": (
        lambda d: _set(d["solver"], "relaxations", ["lower the target"]),
        "solver.relaxations[0]: expected an object with kind, subject, message, current, needed",
    ),
    "metric-kind": (
        lambda d: _set(d["metrics"]["revenue"], "kind", "currency"),
        "metrics['revenue'].kind: expected one of 'count', 'money', 'share'",
    ),
    "metric-yields": (
        lambda d: _set(d["metrics"]["calls"], "yields", {"meetings": 0.5}),
        "metrics['calls'].yields: names 'meetings', which metrics does not have",
    ),
    "edge-kind": (
        lambda d: _set(_edge(d, "contains"), "kind", "has"),
        ".kind: expected one of aligns, contains, drives, measures, owns, supports",
    ),
    "edge-ends": (
        lambda d: _set(_edge(d, "aligns"), "kind", "contains"),
        "a contains edge joins a unit to a unit/role",
    ),
    "aligns-down": (
        lambda d: _edge(d, "aligns").update(
            source=_edge(d, "aligns")["target"], target=_edge(d, "aligns")["source"]
        ),
        "an aligns edge goes from a KR to a KR of a unit above its owner",
    ),
    "contains-cycle": (
        lambda d: d["graph"]["edges"].append(
            {
                "kind": "contains",
                "source": _node(d, "unit", index=1)["id"],
                "target": _node(d, "unit")["id"],
            }
        ),
        "graph: the graph has no root unit",
    ),
    "multigraph": (
        lambda d: _set(d["graph"], "multigraph", True),
        "graph: expected directed: true and multigraph: false",
    ),
    "huge-number": (
        lambda d: _set(_node(d, "role", "quota"), "quota", 10**40),
        ".quota: expected a number (at most 1e18 in size)",
    ),
}


@pytest.mark.parametrize("name", sorted(EDITS))
def test_a_hand_edited_plan_json_is_an_input_error(
    plan_json: tuple[dict[str, Any], Path], tmp_path: Path, name: str
) -> None:
    """Every command that reads a plan.json names the file, the key and what it expects, and
    says how to make a good plan.json again: never a traceback."""
    original, folder = plan_json
    data = json.loads(json.dumps(original))
    edit, message = EDITS[name]
    edit(data)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    (workbook,) = (folder / "sheets").glob("*.xlsx")
    actuals = tmp_path / "actuals.csv"
    actuals.write_text("kr,period,actual\nk:A公司#1.1,plan,100\n", encoding="utf-8")
    for args in (
        ["render", str(path), "-f", "dot"],
        ["explain", str(path)],
        ["report", str(path)],
        ["export", str(path), "-o", str(tmp_path / "sheets")],
        ["score", str(path), str(actuals)],
        ["import-actuals", str(workbook), "--plan", str(path)],
    ):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 1, (args, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert f"{path}: error: " in result.stderr, result.stderr
        assert message in result.stderr, result.stderr
        assert "hint: re-make plan.json from its target file with `okrplan decompose" in (
            result.stderr
        )
    assert not (tmp_path / "sheets").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{"okrplan": 1, "graph": {"nodes": [], "edges": []}, "x": NaN}',
            "not a plan okrplan wrote: NaN is not a number a plan holds",
        ),
        (
            '{"okrplan": 1, "graph": {"nodes": [], "edges": []}, "x": -Infinity}',
            "not a plan okrplan wrote: -Infinity is not a number a plan holds",
        ),
        (
            '{"okrplan": 1, "graph": {"nodes": [], "edges": []}, "x": ' + "9" * 5000 + "}",
            "not a plan okrplan wrote: a number has more than 4300 digits",
        ),
    ],
    ids=["nan", "infinity", "5000-digits"],
)
def test_json_numbers_no_plan_holds_are_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "plan.json"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["explain", str(path)])
    assert result.exit_code == 1, result.output
    assert f"{path}: error: {message}" in result.stderr, result.stderr


# ---------------------------------------------------------------------------------------------
# No code from input


@pytest.mark.parametrize(
    "tagged",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/object/new:subprocess.Popen [[touch, '{marker}']]",
        "!!python/name:os.system",
        "!!python/module:os",
        "!!binary aGVsbG8=",
        "!custom 'x'",
    ],
)
def test_tags_are_refused_and_never_run(tmp_path: Path, tagged: str) -> None:
    marker = tmp_path / "pwned"
    text = SCENARIO.read_text("utf-8").replace(
        "  name: A公司2015年度OKR", f"  name: {tagged.format(marker=marker)}"
    )
    path = tmp_path / "target.yaml"
    path.write_text(text, encoding="utf-8")
    tag = tagged.split()[0].removeprefix("!!")
    for args in (["validate", str(path)], ["decompose", str(path), "-o", str(tmp_path / "o")]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 1, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert re.search(
            rf"target.yaml:\d+:\d+: error: plan\.name: the tag !*{re.escape(tag)} "
            r"is not allowed",
            result.stderr,
        ), result.stderr
    assert not marker.exists()


def test_no_unsafe_calls_in_the_package() -> None:
    """The loader is the safe one, nothing evaluates text, and no command goes via a shell."""
    unsafe = re.compile(
        r"shell\s*=\s*True|os\.system\(|os\.popen\(|\beval\(|\bexec\(|pickle|"
        r"yaml\.load\(|yaml\.unsafe_load|yaml\.full_load|FullLoader|UnsafeLoader|"
        r"Loader=yaml\.Loader|marshal"
    )
    found = [
        f"{p.relative_to(ROOT)}:{n}: {line.strip()}"
        for p in sorted((ROOT / "okrplan").rglob("*.py"))
        for n, line in enumerate(p.read_text("utf-8").splitlines(), start=1)
        if unsafe.search(line)
    ]
    assert found == []


@needs_dot
def test_dot_is_run_without_a_shell_and_user_text_only_on_stdin(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from okrplan.render import render_image

    calls: list[tuple[Any, dict[str, Any]]] = []
    real = subprocess.Popen

    def spy(args: Any, *rest: Any, **kwargs: Any) -> Any:
        calls.append((args, kwargs))
        return real(args, *rest, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", spy)
    hostile = 'x\'; touch /tmp/okrplan-pwned; echo "$(id)" `id` | cat > /tmp/p'
    text = (
        "digraph g { n [label=<"
        + hostile.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        + ">] }\n"
    )
    assert render_image(text, "svg").startswith(b"<?xml")
    assert calls, "dot was not run through subprocess"
    for args, kwargs in calls:
        assert isinstance(args, list | tuple) and Path(str(args[0])).name == "dot", args
        assert not kwargs.get("shell"), kwargs
        assert not any("touch" in str(a) or "okrplan-pwned" in str(a) for a in args), args
    assert not Path("/tmp/okrplan-pwned").exists()


# ---------------------------------------------------------------------------------------------
# Output locations


@pytest.fixture(scope="module")
def small_target(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("small") / "target.yaml"
    path.write_text(yaml.safe_dump(minimal_target(), allow_unicode=True), encoding="utf-8")
    return path


def _read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder this process cannot write in: mode 555, or (for root, whom modes do not stop)
    sysfs, which nobody can make folders in."""
    if os.geteuid() != 0:
        folder = tmp_path / "read-only"
        folder.mkdir()
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
    elif Path("/sys/kernel").is_dir():
        yield Path("/sys/kernel")
    else:  # pragma: no cover
        pytest.skip("no read-only folder to try")


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[Path]:
    yield from _read_only_folder(tmp_path)


def test_read_only_output_location_is_a_clear_error(small_target: Path, read_only: Path) -> None:
    for args, message in (
        (
            ["decompose", str(small_target), "-o", str(read_only / "plan")],
            f"Error: cannot write in {read_only}: ",
        ),
        (
            ["export", str(small_target), "-o", str(read_only / "sheets")],
            f"Error: cannot make the folder {read_only / 'sheets'}: ",
        ),
        (["schema", "-o", str(read_only / "schema.json")], f"Error: cannot write in {read_only}: "),
        (
            ["render", str(small_target), "-o", str(read_only / "tree.dot")],
            f"Error: cannot write in {read_only}: ",
        ),
    ):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 1, (args, result.output)
        assert result.stderr.startswith(message), (args, result.stderr)
        assert result.exception is None or isinstance(result.exception, SystemExit)


def test_missing_output_location_is_a_clear_error(small_target: Path, tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such"
    for args, message in (
        (
            ["decompose", str(small_target), "-o", str(missing / "plan")],
            f"Error: the folder {missing} does not exist\n",
        ),
        (
            ["export", str(small_target), "-o", str(missing / "sheets")],
            f"Error: the folder {missing} does not exist\n",
        ),
        (["init", str(missing / "t.yaml")], f"Error: the folder {missing} does not exist\n"),
    ):
        result = CliRunner().invoke(cli, args)
        assert (result.exit_code, result.stderr) == (1, message), args


def test_output_location_that_is_a_file_is_a_clear_error(
    small_target: Path, tmp_path: Path
) -> None:
    file = tmp_path / "taken"
    file.write_text("mine")
    result = CliRunner().invoke(cli, ["decompose", str(small_target), "-o", str(file)])
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: {file} exists and is not a directory; choose another -o\n",
    )
    result = CliRunner().invoke(cli, ["schema", "-o", str(tmp_path), "--force"])
    assert result.exit_code == 2  # click refuses a folder for a file option
    assert file.read_text() == "mine"


def test_an_existing_output_is_refused_before_the_plan_is_made(
    small_target: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A 100,000-person plan takes seconds to make: the planner hears at once that -o exists.
    out = tmp_path / "plan"
    out.mkdir()
    (out / "notes.md").write_text("mine")

    def never(*_: object, **__: object) -> None:
        raise AssertionError("the plan was made for an output that is refused")

    monkeypatch.setattr("okrplan.api.decompose", never)
    result = CliRunner().invoke(cli, ["decompose", str(small_target), "-o", str(out)])
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: {out} already exists; pass --force to replace it\n",
    )
    assert [p.name for p in out.iterdir()] == ["notes.md"]
