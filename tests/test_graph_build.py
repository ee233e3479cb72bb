"""How decompose builds its records and goal graph fast, checked against the slow way."""

from __future__ import annotations

import dataclasses

from okrplan.model import KeyResult
from okrplan.solve.objectives import KR_ORDER


def test_freeze_passes_a_krs_fields_in_the_records_order() -> None:
    # freeze makes KeyResult records positionally: KR_ORDER must be the dataclass's field
    # order, up to its last field (kind, left at its default)
    names = [f.name for f in dataclasses.fields(KeyResult)]
    assert names == [*KR_ORDER, "kind"]
