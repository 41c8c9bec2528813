# common.sh: helpers for the integration scenarios (sourced, POSIX sh).
# Each scenario prints "ok - what" / "not ok - what" lines for tests/run.sh.

ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
SBCD=${SBCD:-$ROOT/build/sbcd}
OUT=${OUT:-$ROOT/build/test-out}

ok()   { echo "ok - $*"; }
nok()  { echo "not ok - $*"; }
# check NAME CMD...: ok when CMD succeeds
check() { name=$1; shift; if "$@"; then ok "$name"; else nok "$name"; fi; }

# scratch DIR for this scenario, removed and made anew
scratch() {
	T=$OUT/$(basename "$0" .sh)
	rm -rf "$T"; mkdir -p "$T"
	echo "$T"
}

# lab_conf DEST: conf/sbc.conf with its lab paths made absolute, so the copy
# can live anywhere, and the control socket beside it
lab_conf() {
	# tests stop sbcd at once (no drain), 170-drain sets its own deadline
	sed -e "s|control_socket = \"[^\"]*\"|control_socket = \"$(dirname "$1")/sbcd.sock\"|" \
	    -e "s|\"\\.\\./build/|\"$ROOT/build/|g" \
	    -e "s|^global = {|global = {\\n  drain_timeout = 0;|" "$ROOT/conf/sbc.conf" > "$1"
}

# wait_for PATTERN FILE [SECONDS]: until grep finds PATTERN in FILE
wait_for() {
	i=0; lim=$(( ${3:-5} * 20 ))
	while [ $i -lt $lim ]; do
		grep -q -- "$1" "$2" 2>/dev/null && return 0
		sleep 0.05; i=$((i + 1))
	done
	return 1
}

# alive PID: the process exists and is not a zombie
alive() {
	[ -d "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}

# cpu_ticks PID: utime + stime in clock ticks
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# wait_count PATTERN FILE N [SECONDS]: until PATTERN is in FILE more than N times
wait_count() {
	i=0; lim=$(( ${4:-5} * 20 ))
	while [ $i -lt $lim ]; do
		[ "$(grep -ac -- "$1" "$2" 2>/dev/null)" -gt "$3" ] && return 0
		sleep 0.05; i=$((i + 1))
	done
	return 1
}

# san_report FILE...: print the first sanitizer report line in the FILEs
# (ASan, LSan, UBSan), if any; true when there is one
san_report() {
	grep -Eh -m1 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: (Address|Leak|UndefinedBehavior)Sanitizer' "$@" 2>/dev/null |
	    head -n 1 | grep .
}

# sbcd_stop_clean PID LOG: stop that sbcd with TERM, wait for it (ASan's
# leak check runs at exit), and check it exited 0 without a sanitizer
# report in LOG (its stderr)
sbcd_stop_clean() {
	kill -TERM "$1" 2>/dev/null
	_i=0
	while alive "$1" && [ $_i -lt 400 ]; do sleep 0.05; _i=$((_i + 1)); done
	wait "$1" 2>/dev/null; _rc=$?
	command -v _sip_untrack > /dev/null && _sip_untrack "$1"
	_rep=$(san_report "$2")
	check "sbcd ($(basename "$2")) exits with 0 (got $_rc) and no sanitizer report${_rep:+: $_rep}" \
	    test "$_rc" -eq 0 -a -z "$_rep"
}
