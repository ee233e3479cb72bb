"""What a goal-tree diagram draws: boxes of one or more (folded) owners, and where it is cut.

While a drawing has more than ``fold_above`` nodes, identical sibling subtrees (same roles,
same sheets) fold into one box, deepest level first; if it still has more than ``max_nodes``
(or, in the org view, one level is too wide to read), it is cut at the deepest level that fits.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import repeat
from operator import attrgetter, itemgetter
from typing import Any

import networkx as nx

from okrplan import queries
from okrplan.graph import Edge
from okrplan.model import KeyResult, KRKind, Node, Number, Objective, RoleGroup, Unit
from okrplan.numbers import numbers_for
from okrplan.plan import Plan
from okrplan.present import label, people_text


class View(StrEnum):
    """What a diagram shows: the org tree with sheets, or the key results and their flows."""

    ORG = "org"
    KR = "kr"


#: Fold identical siblings while a drawing has more nodes than this (per view).
FOLD_ABOVE = {View.ORG: 60, View.KR: 150}
#: Cut the tree at a shallower level while a drawing has more nodes than this…
MAX_NODES = 300
#: …or (org view, no depth asked for) while a level has more nodes side by side than this.
MAX_SIDE_BY_SIDE = 16
#: Without a depth asked for, an org tree with more boxes than this, or more leaves side by
#: side than MAX_SIDE_BY_SIDE, is drawn as its units only (roles have wide sheets: 28 of them
#: side by side made a 4,900 px image); the caption says how to see the roles.
UNITS_ONLY_ABOVE = 40

Sheet = list[tuple[Objective, list[KeyResult]]]


@dataclass(slots=True)
class Box:
    """One drawn unit or role; several identical siblings when folded."""

    members: list[str]
    kind: str
    level: int  # 1 = the drawn root
    children: list[Box] = field(default_factory=list)
    cut: bool = False  # it has children that are not drawn

    def walk(self) -> Iterator[Box]:
        """This box and every box below it, parents first, in drawing order (without nested
        generators: each level of ``yield from`` passes every box up once more, and folding
        walks a tree of 20,000 boxes at 100,000 people several times)."""
        stack = [self]
        while stack:
            box = stack.pop()
            yield box  # a caller may replace box.children before the walk goes on
            stack.extend(reversed(box.children))


@dataclass(slots=True)
class Layout:
    """What was drawn, and what the caption has to say about what was not."""

    root: Box
    depth: int | None = None  # where the tree was cut (None: not cut)
    auto_cut: bool = False
    wide: bool = False  # cut for width rather than for size
    max_nodes: int = MAX_NODES
    hidden: tuple[int, int, int] = (0, 0, 0)  # units, role groups, people not drawn
    units_only: tuple[int, int] | None = None  # role groups, people not drawn (units only)


class Context:
    """The plan, with lookups every label needs."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.graph: nx.DiGraph = plan.graph
        self._records: dict[str, dict[str, Any]] = self.graph._node  # see record()
        self.locale = plan.locale
        # One precision per unit (亿/万, M/k) for every amount the diagram shows.
        self.numbers = numbers_for(plan.meta).uniform(_amounts(plan))
        self._parent: dict[str, str] | None = None
        self._signatures: dict[str, int] = {}
        self._interned: dict[tuple[Any, ...], int] = {}
        self._below_signatures: list[tuple[int, ...]] = []  # by signature
        self._shapes: dict[tuple[Any, ...], int] = {}  # what folding compares of a sheet
        self._sheet_shapes_by_rows: dict[tuple[Any, ...], int] = {}  # a sheet's rows → shape
        self._sheets: dict[str, Sheet] = {}
        self._children: dict[str, list[str]] = {}
        self._below: dict[str, tuple[int, int, int]] = {}
        # what each node signed adds to its unit's count: itself and what is under it
        self._adds: dict[str, tuple[int, int, int]] = {}

    @property
    def parent(self) -> dict[str, str]:
        """The unit that contains each node (made when first asked: only a plan with
        conflicts or relaxations to mark needs it)."""
        if self._parent is None:
            self._parent = {
                t: s for s, t, d in self.graph.edges(data=True) if d["kind"] == Edge.CONTAINS
            }
        return self._parent

    def text(self, key: str, **values: Any) -> str:
        if key == "people_count":  # "1 person", "3 people"
            return people_text(values["n"], self.locale)
        return label(self.locale, key).format(**values)

    def record(self, node: str) -> Node:
        # okrplan.graph.node's read, without its call (labels read 100,000 records)
        found: Node = self._records[node]["node"]
        return found

    def org_children(self, node: str) -> list[str]:
        """:func:`okrplan.queries.org_children`, asked once per node (folding and counting
        visit every node several times). Callers must not change the list."""
        found = self._children.get(node)
        if found is None:
            found = self._children[node] = queries.org_children(self.graph, node)
        return found

    def sheet(self, owner: str) -> Sheet:
        """An owner's objectives with their key results, in sheet order."""
        if owner not in self._sheets:
            self._sheets[owner] = queries.sheet(self.graph, owner)
        return self._sheets[owner]

    def metric_krs(self, owner: str) -> dict[str, list[KeyResult]]:
        """An owner's derived KRs by metric (a metric can be in more than one objective)."""
        out: dict[str, list[KeyResult]] = {}
        for _, krs in self.sheet(owner):
            for kr in krs:
                if kr.metric:
                    out.setdefault(kr.metric, []).append(kr)
        return out

    def signature(self, node: str) -> int:
        """Equal for siblings that can fold: same kind, role, sheet shape and children."""
        found = self._signatures.get(node)
        if found is None:
            self._sign(node)
            found = self._signatures[node]
        return found

    def below_signatures(self, signature: int) -> tuple[int, ...]:
        """The signatures of the children of a unit with ``signature`` (none for a role)."""
        return self._below_signatures[signature]

    def _sign(self, top: str) -> None:
        """The signatures of ``top`` and every node under it (``top`` not signed yet), children
        before parents, and while there what :meth:`_under` counts under each unit, without
        recursion (20,000 owners at 100,000 people): the tree walked level by level, then the
        role groups (13,000 of them, nothing under them) signed all at once, then the units
        from the deepest level up."""
        signatures, interned = self._signatures, self._interned
        adds = self._adds
        units: list[tuple[str, Node, list[str]]] = []
        roles: list[str] = []
        owners: list[RoleGroup] = []
        level = [top]
        while level:  # level by level: every unit's children are on the level below it
            records_here = queries.records_at(self.graph, level)
            units_here: list[tuple[str, Node]] = []
            for node, owner in zip(level, records_here, strict=True):
                if isinstance(owner, RoleGroup):
                    # a role group contains nothing (contains edges go from a unit)
                    roles.append(node)
                    owners.append(owner)
                else:
                    units_here.append((node, owner))
            kids_here = [self.org_children(node) for node, _ in units_here]
            units.extend([(n, o, k) for (n, o), k in zip(units_here, kids_here, strict=True)])
            level = [kid for kids in kids_here for kid in kids if kid not in signatures]
        nothing: list[str] = []  # one list for every role group: never changed (see org_children)
        self._children.update(dict.fromkeys(roles, nothing))
        keys = list(zip(repeat("role"), map(_NAME, owners), self._sheet_shapes(roles)))
        for key in keys:
            if key not in interned:
                interned[key] = len(interned)
                self._below_signatures.append(())
        signatures.update(zip(roles, map(interned.__getitem__, keys), strict=True))
        adds.update(zip(roles, zip(repeat(0), repeat(1), map(_HEADCOUNT, owners)), strict=True))
        nodes = [node for node, _, _ in reversed(units)]
        for (node, owner, kids), sheet in zip(
            reversed(units), self._sheet_shapes(nodes), strict=True
        ):
            supports = owner.supports if isinstance(owner, Unit) else None
            below = tuple(sorted(set(map(signatures.__getitem__, kids))))
            unit_key = ("unit", supports.metric if supports else None, sheet, below)
            counts = (0, 0, 0)
            if kids:  # units, role groups, people: each column summed
                units_, roles_, people = map(sum, zip(*map(adds.__getitem__, kids), strict=True))
                counts = (units_, roles_, people)
            self._below[node] = counts
            adds[node] = (1 + counts[0], counts[1], counts[2])
            value = interned.get(unit_key)
            if value is None:
                value = interned[unit_key] = len(interned)
                self._below_signatures.append(below)
            signatures[node] = value

    def _sheet_shapes(self, owners: list[str]) -> list[int]:
        """What folding compares of each owner's sheet, as a number: the sheet's objectives
        and their key results' rows read by C (114,000 key results at 100,000 people), then
        what folding compares of them made once per sheet of its own rows (7 of them at
        100,000 people)."""
        sheets, shapes = self._sheet_shapes_by_rows, self._shapes
        out = []
        for sheet in queries.sheets(self.graph, owners):
            rows = tuple([(o.name, tuple(map(_SHAPE, krs))) for o, krs in sheet])
            shape = sheets.get(rows)
            if shape is None:
                compared = tuple([(name, _compared(krs)) for name, krs in rows])
                shape = sheets[rows] = shapes.setdefault(compared, len(shapes))
            out.append(shape)
        return out

    def signatures_by_level(
        self, start: str, depth: int | None
    ) -> list[dict[int, tuple[int, str]]]:
        """Level by level from ``start`` (down to ``depth``): how many nodes have each
        signature, and the first of them."""
        self.signature(start)  # every node under start, in one pass
        signatures, below = self._signatures, self._below_signatures
        out: list[dict[int, tuple[int, str]]] = []
        nodes = [start]
        while nodes:
            counted: dict[int, tuple[int, str]] = {}
            for node in nodes:
                sign = signatures[node]
                found = counted.get(sign)
                counted[sign] = (1, node) if found is None else (found[0] + 1, found[1])
            out.append(counted)
            if depth is not None and len(out) >= depth:
                break
            # only nodes with something below them looked into (not the 13,000 role groups)
            nodes = [
                kid for node in nodes if below[signatures[node]] for kid in self.org_children(node)
            ]
        return out

    def below(self, nodes: Iterable[str]) -> tuple[int, int, int]:
        """Units, role groups and people under ``nodes`` (not counting the nodes)."""
        units = roles = people = 0
        for node in nodes:
            more = self._under(node)
            units, roles, people = units + more[0], roles + more[1], people + more[2]
        return units, roles, people

    def _under(self, node: str) -> tuple[int, int, int]:
        """Units, role groups and people under one node, each subtree counted once (the
        labels, the caption and the roles left out all ask, at 100,000 people 1,200 times)."""
        found = self._below.get(node)
        if found is not None:
            return found
        # children before parents, without recursion (an org can be deep); each child's
        # record read once, and only units looked into (a role group contains nothing)
        below = self._below
        order: list[tuple[list[str], list[Node], str]] = []
        stack = [node]
        while stack:
            current = stack.pop()
            if current not in below:
                kids = self.org_children(current)
                owners = queries.records_at(self.graph, kids)
                order.append((kids, owners, current))
                stack.extend(
                    [k for k, o in zip(kids, owners, strict=True) if not isinstance(o, RoleGroup)]
                )
        for kids, owners, current in reversed(order):
            units = roles = people = 0
            for child, owner in zip(kids, owners, strict=True):
                if isinstance(owner, RoleGroup):
                    roles, people = roles + 1, people + owner.headcount
                else:
                    more = below[child]
                    units, roles, people = units + 1 + more[0], roles + more[1], people + more[2]
            below[current] = (units, roles, people)
        return below[node]

    def people(self, box: Box) -> int:
        """The people of a box's role groups and under its units."""
        # as signing counted them, if it did (the role groups a units-only tree leaves out:
        # 13,000 at 100,000 people)
        added: list[Any] = list(map(self._adds.get, box.members))
        if None not in added:
            return sum(map(_PEOPLE, added))
        owners = [self.record(m) for m in box.members]
        count = sum(o.headcount for o in owners if isinstance(o, RoleGroup))
        return count + self.below(o.id for o in owners if isinstance(o, Unit))[2]

    def org_level(self, node: str) -> int:
        owner = self.record(node)
        return len(owner.path) if isinstance(owner, Unit | RoleGroup) and owner.path else 1

    def what_text(self, units: int, roles: int, people: int) -> str:
        parts = []
        if units:
            parts.append(self.text("n_units", n=units))
        if roles:
            parts.append(self.text("n_roles", n=roles))
        parts.append(self.text("people_count", n=people))
        return ("、" if self.locale != "en" else ", ").join(parts)


