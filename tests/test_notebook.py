"""notebooks/walkthrough.ipynb: committed without outputs, and it runs clean.

The notebook is executed with nbclient in a ``python3`` kernel of this interpreter (ipykernel
from the ``dev`` extra); every cell must run without an error or a warning on stderr.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "walkthrough.ipynb"


def test_the_notebook_is_committed_without_outputs() -> None:
    data = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    code = [c for c in data["cells"] if c["cell_type"] == "code"]
    assert code
    for cell in code:
        assert cell["outputs"] == [] and cell["execution_count"] is None, cell["source"][:1]
    assert data["metadata"]["kernelspec"]["name"] == "python3"
    source = "".join("".join(c["source"]) for c in code)
    for call in (
        "api.load(",
        "api.decompose(",
        "api.render(",
        "api.sheet_files(",
        "api.explain_text(",
        "api.report_html(",
    ):
        assert call in source, call


def test_the_walkthrough_runs_clean(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # jupyter_core warns that it will move to platformdirs unless told to use them now.
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    # The kernel's runtime files (connection files) in a folder of this test's own.
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("OKRPLAN_WALKTHROUGH_OUT", str(tmp_path / "out"))
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    from jupyter_client.kernelspec import KernelSpecManager

    specs = KernelSpecManager().find_kernel_specs()
    assert "python3" in specs, f"no python3 kernel for {sys.executable}: pip install ipykernel"
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()
    problems = []
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output["output_type"] == "error":
                problems.append(f"cell {index}: {output['ename']}: {output['evalue']}")
            elif output["output_type"] == "stream" and output["name"] == "stderr":
                problems.append(f"cell {index} wrote to stderr: {output['text'][:500]}")
    assert not problems, "\n".join(problems)
    # "".join: the kernel may send one print's stream in several pieces (a "\n" between
    # them once split "status: optimal" and failed this test now and then)
    text = "".join(
        str(o.get("text", "")) + str(o.get("data", {}).get("text/markdown", ""))
        for c in notebook.cells
        for o in c.get("outputs", [])
    )
    assert "status: optimal" in text
    assert "| win rate 40% | optimal |" in text  # the comparison table
    assert "report.html" in text
    images = [
        o
        for c in notebook.cells
        for o in c.get("outputs", [])
        if "image/svg+xml" in o.get("data", {})
    ]
    from okrplan import api

    assert len(images) == (1 if api.image_problem() is None else 0)
    assert (tmp_path / "out" / "report.html").is_file()
    assert (tmp_path / "out" / "plan-win-rate-40" / "plan.json").is_file()
