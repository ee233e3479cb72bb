"""Work on the second core: a forked child's result, and the same result when the child
fails; a large plan's directory is the same whether it was made by one process or two."""

from __future__ import annotations

import functools
import io
import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from okrplan import api, plandir
from okrplan.errors import InputError, Issue
from okrplan.forked import Beside, Files, Shared

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")


def test_the_childs_result_comes_back() -> None:
    parent = os.getpid()
    big = bytes(range(256)) * 1_000  # more than a pipe holds
    with Beside(lambda: {"pid.txt": str(os.getpid()), "年度.bin": big, "空": ""}) as other:
        files = other.result()
    assert files == {"pid.txt": files["pid.txt"], "年度.bin": big, "空": ""}
    assert int(files["pid.txt"]) != parent


@pytest.mark.parametrize(
    "damaged",
    [
        b"",
        b"not json\n",
        b'[["a", true, 5]]\nab',
        b'[["a", true, 1]]\nabc',
        b'[["a"]]\n',
        b"{}\n",
        b'[["a", false, 100000000000000000000000]]\nab',  # no buffer of that size asked for
    ],
)
def test_a_damaged_result_is_refused(damaged: bytes) -> None:
    from okrplan.forked import read_files

    with pytest.raises((ValueError, TypeError)):
        read_files(io.BytesIO(damaged))


def test_an_error_in_the_child_is_raised_here() -> None:
    calls: list[int] = []

    def work() -> dict[str, str | bytes]:
        calls.append(os.getpid())
        raise InputError([Issue("no such unit", "plan.json", path="--unit")])

    with Beside(work) as other, pytest.raises(InputError, match="no such unit"):
        other.result()
    assert calls == [os.getpid()]  # the child's call is not seen here; the redo is


def test_a_process_forked_since_does_the_work_itself(tmp_path: Path) -> None:
    # a process forked after the child was started (a report's child) neither reads the
    # child's pipe nor stops it: its own result is the work done there, and the child's
    # result still reaches the process that started it
    with Beside(lambda: {"pid": str(os.getpid())}) as other:
        pid = os.fork()
        if pid == 0:  # pragma: no cover (checked through the file it writes)
            code = 1
            try:
                other.cancel()
                (tmp_path / "there").write_text(str(other.result()["pid"] == str(os.getpid())))
                code = 0
            finally:
                os._exit(code)
        assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
        made = other.result()["pid"]
    assert (tmp_path / "there").read_text() == "True"
    assert made not in (str(os.getpid()), str(pid))  # the first child's, sent back


def test_a_result_that_cannot_be_sent_is_made_here() -> None:
    def work() -> object:
        return {"lock": threading.Lock()} if os.getpid() != parent else {"x": "made here"}

    parent = os.getpid()
    with Beside(work) as other:  # type: ignore[arg-type]
        assert other.result() == {"x": "made here"}


def test_a_child_that_dies_is_replaced_by_the_work_done_here() -> None:
    parent = os.getpid()

    def work() -> dict[str, str | bytes]:
        if os.getpid() != parent:
            os._exit(9)
        return {"x": "made here"}

    with Beside(work) as other:
        assert other.result() == {"x": "made here"}


def test_cancel_stops_the_child(tmp_path: Path) -> None:
    import time

    finished = tmp_path / "finished"

    def work() -> dict[str, str | bytes]:
        time.sleep(30)  # were cancel to wait for the child instead, the test would end anyway
        finished.touch()
        return {}

    other = Beside(work)
    other.cancel()
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no child left behind
    assert not finished.exists()  # it was stopped, not waited for


def _parts(log: Path, names: str, pause: float = 0.0) -> list[tuple[str, Callable[[], Files]]]:
    """Parts that each append their name to ``log`` (one line per making, in any process)."""
    import time

    def part(name: str) -> Files:
        time.sleep(pause)
        with log.open("a") as out:
            out.write(name + "\n")
        return {name: str(os.getpid())}

    return [(name, functools.partial(part, name)) for name in names]