def _compared(rows: tuple[tuple[Any, ...], ...]) -> tuple[tuple[Any, ...], ...]:
    """What of an objective's key results folding compares, from their kinds, metrics, names
    and cadences (``per``): all of them but a staffing KR's name (it says its headcount)."""
    if KRKind.STAFFING in {kind for kind, _, _, _ in rows}:
        staffing = KRKind.STAFFING
        return tuple([(k, m, None if k is staffing else n, p) for k, m, n, p in rows])
    return rows


_SHAPE = attrgetter("kr_kind", "metric", "name", "per")
_NAME = attrgetter("name")
_HEADCOUNT = attrgetter("headcount")
_PEOPLE = itemgetter(2)  # of what a node adds to its unit's count
_MONEY = attrgetter("money")
_UNIT_TARGET = attrgetter("target")
_UNIT_ASSIGNED = attrgetter("assigned")


def _grow(
    ctx: Context, members: list[str], level: int, depth: int | None, folds: int | None
) -> Box:
    """The box of ``members`` (one node, or identical siblings folded) and the boxes below it
    down to ``depth``; siblings at level ``folds`` and below are folded: by signature, in the
    order they first come, each box's members in the order of the tree."""
    box = Box(members, str(ctx.record(members[0]).kind), level)
    if folds is not None and not ctx.below_signatures(ctx.signature(members[0])):
        return box  # nothing below any of them (13,000 role groups at 100,000 people)
    kids = [kid for member in members for kid in ctx.org_children(member)]
    if depth is not None and level >= depth:
        box.cut = bool(kids)
    elif folds is not None and level + 1 >= folds:
        groups: dict[int, list[str]] = {}
        for kid in kids:
            groups.setdefault(ctx.signature(kid), []).append(kid)
        box.children = [_grow(ctx, group, level + 1, depth, folds) for group in groups.values()]
    else:
        box.children = [_grow(ctx, [kid], level + 1, depth, folds) for kid in kids]
    return box


