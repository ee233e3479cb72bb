#!/usr/bin/env bash
# Install okrplan with its test dependencies, then run the test suite.
#
# usage: bash scripts/test.sh [PYTEST-ARGS...]
#
# Does setup.sh's install steps (system packages, .venv, but not the main job),
# plus TEST_APT_PACKAGES and `pip install -e '.[dev]'`, then runs
# `.venv/bin/python -m pytest PYTEST-ARGS...` from the project root, on every core
# (pytest-xdist, one test file per worker so that a file's shared fixtures are made
# once; pass `-n 0` to run in one process, e.g. with -s or a debugger).
#
# Long runs of the randomised tests are opt-in (defaults keep the suite within 90 s):
#   OKRPLAN_FUZZ_EXAMPLES=N   examples per fuzz and property test (tests/test_fuzz.py,
#                             tests/test_properties.py, ...; default 6, derandomised)
#   OKRPLAN_KILL_RUNS=N       killed decompose runs in tests/test_atomic.py (default 3)
#   OKRPLAN_KILL_SEED=N       where those kills land (default 2015)
# Exit status is pytest's, except that "no tests collected" (pytest's 5) is
# reported as a failure (exit 1): a suite that runs nothing must not pass.
set -euo pipefail

# Debian packages only the tests need, installed on top of setup.sh's runtime
# packages (graphviz, fonts-noto-cjk):
#   libreoffice-calc-nogui     recalculates exported workbooks headless (soffice)
#   chromium                   prints handouts (okrplan's own use of a browser)
#   chromium-headless-shell    opens the HTML report in a real browser, the same Blink with
#                              a third of the full browser's CPU per page
TEST_APT_PACKAGES=(libreoffice-calc-nogui chromium chromium-headless-shell)

# shellcheck source-path=SCRIPTDIR source=setup.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/setup.sh"

cd "$OKRPLAN_ROOT"
okrplan_install dev "${TEST_APT_PACKAGES[@]}"
say "install done in ${SECONDS}s; running: pytest $*"

# okrplan's bytecode written once, as pip writes an installed package's: with
# PYTHONDONTWRITEBYTECODE=1 set (as on some CI machines) every okrplan process the tests
# start would otherwise compile the modules it imports again
"$VENV/bin/python" -m compileall -q okrplan >/dev/null

status=0
"$VENV/bin/python" -m pytest -n auto --dist loadfile "$@" || status=$?
if ((status == 5)); then
    printf '%s: FAILED: pytest collected no tests (pytest exit status 5); treating as failure\n' \
        "$PROG" >&2
    exit 1
fi
exit "$status"
