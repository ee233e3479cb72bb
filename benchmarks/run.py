"""Scale benchmark: `okrplan decompose` on synthetic organisations of 1k, 10k and 100k people.

Usage: python benchmarks/run.py [--sizes 1000,10000,100000] [--seed 1] [--naive-max 10000]
                                [--keep DIR] [-o TABLE.md] [--json RESULTS.json] [--quiet]
                                [--quick]

``--sizes 1000,10000,100000,1000000`` adds the million-person organisation and the 100k → 1M
growth and 1M targets (about 15 minutes more; the 1M stages, timed one after another in one
process, need some 8 GB of memory: more than `okrplan decompose` itself, held to 6 GB).

For each size, benchmarks/synth.py writes a target file, and fresh processes run:

- `okrplan decompose` itself, the console script a user runs, three times (once with
  --quick): the median end-to-end wall time (interpreter start, imports and exit included, the
  outputs made on two cores) and CPU seconds, and the highest real peak of its process tree's
  memory (sampled every 20 ms, summed over the process and its forked children); every row
  writes the same kinds of file (the table says how many sheet files: a workbook up to
  MAX_WORKBOOK_SHEETS sheets, else an index and cards);
- the same calls with a clock on each stage, one after another on one core: load, solve
  (groups, hires, split), rounding
  (quotas to steps, phasing, the funnel), graph (units, roles, objectives, key results,
  alignment, weights), plan.json, plan.md + tree (the folded goal tree, drawn with Graphviz),
  sheets, report (report.html), write;
- the floor (benchmarks/floor.py): the same split by water-filling in plain floats; "solve ÷
  floor" compares CPU seconds, the median of interleaved runs of each (child_floor);
- the naive model (benchmarks/naive.py) in PuLP + CBC, one variable per person and one per
  group, for sizes up to --naive-max; a run stopped by --naive-time-limit is a time-out.

Stage columns are wall seconds; "stages CPU s" is their sum in CPU seconds (on a shared
machine wall time includes waiting for a core); "end to end CPU s" is the CPU seconds of the
whole `okrplan decompose` process tree (its forked child and Graphviz included), the figure
to compare between branches on a loaded machine.

It prints a Markdown table, then each target and whether it holds. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
STAGES = (
    "load",
    "solve",
    "rounding",
    "graph",
    "plan.json",
    "plan.md + tree",
    "sheets",
    "report",
    "write",
)
# the progress names of okrplan.api, as the columns they are counted in
COLUMN_OF = {
    "load": "load",
    "solve": "solve",
    "rounding": "rounding",
    "graph": "graph",
    "weights": "graph",
    "plan.json": "plan.json",
    "plan.md": "plan.md + tree",
    "tree.dot": "plan.md + tree",
    "tree.svg": "plan.md + tree",
    "sheets": "sheets",
    "report.html": "report",
    "write": "write",
}
TARGETS = {
    "e2e_100k": 6.0,  # issue 16
    "peak_mb_100k": 1024.0,
    "e2e_10k": 1.5,
    "e2e_1m": 60.0,
    "peak_mb_1m": 6144.0,
    "growth": 11.0,
    "floor_ratio": 20.0,
    "naive_ratio": 10.0,
    "help": 0.3,
}
FLOOR_RATIO = 4.0  # each stage within this many times its floor (benchmarks/floors.py)


# ---------------------------------------------------------------------------------------------
# What runs in the child processes (each prints one JSON line).


def _peak_mb(who: int | None = None) -> float:
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF if who is None else who).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 2**20


def tree_run(command: list[str], every: float = 0.02) -> tuple[float, float, int, float]:
    """Run ``command``; its wall time, the real peak of its process tree's resident memory
    (the sum over the process and every descendant alive at each sample, every ``every``
    seconds; a forked child's pages shared with its parent are counted in both) in MB, its
    exit code, and the CPU seconds (user + system) of the whole tree: the process, its forked
    child and Graphviz's ``dot``, each counted once it has ended (on a busy machine the wall
    time includes waiting for a core; the CPU seconds do not)."""
    import resource

    import psutil

    def reaped() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    before = reaped()
    start = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    root = psutil.Process(process.pid)
    peak = 0
    while process.poll() is None:
        total = 0
        try:
            members = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        for member in members:
            with contextlib.suppress(psutil.NoSuchProcess):  # gone since listed
                total += member.memory_info().rss
        peak = max(peak, total)
        time.sleep(every)
    _, err = process.communicate()
    wall = time.perf_counter() - start
    if process.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({process.returncode}):\n{err.decode()[-3000:]}")
    return wall, peak / 2**20, process.returncode, reaped() - before


def okrplan_command() -> list[str]:
    """The ``okrplan`` console script as a user runs it (beside this Python), else its module."""
    script = Path(sys.executable).with_name("okrplan")
    return [str(script)] if script.exists() else [sys.executable, "-m", "okrplan.cli"]


def child_stages(target: str, out: str) -> dict[str, Any]:
    """What `okrplan decompose` does (api.decompose, api.write_plan), each stage timed: one
    after another in this process (`decompose` itself shares the files' making between two
    processes, and makes the plan-time forecast beside the solver; here the forecast is timed
    in the report stage)."""
    from okrplan import api, plandir, queries
    from okrplan.model import RoleGroup

    plandir.BESIDE_FROM = sys.maxsize

    times: dict[str, float] = dict.fromkeys(STAGES, 0.0)
    cpu: dict[str, float] = dict.fromkeys(STAGES, 0.0)  # this process's CPU seconds
    current: list[Any] = ["load", time.perf_counter(), time.process_time()]

    def progress(stage: str) -> None:
        now, used = time.perf_counter(), time.process_time()
        column = COLUMN_OF.get(current[0], current[0])
        times[column] += now - current[1]
        cpu[column] += used - current[2]
        current[:] = [stage, now, used]

    start = time.perf_counter()
    plan = api.decompose(target, progress=progress)
    path = api.write_plan(
        plan, out, force=True, images=api.image_problem() is None, progress=progress
    )
    progress("end")
    graph = plan.graph
    kinds: dict[str, int] = {}
    for record in queries.records(graph):
        kinds[record.kind] = kinds.get(record.kind, 0) + 1
    people = sum(r.headcount for r in queries.records(graph) if isinstance(r, RoleGroup))
    sheets = path / api.SHEETS_DIR
    sys.path.insert(0, str(HERE))
    import floors

    floor_cpu = floors.stage_floors(target, plan, written=path)
    return {
        "floors": floor_cpu,
        "stages": times,
        "cpu": cpu,
        "total": time.perf_counter() - start,
        "peak_mb": _peak_mb(),
        "status": str(plan.status),
        "people": people,
        "units": kinds.get("unit", 0),
        "groups": kinds.get("role", 0),
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "hires": sum(plan.solver.hires.values()),
        "plan_json_mb": (path / api.PLAN_FILE).stat().st_size / 2**20,
        "sheet_files": len(list(sheets.iterdir())) if sheets.is_dir() else 0,
    }


def child_floor(target: str, repeat: str = "3") -> dict[str, Any]:
    """okrplan's solve stage and the water-filling floor on the same instance, in CPU seconds
    of this process (a loaded machine's waits are not counted), each the median of its runs.

    The runs are interleaved, ``repeat`` rounds of one solve and then floor runs for at least
    as long (≥ 5 per round; the floor takes ~40 ms, so a single run is at the mercy of
    the scheduler and the caches), so a change in load hits both sides alike. The median,
    not the best: the best of a few runs of the short side flatters whichever side got the
    luckier run; the median of many is a typical run of each."""
    sys.path.insert(0, str(HERE))
    import floor

    from okrplan.plan import bulk_work
    from okrplan.solve.allocate import allocate
    from okrplan.solve.groups import build_groups
    from okrplan.spec import load_spec

    with bulk_work():
        spec = load_spec(target)
    regions = floor.instance(spec)
    solves: list[float] = []
    walls: list[float] = []  # the naive model's time is wall time (CBC runs in a subprocess)
    floors: list[float] = []
    levels: dict[str, float] = {}
    for _ in range(int(repeat)):  # okrplan's solve stage: groups, capacity, hires, the exact split
        with bulk_work():
            start, wall = time.process_time(), time.perf_counter()
            allocation = allocate(spec, build_groups(spec))
            solves.append(time.process_time() - start)
            walls.append(time.perf_counter() - wall)
        spent, runs = 0.0, 0
        while runs < 5 or spent < solves[-1]:
            with bulk_work():  # as the solve runs: the collector paused
                start = time.process_time()
                levels = floor.solve(regions)
                floors.append(time.process_time() - start)
            spent, runs = spent + floors[-1], runs + 1
    exact = {
        "/".join(r.unit.names): float(r.level) for r in allocation.regions if r.level is not None
    }
    worst = max(
        (abs(levels[k] - v) / max(abs(v), 1e-12) for k, v in exact.items() if k in levels),
        default=0.0,
    )
    return {
        "floor_s": statistics.median(floors),
        "solve_s": statistics.median(solves),
        "solve_wall_s": statistics.median(walls),
        "floor_runs": len(floors),
        "solve_runs": len(solves),
        "groups": sum(len(r.items) for r in regions),
        "agrees": worst < 1e-6,
    }


def child_naive(target: str, time_limit: float, per: str) -> dict[str, Any]:
    sys.path.insert(0, str(HERE))
    import naive

    from okrplan.spec import load_spec

    return naive.run(load_spec(target), time_limit, per)


# ---------------------------------------------------------------------------------------------
# The parent: sizes, processes, the table.


def _child(args: list[str], timeout: float | None = None) -> tuple[dict[str, Any], float]:
    """Run this script in a fresh process; its JSON line and its wall time."""
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    wall = time.perf_counter() - start
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        raise RuntimeError(
            f"{' '.join(args[:2])} failed ({result.returncode}):\n{result.stderr[-3000:]}"
        )
    return json.loads(lines[-1]), wall


def help_seconds(repeat: int = 5) -> float:
    """Best wall time of `okrplan --help` in a fresh process."""
    script = Path(sys.executable).with_name("okrplan")
    command = (
        [str(script)]
        if script.exists()
        else [sys.executable, "-c", "from okrplan.cli import cli; cli()"]
    )
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(
            [*command, "--help"],
            capture_output=True,
            check=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        best = min(best, time.perf_counter() - start)
    return best


def measure(
    people: int,
    seed: int,
    folder: Path,
    naive_max: int,
    naive_limit: float,
    say: Any,
    repeat: int = 3,
) -> dict[str, Any]:
    sys.path.insert(0, str(HERE))
    from synth import synth

    target = folder / f"synthetic-{people}.yaml"
    target.write_text(synth(people, seed), encoding="utf-8")
    row: dict[str, Any] = {"size": people}
    out = folder / f"cli-{people}"
    runs = []  # (wall, peak MB, exit code, CPU s) of each run
    for run in range(repeat):
        say(f"{people:,} people: okrplan decompose ({run + 1} of {repeat})")
        runs.append(
            tree_run(
                [*okrplan_command(), "decompose", str(target), "-o", str(out), "-q", "--force"]
            )
        )
    # the median run's wall and CPU seconds; memory the highest peak of any run
    row["e2e_runs"] = [wall for wall, *_ in runs]
    row["e2e"] = statistics.median(row["e2e_runs"])
    row["e2e_cpu"] = statistics.median(cpu for *_, cpu in runs)
    row["cli_peak_mb"] = max(peak for _, peak, *_ in runs)
    row["wrote"] = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    row["sheet_files"] = len(list((out / "sheets").iterdir())) if (out / "sheets").is_dir() else 0
    say(f"{people:,} people: stages")
    row.update(_child(["--child-stages", str(target), str(folder / f"plan-{people}")])[0])
    # --quick runs the floor and the naive models in this process (one import of okrplan, not
    # three): their figures are times and results, not this process's memory
    say(f"{people:,} people: water-filling floor")
    row["floor"] = (
        child_floor(str(target), "1")
        if repeat == 1
        else _child(["--child-floor", str(target), str(repeat)])[0]
    )
    for per in ("person", "group"):
        if people > naive_max:
            continue
        say(f"{people:,} people: naive model, one variable per {per} (PuLP + CBC)")
        if repeat == 1:
            row[f"naive_{per}"] = child_naive(str(target), naive_limit, per)
            continue
        try:
            row[f"naive_{per}"] = _child(
                ["--child-naive", str(target), str(naive_limit), per],
                timeout=naive_limit * 2 + 600,
            )[0]
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            row[f"naive_{per}"] = {"status": f"failed: {str(exc).splitlines()[0]}"}
    return row


def _s(value: float) -> str:
    return f"{value:.2f}" if value < 100 else f"{value:.0f}"


def _naive_cell(naive: dict[str, Any] | None, solve_s: float) -> tuple[str, str]:
    """A naive run's seconds (a time-out said as one, never as an optimum) and its ratio to
    okrplan's solve stage (only for a proven optimum)."""
    if naive is None:
        return "not run", "—"
    if "seconds" not in naive:
        return str(naive["status"]), "—"
    if naive["status"] == "time-out":
        return f"time-out ({_s(naive['solve_s'])} s)", f"> {naive['seconds'] / solve_s:,.0f}×"
    text = _s(naive["seconds"]) + ("" if naive["status"] == "optimal" else f" ({naive['status']})")
    return text, f"{naive['seconds'] / solve_s:,.0f}×"


def table(rows: list[dict[str, Any]]) -> str:
    heads = [
        "people",
        "units · groups",
        "end to end s (median)",
        *(f"{s} s" for s in STAGES),
        "stages CPU s",
        "end to end CPU s (process tree)",
        "peak MB (process tree)",
        "plan.json MiB",
        "sheets written",
        "floor CPU ms (median)",
        "solve ÷ floor (CPU, medians)",
        "naive per person s",
        "÷ solve",
        "naive per group s",
        "÷ solve",
    ]
    lines = ["| " + " | ".join(heads) + " |", "|" + "---:|" * len(heads)]
    for row in rows:
        floor = row["floor"]
        person = _naive_cell(row.get("naive_person"), floor["solve_wall_s"])
        group = _naive_cell(row.get("naive_group"), floor["solve_wall_s"])
        lines.append(
            "| "
            + " | ".join(
                [
                    f"{row['size']:,}",
                    f"{row['units']:,} · {row['groups']:,}",
                    _s(row["e2e"]),
                    *(_s(row["stages"][s]) for s in STAGES),
                    _s(sum(row.get("cpu", {}).values())),
                    _s(row.get("e2e_cpu", 0.0)),
                    f"{row['cli_peak_mb']:,.0f}",
                    f"{row['plan_json_mb']:,.1f}",
                    f"{row.get('sheet_files', 0):,}",
                    f"{floor['floor_s'] * 1000:.1f}",
                    f"{floor['solve_s'] / floor['floor_s']:.1f}×",
                    *person,
                    *group,
                ]
            )
            + " |"
        )
    return "\n".join(lines)


def floor_table(rows: list[dict[str, Any]]) -> str:
    """Each stage's CPU seconds beside its floor's (benchmarks/floors.py, measured in the same
    process right after), and their ratio; ✅ within FLOOR_RATIO."""
    sizes = [r for r in rows if "floors" in r]
    heads = ["stage", *(f"{r['size']:,}: CPU s · floor s · ÷" for r in sizes)]
    lines = ["| " + " | ".join(heads) + " |", "|---|" + "---:|" * len(sizes)]
    for stage in STAGES:
        cells = [stage]
        for r in sizes:
            own = r["cpu"][stage]
            floor = r["floors"].get(stage)
            if stage == "solve":
                floor = r["floor"]["floor_s"]
            if floor is None:
                cells.append(f"{_s(own)} · — · —")
                continue
            ratio = own / floor if floor > 0 else float("inf")
            mark = "✅" if ratio <= FLOOR_RATIO else "❌"
            cells.append(f"{_s(own)} · {floor:.3f} · {ratio:.1f}× {mark}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def verdicts(rows: list[dict[str, Any]], help_s: float | None) -> list[str]:
    """Each target with the number it is judged on."""
    by_size = {r["size"]: r for r in rows}
    out = []

    def check(ok: bool, text: str) -> None:
        out.append(f"- {'✅' if ok else '❌'} {text}")

    if 100_000 in by_size:
        r = by_size[100_000]
        check(
            r["e2e"] <= TARGETS["e2e_100k"],
            f"100k people end to end {r['e2e']:.1f} s (≤ {TARGETS['e2e_100k']:.0f} s)",
        )
        peak = r["cli_peak_mb"]
        check(
            peak <= TARGETS["peak_mb_100k"],
            f"100k people peak memory {peak:,.0f} MB (≤ {TARGETS['peak_mb_100k']:,.0f} MB)",
        )
        for stage, floor in r.get("floors", {}).items():
            ratio = r["cpu"][stage] / floor if floor > 0 else float("inf")
            check(
                ratio <= FLOOR_RATIO,
                f"{stage} at 100k {ratio:.1f}× its floor "
                f"({r['cpu'][stage]:.2f} vs {floor:.2f} CPU s; ≤ {FLOOR_RATIO:.0f}×)",
            )
        ratio = r["floor"]["solve_s"] / r["floor"]["floor_s"]
        check(
            ratio <= TARGETS["floor_ratio"],
            f"solve stage at 100k {ratio:.1f}× the "
            f"water-filling floor (≤ {TARGETS['floor_ratio']:.0f}×)",
        )
    if 10_000 in by_size:
        r = by_size[10_000]
        check(
            r["e2e"] <= TARGETS["e2e_10k"],
            f"10k people end to end {r['e2e']:.2f} s (≤ {TARGETS['e2e_10k']} s; "
            f"{r.get('e2e_cpu', 0.0):.2f} CPU s in all)",
        )
        naive = r.get("naive_person") or {}
        if "seconds" in naive and naive["status"] == "optimal":
            ratio = naive["seconds"] / r["floor"]["solve_wall_s"]
            check(
                ratio >= TARGETS["naive_ratio"],
                f"at 10k the naive per-person model takes "
                f"{naive['seconds']:.0f} s, {ratio:,.0f}× okrplan's solve stage "
                f"({r['floor']['solve_wall_s']:.2f} s; ≥ {TARGETS['naive_ratio']:.0f}×), "
                f"{naive['seconds'] / r['e2e']:.0f}× okrplan end to end",
            )
    if 1_000_000 in by_size:
        _million(by_size[1_000_000], check)
    sizes = sorted(by_size)
    for small, large in itertools.pairwise(sizes):
        if large == small * 10:
            growth = by_size[large]["e2e"] / by_size[small]["e2e"]
            check(
                growth <= TARGETS["growth"],
                f"{small:,} → {large:,} people: end to end "
                f"×{growth:.1f} (≤ ×{TARGETS['growth']:.0f})",
            )
    for r in rows:
        if not r["floor"]["agrees"]:
            check(False, f"{r['size']:,} people: the floor's λ differs from okrplan's")
    if help_s is not None:
        check(help_s <= TARGETS["help"], f"`okrplan --help` {help_s:.2f} s (≤ {TARGETS['help']} s)")
    return out


def _million(r: dict[str, Any], check: Any) -> None:
    """The 1,000,000-person targets of ``r`` (a row), told to ``check``."""
    check(
        r["e2e"] <= TARGETS["e2e_1m"],
        f"1M people end to end {r['e2e']:.1f} s (≤ {TARGETS['e2e_1m']:.0f} s)",
    )
    check(
        r["cli_peak_mb"] <= TARGETS["peak_mb_1m"],
        f"1M people peak memory {r['cli_peak_mb']:,.0f} MB (≤ {TARGETS['peak_mb_1m']:,.0f} MB)",
    )


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0].startswith("--child-"):
        sys.path.insert(0, str(ROOT))
        mode, rest = args[0], args[1:]
        result = {
            "--child-stages": lambda: child_stages(*rest),
            "--child-floor": lambda: child_floor(*rest),
            "--child-naive": lambda: child_naive(rest[0], float(rest[1]), rest[2]),
        }[mode]()
        print(json.dumps(result))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default="1000,10000,100000", help="people per organisation, comma-separated"
    )
    parser.add_argument("--seed", type=int, default=1, help="synthetic organisation seed")
    parser.add_argument(
        "--naive-max", type=int, default=10_000, help="largest size the naive model runs at"
    )
    parser.add_argument(
        "--naive-time-limit",
        type=float,
        default=900.0,
        help="CBC's time limit per naive solve, seconds",
    )
    parser.add_argument("--keep", help="keep target files and outputs in this folder")
    parser.add_argument("-o", "--output", help="also write the table to this file")
    parser.add_argument("--json", help="also write every measurement to this JSON file")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="time each step once, not the best of several, the floor and the naive models in "
        "this process (every stage still runs: the test suite's run, not one to quote)",
    )
    options = parser.parse_args(args)
    if options.quick:  # the floor and the naive models run in this process
        sys.path.insert(0, str(ROOT))
    sizes = [int(s.replace("_", "").replace(",", "")) for s in options.sizes.split(",") if s]
    sys.path.insert(0, str(HERE))
    from bytecode import compile_okrplan

    compile_okrplan()  # as installed: no module compiled again in every timed process

    from rich.console import Console

    console = Console(stderr=True)
    status = None if options.quiet or not console.is_terminal else console.status("")
    started = time.perf_counter()

    def say(text: str) -> None:
        elapsed = time.perf_counter() - started
        if status is not None:
            status.update(f"{text} … ({elapsed:.0f} s)")
        elif not options.quiet:
            console.print(f"[{elapsed:6.1f} s] {text}", highlight=False)

    if status is not None:
        status.start()
    try:
        with tempfile.TemporaryDirectory(prefix="okrplan-bench-") as scratch:
            folder = Path(options.keep) if options.keep else Path(scratch)
            folder.mkdir(parents=True, exist_ok=True)
            repeat = 1 if options.quick else 3
            rows = [
                measure(
                    n,
                    options.seed,
                    folder,
                    options.naive_max,
                    options.naive_time_limit,
                    say,
                    repeat,
                )
                for n in sizes
            ]
            say("okrplan --help")
            help_s = help_seconds(1 if options.quick else 5)
    finally:
        if status is not None:
            status.stop()
    text = "\n".join([table(rows), "", floor_table(rows), "", *verdicts(rows, help_s)]) + "\n"
    sys.stdout.write(text)
    if options.output:
        Path(options.output).write_text(text, encoding="utf-8")
    if options.json:
        Path(options.json).write_text(
            json.dumps({"rows": rows, "help_s": help_s}, indent=1), encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