def _count(ctx: Context, root: Box, view: View) -> int:
    if view is View.ORG:
        return sum(1 for _ in root.walk())
    return sum(len(ctx.metric_krs(b.members[0])) for b in root.walk())


def _truncate(root: Box, depth: int) -> None:
    """Cut every box at ``depth``: its children are no longer drawn."""
    for box in root.walk():
        if box.level == depth and box.children:
            box.children, box.cut = [], True


def _larger(ctx: Context, start: str, view: View, depth: int | None, threshold: int) -> bool:
    """Whether the drawing from ``start``, unfolded, has more than ``threshold`` nodes (key
    results in the kr view): counted level by level until it has (no signature asked for: a
    small drawing does not fold, and a page of a large org's PDF is small)."""
    total, nodes, level = 0, [start], 1
    while nodes:
        if view is View.ORG:
            total += len(nodes)
        else:
            total += sum(len(ctx.metric_krs(node)) for node in nodes)
        if total > threshold:
            return True
        if depth is not None and level >= depth:
            break
        nodes, level = [kid for node in nodes for kid in ctx.org_children(node)], level + 1
    return False


def _folds(
    ctx: Context, start: str, view: View, depth: int | None, fold: bool | None, threshold: int
) -> int | None:
    """The shallowest level whose siblings fold (None: none fold).

    Folding goes level by level, deepest first, until the drawing has ``threshold`` nodes or
    fewer (or all the way, with ``fold=True``). How large a drawing folded from a level down
    is, is counted by signature without folding it: siblings of one signature fold into one
    box, whose children are one box per signature below it (and a signature says the metrics
    the kr view counts).
    """
    if fold is False or (fold is None and not _larger(ctx, start, view, depth, threshold)):
        return None
    if fold is True:
        return 2
    at_level = ctx.signatures_by_level(start, depth)
    weights: dict[int, int] = {}  # by signature
    for counted in at_level:
        for sign, (_, node) in counted.items():
            if sign not in weights:
                weights[sign] = 1 if view is View.ORG else len(ctx.metric_krs(node))
    level_weight = [sum(weights[s] * n for s, (n, _) in counted.items()) for counted in at_level]
    sizes: dict[tuple[int, int], int] = {}

    def folded(sign: int, level: int) -> int:
        """The boxes (or key results) of a box of ``sign`` at ``level`` and all below it,
        folded (every signature below is at a level drawn: counted in ``weights``)."""
        found = sizes.get((sign, level))
        if found is None:
            found = weights[sign]
            if depth is None or level < depth:
                found += sum(folded(s, level + 1) for s in ctx.below_signatures(sign))
            sizes[sign, level] = found
        return found

    for level in range(len(at_level), 1, -1):
        # levels 1 .. level - 1 as they are; below them, folded
        count = sum(level_weight[: level - 2]) + sum(
            folded(s, level - 1) * n for s, (n, _) in at_level[level - 2].items()
        )
        if count <= threshold:
            return level
    return 2


