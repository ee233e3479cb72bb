"""The scale benchmark at a small size, so that it cannot rot (the real run is
`python benchmarks/run.py`; its numbers are in the README, not asserted here)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from okrplan.spec import load_spec

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
sys.path.insert(0, str(BENCH))

import synth  # noqa: E402


def test_the_synthetic_organisation_is_deterministic_and_valid(tmp_path: Path) -> None:
    text = synth.synth(300, 7)
    assert text == synth.synth(300, 7) != synth.synth(300, 8)
    target = tmp_path / "synthetic.yaml"
    target.write_text(text, encoding="utf-8")
    spec = load_spec(target)
    assert max(len(unit.names) for unit in spec.units) == 5  # five levels
    assert sum(role.headcount for role in spec.roles) == 300
    sells = {ref.role.sells for ref in spec.roles if ref.role.sells}
    assert {"deals", "channels"} <= sells  # direct and channel roles
    for feature in ("supports:", "seasonality:", "ramp:", "hire: true", "quota:"):
        assert feature in text, feature


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str]:
    """benchmarks/run.py's main in this process (it starts the CLI and `okrplan --help` in
    fresh processes all the same; the stages' child runs here too): two interpreters and
    okrplan's imports fewer than running the script."""
    import contextlib
    import functools
    import io
    import time
    import warnings
    from unittest import mock

    import run

    from okrplan import plandir

    def child_here(args: list[str], timeout: float | None = None) -> tuple[dict, float]:
        """``run._child`` in this process: the stages' child is run.main with the same
        arguments, its JSON line read the same way (an interpreter and okrplan's imports
        fewer; it sets plandir.BESIDE_FROM for itself, put back after)."""
        started, out = time.perf_counter(), io.StringIO()
        with (
            contextlib.redirect_stdout(out),
            mock.patch.object(plandir, "BESIDE_FROM", plandir.BESIDE_FROM),
        ):
            assert run.main(args) == 0
        lines = [line for line in out.getvalue().splitlines() if line.startswith("{")]
        return json.loads(lines[-1]), time.perf_counter() - started

    out = tmp_path_factory.mktemp("bench") / "results.json"
    table = io.StringIO()
    with (
        contextlib.redirect_stdout(table),
        warnings.catch_warnings(),
        mock.patch.object(run, "_child", child_here),
        # the console script's memory sampled every 0.1 s, not 0.02: its figure is not asserted
        mock.patch.object(run, "tree_run", functools.partial(run.tree_run, every=0.1)),
    ):
        # PuLP 3 warns of its own API's future (the naive model is benchmarks/naive.py's)
        warnings.simplefilter("ignore", DeprecationWarning)
        code = run.main(
            [
                "--sizes",
                "100",  # hires, support units, ramps and quotas already (see synth.py)
                "--naive-max",
                "100",
                "--naive-time-limit",
                "60",
                "--quiet",
                "--quick",  # every stage once: the timings are not asserted
                "--json",
                str(out),
            ]
        )
    assert code == 0
    return json.loads(out.read_text(encoding="utf-8")), table.getvalue()


def test_the_benchmark_prints_the_table(results: tuple[dict, str]) -> None:
    data, table = results
    lines = table.splitlines()
    assert lines[0].startswith(
        "| people | units · groups | end to end s (median) | load s | solve s"
    )
    row = [cell.strip() for cell in lines[2].strip("|").split("|")]
    assert row[0] == "100" and len(row) == len(lines[0].strip("|").split("|"))
    # the --help check is listed (its ✅ or ❌ is the benchmark's verdict, not a test's)
    assert any("`okrplan --help`" in line for line in lines)
    (measured,) = data["rows"]
    stages = measured["stages"]
    assert set(stages) == {
        "load",
        "solve",
        "rounding",
        "graph",
        "plan.json",
        "plan.md + tree",
        "sheets",
        "report",
        "write",
    }
    assert all(seconds >= 0 for seconds in stages.values())
    assert sum(stages.values()) <= measured["total"] + 0.05
    assert measured["status"] == "optimal" and measured["peak_mb"] > 0


def test_the_floor_finds_okrplans_stretch(results: tuple[dict, str]) -> None:
    """Water-filling in floats and okrplan's exact split agree on every region's level."""
    floor = results[0]["rows"][0]["floor"]
    assert floor["agrees"] and floor["groups"] > 0


def test_the_naive_model_finds_okrplans_hires(results: tuple[dict, str]) -> None:
    """One variable per person, and one per group, in PuLP + CBC, solved independently: the
    same fewest hires."""
    measured = results[0]["rows"][0]
    for per in ("person", "group"):
        naive = measured[f"naive_{per}"]
        assert naive["status"] == "optimal"
        assert naive["hires"] == measured["hires"] > 0
        assert naive["people"] <= measured["people"]


def test_hires_name_their_unit_unambiguously(tmp_path: Path) -> None:
    """Many units of a large organisation share a name (营业部01): the summary gives the path."""
    from click.testing import CliRunner

    from okrplan.cli import cli

    target = tmp_path / "synthetic.yaml"
    target.write_text(synth.synth(100, 1), encoding="utf-8")  # two names are shared already
    done = CliRunner().invoke(cli, ["decompose", str(target), "-o", str(tmp_path / "plan")])
    assert done.exit_code == 0, done.output
    spec = load_spec(target)
    names = [unit.names[-1] for unit in spec.units]
    paths = {"/".join(unit.names[1:]) for unit in spec.units}
    # "  招聘 3 名销售岗（营业部01）": the summary is in the plan's language
    lines = [line for line in done.stderr.splitlines() if line.startswith("  招聘 ")]
    assert lines
    wheres = [line.rsplit("（", 1)[1].rstrip("）") for line in lines]
    assert any(names.count(where.rsplit("/", 1)[-1]) > 1 for where in wheres)  # a shared name
    for where in wheres:
        assert names.count(where) == 1 or (where in paths and names.count(where.split("/")[-1]) > 1)


def test_every_stage_is_set_beside_its_floor(results: tuple[dict, str]) -> None:
    """benchmarks/floors.py measured in the stages' process; the floor table lists each stage."""
    data, table = results
    floors = data["rows"][0]["floors"]
    assert set(floors) == {"load", "graph", "plan.json", "plan.md + tree", "sheets", "write"}
    assert all(seconds >= 0 for seconds in floors.values())
    assert "| stage | 100: CPU s · floor s · ÷ |" in table
    assert any(line.startswith("| report | ") and "· — · —" in line for line in table.splitlines())
