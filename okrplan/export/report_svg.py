"""The goal tree's SVG for the HTML report: cleaned of everything that can run or fetch, its
boxes linked to the OKR sheets they stand for."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

from okrplan import queries
from okrplan.export.report_plan import anchor_of
from okrplan.graph import node
from okrplan.plan import Plan
from okrplan.present import label
from okrplan.render.labels import owner_title

_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_NS = "http://www.w3.org/1999/xlink"
_UNSAFE = frozenset(
    {
        "script",
        "foreignobject",
        "iframe",
        "object",
        "embed",
        "handler",
        "listener",
        "set",
        "animate",
        "animatemotion",
        "animatetransform",
        "animatecolor",
        "style",
        "image",
        "use",
        "title",
        "metadata",
    }
)


def _local(name: str) -> tuple[str, str]:
    """(namespace, local name) of an ElementTree tag or attribute name."""
    if name.startswith("{"):
        namespace, _, local = name[1:].partition("}")
        return namespace, local
    return "", name


def sanitize_svg(
    data: str | bytes,
    *,
    linked: dict[str, str] | None = None,
    root_attrs: dict[str, str | None] | None = None,
) -> str:
    """An SVG document as an inline ``<svg>`` element with nothing in it that can run or fetch.

    Dropped: ``<script>``, ``<foreignObject>``, ``<style>``, ``<use>``, ``<image>``,
    animation elements, ``<title>`` (Graphviz's node names), elements outside the SVG
    namespace, every ``on*`` attribute, and any ``href`` or ``style`` that is not local; a
    link ``<a>`` becomes a plain group. The XML declaration, doctype
    and comments go too; text is re-escaped.

    ``linked`` maps Graphviz node names (``n1``) to an id of the page: that node's group gets
    ``data-card`` set to it, so clicking it can open its sheet. ``root_attrs`` sets (or with
    None, removes) attributes of the ``<svg>`` element after cleaning.

    >>> sanitize_svg('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    ...              '<script>alert(2)</script><text onclick="x()">&lt;b&gt;</text></svg>')
    '<svg xmlns="http://www.w3.org/2000/svg"><text>&lt;b&gt;</text></svg>'
    """
    root = ET.fromstring(data.encode("utf-8") if isinstance(data, str) else data)
    if _local(root.tag) != (_SVG_NS, "svg"):
        raise ValueError("not an SVG document")
    names = linked or {}
    _clean(root, names)
    for key, value in (root_attrs or {}).items():
        if value is None:
            root.attrib.pop(key, None)
        else:
            root.set(key, value)
    out: list[str] = []
    _serialize(root, out, top=True)
    return "".join(out)


def _clean(element: ET.Element, linked: dict[str, str]) -> None:
    if "node" in element.get("class", "").split():
        title = next((c for c in element if _local(c.tag)[1] == "title"), None)
        name = (title.text or "").strip() if title is not None else ""
        if name in linked:
            element.set("data-card", linked[name])
    for child in list(element):
        namespace, local = _local(child.tag) if isinstance(child.tag, str) else ("", "")
        if namespace != _SVG_NS or local.lower() in _UNSAFE:
            _remove(element, child)
            continue
        if local == "a":  # a link (Graphviz draws one for URL= or tooltip=): keep its content
            child.tag = f"{{{_SVG_NS}}}g"
            for name in [n for n in child.attrib if _local(n)[1] in ("href", "title", "target")]:
                del child.attrib[name]
        _clean(child, linked)
    for name in list(element.attrib):
        namespace, local = _local(name)
        value = element.attrib[name]
        lowered = re.sub(r"\s", "", value).lower()
        if (
            local.lower().startswith("on")
            or (local == "href" and not value.startswith("#"))
            or (local == "style" and ("url(" in lowered or "expression(" in lowered))
            or "javascript:" in lowered
            or namespace not in ("", _XLINK_NS)
        ):
            del element.attrib[name]


def _remove(parent: ET.Element, child: ET.Element) -> None:
    """Remove ``child``, keeping the text that follows it in place."""
    if child.tail:
        index = list(parent).index(child)
        if index:
            before = parent[index - 1]
            before.tail = (before.tail or "") + child.tail
        else:
            parent.text = (parent.text or "") + child.tail
    parent.remove(child)


def _serialize(element: ET.Element, out: list[str], *, top: bool = False) -> None:
    _, tag = _local(element.tag)
    attrs = []
    if top:
        attrs.append(f' xmlns="{_SVG_NS}"')
    for name, value in element.attrib.items():
        namespace, local = _local(name)
        attrs.append(
            f" {'xlink:' if namespace == _XLINK_NS else ''}{local}="
            f'"{html.escape(value, quote=True)}"'
        )
    if top and any(_local(n)[0] == _XLINK_NS for e in element.iter() for n in e.attrib):
        attrs.append(f' xmlns:xlink="{_XLINK_NS}"')
    text = html.escape(element.text or "", quote=False)
    if not len(element) and not text:
        out.append(f"<{tag}{''.join(attrs)}/>")
    else:
        out.append(f"<{tag}{''.join(attrs)}>{text}")
        for child in element:
            _serialize(child, out)
        out.append(f"</{tag}>")
    if not top and element.tail:
        out.append(html.escape(element.tail, quote=False))


def tree_markup(plan: Plan, svg: str | bytes, anchors: Callable[[str], str] | None = None) -> str:
    """The org view's SVG, cleaned, its unit and role boxes linked to their sheets
    (``anchors`` gives an owner's sheet's HTML id: :func:`anchor_of` by default).

    Graphviz names the boxes ``n1, n2, …`` in the order :func:`okrplan.render.to_dot` walks
    the tree. Boxes are linked only when the tree was drawn whole (a folded or cut tree has
    fewer boxes, and box ``n5`` need not be the fifth owner), each only where its header reads
    as the owner expected there.
    """
    anchor = anchors or anchor_of
    order = queries.tree_order(plan.graph)
    drawn = {f"n{i}" for i in range(1, len(order) + 1)}
    root = ET.fromstring(svg.encode("utf-8") if isinstance(svg, str) else svg)
    boxes = [
        g
        for g in root.iter(f"{{{_SVG_NS}}}g")
        if "node" in g.get("class", "").split() and _title_of(g) in drawn
    ]
    linked: dict[str, str] = {}
    if len(boxes) != len(order):
        boxes = []  # titled only when they are linked: a large tree is folded or cut
    for group in boxes:
        first = group.find(f"{{{_SVG_NS}}}text")
        name = _title_of(group)
        header = " ".join((first.text or "").split()) if first is not None else ""
        owner = order[int(name[1:]) - 1]
        wanted = owner_title(node(plan.graph, owner), plan.locale)
        if header and " ".join(wanted.split()).startswith(header):
            linked[name] = anchor(owner)
    title = f"{label(plan.locale, 'r_tree')}: {plan.meta.get('name', '')}"
    return sanitize_svg(
        svg,
        linked=linked,
        root_attrs={
            "width": None,
            "height": None,
            "id": "tree-svg",
            "role": "img",
            "aria-label": title,
            "preserveAspectRatio": "xMidYMid meet",
        },
    )


def _title_of(group: ET.Element) -> str:
    named = group.find(f"{{{_SVG_NS}}}title")
    return (named.text or "").strip() if named is not None else ""
