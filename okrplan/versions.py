"""A plan's history: the plan it was made from, the date it was re-planned as of, the
``--set`` overrides it was decomposed with.

These are optional keys of plan.json's ``plan`` section (extensions: a plan decomposed as
written has none of them, so its plan.json is unchanged):

``parent``
    ``{"path": "../plan/plan.json", "sha256": "…"}``: the plan.json it was re-planned from,
    its path relative to this plan's directory (absolute where there is no relative path),
    and the SHA-256 of its bytes at the time, so a later change to it shows.
``target``
    ``{"path": "../target-h2.yaml", "sha256": "…"}``: the target file a re-plan was made
    with (so the next re-plan of this plan needs no ``--target``).
``as_of``
    ``"2015-06-30"``: the day up to which actuals were locked in.
``overrides``
    ``["kpi.target=9000万", …]``: the ``--set`` overrides applied to the target file, in order.

:func:`history` follows ``parent`` links from a plan directory back to the first plan.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from okrplan.choices import PLAN_FILE
from okrplan.errors import InputError, Issue
from okrplan.export.manifest import file_digest

MAX_HISTORY = 1000
"""Most ancestors :func:`history` follows (a loop of edited parents stops there too)."""


def plan_file(path: str | os.PathLike[str]) -> Path:
    """The plan.json of a plan directory, or ``path`` itself if it is a file."""
    found = Path(path)
    return found / PLAN_FILE if found.is_dir() else found


def parent_of(parent: str | os.PathLike[str], directory: str | os.PathLike[str]) -> dict[str, str]:
    """The ``parent`` record of a plan written to ``directory`` from the plan at ``parent``
    (a plan directory or its plan.json).

    Raises
    ------
    InputError
        If the parent has no plan.json.
    """
    source = plan_file(parent)
    if not source.is_file():
        raise InputError(
            [Issue("no plan.json here", os.fspath(parent), hint="pass a plan directory")]
        )
    return file_record(source, directory)


def file_record(
    source: str | os.PathLike[str], directory: str | os.PathLike[str]
) -> dict[str, str]:
    """``{"path", "sha256"}`` of a file, its path relative to ``directory`` where it can be."""
    source = Path(source)
    try:
        relative = os.path.relpath(source.resolve(), Path(directory).resolve())
    except ValueError:  # another drive on Windows
        relative = os.fspath(source.resolve())
    return {"path": Path(relative).as_posix(), "sha256": file_digest(source)}


def with_history(
    plan: Any,
    *,
    parent: dict[str, str] | None = None,
    as_of: date | None = None,
    overrides: Sequence[str] = (),
    target: dict[str, str] | None = None,
) -> Any:
    """``plan`` (an :class:`okrplan.plan.Plan`) with its history keys set in its meta (the
    others as they are)."""
    meta = dict(plan.meta)
    if parent is not None:
        meta["parent"] = dict(parent)
    if target is not None:
        meta["target"] = dict(target)
    if as_of is not None:
        meta["as_of"] = as_of.isoformat()
    if overrides:
        meta["overrides"] = list(overrides)
    return dataclasses.replace(plan, meta=meta)


@dataclass(frozen=True, slots=True)
class Version:
    """One plan of a history: where its plan.json is, its name and history keys, and the
    state of the file: ``ok``, ``missing`` or ``changed`` (its bytes differ from the hash
    its child recorded)."""

    path: str
    name: str
    as_of: str | None
    overrides: tuple[str, ...]
    state: str
    sha256: str


def history(path: str | os.PathLike[str]) -> list[Version]:
    """The plan at ``path`` and the plans it descends from, newest first.

    A parent that is gone or was changed since is listed with that state, and the history
    stops there (a changed plan.json may name another parent).
    """
    import json

    out: list[Version] = []
    current, expected = plan_file(path), None
    while len(out) < MAX_HISTORY:
        if not current.is_file():
            out.append(Version(current.as_posix(), "", None, (), "missing", expected or ""))
            break
        digest = file_digest(current)
        state = "ok" if expected in (None, digest) else "changed"
        try:
            meta = json.loads(current.read_text("utf-8")).get("plan", {})
        except (ValueError, UnicodeDecodeError, AttributeError):
            meta = {}
        meta = meta if isinstance(meta, dict) else {}
        overrides = meta.get("overrides", ())
        out.append(
            Version(
                current.as_posix(),
                str(meta.get("name", "")),
                str(meta["as_of"]) if "as_of" in meta else None,
                tuple(str(o) for o in overrides) if isinstance(overrides, list) else (),
                state,
                digest,
            )
        )
        parent = meta.get("parent")
        if state != "ok" or not isinstance(parent, dict) or not isinstance(parent.get("path"), str):
            break
        step = Path(parent["path"])
        current = step if step.is_absolute() else Path(os.path.normpath(current.parent / step))
        expected = str(parent.get("sha256", ""))
    return out


_WORDS = {
    "en": {"ok": "", "missing": " (missing)", "changed": " (changed since)", "as_of": "as of"},
    "zh": {"ok": "", "missing": "（已不存在）", "changed": "（此后已改动）", "as_of": "截至"},
}


def history_text(versions: Sequence[Version], locale: str = "zh-CN") -> str:
    """One line per version, newest first: short hash, path, name, as-of date, overrides."""
    words = _WORDS["zh" if locale.startswith("zh") else "en"]
    lines = []
    for version in versions:
        parts = [version.sha256[:12] or "-" * 12, version.path + words[version.state]]
        if version.name:
            parts.append(version.name)
        if version.as_of:
            parts.append(f"{words['as_of']} {version.as_of}")
        parts += [f"--set {o}" for o in version.overrides]
        lines.append("  ".join(parts))
    return "\n".join(lines) + "\n"


def recorded_target(plan: Any, directory: str | os.PathLike[str]) -> Path | None:
    """The target file a re-planned plan records (its path resolved from the plan's
    directory), if it records one."""
    found = plan.meta.get("target")
    if not isinstance(found, dict) or not isinstance(found.get("path"), str):
        return None
    path = Path(found["path"])
    return path if path.is_absolute() else Path(os.path.normpath(Path(directory) / path))
