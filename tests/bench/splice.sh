#!/bin/sh
# splice.sh TABLE DOC: put TABLE into DOC between the "<!-- bench:table -->" and
# "<!-- /bench:table -->" lines (make bench keeps docs/performance.md current).
set -eu
[ -f "$2" ] && grep -q '^<!-- bench:table -->$' "$2" || { echo "splice.sh: no table markers in $2" >&2; exit 1; }
awk -v t="$1" '
    /^<!-- bench:table -->$/ { print; while ((getline l < t) > 0) print l; skip = 1; next }
    /^<!-- \/bench:table -->$/ { skip = 0 }
    !skip { print }' "$2" > "$2.new"
mv "$2.new" "$2"
