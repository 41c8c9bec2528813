# reference.awk: turn the key reference that `sbcd -S` prints (markdown) into
# man(7) text for sbc.conf(5): a subsection per group or table, a tagged
# paragraph per key.
function roff(s) {
	gsub(/\\/, "\\e", s)
	while (match(s, /`[^`]*`/))
		s = substr(s, 1, RSTART - 1) "\\fB" substr(s, RSTART + 1, RLENGTH - 2) \
		    "\\fR" substr(s, RSTART + RLENGTH)
	if (s ~ /^[.']/)
		s = "\\&" s
	return s
}
function trim(s) { gsub(/^[ \t]+|[ \t]+$/, "", s); return s }
/^### / {
	name = $0; sub(/^### /, "", name); gsub(/`/, "", name)
	print ".SS " name
	next
}
/^\| key \|/ || /^\|---/ { next }
/^\| / {
	n = split($0, f, / \| /)
	key = trim(f[1]); sub(/^\| */, "", key); gsub(/`/, "", key)
	type = trim(f[2]); def = trim(f[3]); vals = trim(f[4]); rel = trim(f[5])
	mean = trim(f[6]); sub(/ *\|$/, "", mean)
	print ".TP"
	print ".B " key
	line = roff(type)
	if (def == "required")
		line = line "; required"
	else if (def != "none")
		line = line "; default " roff(def)
	if (vals != "")
		line = line "; " roff(vals)
	if (rel == "restart")
		line = line "; needs a restart"
	print line "."
	print ".br"
	print roff(mean)
	next
}
/^$/ { next }
{ print roff($0); print ".PP" }
