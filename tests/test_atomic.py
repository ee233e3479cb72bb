"""Outputs are written whole or not at all (okrplan/export/output.py).

A plan directory is staged in a hidden sibling and swapped into place in one
``renameat2(RENAME_EXCHANGE)``; single files go through a temporary file and ``os.replace``.
Over a previous plan, the files okrplan did not write are linked into the staging directory
first (see test_only_the_files_okrplan_may_replace_go), so the swap stays one call.
The kill test runs `okrplan decompose` (each run a process of its own, forked from one that has
imported okrplan) on an organisation big enough that writing takes a while
(40 named people: 80 sheet files and a workbook of 40 sheets), SIGKILLs it at random points
while it writes, and checks the output directory is exactly the previous plan or exactly the
new one, never a mix, and that the planner's file in it stays in either.
It runs ``OKRPLAN_KILL_RUNS`` times (3 by default, for CI; 200 for a long local run).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import random
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import minimal_target

from okrplan import api
from okrplan.cli import cli
from okrplan.errors import OutputError
from okrplan.export import output
from okrplan.export.output import write_dir, write_files

KILL_RUNS = int(os.environ.get("OKRPLAN_KILL_RUNS", "3"))
linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux's")


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by relative path, with its bytes."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def siblings(folder: Path) -> list[str]:
    """Hidden siblings a run of okrplan leaves next to ``folder`` while it writes it."""
    return sorted(
        p.name
        for p in folder.parent.iterdir()
        if p.name.startswith((f".{folder.name}.new-", f".{folder.name}.old-"))
    )


# ---------------------------------------------------------------------------------------------
# The directory swap


def test_a_directory_is_replaced_whole(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    write_dir(out, {"plan.json": "1", "sheets/a.csv": "a", "old.md": "x"})
    write_dir(out, {"plan.json": "2", "sheets/b.csv": "b"}, force=True)
    assert tree(out) == {"plan.json": b"2", "sheets/b.csv": b"b"}
    assert siblings(out) == []


@linux
def test_the_swap_is_one_exchange(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "plan"
    write_dir(out, {"plan.json": "1"})
    renames: list[Any] = []
    monkeypatch.setattr(os, "rename", lambda *args: renames.append(args))
    write_dir(out, {"plan.json": "2"}, force=True)
    assert renames == []  # no moment without a plan directory
    assert tree(out) == {"plan.json": b"2"}


def test_what_a_killed_run_left_is_removed_by_the_next(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    write_dir(out, {"plan.json": "1"})
    (tmp_path / ".plan.new-0badc0de").mkdir()  # killed while writing
    (tmp_path / ".plan.new-0badc0de" / "plan.json").write_text("half")
    (tmp_path / ".plan.old-0badc0de").mkdir()  # killed before removing the previous plan
    (tmp_path / ".planner.new-12345678").mkdir()  # another output's: not touched
    write_dir(out, {"plan.json": "2"}, force=True)
    assert siblings(out) == [] and (tmp_path / ".planner.new-12345678").is_dir()
    assert tree(out) == {"plan.json": b"2"}


def test_a_previous_plan_left_aside_is_put_back(tmp_path: Path) -> None:
    # Without RENAME_EXCHANGE, a kill between its two renames leaves the previous plan aside.
    out = tmp_path / "plan"
    aside = tmp_path / ".plan.old-0badc0de"
    aside.mkdir()
    (aside / "plan.json").write_text("previous")
    (tmp_path / ".plan.new-0badc0de").mkdir()
    with pytest.raises(OutputError, match="already exists; pass --force"):
        write_dir(out, {"plan.json": "new"})
    assert tree(out) == {"plan.json": b"previous"} and siblings(out) == []


def test_without_rename_exchange_two_renames_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(output, "_exchange", lambda first, second: False)
    out = tmp_path / "plan"
    write_dir(out, {"plan.json": "1"})
    write_dir(out, {"plan.json": "2"}, force=True)
    assert tree(out) == {"plan.json": b"2"} and siblings(out) == []


def test_a_crash_between_the_two_renames_is_repaired(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(output, "_exchange", lambda first, second: False)
    out = tmp_path / "plan"
    write_dir(out, {"plan.json": "1"})
    real = os.rename

    def crash_on_the_second(source: Any, target: Any) -> None:
        if Path(target) == out:
            raise KeyboardInterrupt  # stands in for a kill: nothing after it runs
        real(source, target)

    monkeypatch.setattr(os, "rename", crash_on_the_second)
    with pytest.raises(KeyboardInterrupt):
        write_dir(out, {"plan.json": "2"}, force=True)
    monkeypatch.setattr(os, "rename", real)
    assert not out.exists() and [s[:10] for s in siblings(out)] == [".plan.old-"]
    write_dir(out, {"plan.json": "3"}, force=True)
    assert tree(out) == {"plan.json": b"3"} and siblings(out) == []


@contextlib.contextmanager
def another_writer(folder: Path) -> Iterator[None]:
    """Hold the lock an okrplan run holds on a folder while it writes there."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)


