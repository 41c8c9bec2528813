#!/bin/sh
# 010-daemon.sh: sbcd on the lab configuration: readiness through sd_notify,
# zero idle CPU, watchdog pings, SIGHUP with a good and with a broken file,
# SIGTERM exits 0.
. "$(dirname "$0")/../lib/common.sh"
T=$(scratch)
conf=$T/sbc.conf
lab_conf "$conf"
sed -i 's|^global = {|global = {\n  pid_file = "sbcd.pid";|' "$conf"

python3 "$ROOT/tests/lib/notify_listen.py" "$T/notify.sock" "$T/notify.log" &
npid=$!
wait_for listening "$T/notify.log" 5
NOTIFY_SOCKET=$T/notify.sock WATCHDOG_USEC=1000000 "$SBCD" -f "$conf" > "$T/sbcd.log" 2>&1 &
pid=$!
trap 'kill $pid $npid 2>/dev/null' EXIT

check "sd_notify READY=1 after start-up" wait_for "READY=1" "$T/notify.log" 10
check "start-up is logged" grep -q "sbcd .* started on $conf" "$T/sbcd.log"
check "pid file holds the pid" test "$(cat "$T/sbcd.pid" 2>/dev/null)" = "$pid"

# idle: no CPU over three seconds (one clock tick of slack)
t0=$(cpu_ticks $pid); sleep 3; t1=$(cpu_ticks $pid)
check "idles at 0% CPU ($((t1 - t0)) ticks in 3 s)" test $((t1 - t0)) -le 1
# systemd's watchdog (WatchdogSec=1): pings from the loop every 0.5 s
n=$(grep -c "WATCHDOG=1" "$T/notify.log")
check "sd_notify WATCHDOG=1 from the loop at half WATCHDOG_USEC ($n in about 3 s)" \
    test "$n" -ge 5 -a "$n" -le 12

# a valid change: log_level debug, applied by SIGHUP
sed -i 's/log_level = "info";/log_level = "debug";/' "$conf"
kill -HUP $pid
check "valid reload is applied" wait_for "reload done: new configuration active" "$T/sbcd.log" 5
check "sd_notify RELOADING=1 then READY=1" wait_for "RELOADING=1 | MONOTONIC_USEC=.*READY=1" \
    "$(tr '\n' ' ' < "$T/notify.log" > "$T/notify.flat"; echo "$T/notify.flat")" 1
check "the new log level is in force" wait_for "reload: 2 SIP interfaces, 2 proxy sets" "$T/sbcd.log" 2

# a broken file: an unknown key and a dangling reference, plus log_level info
cp "$conf" "$T/good.conf"
sed -i -e 's/log_level = "debug";/log_level = "info"; colour = "red";/' \
    -e 's/proxy_set = "PS-VC";/proxy_set = "PS-NOWHERE";/' "$conf"
kill -HUP $pid
check "broken reload names file:line and setting (unknown key)" \
    wait_for "$conf:[0-9]*: global.colour: unknown setting" "$T/sbcd.log" 5
check "broken reload names file:line and setting (dangling reference)" \
    grep -q "$conf:[0-9]*: ip_groups\[1\].proxy_set: no proxy_sets entry named \"PS-NOWHERE\"" "$T/sbcd.log"
check "broken reload is reported as failed" grep -q "reload failed with 2 error(s); still running" "$T/sbcd.log"
check "sd_notify STATUS says the reload failed" wait_for "STATUS=reload failed: 2 error(s)" "$T/notify.log" 2
check "sbcd keeps running after a broken reload" alive $pid
# still on the old configuration: its debug level still logs the next attempt
n0=$(grep -c "reload: loading" "$T/sbcd.log")
kill -HUP $pid
wait_for "reload failed" "$T/sbcd.log" 5
sleep 0.3
n1=$(grep -c "reload: loading" "$T/sbcd.log")
check "the old configuration (log_level debug) is still in force" test "$n1" -gt "$n0"

# back to a good file
cp "$T/good.conf" "$conf"
kill -HUP $pid
sleep 0.5
check "a good file after a broken one loads" test "$(grep -c 'reload done' "$T/sbcd.log")" -eq 2

kill -TERM $pid
wait $pid; rc=$?
check "SIGTERM exits 0 (got $rc)" test $rc -eq 0
check "sd_notify STOPPING=1" wait_for "STOPPING=1" "$T/notify.log" 2
check "pid file removed at exit" test ! -e "$T/sbcd.pid"
kill $npid 2>/dev/null
trap - EXIT