def layout(
    ctx: Context,
    start: str,
    view: View,
    depth: int | None,
    fold: bool | None,
    fold_above: int | None,
    max_nodes: int,
    units_only: bool | None = None,
) -> Layout:
    """The boxes drawn from ``start``: folded and cut as the size of the drawing needs.

    ``units_only``: draw no role boxes (``None``: when an org tree without a depth asked for
    is too large or too wide, see :data:`UNITS_ONLY_ABOVE`).
    """
    threshold = FOLD_ABOVE[view] if fold_above is None else fold_above
    root = _grow(ctx, [start], 1, depth, _folds(ctx, start, view, depth, fold, threshold))
    result = Layout(root, max_nodes=max_nodes)
    if view is View.ORG and _wants_units_only(ctx, root, depth, units_only):
        result.units_only = _drop_roles(ctx, root)
    # Without a depth asked for, an org tree is also cut where one level would be too wide
    # to read (never above the root's children, though).
    limit_width = depth is None and view is View.ORG

    def too_big(tree: Box) -> bool:
        return _count(ctx, tree, view) > max_nodes

    def too_wide(tree: Box) -> bool:
        return limit_width and _widest(tree) > MAX_SIDE_BY_SIDE

    deepest = max(b.level for b in root.walk())
    if too_big(root) or too_wide(root):
        cut = deepest - 1
        while cut > 1 and (
            too_big(_copy_to(root, cut)) or (cut > 2 and too_wide(_copy_to(root, cut)))
        ):
            cut -= 1
        if cut >= 1:
            result.wide = not too_big(_copy_to(root, cut + 1))
            _truncate(root, cut)
            result.auto_cut = True
            depth = cut
    cut_boxes = [b for b in root.walk() if b.cut]
    if cut_boxes:
        result.depth = depth
        result.hidden = ctx.below(m for b in cut_boxes for m in b.members)
    return result


