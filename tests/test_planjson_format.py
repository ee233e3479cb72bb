"""plan.json format 2 (no owns/measures edges: the nodes say them) and format 1, still read;
the graph's indexes follow its changes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from okrplan import graph as g
from okrplan.errors import InputError
from okrplan.export import compact, compactlines, planjson
from okrplan.export.planjson import from_json, read_plan_file, to_json
from okrplan.model import Direction, EdgeKind, KeyResult, KRKind, TargetKind

HERE = Path(__file__).resolve().parent
FORMAT1 = HERE / "data" / "plan-format1.json"  # a-company-2015 as format 1 wrote it
GOLDEN2 = HERE / "golden" / "scenarios" / "a-company-2015" / "plan.json"


def _edges(plan_graph: object) -> list[tuple[str, str, str]]:
    return sorted((s, t, str(d["kind"])) for s, t, d in plan_graph.edges(data=True))  # type: ignore[attr-defined]


def test_format_1_is_read_and_written_again_as_format_2() -> None:
    old = read_plan_file(str(FORMAT1))
    new = read_plan_file(str(GOLDEN2))
    # the same graph, edge for edge: format 2's owns and measures edges come from its nodes
    assert _edges(old.graph) == _edges(new.graph)
    assert to_json(old) == GOLDEN2.read_text("utf-8")
    assert json.loads(FORMAT1.read_text("utf-8"))["okrplan"] == 1


def test_format_2_leaves_out_what_the_nodes_say() -> None:
    data = json.loads(GOLDEN2.read_text("utf-8"))
    kinds = {e["kind"] for e in data["graph"]["edges"]}
    assert data["okrplan"] == 2
    assert kinds.isdisjoint({"owns", "measures"})
    plan = from_json(GOLDEN2.read_text("utf-8"))
    # every objective and KR is owned by its owner, every KR measures its objective
    old = json.loads(FORMAT1.read_text("utf-8"))
    owns = sum(1 for e in old["graph"]["edges"] if e["kind"] == "owns")
    items = sum(1 for n in data["graph"]["nodes"] if n["kind"] in ("objective", "kr"))
    assert owns == items
    assert sum(1 for _, _, k in plan.graph.edges(data="kind") if k == "owns") == items


def test_a_written_owns_edge_in_format_2_is_refused() -> None:
    data = json.loads(GOLDEN2.read_text("utf-8"))
    kr = next(n for n in data["graph"]["nodes"] if n["kind"] == "kr")
    data["graph"]["edges"].append({"kind": "owns", "source": kr["owner"], "target": kr["id"]})
    with pytest.raises(InputError) as caught:
        from_json(json.dumps(data, ensure_ascii=False))
    text = str(caught.value)
    assert "a plan of format 2 or later has no owns edges" in text
    assert f"graph.edges[{len(data['graph']['edges']) - 1}].kind" in text


@pytest.mark.parametrize("version", [0, 4, True, 2.0, "2"])
def test_other_format_versions_are_refused(version: object) -> None:
    data = json.loads(GOLDEN2.read_text("utf-8"))
    data["okrplan"] = version
    with pytest.raises(InputError, match="format 1, 2 or 3"):
        from_json(json.dumps(data, ensure_ascii=False))


def test_indexes_follow_the_graph_changes() -> None:
    graph = g.new_graph()
    g.add_edge(graph, "u:a", "u:b", EdgeKind.CONTAINS)
    assert g.children(graph, "u:a") == ["u:b"]
    g.add_edge(graph, "u:a", "u:c", EdgeKind.CONTAINS)
    assert g.children(graph, "u:a") == ["u:b", "u:c"]
    graph.remove_edge("u:a", "u:b")
    graph.add_edge("u:a", "u:d", kind=str(EdgeKind.CONTAINS))
    assert g.children(graph, "u:a") == ["u:c", "u:d"]
    graph.remove_node("u:c")
    assert g.children(graph, "u:a") == ["u:d"]
    # a copy is a PlanGraph with its own indexes
    copy = graph.copy()
    copy.add_edge("u:a", "u:e", kind=str(EdgeKind.CONTAINS))
    assert g.children(copy, "u:a") == ["u:d", "u:e"]
    assert g.children(graph, "u:a") == ["u:d"]


# ---------------------------------------------------------------------------------------------
# Format 3: a large plan without what can be derived (okrplan.export.compact)


def _golden(name: str) -> Path:
    return HERE / "golden" / "scenarios" / name / "plan.json"


@pytest.fixture
def as_large(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every plan written as a large one is (format 3, one node per line)."""
    monkeypatch.setattr(planjson, "ITEM_PER_LINE_FROM", 0)


