#!/usr/bin/env bash
# Regenerate the README's goal-tree pictures from a shipped scenario:
#   docs/tree.png     the org view of scenarios/a-company-2015.yaml, depth 3
#   docs/tree-kr.png  its kr view: how calls become revenue
#   docs/tree-paper.png  the overview page of scenarios/saas-fy2027.yaml printed on A4
#
# usage: bash scripts/render-docs.sh
#
# Needs the .venv that `bash scripts/setup.sh --no-run` makes (with Graphviz and the CJK
# font). Run it whenever the plan or the diagrams change, and commit the PNGs it writes;
# tests/test_render.py checks that they match a fresh render.
set -euo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
OKRPLAN="$ROOT/.venv/bin/okrplan"
SCENARIO="$ROOT/scenarios/a-company-2015.yaml"

if [[ ! -x "$OKRPLAN" ]]; then
    printf '%s: error: %s is missing; run: bash scripts/setup.sh --no-run\n' \
        "${0##*/}" "$OKRPLAN" >&2
    exit 1
fi
mkdir -p "$ROOT/docs"
"$OKRPLAN" render "$SCENARIO" --view org --depth 3 -o "$ROOT/docs/tree.png" --force
"$OKRPLAN" render "$SCENARIO" --view kr -o "$ROOT/docs/tree-kr.png" --force
# docs/tree-paper.png: the first page (the units) of the saas-fy2027 tree printed on A4
# (`render --paper A4`), through poppler's pdftoppm at 80 dpi
SAAS="$ROOT/scenarios/saas-fy2027.yaml"
PAGES="$(mktemp -d)"
trap 'rm -rf "$PAGES"' EXIT
"$OKRPLAN" render "$SAAS" --paper A4 -o "$PAGES/tree.pdf"
pdftoppm -png -r 80 -f 1 -l 1 -singlefile "$PAGES/tree.pdf" "$ROOT/docs/tree-paper"
# docs/handout.png: the first page of the a-company handouts (`export --per-person --format
# pdf`, printed by headless Chromium), at 80 dpi
"$OKRPLAN" export "$SCENARIO" --per-person --format pdf -o "$PAGES/handouts"
pdftoppm -png -r 80 -f 1 -l 1 -singlefile "$PAGES/handouts/A公司2015年度OKR-个人OKR.pdf" \
    "$ROOT/docs/handout"
