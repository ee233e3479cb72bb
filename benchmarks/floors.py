"""Floors of the I/O stages: the least work each could take on the same plan, beside okrplan's.

- load: libyaml parsing the target file into plain Python values (no checks, no records);
- plan.json: the same node and edge dicts as one compact JSON text by the C encoder (no
  sorting of keys, no line per item), UTF-8 encoded;
- write: the bytes of plan.json and plan.md written to a file and flushed, one write each.

The solve stage's floor is benchmarks/floor.py (the split by water-filling). The stages made
of okrplan's own rules (rounding, graph, sheets, report, plan.md) have no floor script yet: a
floor for them would be a second implementation of the rules.

Usage: python benchmarks/floors.py target.yaml   (prints okrplan's CPU seconds and the floor's)
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _cpu(work: Any) -> tuple[float, Any]:
    start = time.process_time()
    result = work()
    return time.process_time() - start, result


def floors(target: str) -> dict[str, dict[str, float]]:
    """okrplan's CPU seconds and the floor's, per stage."""
    import yaml

    from okrplan import api
    from okrplan.export.markdown import to_markdown
    from okrplan.export.planjson import json_chunks
    from okrplan.model import node_to_json
    from okrplan.plan import bulk_work
    from okrplan.spec import load_spec

    out: dict[str, dict[str, float]] = {}
    text = Path(target).read_text("utf-8")
    floor_load, _ = _cpu(lambda: yaml.load(text, Loader=yaml.CSafeLoader))
    with bulk_work():
        own_load, spec = _cpu(lambda: load_spec(target))
    out["load"] = {"okrplan": own_load, "floor": floor_load}
    plan = api.decompose(spec)
    graph = plan.graph
    with bulk_work():
        own_json, chunks = _cpu(lambda: list(json_chunks(plan)))
        nodes = [node_to_json(d["node"]) for d in graph._node.values()]
        edges = [
            {"kind": d["kind"], "source": s, "target": t}
            for s, t, d in graph.edges(data=True)
            if d["kind"] not in ("owns", "measures")
        ]
        floor_json, _ = _cpu(
            lambda: json.dumps(
                {"nodes": nodes, "edges": edges}, ensure_ascii=False, separators=(",", ":")
            ).encode("utf-8")
        )
    out["plan.json (given the node dicts)"] = {"okrplan": own_json, "floor": floor_json}
    markdown = to_markdown(plan).encode("utf-8")
    data = b"".join(chunks)

    def write() -> None:
        with tempfile.TemporaryDirectory() as folder:
            for name, content in (("plan.json", data), ("plan.md", markdown)):
                with open(os.path.join(folder, name), "wb") as handle:
                    handle.write(content)
                    handle.flush()
                    os.fsync(handle.fileno())

    floor_write, _ = _cpu(write)
    out["write (plan.json, plan.md)"] = {"floor": floor_write}
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    sys.path.insert(0, str(ROOT))
    for stage, times in floors(args[0]).items():
        own = times.get("okrplan")
        ratio = f"{own / times['floor']:.1f}×" if own is not None and times["floor"] else "—"
        own_text = f"{own:.2f} s" if own is not None else "—"
        print(f"{stage}: okrplan {own_text}, floor {times['floor']:.2f} s, {ratio}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