@pytest.mark.parametrize("pieces", [0, 1, 3, 7, 40])
@pytest.mark.usefixtures("as_large")
def test_the_pieces_of_a_large_plan_json_make_its_text(pieces: int) -> None:
    # the start and the pieces, in order, are the file's bytes, however many pieces (more
    # pieces than the plan has nodes: some are empty), and made in any order
    plan = read_plan_file(str(_golden("a-company-2015")))
    whole = to_json(plan).encode("utf-8")
    start, made = planjson.json_pieces(plan, pieces)
    assert len(made) == pieces
    backwards = [b"".join(piece()) for piece in reversed(made)][::-1]
    assert b"".join(start) + b"".join(backwards) == whole
    assert b"".join(planjson.json_chunks(plan)) == whole


def test_a_small_plan_json_is_all_start() -> None:
    plan = read_plan_file(str(_golden("a-company-2015")))
    start, made = planjson.json_pieces(plan, 7)
    assert made == [] and b"".join(start) == to_json(plan).encode("utf-8")


@pytest.mark.parametrize("name", ["a-company-2015", "saas-fy2027"])
@pytest.mark.usefixtures("as_large")
def test_format_3_reads_back_the_same_plan(name: str) -> None:
    plan = read_plan_file(str(_golden(name)))
    text = to_json(plan)
    again = from_json(text)
    assert json.loads(text)["okrplan"] == 3
    assert list(again.graph.nodes(data="node")) == list(plan.graph.nodes(data="node"))
    assert list(again.graph.edges(data="kind")) == list(plan.graph.edges(data="kind"))
    assert (again.meta, again.solver, again.metrics) == (plan.meta, plan.solver, plan.metrics)
    assert to_json(again) == text  # and writes the same bytes again


@pytest.mark.usefixtures("as_large")
def test_format_3_leaves_out_what_is_derived() -> None:
    text = to_json(read_plan_file(str(GOLDEN2)))
    data = json.loads(text)
    assert data["periods"]["quarters"] == ["2015-Q1", "2015-Q2", "2015-Q3", "2015-Q4"]
    nodes = {n["id"]: n for n in data["graph"]["nodes"]}
    kr = nodes["k:A公司/销售部#1.3"]  # the sales department's revenue, aligned to the company's
    # no owner (u:A公司/销售部), objective (o:A公司/销售部#1), name/text (the metric's),
    # unit and money (the metric's), direction (increase) or periods' labels
    assert kr == {
        "aligns": ["k:A公司#1.1"],
        "fixed_weight": True,
        "id": "k:A公司/销售部#1.3",
        "kind": "kr",
        "metric": "revenue",
        "per": "plan",
        "quarters": [11590000, 20830000, 22260000, 33320000],
        "target": 88000000,
        "total": 88000000,
        "weight": 20,
    }
    assert nodes["u:A公司"]["contains"] == ["u:A公司/销售部"]
    assert "owner" not in nodes["o:A公司#1"] and data["graph"]["edges"] == []
    record = from_json(text).graph.nodes["k:A公司/销售部#1.3"]["node"]
    # 1159万 + 2083万 + 2226万 + 3332万 = 8800万, the department's revenue
    assert record.periods == {
        "2015-Q1": 11590000,
        "2015-Q2": 20830000,
        "2015-Q3": 22260000,
        "2015-Q4": 33320000,
    }
    assert (record.owner, record.objective, record.name, record.unit, record.money) == (
        "u:A公司/销售部",
        "o:A公司/销售部#1",
        "销售额",
        "",
        True,
    )


@pytest.mark.usefixtures("as_large")
def test_a_format_3_kr_with_too_few_values_is_refused() -> None:
    data = json.loads(to_json(read_plan_file(str(GOLDEN2))))
    at, kr = next((i, n) for i, n in enumerate(data["graph"]["nodes"]) if "quarters" in n)
    kr["quarters"].pop()
    with pytest.raises(InputError) as caught:
        from_json(json.dumps(data, ensure_ascii=False))
    assert f"graph.nodes[{at}].quarters: expected 4 values" in str(caught.value)


