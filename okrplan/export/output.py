"""The output directory of `okrplan decompose`: written whole or not at all.

Files are written into a fresh hidden directory next to the target, then moved into place with
renames, so a crash leaves either the previous output or the complete new one. An existing
directory is replaced only with ``force``, and only if it is an okrplan output (has plan.json).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from okrplan.errors import OutputError

Content = str | bytes | Callable[[Path], None]


def write_dir(target: str | os.PathLike[str], files: Mapping[str, Content], *,
              force: bool = False, marker: str = "plan.json") -> Path:
    """Write ``files`` (relative name → text, bytes, or a writer given the path) as a directory.

    Raises
    ------
    OutputError
        If the directory exists (without ``force``), is not okrplan's, or cannot be written.
    """
    final = Path(target)
    if final.exists():
        if not final.is_dir():
            raise OutputError(f"{final} exists and is not a directory; choose another -o")
        if not force:
            raise OutputError(f"{final} already exists; pass --force to replace it")
        if not (final / marker).exists() and any(final.iterdir()):
            raise OutputError(f"{final} exists and is not an okrplan output (no {marker}); "
                              "choose another -o")
    parent = final.resolve().parent
    if not parent.is_dir():
        raise OutputError(f"the folder {parent} does not exist")
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.new-", dir=parent))
    except OSError as exc:
        raise OutputError(f"cannot write in {parent}: {exc.strerror}") from None
    try:
        for name, content in sorted(files.items(), key=lambda kv: kv[0]):
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, str):
                path.write_text(content, encoding="utf-8")
            elif isinstance(content, bytes):
                path.write_bytes(content)
            else:
                content(path)
        os.chmod(staging, 0o755)
        _swap(staging, final)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"cannot write {final}: {exc.strerror or exc}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return final


def _swap(staging: Path, final: Path) -> None:
    if not final.exists():
        os.rename(staging, final)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{final.name}.old-", dir=final.resolve().parent))
    os.rmdir(old)
    os.rename(final, old)
    os.rename(staging, final)
    shutil.rmtree(old, ignore_errors=True)
