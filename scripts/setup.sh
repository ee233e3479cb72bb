#!/usr/bin/env bash
# Install everything okrplan needs on Debian 12, then run the main job.
#
# usage: bash scripts/setup.sh [--no-run] [--reinstall] [--] [OKRPLAN-ARGS...]
#
#   (no args)     install, then run the main job on a shipped scenario
#   OKRPLAN-ARGS  install, then run `.venv/bin/okrplan OKRPLAN-ARGS...` instead
#   --no-run      install only
#   --reinstall   run `pip install` even if .venv looks up to date
#
# What "install" means:
#   1. Debian packages: graphviz (`dot`) and a CJK font (fonts-noto-cjk). apt is
#      skipped entirely when `dot` and a Chinese font are already present.
#   2. .venv in the project root, made with python3.11 (or python3 if it is
#      >= 3.11; set PYTHON=/path/to/python to choose). An existing .venv whose
#      python is >= 3.11 is reused.
#   3. `pip install -e .` into .venv; skipped when pyproject.toml has not
#      changed since the last successful install (stamp file inside .venv).
#
# Runs from the project root whatever the current directory, so relative
# paths in OKRPLAN-ARGS are relative to the project root.
# Environment: PYTHON (interpreter for a new .venv), OKRPLAN_VERBOSE=1 (show
# pip's output), OKRPLAN_REINSTALL=1 (same as --reinstall).
#
# scripts/test.sh sources this file and calls okrplan_install, so the install
# steps live in one place.
set -euo pipefail

OKRPLAN_ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
VENV="$OKRPLAN_ROOT/.venv"
PROG="${0##*/}"

# Debian packages okrplan needs at run time (see install_system_packages),
# checked by what they provide rather than by name:
#   graphviz        `dot`, renders the goal tree
#   fonts-noto-cjk  a font with Chinese glyphs for diagrams and sheets
#   fontconfig      `fc-list`, used to check for that font
#   poppler-utils   `pdfunite`, joins the goal tree's pages into one PDF (render --paper);
#                   no PDF library is a Python dependency, so the join is poppler's

say() { printf '==> %s\n' "$*"; }
die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }

# Run a command quietly; show its output only if it fails.
quietly() {
    local log status=0
    log="$(mktemp)"
    "$@" >"$log" 2>&1 || status=$?
    if ((status != 0)); then
        cat "$log" >&2
        rm -f "$log"
        die "failed (exit $status): $*"
    fi
    rm -f "$log"
}

has_cjk_font() {
    command -v fc-list >/dev/null 2>&1 || return 1
    [[ -n "$(fc-list :lang=zh family 2>/dev/null)" ]]
}

dpkg_installed() {
    [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]
}

# True if $1 runs and is Python >= 3.11 (and, with "pip", has pip).
python_ok() {
    local check='import sys; sys.exit(sys.version_info < (3, 11))'
    [[ "${2:-}" == pip ]] && check="import pip; $check"
    "$1" -c "$check" >/dev/null 2>&1
}

# Print the real path of a Python >= 3.11 to make .venv with.
find_python() {
    local c
    local -a candidates=(python3.11 python3)
    if [[ -n "${PYTHON:-}" ]]; then
        candidates=("$PYTHON")
    else
        # pyenv's 3.11 even when its shims are not on PATH (non-login shells).
        candidates+=("${PYENV_ROOT:-${HOME:-/root}/.pyenv}"/versions/3.11*/bin/python3.11)
    fi
    for c in "${candidates[@]}"; do
        if python_ok "$c"; then
            "$c" -c 'import sys; print(sys.executable)'
            return 0
        fi
    done
    die "okrplan needs Python >= 3.11; tried: ${candidates[*]}.
  On Debian 12: apt-get install python3 python3-venv
  Or point PYTHON at one: PYTHON=/path/to/python3.11 bash scripts/setup.sh"
}

