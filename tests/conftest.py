"""Shared helpers: write a target file into a test's tmp_path, build a minimal target."""

from __future__ import annotations

import copy
import hashlib
import io
import json
import os
import pickle
import resource
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, settings

# How long Hypothesis takes to make and run examples depends on the machine: a busy or slow one
# must not fail a test for it (the "too slow" health check, a deadline). Tests that set their
# own settings start from these.
settings.register_profile(
    "okrplan",
    settings.get_profile(settings.get_current_profile_name()),  # (the "ci" one on CI)
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("okrplan")

# pytest caches its assertion-rewritten test modules (and Python the compiled okrplan modules)
# in __pycache__ even where PYTHONDONTWRITEBYTECODE is set: rewriting the test files again costs
# each xdist worker about 4 s of CPU on every run.
sys.dont_write_bytecode = False

FUNNEL = {
    "revenue": {"name": "销售额", "kind": "money"},
    "deals": {"name": "成交项目", "unit": "个", "yields": {"revenue": "10万"}},
    "visits": {"name": "客户拜访", "unit": "家次", "yields": {"deals": "20%"}},
}


def minimal_target(**sections: Any) -> dict[str, Any]:
    """A valid target (one team of 5 who sell deals, 1000万) with ``sections`` replacing keys.

    ``plan`` entries are merged into the default plan; every other key replaces its section.
    """
    target: dict[str, Any] = {
        "okrplan": 1,
        "plan": {"name": "test", "period": 2015, "locale": "zh-CN", "buffer": "0%"},
        "kpi": {"metric": "revenue", "target": "1000万"},
        "metrics": copy.deepcopy(FUNNEL),  # tests edit it: never the shared one
        "org": {
            "name": "公司",
            "units": [
                {"name": "销售部", "roles": [{"role": "销售", "headcount": 5, "sells": "deals"}]}
            ],
        },
    }
    target["plan"] = {**target["plan"], **sections.pop("plan", {})}
    target.update(sections)
    return target


def dump(target: dict[str, Any] | str) -> str:
    return (
        target
        if isinstance(target, str)
        else yaml.safe_dump(target, allow_unicode=True, sort_keys=False)
    )


@pytest.fixture
def write_target(tmp_path: Path) -> Callable[..., Path]:
    """``write_target(text_or_dict, name="target.yaml")`` → the path of the written file."""

    def write(target: dict[str, Any] | str, name: str = "target.yaml") -> Path:
        path = tmp_path / name
        path.write_text(dump(target), encoding="utf-8")
        return path

    return write


HOSTILE_UNIT = "<script>alert(1)</script>"
HOSTILE_ROLE = '"><img src=x onerror=alert(2)>'


@pytest.fixture(scope="module")
def hostile_progress(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    """(plan, its folder): a unit and a role named like markup, and two check-ins of the
    team's KR in the folder's progress store (test_report_progress)."""
    from fractions import Fraction

    from okrplan import api
    from okrplan.progress import CheckIn, record

    target = minimal_target(plan={"seasonality": ["20%", "20%", "20%", "40%"]})
    target["org"]["units"][0]["name"] = HOSTILE_UNIT
    target["org"]["units"][0]["roles"][0]["role"] = HOSTILE_ROLE
    folder = tmp_path_factory.mktemp("hostile")
    path = folder / "target.yaml"
    path.write_text(dump(target), encoding="utf-8")
    plan = api.decompose(path)
    team = next(k for k in plan.graph if str(k).startswith("k:") and "img" in str(k))
    checkins = [
        CheckIn(team, "2015-03", Fraction(50_000)),
        CheckIn(team, "2015-04", Fraction(60_000)),
    ]
    record(folder, checkins, source="test")
    return plan, folder


_WORKBOOK_PICKLES: dict[bytes, bytes] = {}


def open_xlsx(source: str | os.PathLike[str] | bytes) -> Any:
    """``openpyxl.load_workbook(source)`` for a test to read or edit: a workbook of its own.

    Tests open the same few workbooks again and again, and openpyxl spends most of a load
    binding merged cells (0.26 s for the shipped scenario's book, per load): the first load of
    some bytes is pickled, and later loads of the same bytes are unpickled from it (0.02 s).
    Saved again, the copy writes the same cells and styles; only the order in which openpyxl
    lists the merged ranges (a set) may differ.
    """
    from openpyxl import load_workbook

    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    key = hashlib.sha256(data).digest()
    if key not in _WORKBOOK_PICKLES:
        _WORKBOOK_PICKLES[key] = pickle.dumps(load_workbook(io.BytesIO(data)))
    return pickle.loads(_WORKBOOK_PICKLES[key])


_DRAWINGS: dict[tuple[Any, ...], bytes] = {}


@pytest.fixture(scope="session", autouse=True)
def draw_each_tree_once() -> Iterator[None]:
    """Graphviz's ``dot`` draws the same DOT text to the same bytes (test_determinism checks it
    across processes), and the tests draw the same few trees again and again (a decompose
    writes tree.png and tree.svg, the report embeds the SVG): each (DOT text, format, renderer)
    is drawn once per test process, and later drawings reuse its bytes. Only a drawing that
    worked is kept, and only while ``dot`` is on the PATH (tests that take it away still see
    okrplan's own error); okrplan's code runs as ever up to ``graphviz.pipe``."""
    try:
        import graphviz
    except ImportError:
        yield
        return
    real = graphviz.pipe

    def pipe(engine: str, format: str, data: bytes, *args: Any, **kwargs: Any) -> bytes:
        found = shutil.which(engine)
        if found is None:
            return real(engine, format, data, *args, **kwargs)
        key = (found, engine, format, data, args, tuple(sorted(kwargs.items())))
        if key not in _DRAWINGS:
            _DRAWINGS[key] = real(engine, format, data, *args, **kwargs)
        return _DRAWINGS[key]

    graphviz.pipe = pipe
    try:
        yield
    finally:
        graphviz.pipe = real


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite the golden files in tests/golden/ from the current output",
    )


GOLDEN = Path(__file__).resolve().parent / "golden"


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """``golden(name, text)``: compare with tests/golden/NAME, or rewrite it with
    ``--update-golden`` (then review the diff with ``git diff tests/golden``)."""
    update = bool(request.config.getoption("--update-golden"))

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return
        assert path.exists(), f"no golden file {path}; run pytest --update-golden and review it"
        assert text == path.read_text(encoding="utf-8"), (
            f"{name} differs from its golden file; if the change is intended, run "
            "pytest --update-golden and review the diff"
        )

    return check


# --- Balance across xdist workers. scripts/test.sh runs `-n auto --dist loadfile`: each file
# goes whole to one worker, so that its module fixtures are made once. xdist hands the files out
# biggest first by their NUMBER of tests, which leaves a few-test file that costs many seconds
# (a benchmark, LibreOffice, killed runs) for the end, when the other worker has nothing left.
# Handing them out by what they cost, most first, balances the workers (longest job first).
# The figures are seconds per file on the clock (setup + call + teardown from `--durations=0`,
# two quiet runs, 2026-11-30): a file that waits for a browser or LibreOffice holds its worker
# although its own CPU is small. The files made cheaper since (browser, sheets, fuzz, render,
# LibreOffice, benchmarks, manifest) have their quiet figure scaled by their CPU after ÷ before
# (OKRPLAN_TEST_CPU, whole suite, the machine too loaded for its clock to mean anything).
# test_render and test_source_lines are scaled the same way after their hypothesis tests got
# cheaper, and the files that were unlisted (cheap) but cost over a second of CPU are listed by
# their CPU (OKRPLAN_TEST_CPU, whole suite, 2026-11-30 17:40): an unlisted file goes last, where
# a few seconds hold one worker while the other has nothing left.
# A stale figure only makes the balance worse, never a test wrong; an unlisted file counts as
# cheap.
FILE_SECONDS = {
    "test_report_browser.py": 16,
    "test_render.py": 8,
    "test_fuzz.py": 10.5,
    "test_sheets.py": 9.5,
    "test_xlsx_libreoffice.py": 8.5,
    "test_manifest.py": 6.5,
    "test_benchmarks.py": 5.5,
    "test_hardening.py": 5.5,
    "test_determinism.py": 5.5,
    "test_atomic.py": 5,
    "test_notebook.py": 5,
    "test_properties.py": 4.5,
    "test_report.py": 4.5,
    "test_everyday_inputs.py": 4,
    "test_infeasible_properties.py": 3,
    "test_forked.py": 2.5,
    "test_source_lines.py": 2.5,
    "test_output_speed.py": 2.5,
    "test_checkin_scale.py": 2.5,
    "test_weights_scores.py": 2,
    "test_handout.py": 3,
    "test_cases.py": 2.5,
    "test_status_index.py": 2,
    "test_checkin.py": 1.5,
    "test_progress.py": 1.5,
    "test_hostile_names.py": 1.5,
    "test_hires_explain.py": 1.5,
    "test_status_light.py": 1.5,
    "test_tabular.py": 1.5,
    "test_numbers_whole.py": 1,
    "test_formats.py": 1,
}


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config.option, "loadscopereorder"):  # pytest-xdist: keep the order made below
        config.option.loadscopereorder = False


