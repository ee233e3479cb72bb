"""Check okrplan's code structure: `python scripts/structure.py` (exit 1 if anything is listed).

- modules missing from README's layout table (Developing), and table rows naming no module;
- import cycles among okrplan's modules: at import time (module level), and through the
  imports done inside functions (which only work because they are deferred);
- a module importing another module's ``_private`` name, or reading ``module._private``;
- functions over :data:`MAX_LINES` lines (a target, not a rule: listed, not failed).
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "okrplan"
MAX_LINES = 60
_ROW = re.compile(r"^\| `([^`]+)` \|")


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its ``__init__``)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def layout_problems(found: dict[str, Path]) -> list[str]:
    """Modules the README's layout table leaves out, and rows naming no module (a row may
    name a package, ``spec/``, for all of its modules)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    start = readme.index("| module | what it holds |")
    rows = set()
    for line in readme[start + 2 :]:
        match = _ROW.match(line)
        if match is None:
            break
        rows.add(match.group(1))
    packages = {r for r in rows if r.endswith("/")}
    names = {str(p.relative_to(PACKAGE)) for p in found.values() if p.name != "__init__.py"}
    names |= {str(p.parent.relative_to(PACKAGE)) + "/" for p in found.values()}
    out = [
        f"README layout: no row for {n}"
        for n in sorted(names)
        if not n.endswith("/") and n not in rows and not any(n.startswith(p) for p in packages)
    ]
    out += [f"README layout: {r} is no module" for r in sorted(rows - names)]
    return out


def _resolve(name: str, found: dict[str, Path]) -> list[str]:
    """The modules an import of ``name`` runs: the module and the packages above it."""
    while name and name not in found:
        name = name.rpartition(".")[0]
    out = []
    while name:
        if name in found:
            out.append(name)
        name = name.rpartition(".")[0]
    return out


def _imports(tree: ast.AST, package: str) -> list[tuple[ast.stmt, str, bool]]:
    """Every import statement's (statement, absolute module, whether at module level);
    imports under ``if TYPE_CHECKING`` are left out (they never run)."""
    out: list[tuple[ast.stmt, str, bool]] = []
    stack: list[tuple[ast.AST, bool]] = [(tree, True)]
    while stack:
        node, module_level = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            inner = module_level and not isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
            )
            if isinstance(child, ast.Import):
                out += [(child, a.name, module_level) for a in child.names]
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    parts = package.split(".")
                    parts = parts[: len(parts) - child.level + 1]
                    base = ".".join([*parts, base] if base else parts)
                out.append((child, base, module_level))
            stack.append((child, inner))
    return out


def import_graphs(found: dict[str, Path]) -> tuple[nx.DiGraph, nx.DiGraph, list[str]]:
    """The module-level imports, all imports, and the reach-ins into another okrplan
    module's ``_private`` names."""
    top, every, reach = nx.DiGraph(), nx.DiGraph(), []
    for name, path in found.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        where = path.relative_to(ROOT)
        aliases: set[str] = set()  # names bound to okrplan modules
        for statement, base, module_level in _imports(tree, package):
            if not base.startswith("okrplan"):
                continue
            targets = [base]
            if isinstance(statement, ast.ImportFrom):
                for a in statement.names:
                    targets.append(f"{base}.{a.name}")
                    if f"{base}.{a.name}" in found:
                        aliases.add(a.asname or a.name)
                    elif re.match(r"_[a-z]", a.name):
                        reach.append(f"{where}:{statement.lineno}: {base}.{a.name}")
            for target in targets:
                for hit in _resolve(target, found):
                    if hit != name and not name.startswith(hit + "."):
                        every.add_edge(name, hit)
                        if module_level:
                            top.add_edge(name, hit)
        reach += [
            f"{where}:{node.lineno}: {node.value.id}.{node.attr}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute)
            and re.match(r"_[a-z]", node.attr)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
        ]
    return top, every, reach


def long_functions(found: dict[str, Path]) -> list[str]:
    """Functions over :data:`MAX_LINES` lines, longest first."""
    out = []
    for path in found.values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_LINES:
                    out.append((lines, f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"))
    return [f"{n} lines: {where}" for n, where in sorted(out, reverse=True)]


def main() -> int:
    found = modules()
    problems = layout_problems(found)
    top, every, reach = import_graphs(found)
    for label, graph in (("import cycle", top), ("deferred import cycle", every)):
        problems += [
            f"{label}: {' ↔ '.join(sorted(c))}"
            for c in nx.strongly_connected_components(graph)
            if len(c) > 1
        ]
    problems += [f"reach-in: {r}" for r in reach]
    print("\n".join(problems) or "structure: no problems")
    for line in long_functions(found):
        print(f"(target) {line}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
