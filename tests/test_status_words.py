"""What `checkin` and `status` say before any file is read, in the plan's language: nothing to
check in, a target file without actuals:, --unit with --person, a person not in the plan."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import dump, minimal_target

from okrplan import api
from okrplan.cli import cli


@pytest.fixture(scope="module", params=["zh-CN", "en"])
def made(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp(request.param)
    target = minimal_target(plan={"locale": request.param})
    target["org"]["units"][0]["roles"][0] = {"role": "销售", "people": ["张三"], "sells": "deals"}
    (folder / "target.yaml").write_text(dump(target), encoding="utf-8")
    api.write_plan(api.decompose(folder / "target.yaml"), folder / "plan", images=False,
                   sheets=False, report=False)  # fmt: skip
    return folder


def _said(made: Path, tmp_path: Path, *args: str) -> tuple[int, str]:
    shutil.copytree(made, tmp_path, dirs_exist_ok=True)
    done = CliRunner().invoke(cli, [args[0], str(tmp_path / "plan"), *args[1:]])
    return done.exit_code, done.stderr


def test_nothing_to_check_in(made: Path, tmp_path: Path) -> None:
    code, said = _said(made, tmp_path, "checkin")
    zh = made.name.startswith("zh")
    assert code == 2
    assert ("没有要记录的进度" if zh else "nothing to check in") in said
    assert ("提示：请给出文件" if zh else "hint: name a file") in said


def test_a_target_file_without_actuals(made: Path, tmp_path: Path) -> None:
    code, said = _said(made, tmp_path, "checkin", "--target", str(made / "target.yaml"))
    zh = made.name.startswith("zh")
    assert code == 1
    assert ("目标文件中没有 actuals: 部分" if zh else "has no actuals: section") in said
    assert ("提示：请在 actuals: 下描述导出文件" if zh else "hint: describe the exports") in said


def test_unit_and_person_and_no_such_person(made: Path, tmp_path: Path) -> None:
    zh = made.name.startswith("zh")
    code, said = _said(made, tmp_path, "status", "--unit", "销售部", "--person", "张三")
    assert code == 2
    assert ("请只给 --unit 或 --person 之一" if zh else "give --unit or --person, not both") in said
    code, said = _said(made, tmp_path, "status", "--person", "李四", "--as-of", "2015-06-30")
    assert code == 2
    assert ("计划中没有名为 '李四' 的人" if zh else "no one called '李四' has KRs") in said
    assert ("提示：请按岗位 people: 列表" if zh else "hint: a name as the role's people:") in said


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_the_stores_rare_errors(locale: str, tmp_path: Path) -> None:
    import sqlite3
    from fractions import Fraction

    from okrplan.errors import InputError
    from okrplan.progress import CheckIn, latest, record

    zh = locale == "zh-CN"
    (tmp_path / "plan.json").write_text(f'{{"plan": {{"locale": "{locale}"}}}}', "utf-8")
    with pytest.raises(InputError) as caught:
        record(tmp_path, [CheckIn("k:C#1.1", "2015-01", Fraction(1), confidence=11)], source="a")
    assert str(caught.value.issues[0]).endswith(
        "k:C#1.1 的信心指数 11 不在 0 到 10 之间" if zh else "confidence 11 of k:C#1.1 is not 0..10"
    )
    record(tmp_path, [CheckIn("k:C#1.1", "2015-01", Fraction(1))], source="a")
    with sqlite3.connect(tmp_path / "progress.sqlite") as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(InputError) as caught:
        latest(tmp_path)
    said = str(caught.value.issues[0])
    assert ("进度库的结构版本为 99" if zh else "has schema version 99") in said
    assert ("提示：请升级 okrplan" if zh else "hint: upgrade okrplan") in said
    for extra in ("progress.sqlite-wal", "progress.sqlite-shm"):
        (tmp_path / extra).unlink(missing_ok=True)
    (tmp_path / "progress.sqlite").write_bytes(b"not a database, " * 512)
    with pytest.raises(InputError) as caught:
        latest(tmp_path)
    said = str(caught.value.issues[0])
    assert ("不是可读的进度库" if zh else "not a readable progress store") in said
    assert ("请把它移到别处" if zh else "move it aside") in said


def test_a_value_that_is_no_number_is_hinted_in_the_plans_language(
    made: Path, tmp_path: Path
) -> None:
    shutil.copytree(made, tmp_path, dirs_exist_ok=True)
    (tmp_path / "bad.csv").write_text("kr,period,value\nk:公司#1.1,2015-03,abc\n", "utf-8")
    done = CliRunner().invoke(cli, ["checkin", str(tmp_path / "plan"), str(tmp_path / "bad.csv")])
    zh = made.name.startswith("zh")
    assert done.exit_code == 1
    assert ("提示：请写数量，例如 8000万" if zh else "hint: write a quantity like 8000万") in (
        done.stderr
    )


def test_a_table_written_to_a_file_is_whole(
    made: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Standard output here is not a terminal (as `okrplan status PLAN > status.txt`): rich
    # would lay the table out in 80 columns and cut its texts with "…"; it is laid out as wide
    # as its rows need instead. With COLUMNS set the planner's width holds.
    monkeypatch.delenv("COLUMNS", raising=False)
    shutil.copytree(made, tmp_path, dirs_exist_ok=True)
    args = ["status", str(tmp_path / "plan"), "--as-of", "2015-06-30"]
    shown = CliRunner().invoke(cli, args)
    assert shown.exit_code == 0, shown.output
    assert "…" not in shown.stdout
    assert max(map(len, shown.stdout.splitlines())) > 80  # the table needs more than 80
    narrow = CliRunner().invoke(cli, args, env={"COLUMNS": "60"})
    assert "…" in narrow.stdout
