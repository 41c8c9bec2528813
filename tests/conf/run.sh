#!/bin/sh
# conf/run.sh: every good/*.conf must pass `sbcd -t`; every bad/*.conf must fail
# with exactly the lines of its bad/*.expect (file:line: setting: problem).
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
SBCD=${SBCD:-$ROOT/build/sbcd}
cd "$ROOT" || exit 1

for f in tests/conf/good/*.conf; do
	if out=$("$SBCD" -t -f "$f" 2>&1); then
		echo "ok - good/$(basename "$f") loads"
	else
		echo "not ok - good/$(basename "$f") loads"
		echo "$out" | sed 's/^/    /'
	fi
done

# the shipped configuration too
if "$SBCD" -t -f conf/sbc.conf > /dev/null 2>&1; then
	echo "ok - conf/sbc.conf loads"
else
	echo "not ok - conf/sbc.conf loads"
fi

for f in tests/conf/bad/*.conf; do
	exp=${f%.conf}.expect
	name=bad/$(basename "$f")
	out=$("$SBCD" -t -f "$f" 2>&1); rc=$?
	if [ "$rc" -ne 1 ]; then
		echo "not ok - $name is refused with exit 1 (got $rc)"
		continue
	fi
	if [ ! -f "$exp" ]; then
		echo "not ok - $name has an .expect file"
		continue
	fi
	if [ "$out" = "$(cat "$exp")" ]; then
		echo "ok - $name reports exactly its .expect"
	else
		echo "not ok - $name reports exactly its .expect"
		echo "$out" > "${OUT:-/tmp}/$(basename "$f").out"
		diff "$exp" "${OUT:-/tmp}/$(basename "$f").out" | sed 's/^/    /'
	fi
done

# docs/configuration.md carries the reference generated from the schema
if sh tests/lib/refdoc.sh "$SBCD" docs/configuration.md | cmp -s - docs/configuration.md; then
	echo "ok - docs/configuration.md documents every key (matches sbcd -S)"
else
	echo "not ok - docs/configuration.md documents every key (matches sbcd -S); run make docs"
fi
