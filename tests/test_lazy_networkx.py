"""okrplan.lazy_networkx: networkx's graph classes at once, the rest of it when first asked for.

Each case runs in a fresh interpreter: this one has imported networkx whole already.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(code: str) -> None:
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120, cwd=ROOT)


def test_the_graph_classes_without_the_algorithms_then_the_rest_when_asked() -> None:
    _run(
        "import sys\n"
        "from okrplan.lazy_networkx import install, splits\n"
        "install()\n"
        "import networkx as nx\n"
        # another networkx than the split was written for: imported whole, the same for the rest
        "assert ('networkx.algorithms' in sys.modules) is not splits()\n"
        "g = nx.DiGraph()\n"
        "g.add_edge('a', 'b'); g.add_edge('b', 'c')\n"
        "assert list(g.successors('a')) == ['b'] and g.number_of_nodes() == 3\n"
        "assert ('networkx.algorithms' in sys.modules) is not splits()\n"
        "g.add_edge('c', 'a')\n"
        # a name of the rest: the rest is run, once, into the same module
        "assert nx.find_cycle(g) == [('a', 'b'), ('b', 'c'), ('c', 'a')]\n"
        "assert 'networkx.algorithms' in sys.modules\n"
        "import networkx\n"
        "from networkx import DiGraph, topological_sort\n"
        "from networkx.classes.digraph import DiGraph as Same\n"
        "assert networkx is nx and DiGraph is nx.DiGraph is Same\n"
        "assert list(topological_sort(nx.DiGraph([(1, 2)]))) == [1, 2]\n"
        "try:\n"
        "    nx.no_such_name\n"
        "except AttributeError:\n"
        "    pass\n"
        "else:\n"
        "    raise AssertionError('no AttributeError')\n"
    )


def test_from_import_runs_the_rest() -> None:
    _run(
        "from okrplan.lazy_networkx import install\n"
        "install()\n"
        "from networkx import find_cycle, NetworkXNoCycle, DiGraph\n"
        "try:\n"
        "    find_cycle(DiGraph([(1, 2)]))\n"
        "except NetworkXNoCycle:\n"
        "    pass\n"
    )


def test_nothing_done_when_networkx_is_imported_already() -> None:
    import networkx

    from okrplan.lazy_networkx import install

    install()
    assert sys.modules["networkx"] is networkx


def test_decompose_does_not_import_networkx_algorithms(tmp_path: Path) -> None:
    target = ROOT / "scenarios" / "a-company-2015.yaml"
    _run(
        "import sys\n"
        "from okrplan.cli import main\n"
        f"sys.argv = ['okrplan-test', 'decompose', {str(target)!r}, '-o', "
        f"{str(tmp_path / 'plan')!r}, '-q']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "from okrplan.lazy_networkx import splits\n"
        "assert 'networkx.classes' in sys.modules\n"
        "assert ('networkx.algorithms' in sys.modules) is not splits()\n"
    )


def test_another_networkx_is_left_to_the_ordinary_import(monkeypatch: pytest.MonkeyPatch) -> None:
    from okrplan import lazy_networkx

    monkeypatch.setattr(lazy_networkx, "_FIRST_PART", (0, 0))  # as another release's would be
    assert not lazy_networkx.splits()
    monkeypatch.setattr(lazy_networkx, "_SPLIT", "\nno such line\n")
    assert not lazy_networkx.splits()


def test_threads_asking_at_once_all_get_the_rest() -> None:
    _run(
        "import threading\n"
        "from okrplan.lazy_networkx import install\n"
        "install()\n"
        "import networkx as nx\n"
        "got, errors = [], []\n"
        "def ask():\n"
        "    try:\n"
        "        got.append(nx.find_cycle)\n"
        "    except Exception as exc:\n"
        "        errors.append(repr(exc))\n"
        "threads = [threading.Thread(target=ask) for _ in range(8)]\n"
        "[t.start() for t in threads]\n"
        "[t.join() for t in threads]\n"
        "assert errors == [] and len(got) == 8 and len(set(map(id, got))) == 1, errors\n"
    )
