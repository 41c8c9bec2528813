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