def pytest_sessionstart(session: pytest.Session) -> None:
    """Share the rewriting of the test files' asserts among the xdist workers.

    Every worker imports every test file, and in a clean clone each would rewrite all of their
    asserts (about 4 CPU s a worker, as much as all else the collection does) before pytest's
    cache of rewritten files (tests/__pycache__) has them. Worker ``i`` of ``n`` first fills
    that cache from the ``i``-th ``n``-th of the files on, while worker 0 collects from the
    first file: each rewrites its own share and then reads the others' from the cache. The
    same code as pytest's own (its rewrite, written atomically); only the order differs. A
    cache that is warm already, or a pytest other than the one this was written against
    (9.x: these are its internals), leaves this a no-op; a file that cannot be rewritten (a
    syntax error) is left to pytest's own import, which reports it as usual."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    index = int(worker.removeprefix("gw")) if worker.removeprefix("gw").isdigit() else 0
    if index == 0 or sys.dont_write_bytecode or pytest.version_tuple[0] != 9:
        return
    try:
        from _pytest.assertion import rewrite

        state = session.config.stash[rewrite.assertstate_key]
    except (ImportError, AttributeError, KeyError):
        return  # pytest's own import rewrites every file, as ever
    files = sorted(Path(__file__).parent.glob("test_*.py"))
    start = index * len(files) // count
    for path in files[start:] + files[:start]:
        try:
            folder = rewrite.get_cache_dir(path)
            pyc = folder / (path.name[:-3] + rewrite.PYC_TAIL)
            if rewrite._read_pyc(path, pyc) is None and rewrite.try_makedirs(folder):
                source_hash, code = rewrite._rewrite_test(path, session.config)
                rewrite._write_pyc(state, code, source_hash, pyc)
        except Exception:  # this file is left to pytest's own import
            continue


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The test files in order of their cost, most first; tests keep their order in a file."""

    def cost(item: pytest.Item) -> float:
        return -FILE_SECONDS.get(item.path.name, 0)

    items.sort(key=cost)  # stable: within a file, and among cheap files, the order stays


