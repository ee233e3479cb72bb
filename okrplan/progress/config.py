"""The target file's ``actuals:`` (raw CRM exports to read check-ins from) and ``tracking:``
(pace thresholds) sections.

This module imports nothing of okrplan's but the quantity parser, so the target-file model can
use its records without importing the rest of the progress package.

.. code-block:: yaml

    actuals:
      - file: crm/activities.csv          # relative to the target file
        person: 负责人                     # the column naming the person
        date: 日期                         # the column with the day
        metric: {column: 类型, values: {电话: calls, 拜访: visits}}
      - file: crm/deals.xlsx
        person: 销售
        date: 成交日期
        metric: deals                      # every row counts one
        amount: {column: 金额, metric: revenue}   # and its amount adds to revenue
    tracking:
      on_track: 95%                        # pace at or above this is on track
      behind: 75%                          # at or above this behind, below it at risk
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, model_validator

from okrplan.quantity import QuantityError, parse_quantity


def _share(value: Any) -> Decimal:
    try:
        share = parse_quantity(str(value)).value
    except QuantityError as exc:
        raise ValueError(f"{value!r} is not a percentage ({exc.hint})") from None
    if not 0 < share <= 2:
        raise ValueError(f"{value!r} is not a pace threshold; write e.g. 95%")
    return share


Share = Annotated[Decimal, PlainValidator(_share)]


class _Section(BaseModel):
    model_config = ConfigDict(
        defer_build=True,
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
        coerce_numbers_to_str=True,
    )


class MetricColumn(_Section):
    """A column whose values say which metric a row counts for (``电话`` → calls); rows with
    other values are not counted (and are reported)."""

    column: str = Field(min_length=1, description="The column, e.g. 类型")
    values: dict[str, str] = Field(
        min_length=1, description="Column value → metric key, e.g. {电话: calls}"
    )


class AmountColumn(_Section):
    """A column summed into a metric (a deal's amount into revenue)."""

    column: str = Field(min_length=1, description="The column, e.g. 金额")
    metric: str = Field(min_length=1, description="The metric it adds to, e.g. revenue")


class ActualsSource(_Section):
    """A raw export, one row per call, visit, opportunity, deal or collection."""

    file: str = Field(min_length=1, description="The export, relative to the target file")
    person: str = Field(min_length=1, description="The column naming the person")
    date: str = Field(min_length=1, description="The column with the day of the row")
    metric: str | MetricColumn | None = Field(
        None, description="A metric each row counts one of, or a column saying which"
    )
    amount: AmountColumn | None = None
    unit: str | None = Field(None, description="A column with the person's unit (name or path)")
    role: str | None = Field(None, description="A column with the person's role")

    @model_validator(mode="after")
    def _counts_something(self) -> ActualsSource:
        if self.metric is None and self.amount is None:
            raise ValueError("say what a row counts: metric (a key or a column) or amount")
        return self


class Tracking(_Section):
    """Pace thresholds: at or above ``on_track`` is on track, at or above ``behind`` is behind,
    below it at risk."""

    on_track: Share = Field(Decimal("0.95"), description="e.g. 95%")
    behind: Share = Field(Decimal("0.75"), description="e.g. 75%")

    @model_validator(mode="after")
    def _ordered(self) -> Tracking:
        if self.behind > self.on_track:
            raise ValueError("behind must not be above on_track")
        return self