def test_ids_off_the_pattern_derive_nothing() -> None:
    units, roles = {"u:A": 1}, {"r:A/B": 1}
    assert compact.owner_by_id("k:A#1.2", units, roles) == "u:A"
    assert compact.owner_by_id("o:A/B#1", units, roles) == "r:A/B"
    assert compact.owner_by_id("o:C#1", units, roles) is None  # no such owner: written out
    assert compact.owner_by_id("k:A", units, roles) is None
    assert compact.objective_by_id("k:A.B#1.2") == "o:A.B#1"
    assert compact.objective_by_id("k:A.B#1") is None


def _kr_dict(
    kr: KeyResult, metrics: Mapping[str, Any], spans: Mapping[Any, str], objective: str | None
) -> dict[str, Any]:
    """A KR's format-3 node dict: :func:`okrplan.model.node_to_json`'s without what
    compact.expand puts back (the owner: see :func:`node_lines`; ``objective`` is the one
    its id names). Built from the record (at 100,000 people there are some 115,000 KRs: a dict
    made whole and then pared down costs twice as much); the enums go in as they are (a
    StrEnum is written as its text)."""
    out: dict[str, Any] = {
        "id": kr.id,
        "kind": "kr",
        "metric": kr.metric,
        "per": kr.per,
        "target": kr.target,
        "weight": kr.weight,
    }
    if kr.objective != objective:
        out["objective"] = kr.objective
    derived = kr.kr_kind is KRKind.DERIVED
    if not derived:
        out["kr_kind"] = kr.kr_kind
        out["target_per"] = kr.target_per
    if kr.direction is not Direction.INCREASE:
        out["direction"] = kr.direction
    if kr.deduction is not None:
        out["deduction"] = kr.deduction
    if kr.due is not None:
        out["due"] = kr.due
    if kr.fixed_weight:
        out["fixed_weight"] = True
    if kr.target_kind is not TargetKind.NUMBER:
        out["target_kind"] = kr.target_kind
    metric = metrics.get(kr.metric) if kr.metric is not None else None
    metric = metric if isinstance(metric, dict) else _NO_METRIC
    if kr.name != metric.get("name"):
        out["name"] = kr.name
    if kr.text != kr.name:
        out["text"] = kr.text
    if derived and not (isinstance(metric.get("unit"), str) and kr.unit == metric["unit"]):
        out["unit"] = kr.unit
    if derived and not (metric and kr.money is (metric.get("kind") == "money")):
        out["money"] = kr.money
    if kr.total is not None:
        out["total"] = kr.total
    if kr.hires is not None:
        out["hires"] = kr.hires
    if kr.sourced is not None:
        out["sourced"] = kr.sourced
    periods = kr.periods
    if periods:
        span = spans.get(tuple(periods))
        if span is not None:
            out[span] = list(periods.values())
        else:
            out["periods"] = dict(periods)
    return out


_NO_METRIC: dict[str, Any] = {}


def _kr_line_by_dict(plan: object, kr: object, spans: dict[tuple[str, ...], str]) -> str:
    """A KR's format-3 line the plain way: its dict (_kr_dict, with the owner and the
    edges written on it) through the encoder, sorted keys."""
    objective = compact.objective_by_id(kr.id)  # type: ignore[attr-defined]
    out = _kr_dict(kr, plan.metrics, spans, objective)  # type: ignore[arg-type,attr-defined]
    out["owner"] = kr.owner  # type: ignore[attr-defined]
    out.update(aligns=["k:x#1.1"], drives=["k:x#1.2", "k:y#1.1"], supports=["k:z#1.1"])
    return planjson.line_encoder()(out)


