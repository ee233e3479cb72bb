"""Each unit's sums of its groups' series over its subtree, every metric in one value.

A unit's sums are kept as one :class:`Block`: every (metric, denominator) slot's months side by
side in one flat list, so that adding a child's sums or a group's series × headcount is one pass
over one list, not a pass per metric. Where every amount of the organisation fits 64 bits
(checked once, from the groups' largest amounts and headcounts), the flat list is packed into
one integer of 64-bit fields: a sum is then one addition of two integers, and no field can
carry into the next, since no unit's sum exceeds the organisation's.
"""

from __future__ import annotations

import operator
import sys
from array import array
from collections.abc import Mapping, Sequence

from okrplan.solve.funnel import PersonSeries
from okrplan.solve.groups import Group
from okrplan.solve.series import Series, joined

Names = tuple[str, ...]
Slots = tuple[tuple[str, int], ...]

_FIELD = 64  # bits per packed amount: array("Q")'s item
_PACKS = array("Q").itemsize * 8 == _FIELD


class Block:
    """Sums of every metric of one owner: slot ``i`` (a metric and a denominator) holds the
    months ``values[i * count : (i + 1) * count]`` over that denominator; ``values`` is a list,
    or those amounts packed into one integer (see the module docstring) and then ``room`` is
    how many times over every amount fits its field. Never changed once made (a plain class:
    one is made per unit)."""

    __slots__ = ("money", "room", "single", "slots", "values")

    def __init__(
        self, slots: Slots, values: list[int] | int, money: dict[str, bool], room: int = 0
    ) -> None:
        self.slots = slots
        self.values = values
        self.money = money  # per metric: as the last series added says
        self.single = len(money) == len(slots)  # one denominator per metric (the usual case)
        self.room = room

    def amounts(self, count: int) -> list[int]:
        """The flat list of amounts (unpacked if packed)."""
        values = self.values
        if isinstance(values, list):
            return values
        return _unpacked(values, len(self.slots) * count)

    def slot(self, at: int, count: int) -> list[int]:
        """Slot ``at``'s amounts (only its field unpacked, if packed)."""
        values = self.values
        if isinstance(values, list):
            return values[at * count : (at + 1) * count]
        width = _FIELD * count
        return _unpacked((values >> (at * width)) & ((1 << width) - 1), count)

    def scaled(self, count: int, times: int) -> list[int]:
        """The flat list of amounts × a whole number ``times``."""
        values = self.values
        if isinstance(values, list):
            return [v * times for v in values]
        if 0 <= times <= self.room:  # × times still fits every field: one multiplication
            return _unpacked(values * times, len(self.slots) * count)
        return [v * times for v in _unpacked(values, len(self.slots) * count)]

    def series(self, count: int) -> dict[str, Series]:
        """Each metric's sum as a series, metrics in the order they were first added."""
        values, money = self.amounts(count), self.money
        if self.single:
            return {
                metric: Series(tuple(values[i * count : (i + 1) * count]), den, money[metric])
                for i, (metric, den) in enumerate(self.slots)
            }
        parts: dict[str, dict[int, list[int]]] = {}
        for i, (metric, den) in enumerate(self.slots):
            parts.setdefault(metric, {})[den] = values[i * count : (i + 1) * count]
        return {metric: joined(by_den, count, money[metric]) for metric, by_den in parts.items()}


def _packed(values: list[int]) -> int:
    return int.from_bytes(array("Q", values).tobytes(), sys.byteorder)


def _unpacked(value: int, size: int) -> list[int]:
    return array("Q", value.to_bytes(size * 8, sys.byteorder)).tolist()


