"""Same target file, same outputs: byte for byte, whatever the hash seed or working directory.

Two `okrplan decompose` runs in fresh processes, one with ``PYTHONHASHSEED=0`` in one folder,
one with ``PYTHONHASHSEED=12345`` in another, must write identical plan directories: every file
byte-identical (plan.json, tree.dot, plan.md, the sheets' CSV and Markdown, the images and the
report), and the workbooks equal cell by cell (sheet order and visibility; value, type,
formula and number format of every cell, hidden sheets included; merged cells). Each run then
reads its plan.json back (as later commands do, with the same seed): a sheet per person
(`export --per-person`), the KR view of the tree (`render --view kr`) and scores
(`score -o scores.csv`) must be identical too. Each seed's commands run one after another
in one fresh process (each command reads its input from disk all the same, and the two
processes differ in hash seed and folder), to spare the machine six interpreter starts.
The tree's images (Graphviz's layout of the DOT text, and the report's embedded SVG) are
compared for the first scenario only: the second runs without ``dot`` on the PATH (tree.dot
only), which spares each process a layout that adds nothing the first one does not check.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ["a-company-2015", "chip-market-share"]  # hires and a ramp; named people, a share
IMAGES = {"a-company-2015": True, "chip-market-share": False}  # images drawn once (see above)
SEEDS = ("0", "12345")


# Runs okrplan in this process as the console script would: for each folder, decompose its
# target.yaml (with images, or with no `dot` on the PATH), type an actual for the first KR of
# the first sheet, then read the plan back; the first command that exits other than 0 ends it
# with that exit status.
_COMMANDS = """
import json, os, sys
from pathlib import Path
from okrplan.cli import cli

def run(args):
    try:
        cli.main(args, prog_name="okrplan")
    except SystemExit as exc:
        if exc.code not in (0, None):
            print(f"okrplan {' '.join(args)}: exit {exc.code}", file=sys.stderr)
            raise

PATH = os.environ.get("PATH", "")
for folder, images in json.loads(sys.argv[1]):
    os.environ["PATH"] = PATH if images else ""
    os.chdir(folder)
    run(["decompose", "target.yaml", "-o", "plan", "-q"])
    first = sorted(Path("plan/sheets").glob("*.csv"))[0].read_text("utf-8-sig").splitlines()
    kr = next(line.split(",")[-1] for line in first[1:] if line.split(",")[-1].startswith("k:"))
    Path("actuals.csv").write_text(f"kr,period,actual\\n{kr},plan,100\\n", encoding="utf-8")
    run(["export", "plan", "-o", "plan/people", "--per-person"])
    run(["render", "plan", "--view", "kr", "-f", "dot", "-o", "plan/kr.dot"])
    run(["score", "plan", "actuals.csv", "-o", "plan/scores.csv"])
"""


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    """Each scenario decomposed and read back twice, once per hash seed, the two seeds' runs
    at once in two fresh processes: {scenario: [plan dir, plan dir]}."""
    started: list[subprocess.Popen[bytes]] = []
    out: dict[str, list[Path]] = {}
    for seed in SEEDS:
        folders = []
        for name in SCENARIOS:
            folder = tmp_path_factory.mktemp(f"{name}-seed{seed}")
            shutil.copy(ROOT / "scenarios" / f"{name}.yaml", folder / "target.yaml")
            folders.append((str(folder), IMAGES[name]))
            out.setdefault(name, []).append(folder / "plan")
        started.append(
            subprocess.Popen(
                [sys.executable, "-c", _COMMANDS, json.dumps(folders)],
                env={**os.environ, "PYTHONHASHSEED": seed},
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        )
    for process in started:
        err = process.communicate(timeout=600)[1]
        assert process.returncode == 0, (process.args, err.decode())
    return out


def files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def cells(path: Path) -> list[tuple[str, str, list[str], list[tuple[Any, ...]]]]:
    """Every sheet in order: title, visibility, merged ranges, and each cell that has a value
    with its type and number format (a formula is its text)."""
    workbook = load_workbook(path)
    return [
        (
            ws.title,
            ws.sheet_state,
            sorted(str(r) for r in ws.merged_cells.ranges),
            [
                (c.coordinate, c.data_type, c.value, c.number_format)
                for row in ws.iter_rows()
                for c in row
                if c.value is not None
            ],
        )
        for ws in workbook.worksheets
    ]


@pytest.mark.parametrize("name", SCENARIOS)
def test_two_runs_write_the_same_plan(runs: dict[str, list[Path]], name: str) -> None:
    first, second = runs[name]
    names = files(first)
    assert names == files(second)
    assert {"plan.json", "plan.md", "tree.dot", "kr.dot", "scores.csv"} <= set(names)
    assert ({"tree.png", "tree.svg"} <= set(names)) == IMAGES[name]
    assert any(n.startswith("people/") and n.endswith(".csv") for n in names)
    assert any(n.endswith(".csv") for n in names) and any(n.endswith(".xlsx") for n in names)
    for relative in names:
        same = (first / relative).read_bytes() == (second / relative).read_bytes()
        if relative.endswith(".xlsx") and not same:  # equal bytes are equal cells: no need to read
            assert cells(first / relative) == cells(second / relative), relative
        else:
            assert same, relative
