"""okrplan.export.template_code: the report template's code, generated once and shipped."""

from __future__ import annotations

from pathlib import Path

import jinja2

from okrplan.export.report import TEMPLATE, template_environment
from okrplan.export.template_code import SUFFIX, TEMPLATES, ShippedCode, made_code, write_code


def test_the_shipped_code_is_the_code_jinja_makes_of_the_template_now() -> None:
    shipped = (TEMPLATES / f"{TEMPLATE}{SUFFIX}").read_text(encoding="utf-8")
    assert shipped == made_code(template_environment(), TEMPLATE), (
        "report.html.j2 or its environment changed: run python -m okrplan.export.template_code"
    )


def _environment(folder: Path, **settings: bool) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=True,
        bytecode_cache=ShippedCode(folder),
        **settings,
    )


def test_the_shipped_code_is_used_only_for_the_template_it_was_made_of(tmp_path: Path) -> None:
    template = tmp_path / "page.j2"
    template.write_text("{% for x in xs %}<{{ x }}>{% endfor %}\n", encoding="utf-8")
    write_code(_environment(tmp_path), "page.j2", tmp_path)
    code = tmp_path / f"page.j2{SUFFIX}"
    # the shipped code, marked so that its use shows: "[" and "]" round each item
    code.write_text(
        code.read_text(encoding="utf-8").replace("'<'", "'['").replace("'>'", "']'"),
        encoding="utf-8",
    )
    assert _environment(tmp_path).get_template("page.j2").render(xs=[1, "&"]) == "[1][&amp;]"
    # another setting: Jinja generates the code itself
    other = _environment(tmp_path, trim_blocks=True)
    assert other.get_template("page.j2").render(xs=[1]) == "<1>"
    # another text: the same
    template.write_text("{% for x in xs %}<{{ x }}/>{% endfor %}\n", encoding="utf-8")
    assert _environment(tmp_path).get_template("page.j2").render(xs=[1]) == "<1/>"
    code.unlink()  # none shipped: the same
    assert _environment(tmp_path).get_template("page.j2").render(xs=[2]) == "<2/>"


def test_nothing_is_written_while_a_template_is_loaded(tmp_path: Path) -> None:
    (tmp_path / "page.j2").write_text("{{ 1 + 1 }}", encoding="utf-8")
    assert _environment(tmp_path).get_template("page.j2").render() == "2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.j2"]