class _Adder:
    """Adds up blocks: each group's series as a block (made once per set of series objects),
    and blocks × headcount. Slots are kept one object per layout, so that blocks alike are
    recognised by identity and added field by field."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.layouts: dict[Slots, Slots] = {}
        self.groups: dict[tuple[object, ...], tuple[Block, int]] = {}  # and its largest amount
        self.room = 0  # how many times over the largest sum fits a field, once packed
        # packed blocks moved into merged layouts, by their ids (the objects kept alive)
        self.moves: dict[tuple[int, int], tuple[int, Block, Slots]] = {}

    def group(self, found: PersonSeries) -> tuple[Block, int]:
        """A group's per-person series as a block, and its largest amount (-1 if any is
        negative); series objects stay alive while this runs."""
        key = (tuple(found), tuple(map(id, found.values())))
        made = self.groups.get(key)
        if made is None:
            slots = tuple([(metric, part.den) for metric, part in found.items()])
            values = [n for part in found.values() for n in part.num]
            if len(values) != len(slots) * self.count:  # a field would slide into the next
                raise ValueError(f"series of other than {self.count} months: {slots}")
            money = {metric: part.money for metric, part in found.items()}
            top = max(values, default=0) if min(values, default=0) >= 0 else -1
            made = self.groups[key] = (self.block(slots, values, money), top)
        return made

    def pack(self, bound: int) -> dict[int, Block]:
        """Pack every group's block (see the module docstring), given the largest any sum can
        be (at least 1): by the id of the unpacked block."""
        self.room = ((1 << _FIELD) - 1) // bound
        return {
            id(block): Block(
                block.slots, _packed(block.amounts(self.count)), block.money, self.room
            )
            for block, _ in self.groups.values()
        }

    def block(self, slots: Slots, values: list[int], money: dict[str, bool]) -> Block:
        slots = self.layouts.setdefault(slots, slots)
        return Block(slots, _packed(values) if self.room else values, money, self.room)

    def added(self, parts: Sequence[tuple[int, Block]]) -> Block | None:
        """The sum of blocks × counts (None if there are none)."""
        if not parts:
            return None
        slots = parts[0][1].slots
        for _, block in parts:
            if block.slots is not slots:
                return self._merged(parts)
        if self.room:  # field by field, in one integer
            total = 0
            for times, block in parts:
                value = block.values
                assert isinstance(value, int)
                total += value * times
            return Block(slots, total, parts[-1][1].money, self.room)
        acc: list[int] | None = None
        for times, block in parts:
            values = block.amounts(self.count)
            if acc is None:
                acc = values if times == 1 else [v * times for v in values]
            elif times == 1:
                acc = list(map(operator.add, acc, values))
            else:
                acc = [a + v * times for a, v in zip(acc, values, strict=True)]
        return Block(slots, acc or [], parts[-1][1].money)

    def _merged(self, parts: Sequence[tuple[int, Block]]) -> Block:
        """:meth:`added` of blocks of different slots: slot by slot."""
        if self.room:
            return self._merged_packed(parts)
        count = self.count
        merged: dict[tuple[str, int], list[int]] = {}
        money: dict[str, bool] = {}
        for times, block in parts:
            amounts = block.amounts(count)
            for i, slot in enumerate(block.slots):
                values = amounts[i * count : (i + 1) * count]
                if times != 1:
                    values = [v * times for v in values]
                acc = merged.get(slot)
                merged[slot] = values if acc is None else list(map(operator.add, acc, values))
            money.update(block.money)
        return self.block(tuple(merged), [n for acc in merged.values() for n in acc], money)

    def _merged_packed(self, parts: Sequence[tuple[int, Block]]) -> Block:
        """:meth:`_merged` of packed blocks: each block's slots moved to their places in the
        merged layout (slots in the order first met, as :meth:`_merged` has them) with a
        shift per slot, then added as one integer (a block's move is made once per layout:
        most blocks are a few groups' series, added into many units)."""
        merged = tuple(dict.fromkeys([slot for _, block in parts for slot in block.slots]))
        layout = self.layouts.setdefault(merged, merged)
        total = 0
        money: dict[str, bool] = {}
        for times, block in parts:
            total += self._moved(block, layout) * times
            money.update(block.money)
        return Block(layout, total, money, self.room)

    def _moved(self, block: Block, layout: Slots) -> int:
        """A packed block's amounts in ``layout``'s places (a superset of its slots)."""
        if block.slots is layout:
            assert isinstance(block.values, int)
            return block.values
        key = (id(block), id(layout))
        found = self.moves.get(key)
        if found is None:
            value = block.values
            assert isinstance(value, int)
            width = _FIELD * self.count  # bits per slot
            mask = (1 << width) - 1
            at = {slot: j for j, slot in enumerate(layout)}
            moved = 0
            for i, slot in enumerate(block.slots):
                moved |= ((value >> (i * width)) & mask) << (at[slot] * width)
            found = self.moves[key] = (moved, block, layout)
        return found[0]


def subtree_sums(
    units: Sequence[Names],
    groups: Sequence[Group],
    series: Mapping[str, PersonSeries],
    count: int,
) -> dict[Names, Block]:
    """Per unit (``units`` in the org's order, the company first), each metric's sum over
    the groups in its subtree (per-person ``series`` × headcount); units without any left out.
    """
    adder = _Adder(count)
    own: dict[Names, list[tuple[int, Block]]] = {}
    bound = 0  # the largest any unit's sum can be: the whole organisation's
    for group in groups:
        block, top = adder.group(series[group.id])
        own.setdefault(group.unit.names, []).append((group.headcount, block))
        bound = -1 if top < 0 or bound < 0 else bound + top * group.headcount
    if _PACKS and 0 <= bound < 1 << _FIELD:
        packed = adder.pack(max(bound, 1))
        own = {names: [(h, packed[id(b)]) for h, b in parts] for names, parts in own.items()}
    children: dict[Names, list[Names]] = {}
    for names in units[1:]:
        children.setdefault(names[:-1], []).append(names)
    sums: dict[Names, Block] = {}
    # units whose groups (headcount and series objects) and children's sums are the same add
    # up to the same sums: one object, made once (most units of a large organisation are
    # teams like others)
    made: dict[tuple[tuple[int, int], ...], Block | None] = {}
    for names in reversed(units):  # children before their parents
        parts = own.get(names, [])
        below = children.get(names)
        if below:
            parts = parts + [(1, sums[c]) for c in below if c in sums]
        key = tuple([(h, id(block)) for h, block in parts])
        if key in made:
            totals = made[key]
        else:
            totals = made[key] = adder.added(parts)
        if totals is not None and totals.slots:
            sums[names] = totals
    return sums
