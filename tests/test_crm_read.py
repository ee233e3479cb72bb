"""Raw CRM exports read in chunks: the fast count and the row-by-row one agree, bad rows are
named with their line and column (hand-made plan, no decompose)."""

from __future__ import annotations

from fractions import Fraction as F
from pathlib import Path

import pytest
from progress_plans import team

from okrplan.progress import crm
from okrplan.progress.config import ActualsSource
from okrplan.progress.readers import Directory

SOURCE = ActualsSource.model_validate(
    {
        "file": "crm.csv",
        "person": "p",
        "date": "d",
        "metric": {"column": "k", "values": {"deal": "revenue", "call": "calls"}},
        "amount": {"column": "amt", "metric": "revenue"},
    }
)
GOOD = """p,d,k,amt
a,2015-03-02,deal,10
a, 2015-03-09 10:00 ,deal,5万
 a ,2015-03-20,call,

b,2015-04-01,mail,
z,2015-04-01,deal,1
"""


@pytest.mark.parametrize("chunk", [2, 65_536])
def test_counts_and_amounts_per_person_metric_and_month(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(crm, "CHUNK", chunk)  # 2: every chunk mixes fast and exact reading
    (tmp_path / "crm.csv").write_text(GOOD, encoding="utf-8")
    plan = team(["a", "b"], {"2015-Q1": 100})
    batch = crm.read_crm(SOURCE, tmp_path, Directory(plan))
    assert batch.errors == [] and batch.read == 6  # the blank line is no row
    # a's revenue in March: 2 deals counted (the KR's metric is revenue) + 10 + 5万 = 50,012
    assert [(c.kr, c.person, c.period, c.value) for c in batch.rows] == [
        ("k:T#1.1", "a", "2015-03", F(50_012))
    ]
    assert batch.unmatched == {"z": 1}  # one monthly total, listed, not stored
    warnings = "\n".join(i.message for i in batch.issues)
    assert "mail (1)" in warnings  # no metric for it: not counted, said so
    assert "no KR of the metric 'calls': 1 monthly totals" in warnings  # a's call, trimmed


def test_bad_rows_are_named_with_line_and_column(tmp_path: Path) -> None:
    bad = "p,d,k,amt\na,2015-03-02\n ,2015-03-02,deal,\na,2015-13-01,deal,\na,2015-03-02,deal,x\n"
    (tmp_path / "crm.csv").write_text(bad, encoding="utf-8")
    batch = crm.read_crm(SOURCE, tmp_path, Directory(team(["a"], {"2015-Q1": 1})))
    found = [(i.line, i.path, i.message) for i in batch.errors]
    assert found == [
        (2, "", "the row has too few columns"),
        (3, "p", "no person"),
        (4, "d", "'2015-13-01' is not a date"),
        (5, "amt", "the amount 'x' is not a number"),
    ]
