#!/bin/sh
# run.sh: run every test (unit, configuration corpus, integration) in a private
# network namespace and print "N passed, N failed".  Called by `make check`.
#
# Each test program prints TAP-style lines, "ok - what" or "not ok - what";
# this runner echoes them, counts them, and fails when any failed or when a
# program exited non-zero without saying why.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export ROOT
: "${SBCD:=$ROOT/build/sbcd}"
: "${TESTBIN:=$ROOT/build/tests}"
case "$SBCD" in /*) ;; *) SBCD=$ROOT/$SBCD ;; esac
case "$TESTBIN" in /*) ;; *) TESTBIN=$ROOT/$TESTBIN ;; esac
export SBCD TESTBIN

# Everything that starts processes or sends packets runs in a namespace of
# its own that has only "lo": nothing leaves the machine, nothing clashes.
if [ -z "${SBCD_IN_NETNS:-}" ]; then
	if unshare --net true 2>/dev/null; then
		exec unshare --net -- env SBCD_IN_NETNS=1 sh -c \
		    'ip link set lo up && exec sh "$0"' "$0"
	fi
	echo "run.sh: cannot create a network namespace (need root or user namespaces)" >&2
	exit 1
fi

# sanitizer builds: full stacks, and sofia's own known TLS leak suppressed
export ASAN_OPTIONS=${ASAN_OPTIONS:-fast_unwind_on_malloc=0}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/tests/lib/lsan.supp:print_suppressions=0}

# next to the binaries: a sanitizer run and a plain one do not share it
OUT=$(dirname "$TESTBIN")/test-out
rm -rf "$OUT"; mkdir -p "$OUT"
export OUT
passed=0; failed=0; skipped=0

# run_prog NAME CMD...: run one test program, count its ok/not ok lines.
run_prog() {
	name=$1; shift
	log=$OUT/$(echo "$name" | tr '/ ' '__').log
	"$@" > "$log" 2>&1
	rc=$?
	p=$(grep -c '^ok ' "$log")
	s=$(grep -c '^not ok .*# SKIP' "$log")
	f=$(($(grep -c '^not ok ' "$log") - s))
	grep -E '^(ok|not ok) ' "$log" | sed "s|^|[$name] |"
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "[$name] not ok - exited with status $rc (log: $log)"
		tail -n 20 "$log" | sed 's/^/    /'
		f=1
	elif [ "$f" -gt 0 ]; then
		echo "    (log: $log)"
	fi
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
}

# unit tests (cmocka, TAP output)
for t in "$TESTBIN"/test_*; do
	[ -x "$t" ] || continue
	case "$t" in *.d) continue ;; esac
	run_prog "unit/$(basename "$t")" env CMOCKA_MESSAGE_OUTPUT=TAP "$t"
done

# configuration corpus and integration scenarios
run_prog conf sh "$ROOT/tests/conf/run.sh"
for t in "$ROOT"/tests/integration/[0-9]*.sh; do
	[ -f "$t" ] || continue
	run_prog "integration/$(basename "$t" .sh)" sh "$t"
done

if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
