"""Work done beside the main process on a second core, by ``fork``.

A large plan's outputs are independent once it is solved: the sheets and the report can be
made while plan.json and plan.md are. :class:`Beside` runs a function in a forked child (which
shares the solved plan without copying it) and waits for its result when asked. The child
only computes: it writes no files and prints nothing, and sends its result -- files by name,
text or bytes -- back through a pipe as a JSON header and the files' bytes (nothing but data
crosses, no objects). If anything goes wrong in the child (an error, a result of another
shape, a child that dies), the work is done again in this process, so an error is raised
here as if there had been no child, and the result is the same either way.

Where ``fork`` does not exist (Windows) the work is done in this process straight away.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
from collections.abc import Callable

Files = dict[str, str | bytes]


class Beside:
    """``work()`` started in a forked child: :meth:`result` waits for it, :meth:`cancel`
    stops it (call one of them, or use the object as a context manager, which cancels what
    was not waited for)."""

    def __init__(self, work: Callable[[], Files]) -> None:
        self._work = work
        self._pid: int | None = None
        self._read: int | None = None
        self._done: tuple[Files] | None = None
        if not hasattr(os, "fork"):
            self._done = (work(),)
            return
        read, write = os.pipe()
        try:
            pid = os.fork()
        except OSError:  # no memory or processes left for a child: do it here
            os.close(read)
            os.close(write)
            self._done = (work(),)
            return
        if pid == 0:  # the child: compute, send, and leave without running any exit handlers
            code = 1
            try:
                os.close(read)
                data = encode(work())
                with os.fdopen(write, "wb") as out:
                    out.writelines(data)
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        self._pid, self._read = pid, read

    def result(self) -> Files:
        """The child's result, or the work done here if the child did not deliver it."""
        if self._done is not None:
            return self._done[0]
        data = b""
        if self._read is not None:
            with os.fdopen(self._read, "rb") as incoming:
                self._read = None
                data = incoming.read()
        ok = self._reap()
        value: Files
        if ok and data:
            try:
                value = decode(data)
            except (ValueError, TypeError):  # a damaged result: do the work here instead
                value = self._work()
        else:  # the child failed (its error is raised here) or died
            value = self._work()
        self._done = (value,)
        return value

    def cancel(self) -> None:
        """Stop the child if it is still working."""
        if self._pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGKILL)
        if self._read is not None:
            os.close(self._read)
            self._read = None
        self._reap()

    def _reap(self) -> bool:
        """Wait for the child to end; whether it ended well."""
        if self._pid is None:
            return False
        _, status = os.waitpid(self._pid, 0)
        self._pid = None
        return os.waitstatus_to_exitcode(status) == 0

    def __enter__(self) -> Beside:
        return self

    def __exit__(self, *exc: object) -> None:
        self.cancel()


def encode(files: Files) -> list[bytes]:
    """A header line (JSON: each file's name, whether it is text, its length) and the bytes."""
    if not isinstance(files, dict):
        raise TypeError("the work must give files by name")
    parts = [
        value.encode("utf-8") if isinstance(value, str) else bytes(value)
        for value in files.values()
    ]
    header = [
        [str(name), isinstance(value, str), len(part)]
        for (name, value), part in zip(files.items(), parts, strict=True)
    ]
    return [json.dumps(header).encode("utf-8") + b"\n", *parts]


def decode(data: bytes) -> Files:
    """The files of :func:`encode`'s bytes.

    Raises
    ------
    ValueError, TypeError
        If the bytes are damaged (a child killed while it wrote them).
    """
    line, _, rest = data.partition(b"\n")
    try:
        header = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"a damaged header: {exc}") from None
    if not isinstance(header, list):
        raise ValueError("a damaged header: not a list of files")
    files: Files = {}
    at = 0
    for name, text, size in header:
        part = rest[at : at + size]
        at += size
        files[name] = part.decode("utf-8") if text else part
    if at != len(rest):
        raise ValueError("the files' sizes do not add up")
    return files