# --- CPU accounting (OKRPLAN_TEST_CPU=DIR): the suite's budget is CPU on 2 cores, and wall
# time on a shared machine says nothing. Each process (xdist worker or the only one) writes
# DIR/<worker>.json: its own CPU plus that of its waited-for children (CLI runs, browsers,
# soffice) per test phase, and the whole process's CPU at session end.
_CPU_DIR = os.environ.get("OKRPLAN_TEST_CPU", "")
_cpu_rows: list[tuple[str, str, float]] = []


def _cpu_now() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


if _CPU_DIR:

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_setup(item: pytest.Item) -> Any:
        start = _cpu_now()
        yield
        _cpu_rows.append((item.nodeid, "setup", _cpu_now() - start))

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(item: pytest.Item) -> Any:
        start = _cpu_now()
        yield
        _cpu_rows.append((item.nodeid, "call", _cpu_now() - start))

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_teardown(item: pytest.Item) -> Any:
        start = _cpu_now()
        yield
        _cpu_rows.append((item.nodeid, "teardown", _cpu_now() - start))

    def pytest_sessionfinish(session: pytest.Session) -> None:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        out = Path(_CPU_DIR)
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{worker}.json").write_text(
            json.dumps({"total": _cpu_now(), "rows": _cpu_rows}), encoding="utf-8"
        )
