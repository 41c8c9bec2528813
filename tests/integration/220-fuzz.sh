#!/bin/sh
# 220-fuzz.sh: build the libFuzzer targets (make fuzz, clang) and run each
# for a bounded time (FUZZ_CHECK_TIME, default 20 s) from its seed corpus,
# after replaying its regression inputs: no crash, no leak, no sanitizer
# report.  Longer runs: `make fuzz FUZZ_TIME=3600` (README).
. "$(dirname "$0")/../lib/common.sh"
T=$(scratch)
if ! command -v "${FUZZ_CC:-clang}" > /dev/null 2>&1; then
	echo "not ok - fuzz targets # SKIP no clang (make deps installs it)"
	exit 0
fi
if ! make -s -C "$ROOT" fuzz > "$T/build.log" 2>&1; then
	nok "the fuzz targets build (log: $T/build.log)"
	tail -n 20 "$T/build.log"
	exit 0
fi
ok "the fuzz targets build"
sh "$ROOT/tests/fuzz/run.sh" "${FUZZ_CHECK_TIME:-20}" fuzz_sipmsg fuzz_sdp fuzz_sdes fuzz_manip fuzz_cfg
