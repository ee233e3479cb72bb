"""Writing outputs so that a crash never leaves a half-written one.

- A plan directory (`okrplan decompose`) is written whole into a fresh hidden sibling,
  ``.NAME.new-XXXXXXXX``, flushed to disk, then swapped with the previous directory in one
  ``renameat2(RENAME_EXCHANGE)`` call (Linux), so a kill at any point leaves either the previous
  directory or the complete new one at ``NAME``. Where the exchange is not supported the
  previous directory is first renamed to ``.NAME.old-XXXXXXXX``; a kill between the two renames
  leaves no ``NAME``, and the next run puts the previous directory back.
- Single files (`okrplan export`, `schema -o`, `render -o`, …) are written into a hidden
  temporary file beside their name, flushed, then renamed over it with :func:`os.replace`.

A plan directory that exists is okrplan's file by file (see :mod:`okrplan.export.manifest`):
the caller names the files of it okrplan may replace or delete (``replace``); every other entry
(a target file, notes, a workbook a planner keeps) is hard-linked into the staging directory
before the swap (copied where links cannot be made), so the one exchange still puts the whole
new directory in place and the planner's files are in it. A file the planner adds to the
directory while okrplan writes is moved across after the swap.

Siblings a killed run left behind are removed by the next run that writes there, unless another
okrplan run is writing there at that moment (writers hold a shared ``flock`` on the folder; the
clean-up needs it exclusively). An existing directory is replaced only with ``force``, and only
if it is an okrplan output (has plan.json or a manifest).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import hashlib
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from okrplan.errors import OutputError
from okrplan.export.manifest import MANIFEST_FILE, on_disk

Content = str | bytes | Callable[[Path], None]

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_SYNC_FILE_RANGE_WRITE = 2
_TEMP_TAG = ".okrplan-tmp"


def write_dir(
    target: str | os.PathLike[str],
    files: Mapping[str, Content],
    *,
    force: bool = False,
    marker: str = "plan.json",
    replace: Collection[str] | None = None,
) -> Path:
    """Write ``files`` (relative name → text, bytes, or a writer given the path) as a directory.

    With ``replace`` (relative POSIX paths of the existing directory's files), only those may
    be replaced or deleted; every other entry is kept in the new directory. Without it, the
    previous directory is replaced whole.

    Raises
    ------
    OutputError
        If the directory exists (without ``force``), is not okrplan's, or cannot be written, or
        if a file to keep has the name of one to write.
    """
    final = _output_path(target, files)
    with _writing(final.parent, functools.partial(_clean_dir_leftovers, final)):
        _check_replaceable(final, force, marker)
        try:
            staging = _fresh(final.parent, temp_prefix(final.name, ".new"), os.mkdir)
        except OSError as exc:
            raise OutputError(f"cannot write in {final.parent}: {exc.strerror or exc}") from None
        try:
            for name, content in sorted(files.items(), key=lambda kv: kv[0]):
                path = staging / on_disk(name)
                path.parent.mkdir(parents=True, exist_ok=True)
                if isinstance(content, str):
                    path.write_text(content, encoding="utf-8")
                elif isinstance(content, bytes):
                    path.write_bytes(content)
                else:
                    content(path)
            keep = None if replace is None else frozenset(map(on_disk, replace))
            if keep is not None and final.is_dir():
                _keep(final, staging, keep)
            flush_tree(staging)
            _swap(staging, final, keep)
        except OSError as exc:
            _remove(staging)
            raise OutputError(f"cannot write {final}: {exc.strerror or exc}") from None
        except BaseException:
            _remove(staging)
            raise
    return final


def _output_path(target: str | os.PathLike[str], files: Mapping[str, Content]) -> Path:
    """The directory ``target`` names (where a link to it points), in a folder that exists,
    with every name of ``files`` inside it."""
    final = Path(os.path.abspath(target))
    if final.is_symlink():  # write where the link points; the link stays
        final = final.resolve()
    if not final.name:
        raise OutputError(f"{final} cannot be an output directory; choose another -o")
    if not final.parent.is_dir():
        raise OutputError(f"the folder {final.parent} does not exist")
    for name in files:
        if Path(name).is_absolute() or ".." in Path(name).parts:
            raise OutputError(f"refusing to write {name!r} outside {final}")
    return final


def check_output(target: str | os.PathLike[str], *, force: bool, marker: str) -> None:
    """Refuse at once, before any work, an output directory that :func:`write_dir` would
    refuse: one that exists without ``force``, is not okrplan's, or whose folder is missing
    (write_dir checks again when it writes)."""
    _check_replaceable(_output_path(target, {}), force, marker)


def _check_replaceable(final: Path, force: bool, marker: str) -> None:
    """Refuse an existing ``final`` without ``force``, or one that is no okrplan output."""
    if not final.exists():
        return
    if not final.is_dir():
        raise OutputError(f"{final} exists and is not a directory; choose another -o")
    if not force:
        raise OutputError(f"{final} already exists; pass --force to replace it")
    if (
        not (final / marker).exists()
        and not (final / MANIFEST_FILE).exists()
        and any(final.iterdir())
    ):
        raise OutputError(
            f"{final} exists and is not an okrplan output (no {marker}); choose another -o"
        )


class Spooled:
    """Bytes written to an unnamed temporary file (it vanishes when closed, or when the
    process ends however it ends, unless :meth:`copy_to` gave it a name), with their
    SHA-256; a context manager that closes it. :meth:`add` writes more bytes after them."""

    def __init__(self, handle: IO[bytes], where: Path, *, linkable: bool = False) -> None:
        self.file = handle
        self.where = where  # the folder named when it cannot be written
        self.linkable = linkable  # an O_TMPFILE file: it can be given a name (Linux)
        self._sha = hashlib.sha256()
        self._written = self._started = 0  # bytes written; bytes sent to disk early

    @property
    def sha256(self) -> str:
        """The SHA-256 of the bytes written so far (hex)."""
        return self._sha.hexdigest()

    def add(self, chunks: Iterable[bytes]) -> None:
        """``chunks`` written in order after the bytes already written, hashed as they are
        written; their bytes start going to disk as they are made (see :func:`spool`).

        Raises
        ------
        OutputError
            If the temporary file cannot be written (a full disk).
        """
        try:
            for chunk in chunks:
                self._sha.update(chunk)
                self.file.write(chunk)
                self._written += len(chunk)
                if self.linkable and self._written - self._started >= _EARLY_WRITE:
                    self._write_back()  # (a copy's bytes: not yet, they are copied first)
            self.file.flush()
            if self.linkable:
                self._write_back()
        except OSError as exc:
            raise OutputError(f"cannot write in {self.where}: {exc.strerror or exc}") from None

    def _write_back(self) -> None:
        self.file.flush()
        _start_writeback(self.file.fileno(), self._started, self._written - self._started)
        self._started = self._written

    def copy_to(self, path: Path) -> None:
        """Write the bytes as ``path`` (a file writer of :data:`Content`): the temporary file
        itself given that name where it can be (the bytes are neither copied nor written to
        disk twice), else a copy of it. Called once (the file it names is the temporary
        one)."""
        self.file.flush()
        if self.linkable:
            try:
                _name(self.file.fileno(), path)
                return
            except OSError:  # another file system, or no /proc: a copy
                self.linkable = False
        size = self.file.seek(0, os.SEEK_END)
        with open(path, "wb") as out:
            offset = 0
            while offset < size:  # in the kernel: the bytes never pass through Python
                sent = os.sendfile(out.fileno(), self.file.fileno(), offset, size - offset)
                if sent == 0:
                    raise OSError(errno.EIO, "the temporary file ended early", str(path))
                offset += sent

    def close(self) -> None:
        self.file.close()

    def __enter__(self) -> Spooled:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_EARLY_WRITE = 8 << 20
"""Bytes of a spooled file after which the system is asked to start writing them to disk
(see :func:`_start_writeback`), while the rest is made."""


def spool(chunks: Iterable[bytes], directory: str | os.PathLike[str]) -> Spooled:
    """``chunks`` written in order to an unnamed temporary file in the folder that will hold
    ``directory`` (the same file system: no other disk fills, and :meth:`Spooled.copy_to` can
    give it its name instead of copying it), hashed as they are written, so that a large file
    is never held in memory whole. Its bytes start going to disk as they are made, so that the
    flush before the directory is swapped in (see :func:`write_dir`) has less left to wait for.

    Raises
    ------
    OutputError
        If the temporary file cannot be written (a full disk).
    """
    parent = Path(os.path.abspath(directory)).parent
    handle, linkable = _temporary(parent if parent.is_dir() else None)
    spooled = Spooled(handle, parent, linkable=linkable)
    try:
        spooled.add(chunks)
    except BaseException:
        handle.close()
        raise
    return spooled


def _temporary(folder: Path | None) -> tuple[IO[bytes], bool]:
    """An unnamed temporary file in ``folder`` (else the system's temporary folder), and
    whether it can be given a name: an ``O_TMPFILE`` opened without ``O_EXCL`` (Linux), whose
    permissions are those of any other output (the umask's) once named."""
    flag = getattr(os, "O_TMPFILE", 0)
    if folder is not None and flag:
        try:
            fd = os.open(folder, flag | os.O_RDWR | getattr(os, "O_CLOEXEC", 0), 0o666)
        except OSError:  # a file system without O_TMPFILE
            pass
        else:
            return open(fd, "w+b"), True  # closed by Spooled
    try:
        # closed by Spooled (or by spool): it outlives this function
        return tempfile.TemporaryFile(dir=folder), False
    except OSError:
        return tempfile.TemporaryFile(), False


def _name(fd: int, path: Path) -> None:
    """Give the unnamed file open as ``fd`` the name ``path``: ``linkat`` of its
    ``/proc/self/fd`` entry, following it (as ``os.link`` does only given a folder's fd)."""
    folder = os.open("/proc/self/fd", os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.link(str(fd), path, src_dir_fd=folder, follow_symlinks=True)
    finally:
        os.close(folder)


def _start_writeback(fd: int, offset: int, count: int) -> None:
    """Ask the system to start writing a file's bytes to disk, without waiting for them
    (Linux's ``sync_file_range(SYNC_FILE_RANGE_WRITE)``; nothing elsewhere)."""
    sync_file_range = getattr(_libc(), "sync_file_range", None)
    if sync_file_range is None or count <= 0:
        return
    sync_file_range.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
    sync_file_range.restype = ctypes.c_int
    sync_file_range(fd, offset, count, _SYNC_FILE_RANGE_WRITE)  # a hint: its failure is no error


def write_files(folder: str | os.PathLike[str], files: Mapping[str, str | bytes]) -> list[Path]:
    """Write ``files`` (name → text or bytes) into an existing ``folder``, each atomically.

    Every file is written to a temporary file beside its name and flushed first; only then are
    they renamed over their names, so a failure while writing changes nothing, and a crash
    leaves each file either old or new, never cut short.

    Raises
    ------
    OutputError
        If a name would leave the folder, or the folder cannot be written.
    """
    where = Path(folder)
    for name in files:
        if Path(name).name != name or name in ("", ".", ".."):
            raise OutputError(f"refusing to write {name!r} outside {where}")
    staged: list[tuple[Path, Path]] = []
    written: list[Path] = []
    with _writing(where, functools.partial(_clean_file_leftovers, where, files)):
        try:
            for name, content in sorted(files.items()):
                data = content.encode("utf-8") if isinstance(content, str) else content
                temporary = _fresh(
                    where,
                    temp_prefix(on_disk(name), _TEMP_TAG),
                    functools.partial(_write_new, data=data),
                )
                staged.append((temporary, where / on_disk(name)))
            _flush(where, [temporary for temporary, _ in staged])
            for temporary, final in staged:
                os.replace(temporary, final)
                written.append(final)
            _fsync_dir(where)
        except OSError as exc:
            raise OutputError(f"cannot write in {where}: {exc.strerror or exc}") from None
        finally:
            for temporary, _ in staged[len(written) :]:
                temporary.unlink(missing_ok=True)
    return written


# ---------------------------------------------------------------------------------------------
# Pieces


def _write_new(path: Path, data: bytes) -> None:
    """Create ``path`` (it must not exist: O_EXCL never follows a planted link) with ``data``;
    nothing is left of it if that fails."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    except BaseException:
        os.close(fd)
        path.unlink(missing_ok=True)
        raise
    os.close(fd)


NAME_MAX = 255
"""The longest file name, in bytes, on the file systems okrplan writes to."""


def temp_prefix(name: str, tag: str) -> str:
    """The prefix of the temporary names beside ``name``: ``.NAME{tag}-``, or where that and
    :func:`_fresh`'s 8 hex digits would not fit in a file name, ``.{hash of NAME}{tag}-`` —
    so a temporary name fits wherever the final name fits.

    >>> temp_prefix("plan", ".new")
    '.plan.new-'
    >>> len(temp_prefix("计" * 85, ".new"))  # 255 bytes of name
    22
    """
    prefix = f".{name}{tag}-"
    if len(os.fsencode(prefix)) + 8 <= NAME_MAX:
        return prefix
    return f".{hashlib.sha256(os.fsencode(name)).hexdigest()[:16]}{tag}-"


def _fresh(parent: Path, prefix: str, make: Callable[[Path], Any]) -> Path:
    """A new path ``parent/prefix + 8 hex digits`` made by ``make`` (which must fail if the path
    exists). Unlike :mod:`tempfile`, the umask sets its permissions, as for any other output."""
    for _ in range(100):
        path = parent / f"{prefix}{secrets.token_hex(4)}"
        try:
            make(path)
        except FileExistsError:
            continue
        return path
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(parent / prefix))


def _swap(staging: Path, final: Path, replace: frozenset[str] | None = None) -> None:
    """Put ``staging`` at ``final``, so that ``final`` is always either the previous or the new
    directory (or, without RENAME_EXCHANGE, briefly absent; see the module docstring). With
    ``replace``, what was added to the previous directory meanwhile is moved across."""
    if not os.path.lexists(final):
        os.rename(staging, final)
    elif _exchange(staging, final):
        _rescue(staging, final, replace)  # staging is now the previous directory
        _remove(staging)
    else:
        old = _fresh(
            final.parent, temp_prefix(final.name, ".old"), lambda path: os.rename(final, path)
        )
        os.rename(staging, final)
        _rescue(old, final, replace)
        _remove(old)
    _fsync_dir(final.parent)


def _entries(folder: Path) -> Iterator[tuple[str, Path, bool]]:
    """(relative POSIX path, path, is an empty folder) of every non-folder entry under
    ``folder`` and of its empty folders, without entering linked folders."""
    for root, dirs, names in os.walk(folder):
        base = Path(root)
        linked = [d for d in dirs if (base / d).is_symlink()]
        for name in [*names, *linked]:
            yield (base / name).relative_to(folder).as_posix(), base / name, False
        if not names and not dirs and base != folder:
            yield base.relative_to(folder).as_posix(), base, True


def _keep(previous: Path, staging: Path, replace: frozenset[str]) -> None:
    """Link every entry of ``previous`` not in ``replace`` into ``staging`` at the same place."""
    for relative, source, empty in _entries(previous):
        if relative in replace:
            continue
        copy = staging / relative
        if empty:
            copy.mkdir(parents=True, exist_ok=True)
            continue
        if os.path.lexists(copy):
            raise OutputError(
                f"{source} was not written by okrplan and has the name of a file it writes; "
                "move or rename it"
            )
        copy.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, copy, follow_symlinks=False)
        except OSError:  # a file system without hard links: a copy (the original goes)
            shutil.copy2(source, copy, follow_symlinks=False)


def _rescue(previous: Path, final: Path, replace: frozenset[str] | None) -> None:
    """Move into ``final`` what appeared in ``previous`` after :func:`_keep` linked it."""
    if replace is None:
        return
    for relative, source, _ in _entries(previous):
        if relative not in replace and not os.path.lexists(final / relative):
            with contextlib.suppress(OSError):
                (final / relative).parent.mkdir(parents=True, exist_ok=True)
                os.rename(source, final / relative)


@functools.cache
def _libc() -> Any:
    try:
        return ctypes.CDLL(None, use_errno=True)
    except (OSError, TypeError):  # TypeError: Windows has no "the program itself" library
        return None


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically with Linux's renameat2(RENAME_EXCHANGE); False where the
    system or its file system does not support it."""
    renameat2 = getattr(_libc(), "renameat2", None)
    if renameat2 is None:
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    renameat2.restype = ctypes.c_int
    if (
        renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE)
        == 0
    ):
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EPERM):
        return False
    raise OSError(code, os.strerror(code), os.fspath(second))


def flush_tree(directory: Path) -> None:
    """Make everything under ``directory`` durable before it is renamed into place."""
    _flush(
        directory, [Path(root) / name for root, _, names in os.walk(directory) for name in names]
    )


def _flush(folder: Path, files: list[Path]) -> None:
    """Make ``files`` in or under ``folder`` durable: one ``syncfs`` of the file system where
    there is one (thousands of fsyncs are slow), else an fsync of each file and its folder."""
    syncfs = getattr(_libc(), "syncfs", None)
    if syncfs is not None:
        fd = os.open(folder, os.O_RDONLY)
        try:
            if syncfs(fd) == 0:
                return
        finally:
            os.close(fd)
    for path in files:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    for directory in sorted({path.parent for path in files}):
        _fsync_dir(directory)


def _fsync_dir(directory: Path) -> None:
    """Make renames in ``directory`` durable, where folders can be opened (not on Windows)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot fsync a folder; the rename itself is still atomic
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            path.unlink()


@contextlib.contextmanager
def _writing(folder: Path, clean: Callable[[], None]) -> Iterator[None]:
    """Hold a shared lock on ``folder`` while writing into it; first, if no other okrplan run is
    writing there, ``clean`` up what earlier, killed runs left behind."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no locks, and no clean-up
        yield
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        yield
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            pass  # another run is writing: its files are not leftovers
        else:
            clean()
        fcntl.flock(fd, fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)  # releases the lock


def _clean_dir_leftovers(final: Path) -> None:
    """Remove the ``.NAME.new-*`` and ``.NAME.old-*`` siblings of killed runs; if ``NAME`` itself
    is missing (a kill between the two renames of the fallback), put the previous one back."""
    new, old = temp_prefix(final.name, ".new"), temp_prefix(final.name, ".old")
    found = _siblings(final.parent, (new, old))
    previous = [p for p in found if p.name.startswith(old) and p.is_dir()]
    if previous and not os.path.lexists(final):
        with contextlib.suppress(OSError):
            os.rename(max(previous, key=lambda p: p.stat().st_mtime), final)
    for path in found:
        if os.path.lexists(path):
            _remove(path)


def _clean_file_leftovers(folder: Path, names: Mapping[str, object]) -> None:
    # without the dash: older versions named their temporary files .NAME.okrplan-tmp
    prefixes = tuple(temp_prefix(on_disk(n), _TEMP_TAG).rstrip("-") for n in names)
    for path in _siblings(folder, prefixes):
        _remove(path)


def _siblings(folder: Path, prefixes: tuple[str, ...]) -> list[Path]:
    try:
        with os.scandir(folder) as entries:
            return sorted(Path(e.path) for e in entries if e.name.startswith(prefixes))
    except OSError:
        return []
