"""Where a roster's people go: the YAML-shaped units by path (see :mod:`okrplan.spec.roster`)."""

from __future__ import annotations

from typing import Any

from okrplan.errors import Issue


class UnitIndex:
    """The YAML-shaped units by path, created on first use; YAML units are found by name."""

    def __init__(self, org: dict[str, Any], file: str, column: str) -> None:
        self.org = org
        self.file = file
        self.column = column
        self.by_path: dict[tuple[str, ...], dict[str, Any]] = {(): org}
        self.yaml_paths: dict[str, list[tuple[str, ...]]] = {}
        self.yaml_entries: set[tuple[tuple[str, ...], str]] = set()
        self._index(org, ())

    def _index(self, unit: dict[str, Any], path: tuple[str, ...]) -> None:
        self.by_path[path] = unit
        roles = unit.get("roles")
        for role in roles if isinstance(roles, list) else ():
            if isinstance(role, dict) and isinstance(role.get("role"), str):
                self.yaml_entries.add((path, role["role"]))
        below = unit.get("units")
        for child in below if isinstance(below, list) else ():
            if isinstance(child, dict) and isinstance(child.get("name"), str):
                here = (*path, child["name"])
                self.yaml_paths.setdefault(child["name"], []).append(here)
                self._index(child, here)

    def unit(
        self, path: tuple[str, ...], role: str, line: int, issues: list[Issue]
    ) -> dict[str, Any] | None:
        """The unit at ``path`` for a person of ``role`` on roster line ``line``, created if
        need be; None with the conflict reported."""
        column = self.column
        if (path, role) in self.yaml_entries:
            issues.append(
                roster_issue(
                    self.file,
                    line,
                    f"{role} in {'/'.join(path) or 'the top unit'} is also written in the "
                    "target file",
                    column,
                    "keep the people of one role in one unit either in the roster or in the "
                    "target file, not both",
                )
            )
            return None
        for depth in range(1, len(path) + 1):
            prefix = path[:depth]
            if prefix in self.by_path:
                continue
            elsewhere = [p for p in self.yaml_paths.get(prefix[-1], []) if p != prefix]
            if elsewhere:
                issues.append(
                    roster_issue(
                        self.file,
                        line,
                        f"{prefix[-1]} is at {'/'.join(elsewhere[0])} in the target file, not at "
                        f"{'/'.join(prefix)}",
                        column,
                        f"write the path as {'/'.join(elsewhere[0])}",
                    )
                )
                return None
            parent = self.by_path[prefix[:-1]]
            child: dict[str, Any] = {"name": prefix[-1]}
            units = parent.setdefault("units", [])
            if not isinstance(units, list):
                return None  # the schema reports the YAML's units:
            units.append(child)
            self.by_path[prefix] = child
        return self.by_path[path]

    def place(
        self,
        planned: list[int],
        paths: list[tuple[str, ...]],
        roles: tuple[str, ...],
        lines: tuple[int, ...],
        issues: list[Issue],
    ) -> list[tuple[int, dict[str, Any]]]:
        """Each row of ``planned`` with the unit its person goes into, the units found or made
        in the order of their first rows, as when the rows are placed one by one; a unit that
        cannot be made is reported at each of its rows, in row order."""
        keys = list(zip(paths, roles, strict=True))
        if len(planned) < len(keys):
            keys = [keys[r] for r in planned]
        firsts = dict(zip(reversed(keys), reversed(planned), strict=True))
        units: dict[tuple[tuple[str, ...], str], dict[str, Any]] = {}
        found: list[Issue] = []  # each failed unit's first problem: reported row by row below
        for (path, role), row in sorted(firsts.items(), key=lambda item: item[1]):
            unit = self.unit(path, role, lines[row], found)
            if unit is not None:
                units[path, role] = unit
                # its roles before the units made under it later (the merged file's key order)
                unit.setdefault("roles", [])
        if not found and len(units) == len(firsts):
            return list(zip(planned, map(units.__getitem__, keys), strict=True))
        for row, key in zip(planned, keys, strict=True):
            if key not in units:
                self.unit(*key, lines[row], issues)
        return [(row, units[key]) for row, key in zip(planned, keys, strict=True) if key in units]


def roster_issue(file: str, line: int, message: str, column: str, hint: str) -> Issue:
    """A problem in a roster's cell: the file, its line, the column and a hint."""
    return Issue(message, file, line, path=column, hint=hint)
