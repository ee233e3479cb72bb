"""Floors of okrplan's stages: the least work each could take on the same plan, beside okrplan's.

Each floor makes the same kind and amount of output as its stage from inputs prepared
untimed, in plain Python (or the C library okrplan itself uses), without okrplan's rules,
checks or formatting:

- load: libyaml's events of the target file turned into plain Python values by the shortest
  loop (every scalar kept as text: no positions, numbers, checks or records; ``yaml.load``
  with ``CSafeLoader``, whose constructor is Python, takes three times longer than okrplan);
- solve: ``benchmarks/floor.py``, the split by water-filling (run by ``run.py`` itself);
- graph: a networkx ``DiGraph`` of the plan's nodes (records made beforehand) and edges, by
  networkx's bulk adds;
- plan.json: the nodes' and edges' dicts (made beforehand) as one compact JSON text by the C
  encoder, UTF-8 encoded;
- plan.md + tree: a Markdown table row per key result and a heading per owner (numbers with
  ``f"{x:,}"``), and a Graphviz DOT line per unit and role group with an edge to its parent;
- sheets: what decompose writes — for a book of more than ``MAX_WORKBOOK_SHEETS`` sheets an
  index row per sheet, else an ``openpyxl`` write-only workbook with a sheet per unit and role
  group and a row per key result;
- report: no floor (its charts and tables are okrplan's own rules; a floor would be a second
  implementation of them);
- write: the files of the plan folder (the same names and bytes) each written, flushed and
  fsynced, one write each.

Usage: python benchmarks/floors.py target.yaml   (prints okrplan's CPU seconds and the floor's)
``run.py`` measures the floors in the same process as the stages (:func:`stage_floors`).
"""

from __future__ import annotations

import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RATIO = 4.0
"""Each stage at 100,000 people within this many times its floor (issue 16)."""


def _cpu(work: Any) -> tuple[float, Any]:
    start = time.process_time()
    result = work()
    return time.process_time() - start, result


def _best(work: Any, repeat: int) -> float:
    """The least CPU seconds of ``repeat`` runs of ``work``."""
    return min(_cpu(work)[0] for _ in range(repeat))


def _owners(plan: Any) -> list[tuple[Any, list[Any]]]:
    """Units and role groups in display order, each with its key results (the input of the
    plan.md and sheets floors; not timed)."""
    from okrplan import queries
    from okrplan.model import RoleGroup, Unit

    graph = plan.graph
    out = []
    for owner in queries.tree_order(graph):
        record = graph._node[owner]["node"]
        if isinstance(record, (Unit, RoleGroup)):
            krs = [kr for _, krs in queries.sheet(graph, owner) for kr in krs]
            out.append((record, krs))
    return out


def _yaml_values(text: str, loader_cls: Any) -> Any:
    """The target file's plain values from libyaml's events by the shortest loop: every
    scalar kept as its text (no positions, tags, numbers or checks)."""
    import yaml

    loader = loader_cls(text)
    get, root, stack, keys = loader.get_event, None, [], []
    while (event := get()) is not None:
        kind = type(event)
        if (
            kind is yaml.ScalarEvent
            or kind is yaml.MappingStartEvent
            or kind is yaml.SequenceStartEvent
        ):
            made = (
                event.value
                if kind is yaml.ScalarEvent
                else {}
                if kind is yaml.MappingStartEvent
                else []
            )
            if not stack:
                root = made
            elif type(stack[-1]) is list:
                stack[-1].append(made)
            elif keys[-1] is None:
                keys[-1] = made
                continue
            else:
                stack[-1][keys[-1]], keys[-1] = made, None
            if kind is not yaml.ScalarEvent:
                stack.append(made)
                keys.append(None)
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            stack.pop()
            keys.pop()
    loader.dispose()
    return root


