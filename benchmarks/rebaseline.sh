#!/bin/sh
# Re-baseline after someone else's semantic fix: the current tree with MY files restored to
# their pre-optimisation versions (ORIG, a copy of analytics/ taken before any change)
# writes the baseline, so check_same.py then compares only the effect of the optimisations.
set -e
ORIG=${ORIG:-/tmp/perf_orig/analytics}
REPO=$(cd "$(dirname "$0")/.." && pwd)
TREE=$(mktemp -d)
mkdir -p "$TREE/crowdwatch"
(cd "$REPO" && tar cf - --exclude=.venv --exclude=.git --exclude='*.egg-info' .) | (cd "$TREE/crowdwatch" && tar xf -)
for f in panel.py windows.py signals.py baskets.py internals.py prepare.py; do
  cp "$ORIG/$f" "$TREE/crowdwatch/analytics/$f"
done
PYTHONPATH="$TREE" "$REPO/.venv/bin/python" - "$TREE" <<'PY'
import sys, crowdwatch
assert crowdwatch.__file__.startswith(sys.argv[1]), crowdwatch.__file__
PY
PYTHONPATH="$TREE" "$REPO/.venv/bin/python" "$TREE/crowdwatch/benchmarks/check_same.py" --baseline "$@"
rm -rf "$TREE"