@pytest.mark.parametrize("name", ["a-company-2015", "chip-market-share"])
def test_a_kr_line_made_as_text_is_its_dict_encoded(name: str) -> None:
    """plan.json's KR lines are made as text in the encoder's key order (compactlines.KrLine):
    the same text as the KR's dict encoded, for every KR of the scenarios and for KRs with
    every field off its usual value (floats, None, quotes and new lines in text)."""
    from dataclasses import replace

    plan = read_plan_file(str(_golden(name)))
    spans = {tuple(labels): span for span, labels in compactlines.calendar(plan).items()}
    line = compactlines.KrLine(plan.metrics, spans, planjson.line_encoder())
    krs = [r for r in plan.graph.nodes(data="node") if isinstance(r[1], KeyResult)]
    odd = [
        {"target": 1.5, "weight": None, "total": 3.0, "sourced": 2, "deduction": 2},
        {"target": None, "direction": Direction.DECREASE, "due": "2015-06", "hires": "r:A"},
        {"kr_kind": KRKind.STAFFING, "target_kind": None, "fixed_weight": True},
        {"metric": None, "text": 'say "hi"\n', "name": "名\\称", "periods": {"x": 1, "a": 2.5}},
        {"unit": "个", "money": None, "kr_kind": KRKind.MANUAL, "target_per": None},
    ]
    checked = 0
    for _, kr in krs:
        # whole numbers as floats after the same as ints: texts kept by value must not mix
        floats = {"periods": {k: float(v) for k, v in kr.periods.items()}, "deduction": 2.0}
        # 0.0 == -0.0 too, and json writes them differently
        zeros = [{"deduction": 0.0}, {"deduction": -0.0}]
        for change in [{}, *odd, floats, *zeros]:
            made = replace(kr, **change)  # type: ignore[arg-type]
            objective = compact.objective_by_id(made.id)
            edges = {
                "aligns": ["k:x#1.1"],
                "drives": ["k:x#1.2", "k:y#1.1"],
                "supports": ["k:z#1.1"],
            }
            assert line(made, objective, made.owner, edges) == _kr_line_by_dict(plan, made, spans)
            # and without an owner or edges written: as node_lines writes most KRs
            plain = json.loads(line(made, objective, None, None))
            assert "owner" not in plain and "aligns" not in plain
            checked += 1
    assert checked == 9 * len(krs) > 0


@pytest.mark.parametrize("name", ["a-company-2015", "chip-market-share"])
def test_role_and_objective_lines_made_as_text_are_their_dicts_encoded(name: str) -> None:
    """compactlines writes role groups' and objectives' lines as text: the same text as their
    dicts encoded (an objective's without the owner its id names), also with floats, None,
    quotes and new lines, and a name that is no text."""
    from dataclasses import replace

    from okrplan.model import Objective, RoleGroup, node_to_json

    plan = read_plan_file(str(_golden(name)))
    encode = planjson.line_encoder()
    role_line = compactlines.RoleLine(encode)
    records = [record for _, record in plan.graph.nodes(data="node")]
    roles = [r for r in records if isinstance(r, RoleGroup)]
    checked = 0
    for role in roles:
        selling = role.selling
        odd: list[dict[str, Any]] = [
            {},
            {"selling": None, "sells": None, "people": ('a "b"', "c\\d\n")},
            {"capacity": {"calls": "60/周", "visits": 3}, "label": 7},
        ]
        if selling is not None:
            changed = replace(selling, stretch=None, ramp=(0.25, 1, 1.0), basis=2.5)
            odd.append({"selling": changed, "new_hires": True})
        for change in odd:
            made = replace(role, **change)
            assert role_line(made) == encode(node_to_json(made))
            checked += 1
    objectives = [r for r in records if isinstance(r, Objective)]
    for objective in objectives:
        for made in (objective, replace(objective, weight=2.5, detail='say "hi"\n')):
            out = node_to_json(made)
            assert compactlines._objective_line(made, None, encode) == encode(out)
            del out["owner"]
            assert compactlines._objective_line(made, made.owner, encode) == encode(out)
            checked += 1
    assert checked >= 3 * len(roles) + 2 * len(objectives) > 0


def test_a_kr_id_names_the_objective_and_owner_compact_expands_to() -> None:
    """node_lines leaves out a KR's objective and owner where its id names them, worked out
    once per id up to its last dot (compactlines._named): the same as compact.expand puts
    back, for ids on and off the pattern ``k:SCOPE#i.j``."""
    from okrplan.graph import Kind

    kinds = {"u:A": Kind.UNIT, "r:A/B": Kind.ROLE}
    owners = compactlines.Owners({k: {"node": _Kinded(kind)} for k, kind in kinds.items()})
    units, roles = {"u:A": 1}, {"r:A/B": 1}
    ids = ["k:A#1.2", "k:A/B#3.1", "k:C#1.1", "k:A#1.x#y", "k:A.B#1", "k:A", "o:A#1.2", "k:.#"]
    for node_id in ids:
        expected = (compact.objective_by_id(node_id), compact.owner_by_id(node_id, units, roles))
        assert compactlines._named(node_id, owners) == expected
        dot = node_id.rfind(".")
        if dot >= 2 and "#" not in node_id[dot:]:  # kept by the id up to its last dot
            assert compactlines._named(node_id[:dot] + ".9", owners) == expected


class _Kinded:
    """A stand-in record with a kind alone (what Owners reads)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
