#!/bin/sh
# refdoc.sh SBCD DOC: print DOC with its generated key reference block replaced
# by the current output of `SBCD -S`.
set -eu
sbcd=$1; doc=$2
awk -v cmd="$sbcd -S" '
	/^<!-- BEGIN KEY REFERENCE/ { print; print ""; while ((cmd | getline line) > 0) print line; close(cmd); skip = 1; next }
	/^<!-- END KEY REFERENCE/ { skip = 0 }
	!skip { print }
' "$doc"