def test_a_running_writers_files_are_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    write_dir(out, {"plan.json": "1"})
    live = tmp_path / ".plan.new-11111111"
    live.mkdir()
    with another_writer(tmp_path):
        write_dir(out, {"plan.json": "2"}, force=True)
        assert live.is_dir()  # maybe another okrplan's staging: not a leftover
    write_dir(out, {"plan.json": "3"}, force=True)
    assert not live.exists()


def test_an_output_link_is_followed(tmp_path: Path) -> None:
    real = tmp_path / "plans" / "2015"
    real.parent.mkdir()
    write_dir(real, {"plan.json": "1"})
    (tmp_path / "plan").symlink_to(real)
    write_dir(tmp_path / "plan", {"plan.json": "2"}, force=True)
    assert (tmp_path / "plan").is_symlink() and tree(real) == {"plan.json": b"2"}


def test_names_that_would_leave_the_directory_are_refused(tmp_path: Path) -> None:
    for name in ("../escaped.txt", "/tmp/escaped.txt", "sheets/../../x"):
        with pytest.raises(OutputError, match="refusing to write"):
            write_dir(tmp_path / "plan", {name: "x"})
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_leaves_the_previous_directory(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    write_dir(out, {"plan.json": "1"})

    def fail(path: Path) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with pytest.raises(OutputError, match="No space left on device"):
        write_dir(out, {"plan.json": "2", "z.png": fail}, force=True)
    assert tree(out) == {"plan.json": b"1"} and siblings(out) == []


# ---------------------------------------------------------------------------------------------
# Single files


def test_files_are_replaced_all_or_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.csv").write_text("old a")
    (tmp_path / "b.csv").write_text("old b")
    real, calls = os.write, []

    def disk_full_at_b(fd: int, data: Any) -> int:
        calls.append(fd)
        if len(calls) == 2:  # a.csv's temporary file is written, b.csv's is half made
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd, data)

    monkeypatch.setattr(os, "write", disk_full_at_b)
    with pytest.raises(OutputError, match=f"cannot write in {tmp_path}: No space left"):
        write_files(tmp_path, {"a.csv": "new a", "b.csv": "new b"})
    assert tree(tmp_path) == {"a.csv": b"old a", "b.csv": b"old b"}  # no temporary files


