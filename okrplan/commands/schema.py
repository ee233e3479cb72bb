"""`okrplan schema`: the JSON Schema of target files."""

from __future__ import annotations

import click


@click.command("schema")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write the schema to this file instead of stdout.",
)
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
def command(output: str | None, force: bool) -> None:
    """Print the JSON Schema of the target file, for editors and other tools.

    Point an editor's YAML language server at it with a first line such as
    `# yaml-language-server: $schema=target.schema.json`.

    \b
    Example:
      okrplan schema -o target.schema.json
    """
    from okrplan import api

    text = api.schema_text()
    if output is None:
        click.echo(text, nl=False)
    else:
        click.echo(f"wrote {api.write_new_file(output, text, force=force)}", err=True)
