#!/bin/sh
# run.sh SECONDS TARGET...: run each libFuzzer target (built by `make fuzz`
# in build/fuzz) for SECONDS from its seed corpus, after replaying its
# regression inputs once; prints "ok - ..." / "not ok - ..." per target.
# New inputs go to build/fuzz/corpus/<target>, a crash to
# build/fuzz/crash-<target>-<sha1> (turn it into tests/fuzz/regress/<target>/NAME).
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
FZ=${FZ:-$ROOT/build/fuzz}
secs=$1; shift
# library leaks that are not sbcd's (see the file)
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/tests/fuzz/lsan.supp:print_suppressions=0}
rc=0
for t in "$@"; do
	bin=$FZ/$t
	log=$FZ/$t.log
	if [ ! -x "$bin" ]; then
		echo "not ok - $t: $bin is not built (make fuzz)"; rc=1; continue
	fi
	reg=$ROOT/tests/fuzz/regress/$t
	if [ -d "$reg" ] && [ -n "$(ls "$reg")" ]; then
		# given files, a libFuzzer binary runs each once
		if "$bin" "$reg"/* > "$log.regress" 2>&1; then
			echo "ok - $t: $(ls "$reg" | wc -l) regression inputs pass"
		else
			echo "not ok - $t: a regression input fails (log: $log.regress)"; rc=1
		fi
	fi
	mkdir -p "$FZ/corpus/$t"
	if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
	    -print_final_stats=1 -artifact_prefix="$FZ/crash-$t-" \
	    "$FZ/corpus/$t" "$ROOT/tests/fuzz/corpus/$t" > "$log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
		echo "ok - $t: ${secs} s, ${runs:-?} runs, $cov, no crash"
	else
		echo "not ok - $t: crashed (log: $log; input: $(ls "$FZ"/crash-"$t"-* 2>/dev/null | head -n 1))"
		rc=1
	fi
done
exit $rc
