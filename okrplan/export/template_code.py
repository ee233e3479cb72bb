"""The report's Jinja template as the Python code Jinja makes of it, made once and shipped.

Jinja turns a template into Python source (lexing, parsing, generating: some 0.05 CPU s for
report.html.j2, in every run that writes a report) and then compiles that source. The source
it generates for ``templates/<name>`` is kept in ``templates/<name>.code`` (see
:func:`write_code`); :class:`ShippedCode`, the environment's bytecode cache, hands it to Jinja
instead of generating it again when it was made by the same Jinja version, with the same
environment settings, of the same template text (its first line names them by a hash); else
Jinja generates the code itself, as without it. Nothing is written while a plan is made.

Make the file again after changing the template or the environment: ``python -m
okrplan.export.template_code`` (a test says when it is out of date).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket, BytecodeCache

SUFFIX = ".code"
"""``templates/report.html.j2.code`` holds the code of ``templates/report.html.j2``."""

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def code_key(environment: jinja2.Environment, name: str, source: str) -> str:
    """What the generated code of template ``name`` depends on, as one hash: Jinja's version,
    the settings its lexer and code generator read, and the template's text."""
    settings = [
        environment.block_start_string,
        environment.block_end_string,
        environment.variable_start_string,
        environment.variable_end_string,
        environment.comment_start_string,
        environment.comment_end_string,
        environment.line_statement_prefix,
        environment.line_comment_prefix,
        environment.trim_blocks,
        environment.lstrip_blocks,
        environment.newline_sequence,
        environment.keep_trailing_newline,
        environment.optimized,
        environment.is_async,
        repr(environment.autoescape),  # a function's repr names it: no match across runs
        environment.finalize is None,
        sorted(environment.extensions),
    ]
    text = json.dumps([jinja2.__version__, settings, name, source], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _header(key: str) -> str:
    return f"# okrplan: Jinja's code of a template, key {key}\n"


class ShippedCode(BytecodeCache):
    """A bytecode cache that only reads: the code of ``folder/<name>.code`` if its key is the
    template's (:func:`code_key`), compiled as Jinja compiles the code it generates."""

    def __init__(self, folder: Path = TEMPLATES) -> None:
        self.folder = folder

    def get_bucket(
        self, environment: jinja2.Environment, name: str, filename: str | None, source: str
    ) -> Bucket:
        bucket = Bucket(environment, name, self.get_source_checksum(source))
        try:
            text = (self.folder / f"{name}{SUFFIX}").read_text(encoding="utf-8")
        except OSError:  # none shipped: Jinja generates the code
            return bucket
        header = _header(code_key(environment, name, source))
        if text.startswith(header):
            # as Environment._compile: the same source and file name give the same code
            bucket.code = compile(text[len(header) :], filename or "<template>", "exec")
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        """(Not used: :meth:`get_bucket` reads the code.)"""

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Nothing: code Jinja generated here is not kept."""


def made_code(environment: jinja2.Environment, name: str) -> str:
    """The text of ``<name>.code``: the key line, then the Python source Jinja generates of
    template ``name`` in ``environment``."""
    loader = environment.loader
    if loader is None:
        raise ValueError("the environment has no loader")
    source, filename, _ = loader.get_source(environment, name)
    code = environment.compile(source, name, filename, raw=True)
    return _header(code_key(environment, name, source)) + code


def write_code(environment: jinja2.Environment, name: str, folder: Path = TEMPLATES) -> Path:
    """Write ``folder/<name>.code`` (see :func:`made_code`); its path."""
    path = folder / f"{name}{SUFFIX}"
    path.write_text(made_code(environment, name), encoding="utf-8")
    return path


if __name__ == "__main__":  # pragma: no cover - python -m okrplan.export.template_code
    from okrplan.export.report import TEMPLATE, template_environment

    print(write_code(template_environment(), TEMPLATE))
