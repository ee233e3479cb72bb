"""The names a user picks from on the command line and in the API, each listed once.

Nothing is imported here, so that the CLI can build its ``--help`` from these lists without
loading the library.
"""

from __future__ import annotations

SHEET_FORMATS = ("xlsx", "csv", "md")
"""The files of an OKR sheets folder (`okrplan export --format`), in the order they are made."""

TREE_FORMATS = ("svg", "png", "pdf", "dot")
"""What `okrplan render` writes: images, or the DOT text itself."""

TEMPLATES = ("sales", "market-share")
"""The starter target files `okrplan init --template` writes (``okrplan/templates/NAME.yaml``)."""

PLAN_FILE = "plan.json"
"""The plan's file in a plan directory, which every command that takes PLAN looks for."""