def test_files_get_the_usual_permissions(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        (path,) = write_files(tmp_path, {"x.md": "x"})
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644


def test_a_planted_temporary_file_is_never_written_through(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("keep")
    (tmp_path / ".out.json.okrplan-tmp").symlink_to(victim)  # the name older versions used
    api.write_new_file(tmp_path / "out.json", "{}")
    assert victim.read_text() == "keep" and (tmp_path / "out.json").read_text() == "{}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json", "victim"]


def test_file_names_must_stay_in_the_folder(tmp_path: Path) -> None:
    for name in ("../x", "a/b", "", ".."):
        with pytest.raises(OutputError, match="refusing to write"):
            write_files(tmp_path / "sub", {name: "x"})


# ---------------------------------------------------------------------------------------------
# The kill test


def big_target(path: Path, kpi: str) -> Path:
    # 80 sheet files, a workbook of 40 sheets: writing takes long enough to land kills in it
    people = [f"员工{i:04d}" for i in range(40)]
    target = minimal_target(
        kpi={"metric": "revenue", "target": kpi},
        org={
            "name": "公司",
            "units": [
                {
                    "name": "销售部",
                    "roles": [
                        {
                            "role": "销售",
                            "people": people,
                            "sells": "deals",
                            "capacity": {"deals": "10/月"},
                        }
                    ],
                }
            ],
        },
    )
    return write_yaml(path, target)


def write_yaml(path: Path, target: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(target, allow_unicode=True), encoding="utf-8")
    return path


# The killed runs are forked from one interpreter that has imported okrplan and run a small
# decompose once (so every module a run imports is imported): each run is still a process of
# its own, in a session of its own, SIGKILLed while it writes, but it skips an interpreter's
# start and okrplan's imports (about half the CPU of a run that is killed while it writes).
_FORKER = r"""
import json, os, signal, sys
from okrplan.cli import cli

def run(args):
    try:
        cli.main(args, prog_name="okrplan")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    return 0

if run(json.loads(sys.argv[1])) != 0:  # the warm-up
    sys.exit("the warm-up decompose failed")
signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # runs are reaped as they end: no zombies
print("ready", flush=True)
for line in sys.stdin:
    pid = os.fork()
    if pid == 0:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # it waits for its own children
        os.setsid()  # its own process group, as killpg expects
        quiet = os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 1)
        os.dup2(quiet, 2)
        os._exit(run(json.loads(line)))
    print(pid, flush=True)
"""


class Run:
    """A forked `okrplan decompose`: ``poll()`` is None while it runs (as Popen's)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        try:
            self._fd: int | None = os.pidfd_open(pid)
        except ProcessLookupError:  # ended (and reaped) already
            self._fd = None

    def poll(self) -> int | None:
        return None if self._fd is not None and not select.select([self._fd], [], [], 0)[0] else 0

    def wait(self, timeout: float) -> None:
        if self._fd is not None:
            assert select.select([self._fd], [], [], timeout)[0], f"run {self.pid} hangs"
            os.close(self._fd)
            self._fd = None


class Forker:
    """The interpreter the runs are forked from (see _FORKER)."""

    def __init__(self, warm_up: list[str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", _FORKER, json.dumps(warm_up)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None and self.process.stdout.readline() == "ready\n"

    def start_decompose(self, target: Path, out: Path) -> Run:
        assert self.process.stdin is not None and self.process.stdout is not None
        args = ["decompose", str(target), "-o", str(out), "--force", "-q"]
        self.process.stdin.write(json.dumps(args) + "\n")
        self.process.stdin.flush()
        return Run(int(self.process.stdout.readline()))

    def close(self) -> None:
        self.process.communicate(timeout=60)
        assert self.process.returncode == 0


def wait_for_staging(process: Run, out: Path) -> float:
    """Wait until the run starts writing (its staging directory appears); the time it did."""
    prefix = f".{out.name}.new-"
    while process.poll() is None:
        with os.scandir(out.parent) as entries:
            if any(e.name.startswith(prefix) for e in entries):
                return time.perf_counter()
        time.sleep(0.001)
    return time.perf_counter()


def wait_for_swap(process: Run, out: Path, before: int | None) -> None:
    """Wait until ``out`` is another directory than the one it was (inode ``before``)."""
    while process.poll() is None:
        with contextlib.suppress(FileNotFoundError):
            if out.stat().st_ino != before:
                return
        time.sleep(0.0005)


def timed_decompose(target: Path, out: Path) -> float:
    """`okrplan decompose` in this process; the seconds from the moment its staging directory
    appears (watched from a thread, as wait_for_staging watches a run) to its end."""
    prefix = f".{out.name}.new-"
    seen: list[float] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set() and not seen:
            with os.scandir(out.parent) as entries:
                if any(e.name.startswith(prefix) for e in entries):
                    seen.append(time.perf_counter())
            time.sleep(0.001)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    result = CliRunner().invoke(cli, ["decompose", str(target), "-o", str(out), "--force", "-q"])
    end = time.perf_counter()
    done.set()
    watcher.join()
    assert result.exit_code == 0, result.output
    return end - seen[0] if seen else 0.0


@pytest.fixture(scope="module")
def kill_setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("kill")
    targets = [big_target(tmp / "a.yaml", "3000万"), big_target(tmp / "b.yaml", "3100万")]
    # Both plans are made in this process (the same command, the same bytes as a fresh
    # process's: test_determinism), sparing an interpreter start; how long a run takes from
    # its staging folder to its end is timed on the first (the kill runs also remove the plan
    # they replace: the third kind of kill below aims there).
    writing = timed_decompose(targets[0], tmp / "expected-0")
    timed_decompose(targets[1], tmp / "expected-1")
    expected = [tree(tmp / f"expected-{i}") for i in range(len(targets))]
    warm_up = [
        "decompose",
        str(write_yaml(tmp / "small.yaml", minimal_target())),
        "-o",
        str(tmp / "warm-up"),
        "-q",
    ]
    forker = Forker(warm_up)
    yield {
        "tmp": tmp,
        "targets": targets,
        "expected": expected,
        "writing": writing,
        "first": tmp / "expected-1",
        "forker": forker,
    }
    forker.close()


NOTES = "notes.txt"  # the planner's file in the plan directory: no run may lose it


def test_killed_runs_leave_the_previous_plan_or_the_new_one(kill_setup: dict[str, Any]) -> None:
    """A kill leaves the previous plan or the new one, and the planner's file in either (each
    run is a fresh process: the same runs check both, rather than more runs for the file)."""
    tmp, targets, expected = kill_setup["tmp"], kill_setup["targets"], kill_setup["expected"]
    out = tmp / "plan"
    rng = random.Random(int(os.environ.get("OKRPLAN_KILL_SEED", "2015")))
    outcomes = {"previous": 0, "new": 0, "absent": 0, "finished first": 0}
    shutil.copytree(kill_setup["first"], out)
    (out / NOTES).write_text("the planner's", encoding="utf-8")
    current: int | None = 1
    for run in range(KILL_RUNS):
        if run % 20 == 19 and current is not None:  # now and then, into nothing
            shutil.rmtree(out)
            current = None
        new = 1 if current == 0 else 0
        before = out.stat().st_ino if out.exists() else None
        notes = (out / NOTES).read_bytes() if (out / NOTES).exists() else None
        process = kill_setup["forker"].start_decompose(targets[new], out)
        wait_for_staging(process, out)
        writing = kill_setup["writing"]
        if run % 3 == 0:  # anywhere while it writes
            time.sleep(rng.uniform(0, writing * 1.1))
        elif run % 3 == 1:  # near the end: flushing, swapping, removing the previous plan
            time.sleep(rng.uniform(writing * 0.7, writing * 1.1))
        else:  # just after the swap, while the previous plan is being removed
            wait_for_swap(process, out, before)
            time.sleep(rng.uniform(0, 0.02))
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            outcomes["finished first"] += 1
        process.wait(timeout=60)
        if not out.exists():
            assert current is None, f"run {run}: the previous plan is gone"
            outcomes["absent"] += 1
            continue
        found = tree(out)
        assert found.pop(NOTES, None) == notes, f"run {run}: the planner's file changed"
        if found == expected[new]:
            outcomes["new"] += 1
            current = new
        else:
            assert current is not None and found == expected[current], (
                f"run {run}: the plan directory is neither the previous plan nor the new one"
            )
            outcomes["previous"] += 1
        assert len(siblings(out)) <= 2, siblings(out)  # a killed run's; the next run's cleans
    print(f"\n{KILL_RUNS} kills within {kill_setup['writing']:.2f}s of writing: {outcomes}")
    # the next run that writes there cleans up after the killed ones
    write_dir(out, expected[0], force=True)
    assert tree(out) == expected[0] and siblings(out) == []


# ---------------------------------------------------------------------------------------------
# Keeping a planner's files (write_dir's replace)


def test_only_the_files_okrplan_may_replace_go(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    write_dir(out, {"plan.json": "1", "sheets/a.csv": "a", "old.md": "x"})
    (out / "target.yaml").write_text("mine")
    (out / "notes").mkdir()
    (out / "notes" / "n.txt").write_text("n")
    (out / "empty").mkdir()
    (out / "link").symlink_to("target.yaml")
    inode = (out / "target.yaml").stat().st_ino
    write_dir(
        out,
        {"plan.json": "2", "sheets/b.csv": "b"},
        force=True,
        replace={"plan.json", "sheets/a.csv", "old.md"},
    )
    assert tree(out) == {
        "plan.json": b"2",
        "sheets/b.csv": b"b",
        "target.yaml": b"mine",
        "notes/n.txt": b"n",
        "link": b"mine",
    }
    assert (out / "empty").is_dir() and os.readlink(out / "link") == "target.yaml"
    assert (out / "target.yaml").stat().st_ino == inode  # linked across, not copied
    assert siblings(out) == []


def test_a_kept_file_never_takes_a_written_name(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    write_dir(out, {"plan.json": "1"})
    (out / "plan.md").write_text("mine")
    with pytest.raises(OutputError, match="was not written by okrplan and has the name"):
        write_dir(out, {"plan.json": "2", "plan.md": "#"}, force=True, replace={"plan.json"})
    assert tree(out) == {"plan.json": b"1", "plan.md": b"mine"} and siblings(out) == []


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "two renames"])
def test_a_file_added_while_writing_is_moved_across(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange: bool
) -> None:
    if not exchange:
        monkeypatch.setattr(output, "_exchange", lambda first, second: False)
    out = tmp_path / "plan"
    write_dir(out, {"plan.json": "1"})
    real = output.flush_tree

    def planner_saves_meanwhile(directory: Path) -> None:
        (out / "notes.txt").write_text("saved while okrplan wrote")
        real(directory)

    monkeypatch.setattr(output, "flush_tree", planner_saves_meanwhile)
    write_dir(out, {"plan.json": "2"}, force=True, replace={"plan.json"})
    assert tree(out) == {"plan.json": b"2", "notes.txt": b"saved while okrplan wrote"}
    assert siblings(out) == []


@pytest.mark.parametrize("linkable", [True, False])
def test_spooled_file_named_or_copied_keeps_its_bytes(tmp_path: Path, linkable: bool) -> None:
    """plan.json's spooled bytes arrive whole whether the temporary file is given its name
    (an O_TMPFILE, Linux) or copied, with the permissions of any other output (0o666 less
    the umask), and the temporary file is gone once closed."""
    from okrplan.export.output import spool

    chunks = [b"{\n", "计划".encode() * 5000, b"\n}\n"]  # 2 + 6 × 5,000 + 3 = 30,005 bytes
    with spool(chunks, tmp_path / "plan") as spooled:
        spooled.linkable = spooled.linkable and linkable
        spooled.copy_to(tmp_path / "plan.json")
    written = (tmp_path / "plan.json").read_bytes()
    assert written == b"".join(chunks) and len(written) == 30_005
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "plan.json").stat().st_mode & 0o777 == 0o666 & ~umask
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.json"]