def _load_floor(target: str, repeat: int) -> float:
    import yaml

    text = Path(target).read_text("utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return _best(lambda: _yaml_values(text, loader), repeat)


def _graph_floor(plan: Any, repeat: int) -> float:
    import networkx as nx

    graph = plan.graph
    nodes = [(n, {"node": d["node"]}) for n, d in graph._node.items()]
    edges = [(s, t, {"kind": d["kind"]}) for s, t, d in graph.edges(data=True)]

    def build() -> None:
        made = nx.DiGraph()
        made.add_nodes_from(nodes)
        made.add_edges_from(edges)

    return _best(build, repeat)


def _json_floor(plan: Any, repeat: int) -> tuple[float, bytes]:
    from okrplan.model import node_to_json

    graph = plan.graph
    nodes = [node_to_json(d["node"]) for d in graph._node.values()]
    edges = [
        {"kind": d["kind"], "source": s, "target": t}
        for s, t, d in graph.edges(data=True)
        if d["kind"] not in ("owns", "measures")
    ]

    def encode() -> bytes:
        text = json.dumps(
            {"nodes": nodes, "edges": edges}, ensure_ascii=False, separators=(",", ":")
        )
        return text.encode("utf-8")

    return _best(encode, repeat), encode()


def _markdown_floor(owners: list[tuple[Any, list[Any]]], repeat: int) -> tuple[float, bytes]:
    def write() -> str:
        lines = []
        for record, krs in owners:
            lines += [f"## {record.name}", "", "| kr | target | weight |", "|---|---|---|"]
            lines += [f"| {kr.name} | {kr.target or 0:,} | {kr.weight or 0}% |" for kr in krs]
            lines.append("")
        for record, _ in owners:  # the tree: a node and its edge up
            lines.append(f'"{record.id}" [label="{record.name}"];')
            if len(record.path) > 1:
                lines.append(f'"u:{"/".join(record.path[:-1])}" -> "{record.id}";')
        return "\n".join(lines)

    return _best(write, repeat), write().encode("utf-8")


def _sheets_floor(plan: Any, owners: list[tuple[Any, list[Any]]], repeat: int) -> float:
    from okrplan.api import MAX_WORKBOOK_SHEETS

    sheets = [(r, krs) for r, krs in owners if krs]

    def index() -> str:
        return "\n".join(
            f"| {r.name} | {' / '.join(r.path)} | {getattr(r, 'headcount', '')} | "
            f"{sum(kr.target or 0 for kr in krs[:1]):,} |"
            for r, krs in sheets
        )

    def workbook() -> bytes:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        for number, (record, krs) in enumerate(sheets):
            sheet = book.create_sheet(f"{number}")
            sheet.append([" / ".join(record.path)])
            for kr in krs:
                sheet.append([kr.name, kr.target, kr.weight, *kr.periods.values()])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    return _best(index if len(sheets) > MAX_WORKBOOK_SHEETS else workbook, repeat)


def _write_floor(files: dict[str, bytes], repeat: int) -> float:
    def write() -> None:
        with tempfile.TemporaryDirectory() as folder:
            for name, content in files.items():
                os.makedirs(os.path.dirname(os.path.join(folder, name)), exist_ok=True)
                with open(os.path.join(folder, name), "wb") as handle:
                    handle.write(content)
                    handle.flush()
                    os.fsync(handle.fileno())

    return _best(write, repeat)


def stage_floors(
    target: str, plan: Any, repeat: int = 1, written: Path | None = None
) -> dict[str, float]:
    """The CPU seconds of each stage's floor (the least of ``repeat`` runs), by ``run.py``'s
    stage names; the solve stage's is ``benchmarks/floor.py``'s, the report has none. The
    write floor writes the files of the plan folder ``written`` (all of them, the same bytes),
    else the floors' plan.json and plan.md."""
    from okrplan.plan import bulk_work

    with bulk_work():
        owners = _owners(plan)
        out = {"load": _load_floor(target, repeat), "graph": _graph_floor(plan, repeat)}
        out["plan.json"], data = _json_floor(plan, repeat)
        out["plan.md + tree"], markdown = _markdown_floor(owners, repeat)
        out["sheets"] = _sheets_floor(plan, owners, repeat)
        files = {"plan.json": data, "plan.md": markdown}
        if written is not None:
            files = {
                str(path.relative_to(written)): path.read_bytes()
                for path in sorted(written.rglob("*"))
                if path.is_file()
            }
        out["write"] = _write_floor(files, repeat)
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    sys.path.insert(0, str(ROOT))
    from okrplan import api
    from okrplan.plan import bulk_work

    with bulk_work():
        own_load, spec = _cpu(lambda: api.load(args[0]))
    plan = api.decompose(spec)
    floors = stage_floors(args[0], plan, 3)
    for stage, floor in floors.items():
        own = f"okrplan {own_load:.2f} s, " if stage == "load" else ""
        print(f"{stage}: {own}floor {floor:.2f} CPU s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
