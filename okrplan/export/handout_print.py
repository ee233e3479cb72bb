"""HTML printed to PDF by a headless Chromium, and a PDF cut into its pages (poppler).

One browser launch prints every page of a document: the pages share one embedded subset of
each font, where PDFs joined page by page would each carry their own (a CJK font subset is
hundreds of kilobytes). Chromium stamps the print time into the PDF's info dictionary; it is
replaced by a fixed date of the same length, so the same HTML prints to the same bytes.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from okrplan.errors import MissingDependencyError, OutputError

#: Where to look for the browser, first found wins (``OKRPLAN_CHROMIUM`` overrides).
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT = 300  # seconds: a thousand pages print in well under a minute
_FIXED_DATE = b"D:20000101000000+00'00'"
_DATE = re.compile(rb"\((D:\d{14}[^)]{0,12})\)")
_NO_BROWSER = (
    "printing PDF handouts needs Chromium (headless), which is not installed; install it "
    "with `apt install chromium`, or set OKRPLAN_CHROMIUM to the browser's path"
)
_NO_POPPLER = (
    "poppler's `pdfseparate` is not installed, so the handouts cannot be cut into a file per "
    "person; install it with `apt install poppler-utils`, or leave out --pdf-each"
)


def browser() -> str | None:
    """The Chromium to print with, or None if there is none."""
    chosen = os.environ.get("OKRPLAN_CHROMIUM")
    if chosen:
        return chosen if Path(chosen).is_file() else None
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def require_browser() -> str:
    """The Chromium to print with.

    Raises
    ------
    MissingDependencyError
        If there is none.
    """
    tool = browser()
    if tool is None:
        raise MissingDependencyError(_NO_BROWSER)
    return tool


def _command(tool: str, folder: Path, page: Path, out: Path) -> list[str]:
    command = [
        tool,
        "--headless",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        f"--user-data-dir={folder / 'profile'}",
        "--no-pdf-header-footer",
        "--disable-pdf-tagging",  # its node ids change from run to run: no same bytes
        f"--print-to-pdf={out}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.insert(2, "--no-sandbox")  # Chromium refuses to start as root without it
    return [*command, page.as_uri()]


def print_pdf(html: str) -> bytes:
    """``html`` (a whole document, its page size in CSS ``@page``) printed to PDF.

    Raises
    ------
    MissingDependencyError
        If no Chromium is installed.
    OutputError
        If the browser fails or prints nothing.
    """
    tool = require_browser()
    with tempfile.TemporaryDirectory(prefix="okrplan-print-") as name:
        folder = Path(name)
        page, out = folder / "handouts.html", folder / "handouts.pdf"
        page.write_text(html, encoding="utf-8")
        try:
            done = subprocess.run(
                _command(tool, folder, page, out),
                capture_output=True,
                check=False,
                timeout=TIMEOUT,
                cwd=folder,
            )
        except subprocess.TimeoutExpired:
            raise OutputError(f"Chromium did not print the PDF within {TIMEOUT} s") from None
        if done.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
            detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
            raise OutputError(f"Chromium could not print the PDF: {' '.join(detail) or '?'}")
        return pinned_dates(out.read_bytes())


def pinned_dates(pdf: bytes) -> bytes:
    """``pdf`` with its creation and modification dates set to a fixed one of equal length
    (so no byte offset in the file moves)."""

    def fixed(match: re.Match[bytes]) -> bytes:
        stamp = match.group(1)
        return b"(" + _FIXED_DATE[: len(stamp)].ljust(len(stamp), b" ") + b")"

    head, sep, rest = pdf.rpartition(b"/CreationDate")
    if not sep:
        return pdf
    return head + sep + _DATE.sub(fixed, rest, count=2)


def page_count(pdf: bytes) -> int:
    """How many pages ``pdf`` has (its page tree's ``/Count``)."""
    counts = [int(n) for n in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", pdf)]
    counts += [int(n) for n in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", pdf)]
    return max(counts, default=0)


def split_pages(pdf: bytes) -> list[bytes]:
    """Each page of ``pdf`` as a PDF of its own (poppler's ``pdfseparate``).

    Raises
    ------
    MissingDependencyError
        If ``pdfseparate`` is not installed.
    """
    tool = shutil.which("pdfseparate")
    if tool is None:
        raise MissingDependencyError(_NO_POPPLER)
    with tempfile.TemporaryDirectory(prefix="okrplan-pages-") as name:
        folder = Path(name)
        (folder / "all.pdf").write_bytes(pdf)
        pattern = str(folder / "page-%05d.pdf")
        done = subprocess.run(
            [tool, str(folder / "all.pdf"), pattern], capture_output=True, check=False
        )
        if done.returncode != 0:
            detail = done.stderr.decode("utf-8", "replace").strip()
            raise OutputError(f"pdfseparate could not cut the handouts into pages: {detail}")
        return [p.read_bytes() for p in sorted(folder.glob("page-*.pdf"))]


def page_texts(pdf: bytes) -> list[str] | None:
    """The text of each page of ``pdf`` (poppler's ``pdftotext``), or None without it."""
    tool = shutil.which("pdftotext")
    if tool is None:
        return None
    done = subprocess.run([tool, "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True)
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", "replace").split("\f")[:-1]
