"""Writing an export (sheets, handouts) into a folder a planner may have put files in."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from okrplan.errors import OutputError


def write_export(
    directory: str | os.PathLike[str], files: Mapping[str, bytes | str], *, force: bool
) -> list[Path]:
    """Write ``files`` into ``directory``: each file atomically, never over a file okrplan did
    not write (unless ``force``), and the folder's manifest last.

    Raises
    ------
    OutputError
        Naming every file that would be lost, or if the folder cannot be written.
    """
    from okrplan.export.manifest import MANIFEST_FILE, export_check, export_manifest
    from okrplan.export.output import write_files

    folder = Path(directory)
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder} exists and is not a folder; choose another -o")
    if not folder.resolve().parent.is_dir():
        raise OutputError(f"the folder {folder.resolve().parent} does not exist")
    before = export_check(folder, files, force=force)
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot make the folder {folder}: {exc.strerror or exc}") from None
    written = write_files(folder, files)
    # last: a run killed before this leaves new files the old manifest calls edited (refused,
    # never lost)
    write_files(folder, {MANIFEST_FILE: export_manifest(folder, before, files)})
    return written