# Install Debian packages: the runtime ones, plus any given as arguments
# (scripts/test.sh passes its TEST_APT_PACKAGES). $NEW_VENV_PYTHON, if set, is
# the interpreter that will create .venv (it may need pythonX.Y-venv).
install_system_packages() {
    local p venv_pkg
    local -a missing=()
    command -v fc-list >/dev/null 2>&1 || missing+=(fontconfig)
    command -v dot >/dev/null 2>&1 || missing+=(graphviz)
    command -v pdfunite >/dev/null 2>&1 || missing+=(poppler-utils)
    has_cjk_font || missing+=(fonts-noto-cjk)
    if [[ -n "${NEW_VENV_PYTHON:-}" ]] && ! "$NEW_VENV_PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
        # Debian ships venv/ensurepip separately from python3 itself.
        [[ "$NEW_VENV_PYTHON" == /usr/bin/* ]] \
            || die "$NEW_VENV_PYTHON cannot create virtual environments (no venv/ensurepip module)"
        venv_pkg="$("$NEW_VENV_PYTHON" -c 'import sys; print("python%d.%d-venv" % sys.version_info[:2])')"
        missing+=("$venv_pkg")
    fi
    for p in "$@"; do
        dpkg_installed "$p" || missing+=("$p")
    done

    if ((${#missing[@]} == 0)); then
        say "system packages: already installed (dot, CJK font${1:+, $*})"
        return 0
    fi
    command -v apt-get >/dev/null 2>&1 \
        || die "missing system packages: ${missing[*]} (no apt-get here; install them by hand)"
    # apt needs root: use sudo only when not root already.
    local -a as_root=()
    if ((EUID != 0)); then
        command -v sudo >/dev/null 2>&1 \
            || die "need root to install ${missing[*]} (not root, and sudo is not installed)"
        as_root=(sudo)
    fi
    say "installing system packages: ${missing[*]} (first run: a few minutes) ..."
    quietly "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
    quietly "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "${missing[@]}"
    command -v dot >/dev/null 2>&1 || die "graphviz installed but \`dot\` is not on PATH"
    has_cjk_font || die "fonts-noto-cjk installed but \`fc-list :lang=zh\` finds no font"
}

# Create .venv unless a usable one (python >= 3.11 with pip) is already there.
ensure_venv() {
    if [[ -z "${NEW_VENV_PYTHON:-}" ]]; then
        say "virtualenv: reusing .venv ($("$VENV/bin/python" -V 2>&1))"
        return 0
    fi
    if [[ -e "$VENV" ]]; then
        say "recreating .venv with $NEW_VENV_PYTHON (old one has no python >= 3.11 with pip) ..."
    else
        say "creating .venv with $NEW_VENV_PYTHON ..."
    fi
    quietly "$NEW_VENV_PYTHON" -m venv --clear "$VENV"
    python_ok "$VENV/bin/python" pip || die "new .venv is unusable: $VENV/bin/python"
}

# `pip install -e .[EXTRAS]` into .venv unless the stamp says it is current.
pip_install() {
    local extras="$1" target="." stamp="$VENV/.okrplan-install-stamp" want have_hash have_extras
    [[ -n "$extras" ]] && target=".[$extras]"
    want="$(sha256sum <"$OKRPLAN_ROOT/pyproject.toml" | cut -d' ' -f1)"
    if [[ "${OKRPLAN_REINSTALL:-0}" != 1 && -f "$stamp" && -x "$VENV/bin/okrplan" ]]; then
        read -r have_hash have_extras <"$stamp" || true
        # An install with extras also satisfies a plain one.
        if [[ "$have_hash" == "$want" && ( -z "$extras" || "${have_extras:-}" == "$extras" ) ]] \
            && "$VENV/bin/python" -c '
import importlib.util, sys
spec = importlib.util.find_spec("okrplan")
sys.exit(not (spec and spec.origin and spec.origin.startswith(sys.argv[1])))
' "$OKRPLAN_ROOT/"; then
            say "python packages: up to date (pip install -e '$target' skipped; --reinstall to force)"
            return 0
        fi
    fi
    say "installing python packages: pip install -e '$target' ..."
    rm -f "$stamp"
    local -a quiet=(--quiet)
    [[ "${OKRPLAN_VERBOSE:-0}" == 1 ]] && quiet=()
    (cd "$OKRPLAN_ROOT" && "$VENV/bin/python" -m pip install --disable-pip-version-check \
        "${quiet[@]}" -e "$target")
    printf '%s %s\n' "$want" "$extras" >"$stamp"
}

# The whole install: okrplan_install EXTRAS [EXTRA-APT-PACKAGES...]
# EXTRAS is "" for a plain install or e.g. "dev" for `pip install -e '.[dev]'`.
okrplan_install() {
    local extras="$1"
    shift
    NEW_VENV_PYTHON=""
    if ! python_ok "$VENV/bin/python" pip; then
        NEW_VENV_PYTHON="$(find_python)"
    fi
    install_system_packages "$@"
    ensure_venv
    pip_install "$extras"
}

# The main job. With arguments: `okrplan ARGS...`.
run_main_job() {
    local okrplan="$VENV/bin/okrplan"
    if (($# > 0)); then
        say "running: okrplan $*"
        "$okrplan" "$@"
        return
    fi
    if "$okrplan" decompose --help >/dev/null 2>&1; then
        say "running: okrplan decompose scenarios/a-company-2015.yaml -o plan --force"
        "$okrplan" decompose scenarios/a-company-2015.yaml -o plan --force
        say "plan written to $OKRPLAN_ROOT/plan/"
    else
        # Fallback while `okrplan decompose` does not exist yet: check that every
        # shipped scenario validates. Delete this branch once decompose lands.
        local -a scenarios=()
        local f
        for f in scenarios/*.yaml; do
            [[ -e "$f" ]] && scenarios+=("$f")
        done
        ((${#scenarios[@]} > 0)) \
            || die "install finished, but there is no scenarios/*.yaml to run okrplan on"
        say "okrplan decompose not available yet; running: okrplan validate ${scenarios[*]}"
        "$okrplan" validate "${scenarios[@]}"
    fi
}

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }

main() {
    local run=1
    while (($# > 0)); do
        case "$1" in
            --no-run) run=0; shift ;;
            --reinstall) OKRPLAN_REINSTALL=1; shift ;;
            -h | --help) usage; return 0 ;;
            --) shift; break ;;
            *) break ;;
        esac
    done
    if ((run == 0 && $# > 0)); then
        die "--no-run takes no okrplan arguments (got: $*)"
    fi
    cd "$OKRPLAN_ROOT"
    okrplan_install ""
    say "install done in ${SECONDS}s"
    if ((run == 1)); then
        run_main_job "$@"
    fi
}

# Run only when executed, not when sourced by scripts/test.sh.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    main "$@"
fi
