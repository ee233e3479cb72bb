"""Goal-tree diagrams: DOT text (:mod:`okrplan.render.dot`, pure) and images
(:mod:`okrplan.render.image`, which runs Graphviz's ``dot``).

Importing this package does not import the ``graphviz`` package or look for ``dot``.
"""

from okrplan.render.dot import FONT, View, escape_html, find_unit, to_dot
from okrplan.render.image import IMAGE_FORMATS, dot_problem, render_image

__all__ = [
    "FONT",
    "IMAGE_FORMATS",
    "View",
    "dot_problem",
    "escape_html",
    "find_unit",
    "render_image",
    "to_dot",
]