def test_each_shared_part_is_made_once_by_one_process_or_the_other(tmp_path: Path) -> None:
    log = tmp_path / "made.log"
    with Shared(_parts(log, "abcd", pause=0.05)) as parts, Beside(parts.beside) as other:
        here = parts.take()
        files = {**here, **other.result()}
    assert sorted(files) == list("abcd")  # every part, from one side or the other
    assert sorted(log.read_text().split()) == list("abcd")  # each made once


def test_the_parts_a_dead_child_took_are_made_here(tmp_path: Path) -> None:
    import time

    log, parent = tmp_path / "made.log", os.getpid()

    def work() -> Files:
        made = parts.beside()  # the child takes every part, makes them, and dies unsent
        if os.getpid() != parent:
            os._exit(9)
        return made

    with Shared(_parts(log, "abc")) as parts, Beside(work) as other:
        time.sleep(0.3)  # the child has taken them all by now (were it slower, still right)
        files = {**parts.take(), **other.result()}
    assert files == dict.fromkeys("abc", str(parent))  # all made here in the end
    assert sorted(set(log.read_text().split())) == list("abc")


def test_without_fork_every_part_is_made_once_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "made.log"
    monkeypatch.delattr(os, "fork")
    with Shared(_parts(log, "ab")) as parts, Beside(parts.beside) as other:
        files = {**parts.take(), **other.result()}
    assert files == dict.fromkeys("ab", str(os.getpid()))
    assert log.read_text().split() == ["a", "b"]


def tree(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def plan() -> api.Plan:
    return api.decompose(ROOT / "scenarios" / "sales-center-2021.yaml")


@pytest.mark.parametrize(("images", "tree_beside"), [(True, False), (False, False), (True, True)])
def test_two_processes_write_the_same_plan_as_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, images: bool, tree_beside: bool, plan: api.Plan
) -> None:
    if images and api.image_problem() is not None:
        pytest.skip("Graphviz `dot` is not installed")
    one = api.write_plan(plan, tmp_path / "one", images=images)
    seen: list[str] = []
    monkeypatch.setattr(plandir, "BESIDE_FROM", 1)
    if tree_beside:  # the goal tree made in the child too, as for a very large plan
        monkeypatch.setattr(plandir, "TREE_BESIDE_FROM", 1)
    two = api.write_plan(plan, tmp_path / "two", images=images, progress=seen.append)
    assert {"plan.json", "report.html"} <= set(seen) and seen[-1] == "write"
    assert tree(one) == tree(two)  # the manifest included
    assert len(tree(one)) > 10


@pytest.mark.parametrize(("slow_start", "pieces"), [(False, 7), (True, 7), (False, 60)])
def test_plan_json_in_pieces_made_on_both_sides_is_the_same_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, plan: api.Plan, slow_start: bool, pieces: int
) -> None:
    # a large plan's plan.json: its start here, its pieces by either process (with a slow
    # start here, the child takes them all; with many, each side takes some), written in
    # order: the same directory as one process writes
    import time

    from okrplan.export import output, planjson

    monkeypatch.setattr(planjson, "ITEM_PER_LINE_FROM", 0)  # written one node per line
    one = api.write_plan(plan, tmp_path / "one", images=False)
    monkeypatch.setattr(plandir, "BESIDE_FROM", 1)
    monkeypatch.setattr(plandir, "JSON_PIECES", pieces)
    if slow_start:
        real = output.spool

        def slow(*args: Any) -> Any:
            time.sleep(1.5)  # the child's part is made by then (were it not, still right)
            return real(*args)

        monkeypatch.setattr(output, "spool", slow)
    two = api.write_plan(plan, tmp_path / "two", images=False)
    assert tree(one) == tree(two)
    assert json.loads((two / "plan.json").read_text("utf-8"))["okrplan"] == 3


