"""`okrplan init`: a starter target file."""

from __future__ import annotations

import click

from okrplan.choices import TEMPLATES


@click.command("init")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "-t",
    "--template",
    type=click.Choice(TEMPLATES),
    default="sales",
    show_default=True,
    help="Which starter to write.",
)
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
def command(file: str, template: str, force: bool) -> None:
    """Write a commented starter target file that validates.

    \b
    Example:
      okrplan init --template sales target.yaml
    """
    from okrplan import api
    from okrplan.wording import words

    text = api.template_text(template)
    path = api.write_new_file(file, text, force=force)
    locale = "en" if "\n  locale: en" in text else "zh-CN"  # the starter's own plan.locale
    click.echo(words(locale, "wrote_then_validate", path=path), err=True)
