"""okrplan: turn one top-level KPI into a balanced OKR plan for a whole organisation."""

__version__ = "0.1.0"
