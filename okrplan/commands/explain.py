"""`okrplan explain`: why each quota is what it is."""

from __future__ import annotations

import click


@click.command("explain")
@click.argument("plan_or_target", type=click.Path())
@click.option("-u", "--unit", help="Only quotas in this unit (and below): a name or a path.")
@click.option("--json", "as_json", is_flag=True, help="Print the explanation as JSON.")
def command(plan_or_target: str, unit: str | None, as_json: bool) -> None:
    """Say why every quota is what it is: basis, stretch, binding limits, and what more
    capacity would be worth.

    \b
    Example:
      okrplan explain plan/plan.json --unit 销售部
    """
    import json

    from okrplan import api

    plan = api.load_plan(plan_or_target)
    if as_json:
        click.echo(json.dumps(api.explain(plan, unit), ensure_ascii=False, indent=2))
    else:
        click.echo(api.explain_text(plan, unit))
