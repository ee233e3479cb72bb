"""Work done beside the main process on a second core, by ``fork``.

A large plan's outputs are independent once it is solved: the sheets and the report can be
made while plan.json and plan.md are (and its forecast while it is being solved, see
:mod:`okrplan.forecast.early`). :class:`Beside` runs a function in a forked child (which
shares the solved plan without copying it) and waits for its result when asked. The child
only computes: it writes no files and prints nothing, and sends its result -- files by name,
text or bytes -- back through a pipe as a JSON header and the files' bytes (nothing but data
crosses, no objects). If anything goes wrong in the child (an error, a result of another
shape, a child that dies), the work is done again in this process, so an error is raised
here as if there had been no child, and the result is the same either way.

Some parts may be made on either side: :class:`Shared` hands each of them to whichever
process asks first once its own work is done, so that neither core waits for the other while
a part is left (the sides' own work is not in the same proportion for every plan).

Where ``fork`` does not exist (Windows) the work is done in this process straight away.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
from collections.abc import Callable, Sequence
from typing import BinaryIO

Files = dict[str, str | bytes]


class Beside:
    """``work()`` started in a forked child: :meth:`result` waits for it, :meth:`cancel`
    stops it (call one of them, or use the object as a context manager, which cancels what
    was not waited for)."""

    def __init__(self, work: Callable[[], Files]) -> None:
        self._work = work
        self._owner = os.getpid()  # the process whose child it is
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
                data.reverse()
                with os.fdopen(write, "wb") as out:
                    while data:  # each part let go once sent: this process shrinks as the
                        out.write(data.pop())  # parent grows (a large plan's files)
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        self._pid, self._read = pid, read

    def result(self) -> Files:
        """The child's result, or the work done here if the child did not deliver it."""
        if self._done is not None:
            return self._done[0]
        if os.getpid() != self._owner:  # a process forked since: the child is not its own
            return self._work()
        value: Files | None = None
        if self._read is not None:
            with os.fdopen(self._read, "rb") as incoming:
                self._read = None
                with contextlib.suppress(ValueError, TypeError):  # a damaged result
                    value = read_files(incoming)
        if not self._reap() or value is None:  # the child failed (its error is raised
            value = self._work()  # here), died or sent a damaged result: the work done here
        self._done = (value,)
        return value

    def cancel(self) -> None:
        """Stop the child if it is still working (in the process whose child it is)."""
        if os.getpid() != self._owner:
            return
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


class Shared:
    """Parts that either the main process or a forked child may make, each made once, by the
    first to ask for it (:meth:`take`). A pipe made before the fork holds one byte per part;
    reading a byte claims its part (a pipe's reads are atomic), so the two processes never
    make the same part and never wait for each other while a part is left.

    The work beside gets its parts from :meth:`beside`. Use the object as a context manager
    (it closes the pipe)."""

    def __init__(self, parts: Sequence[tuple[str, Callable[[], Files]]]) -> None:
        self._parts = parts
        self._main = os.getpid()
        self._here: set[int] = set()  # the parts the main process made or is making
        self._read: int | None = None
        if len(parts) > 255:  # one byte names a part
            raise ValueError(f"at most 255 parts can be shared, not {len(parts)}")
        if hasattr(os, "fork"):
            read, write = os.pipe()
            os.write(write, bytes(range(len(parts))))
            os.close(write)
            os.set_blocking(read, False)
            self._read = read

    def take(self, step: Callable[[str], None] = lambda name: None) -> Files:
        """The parts no other process has taken, made here (``step`` is called with each
        one's name first), until none is left."""
        made: Files = {}
        while (index := self._claim()) is not None:
            if os.getpid() == self._main:
                self._here.add(index)
            name, part = self._parts[index]
            step(name)
            made.update(part())
        return made

    def beside(self) -> Files:
        """What the work beside the main process makes of the parts: in the forked child,
        what it takes (:meth:`take`); in the main process (no fork, or a failed child's work
        done again), every part the main process has not made (the child's are lost)."""
        if os.getpid() != self._main:
            return self.take()
        if self._read is not None:
            while self._claim() is not None:  # none is left for anyone to take
                pass
        made: Files = {}
        for index, (_, part) in enumerate(self._parts):
            if index not in self._here:
                self._here.add(index)
                made.update(part())
        return made

    def _claim(self) -> int | None:
        if self._read is None:  # no pipe (no fork): the main process takes what is left
            left = [i for i in range(len(self._parts)) if i not in self._here]
            return left[0] if left else None
        try:
            byte = os.read(self._read, 1)
        except BlockingIOError:  # pragma: no cover (the writer is closed: an empty pipe is EOF)
            return None
        return byte[0] if byte else None

    def __enter__(self) -> Shared:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._read is not None:
            os.close(self._read)
            self._read = None


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


def read_files(stream: BinaryIO) -> Files:
    """The files of :func:`encode`'s bytes read from ``stream`` to its end, each file's bytes
    read as one object of its size (not the whole stream first, then each file copied out of
    it: a large plan's child sends some 400 MB at 1,000,000 people).

    Raises
    ------
    ValueError, TypeError
        If the bytes are damaged (a child killed while it wrote them).
    """
    line = stream.readline()
    try:
        header = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"a damaged header: {exc}") from None
    if not isinstance(header, list):
        raise ValueError("a damaged header: not a list of files")
    files: Files = {}
    for name, text, size in header:
        if not isinstance(size, int) or not 0 <= size <= _LARGEST:
            raise ValueError("a damaged header: a file's size is not a count of bytes")
        part = stream.read(size)
        if len(part) != size:
            raise ValueError("the files' sizes do not add up")
        files[name] = part.decode("utf-8") if text else part
    if stream.read(1):
        raise ValueError("the files' sizes do not add up")
    return files


_LARGEST = 1 << 36
"""No file sent back is larger (64 GiB: plan.json is at most 2 GiB, see
:data:`okrplan.export.planjson.MAX_PLAN_BYTES`): a larger size is a damaged header, refused
before a buffer of that size is asked for."""