def test_plan_json_pieces_are_written_in_order_whatever_order_they_come_in(
    tmp_path: Path,
) -> None:
    from okrplan.export.output import spool

    pieces = [f"piece {i};".encode() for i in range(5)]
    in_order = plandir._InOrder(len(pieces))
    in_order.add(3, [pieces[3]])  # before the file is started: held
    with spool([b"start;"], tmp_path / "plan") as spooled:
        in_order.start(spooled)
        for index in (1, 0, 4):
            in_order.add(index, iter([pieces[index][:3], pieces[index][3:]]))
        with pytest.raises(RuntimeError, match="2 of 5 pieces written"):
            in_order.finish({})  # the third is missing (the fourth and fifth wait for it)
        sent: dict[str, Any] = {plandir._piece_name(2): pieces[2], "report.html": "kept"}
        in_order.finish(sent)  # the third, as a forked child sends it back
        assert sent == {"report.html": "kept"}
        spooled.copy_to(tmp_path / "plan.json")
    assert (tmp_path / "plan.json").read_bytes() == b"start;" + b"".join(pieces)


def test_the_pieces_a_dead_child_took_are_made_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, plan: api.Plan
) -> None:
    # the child takes plan.json's pieces (this process's start is slow), makes them, and dies
    # before sending anything: this process makes its work again, the pieces included, and
    # the directory is the one a single process writes
    import time

    from okrplan.export import output, planjson

    monkeypatch.setattr(planjson, "ITEM_PER_LINE_FROM", 0)
    one = api.write_plan(plan, tmp_path / "one", images=False)
    parent, real_spool, real_forecast = os.getpid(), output.spool, plandir._forecast_made

    def slow(*args: Any) -> Any:
        time.sleep(1.5)
        return real_spool(*args)

    def dies(*args: Any) -> Any:  # called in the child after it took its parts
        if os.getpid() != parent:
            os._exit(9)
        return real_forecast(*args)

    monkeypatch.setattr(plandir, "BESIDE_FROM", 1)
    monkeypatch.setattr(output, "spool", slow)
    monkeypatch.setattr(plandir, "_forecast_made", dies)
    two = api.write_plan(plan, tmp_path / "two", images=False)
    assert tree(one) == tree(two)


def test_the_childs_forecast_is_kept_not_made_again(
    plan: api.Plan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # decompose's summary gives the forecast the child's report made: the parent does not
    # simulate again, and what it gives is the forecast itself (its floats sent exactly)
    from okrplan.forecast import glance

    expected = glance._glance(plan, None)
    assert expected is not None
    monkeypatch.setattr(plandir, "BESIDE_FROM", 0)
    made_here: list[object] = []
    real = glance._glance
    monkeypatch.setattr(glance, "_glance", lambda *a: made_here.append(a) or real(*a))
    glance._LAST.clear()
    api.write_plan(plan, tmp_path / "plan", images=False, sheets=False)
    assert glance.glance(plan) == expected
    assert made_here == []  # made in the child only


def test_at_most_255_parts_are_shared() -> None:
    with pytest.raises(ValueError, match="at most 255"):
        Shared([("x", dict)] * 256)


def test_an_error_making_the_tree_in_the_child_is_raised_as_without_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, plan: api.Plan
) -> None:
    calls: list[int] = []

    def broken(*args: object, **kwargs: object) -> str:
        calls.append(os.getpid())
        raise InputError([Issue("no such unit", "plan.json", path="--unit")])

    monkeypatch.setattr(plandir, "BESIDE_FROM", 1)
    monkeypatch.setattr(plandir, "TREE_BESIDE_FROM", 1)
    monkeypatch.setattr(plandir, "_tree_dot", broken)
    with pytest.raises(InputError, match="no such unit"):
        api.write_plan(plan, tmp_path / "plan", images=False)
    assert calls == [os.getpid()]  # the child's call is not seen here; the redo is
    assert not (tmp_path / "plan").exists()  # nothing half-written
