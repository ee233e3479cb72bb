"""The status index (progress/index.py): a status read from it says exactly what one read from
plan.json says; it is used only for the plan.json it was made from; it never replaces a file
that is not an index; reading it imports neither pydantic nor networkx."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from test_status_light import GOLDEN, SCENARIOS, _store

from okrplan import api
from okrplan.export import planjson
from okrplan.progress import index, light, rollup
from okrplan.progress import status as report


def _indexed(folder: Path) -> light.LightPlan:
    view = light.read(folder)
    assert view is not None
    view.specs = rollup.Specs(view).all()
    digest = index.plan_digest(folder)
    assert digest is not None and index.save(folder, view, digest)
    found = index.load(folder)
    assert found is not None
    return found


@pytest.mark.parametrize("name", ["a-company-2015", "saas-fy2027"])  # FY2027: a fiscal year
def test_a_status_from_the_index_is_the_one_from_plan_json(name: str, tmp_path: Path) -> None:
    plan = api.load_plan(GOLDEN / name / "plan.json")
    _store(plan, tmp_path, len(name) + 3)
    fresh, indexed = light.read(tmp_path), _indexed(tmp_path)
    assert fresh is not None
    year = int(plan.meta["months"][0][:4])
    for day in (date(year, 3, 9), date(year + 1, 2, 1)):
        for owner in [fresh.root, *fresh.contains.get(fresh.root, ())][:3]:
            ours = report.light_status(indexed, tmp_path, day, owner=owner)
            theirs = report.light_status(fresh, tmp_path, day, owner=owner)
            assert report.to_json(ours) == report.to_json(theirs)
            assert report.to_markdown(ours) == report.to_markdown(theirs)


def test_the_index_of_another_plan_json_is_not_used(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from okrplan.cli import cli

    plan = api.load_plan(GOLDEN / SCENARIOS[0] / "plan.json")
    _store(plan, tmp_path, 2)
    year = plan.meta["months"][0][:4]
    args = ["status", str(tmp_path), "--as-of", f"{year}-06-30", "--format", "json"]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert index.load(tmp_path) is not None  # written by the first status
    # the planner edits plan.json: the same size (zh-CN to en, spaced), the index kept
    text = (tmp_path / "plan.json").read_text(encoding="utf-8")
    data = json.loads(text)
    edited = text.replace('"locale": "zh-CN"', '"locale":    "en"', 1)
    assert len(edited) == len(text) and data["plan"]["locale"] == "zh-CN"
    (tmp_path / "plan.json").write_text(edited, encoding="utf-8")
    assert index.load(tmp_path) is None
    second = CliRunner().invoke(cli, args)
    assert second.exit_code == 0, second.output
    assert second.stdout != first.stdout  # read afresh: the titles in English now
    reference = report.status_of(api.load_plan(tmp_path), tmp_path, date(int(year), 6, 30))
    assert second.stdout == report.to_json(reference)
    assert index.load(tmp_path) is not None  # and made again


def test_a_planners_file_of_the_index_name_is_never_replaced(tmp_path: Path) -> None:
    plan = api.load_plan(GOLDEN / SCENARIOS[0] / "plan.json")
    (tmp_path / "plan.json").write_text(planjson.to_json(plan), encoding="utf-8")
    mine = tmp_path / index.INDEX_FILE
    mine.write_text("my notes\n", encoding="utf-8")
    view = light.read(tmp_path)
    assert view is not None
    view.specs = rollup.Specs(view).all()
    assert not index.save(tmp_path, view, index.plan_digest(tmp_path) or "")
    assert mine.read_text(encoding="utf-8") == "my notes\n"
    assert index.load(tmp_path) is None


def test_a_status_from_the_index_imports_no_pydantic_nor_networkx(tmp_path: Path) -> None:
    plan = api.load_plan(GOLDEN / SCENARIOS[0] / "plan.json")
    _store(plan, tmp_path, 5)
    _indexed(tmp_path)
    year = int(plan.meta["months"][0][:4])
    code = (
        "import sys\nfrom datetime import date\nfrom pathlib import Path\n"
        "from okrplan.progress import index, status\n"
        f"folder = Path({str(tmp_path)!r})\n"
        f"shown = status.light_status(index.load(folder), folder, date({year}, 6, 30))\n"
        "status.to_json(shown), status.to_markdown(shown)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'networkx')"
        " or m in ('okrplan.model', 'okrplan.cadence', 'okrplan.plan')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
