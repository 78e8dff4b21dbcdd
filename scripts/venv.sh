#!/bin/sh
# The virtual environment of `make run`, `make test` and `make lint`, set up only where needed:
# made (again) when it is missing, was made by a Python older than 3.11 or is broken (no pip: an
# interrupted setup); Sonata installed (again) when pyproject.toml changed since, an install was
# interrupted, or `import sonata` fails. Nothing to do takes a fraction of a second.
#
# PYTHON: the Python to make it with (default python3); VENV: where (default .venv); INSTALL: the
# install command (default: pip, editable, with the dev extras).
set -eu
PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
STAMP="$VENV/.installed"
export VENV  # for INSTALL
NEW_ENOUGH='import sys; sys.exit(sys.version_info < (3, 11))'

if ! "$VENV/bin/python" -c "$NEW_ENOUGH" 2>/dev/null || ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
    if ! "$PYTHON" -c "$NEW_ENOUGH" 2>/dev/null; then
        found=$("$PYTHON" --version 2>&1) || found="not found"
        echo "Sonata needs Python 3.11 or later, and $PYTHON is: $found." >&2
        echo "Install a newer one (such as python3.12) and give it: make run PYTHON=python3.12" >&2
        exit 1
    fi
    if [ -e "$VENV" ]; then
        echo "$VENV is broken or was made by a Python older than 3.11: making it again with $PYTHON" >&2
    fi
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
fi
if [ ! -f "$STAMP" ] || [ pyproject.toml -nt "$STAMP" ] || ! "$VENV/bin/python" -c 'import sonata' 2>/dev/null; then
    rm -f "$STAMP"
    echo "installing Sonata and its dependencies into $VENV" >&2
    if [ -n "${INSTALL:-}" ]; then
        sh -c "$INSTALL"
    else
        "$VENV/bin/python" -m pip install --quiet --upgrade pip
        "$VENV/bin/python" -m pip install --quiet -e '.[dev]'
    fi
    touch "$STAMP"
fi
