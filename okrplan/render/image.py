"""Images of DOT text through Graphviz's ``dot`` (via the ``graphviz`` package's ``pipe``).

The only module that runs ``dot``; everything it draws comes from :func:`okrplan.render.to_dot`.
``dot`` is run with an argument list, never through a shell.
"""

from __future__ import annotations

import shutil

from okrplan.errors import MissingDependencyError, OutputError

#: Formats :func:`render_image` writes (``dot`` is the text itself, no rendering needed).
IMAGE_FORMATS = ("svg", "png", "pdf")

_INSTALL = (
    "Graphviz's `dot` program is not installed, so the goal-tree images cannot be drawn; "
    "install it with `apt install graphviz` (Debian/Ubuntu; `brew install graphviz` on "
    "macOS), or run `bash scripts/setup.sh`"
)
# PNG and PDF through cairo (text shaped by pango, so Chinese uses the CJK font); SVG keeps
# real text (searchable, selectable) from the core renderer, with the same pango metrics.
_RENDERER = {"png": "cairo", "pdf": "cairo", "svg": None}


def dot_problem() -> str | None:
    """Why images cannot be drawn here (``dot`` or the graphviz package missing), or None."""
    import importlib.util

    # found, not imported: importing it costs time on every decompose, which asks before it
    # draws (and a very large plan's images are drawn without it: see render_images)
    if importlib.util.find_spec("graphviz") is None:
        return (
            "the Python package `graphviz` is not installed; install it with `pip install graphviz`"
        )
    if shutil.which("dot") is None:
        return _INSTALL
    return None


def render_image(dot_text: str, fmt: str = "png") -> bytes:
    """Lay out and draw DOT text as ``svg``, ``png`` or ``pdf`` bytes.

    Raises
    ------
    MissingDependencyError
        If ``dot`` (apt install graphviz) or the graphviz package is missing.
    OutputError
        If ``dot`` fails on the text.
    ValueError
        If ``fmt`` is not one of :data:`IMAGE_FORMATS`.
    """
    if fmt not in IMAGE_FORMATS:
        raise ValueError(f"unknown image format {fmt!r}; choose one of {', '.join(IMAGE_FORMATS)}")
    try:
        import graphviz
    except ImportError:
        raise MissingDependencyError(dot_problem() or "graphviz is missing") from None
    try:
        data: bytes = graphviz.pipe(
            "dot", fmt, dot_text.encode("utf-8"), renderer=_RENDERER[fmt], quiet=True
        )
    except graphviz.ExecutableNotFound:
        raise MissingDependencyError(_INSTALL) from None
    except graphviz.CalledProcessError as exc:
        detail = (exc.stderr or b"").decode("utf-8", "replace").strip()
        raise OutputError(
            f"Graphviz `dot` could not draw the goal tree as {fmt}: {detail or exc}"
        ) from None
    return data


def render_images(dot_text: str, formats: tuple[str, ...]) -> dict[str, bytes]:
    """:func:`render_image` of several formats from one run of ``dot``: the layout, most of
    its work, is made once (``dot -Tpng:cairo -o … -Tsvg -o …``; the bytes are the same as
    one run per format).

    Raises
    ------
    MissingDependencyError, OutputError, ValueError
        As :func:`render_image`.
    """
    if len(formats) < 2:
        return {fmt: render_image(dot_text, fmt) for fmt in formats}
    for fmt in formats:
        if fmt not in IMAGE_FORMATS:
            raise ValueError(
                f"unknown image format {fmt!r}; choose one of {', '.join(IMAGE_FORMATS)}"
            )
    import subprocess
    import tempfile
    from pathlib import Path

    program = shutil.which("dot")
    if program is None:
        raise MissingDependencyError(_INSTALL)
    with tempfile.TemporaryDirectory(prefix="okrplan-dot-") as folder:
        outputs = {fmt: Path(folder) / f"tree.{fmt}" for fmt in formats}
        command = [program, "-Kdot"]
        for fmt, path in outputs.items():
            renderer = _RENDERER[fmt]
            command += [f"-T{fmt}:{renderer}" if renderer else f"-T{fmt}", "-o", str(path)]
        done = subprocess.run(command, input=dot_text.encode("utf-8"), capture_output=True)
        if done.returncode != 0:
            detail = done.stderr.decode("utf-8", "replace").strip()
            raise OutputError(
                f"Graphviz `dot` could not draw the goal tree as {', '.join(formats)}: "
                f"{detail or f'exit status {done.returncode}'}"
            )
        return {fmt: path.read_bytes() for fmt, path in outputs.items()}