def _wants_units_only(ctx: Context, root: Box, depth: int | None, units_only: bool | None) -> bool:
    if units_only is not None:
        return units_only
    if depth is not None or not any(b.kind == "role" for b in root.walk()):
        return False
    leaves = sum(1 for b in root.walk() if not b.children)
    return leaves > MAX_SIDE_BY_SIDE or _count(ctx, root, View.ORG) > UNITS_ONLY_ABOVE


def _drop_roles(ctx: Context, root: Box) -> tuple[int, int]:
    """Remove every role box; the role groups and people no longer drawn."""
    roles = people = 0
    for box in list(root.walk()):
        for child in box.children:
            if child.kind == "role":
                roles += len(child.members)
                people += ctx.people(child)
        box.children = [c for c in box.children if c.kind != "role"]
    return roles, people


def _widest(root: Box) -> int:
    """The most boxes on one level."""
    levels: dict[int, int] = {}
    for box in root.walk():
        levels[box.level] = levels.get(box.level, 0) + 1
    return max(levels.values())


def _copy_to(box: Box, depth: int) -> Box:
    return Box(
        box.members,
        box.kind,
        box.level,
        [] if box.level >= depth else [_copy_to(c, depth) for c in box.children],
    )


def _amounts(plan: Plan) -> list[Number | None]:
    """Every amount of money a diagram of ``plan`` can show: units' targets, quotas, money
    key results with their periods (one list: 276,000 amounts at 100,000 people; the order
    does not matter: Numbers.uniform reads them as a set)."""
    graph = plan.graph
    krs, units = queries.records_of(graph, KeyResult), queries.records_of(graph, Unit)
    roles = queries.records_of(graph, RoleGroup)
    objectives = queries.records_of(graph, Objective)
    if len(krs) + len(units) + len(roles) + len(objectives) != graph.number_of_nodes():
        # a record of a kind's subclass: each kind by isinstance (the lists queries keeps,
        # made before the fork at 100,000 people, hold each kind exactly)
        items = [data["node"] for data in graph._node.values()]
        krs = [i for i in items if isinstance(i, KeyResult)]
        units = [i for i in items if isinstance(i, Unit)]
        roles = [i for i in items if isinstance(i, RoleGroup)]
    out: list[Number | None] = []
    add, extend = out.append, out.extend
    for kr in filter(_MONEY, krs):  # only the money key results looked at one by one
        add(kr.target)
        add(kr.total)
        extend(kr.periods.values())
    extend(map(_UNIT_TARGET, units))
    extend(map(_UNIT_ASSIGNED, units))
    for role in roles:
        if role.selling is not None:
            add(role.selling.quota)
            add(role.selling.per_person)
    return out
