#!/usr/bin/env bash
# A/B of two builds of `wss serve` on the bench rig, for changes smaller than the machine's run-to-run spread: both
# servers run at once, each pinned to CPU 0, and the rig's load generator alternates between them on CPU 1.
# usage: perf/ab.sh RIG BUILD_A BUILD_B SCENARIO [ROUNDS]
#   RIG      a writable copy of ../shared/bench-rig after its ./setup.sh (for build/wsload and certs/)
#   BUILD_x  a folder with wss.dll (dotnet build src/WssKit.Cli -c Release -o FOLDER), or rig:NAME for the rig's
#            servers/NAME.sh (rig:bun): a ratio against another server that the machine's drift does not skew
#   SCENARIO a (echo), b (5,000 msg/s), c (64 KiB bulk), d (connection setup), r (a fixed RATE, default 30000 msg/s,
#            of SIZE-byte messages, default 32; binary when SIZE is given: RATE=4000 SIZE=65536 is bulk at a fixed rate)
# Prints one line per round and server, then each side's median work per second of server CPU (msgs, conns or MB).
set -euo pipefail
rig=$1 a=$2 b=$3 scenario=$4 rounds=${5:-4}
cert=$rig/certs/cert.pem key=$rig/certs/key.pem
case $scenario in
  a) load="--mode echo --conns 64 --window 16 --size 32 --duration 10 --warmup 1" ;;
  b) load="--mode rate --conns 64 --rate 5000 --size 32 --duration 10 --warmup 2" ;;
  c) load="--mode echo --conns 16 --window 4 --size 65536 --binary --duration 10 --warmup 1" ;;
  d) load="--mode connrate --concurrency 16 --size 32 --duration 5 --warmup 1" ;;
  r) load="--mode rate --conns 64 --rate ${RATE:-30000} --size ${SIZE:-32} ${SIZE:+--binary} --duration 8 --warmup 2" ;;
  *) echo "unknown scenario $scenario: a, b, c, d or r" >&2; exit 2 ;;
esac
start() { # BUILD PORT -> pid of the listening server (taskset execs dotnet, or the start script that execs its server)
  case $1 in
    rig:*) taskset -c 0 "$rig/servers/${1#rig:}.sh" "$2" "$cert" "$key" > "/tmp/wss-ab-$2.log" 2>&1 & ;;
    *) taskset -c 0 dotnet "$1/wss.dll" serve --port "$2" --cert "$cert" --key "$key" > "/tmp/wss-ab-$2.log" 2>&1 & ;;
  esac
  local pid=$!
  for _ in $(seq 50); do
    # this server, not one of a previous run that is still stopping on the same port
    ss -ltnpH "sport = :$2" | grep -q "pid=$pid," && { echo "$pid"; return; }
    sleep 0.2
  done
  echo "the server of $1 did not start: /tmp/wss-ab-$2.log" >&2; exit 1
}
pid_a=$(start "$a" 9551); pid_b=$(start "$b" 9552)
trap 'kill $pid_a $pid_b 2>/dev/null; while kill -0 $pid_a 2>/dev/null || kill -0 $pid_b 2>/dev/null; do sleep 0.2; done' EXIT
for round in $(seq "$rounds"); do
  for side in A B; do
    if [ $side = A ]; then port=9551 pid=$pid_a; else port=9552 pid=$pid_b; fi
    out=$(timeout 60 taskset -c 1 "$rig/build/wsload" $load --port $port --path /echo --ciphers TLS_AES_128_GCM_SHA256 --server-pid "$pid")
    echo "$round $side $(echo "$out" | tr ',' '\n' | grep -E '"(msgs_per_s|conns_per_s|MB_per_s|server_cpu_pct|p50|p99|other_cpu_pct)"' | tr -d '"' | tr '\n' ' ')"
    sleep 1
  done
done | awk -v work="$(case $scenario in c) echo MB_per_s ;; d) echo conns_per_s ;; *) echo msgs_per_s ;; esac)" '
  { print; fflush()
    for (i = 3; i <= NF; i++) { split($i, kv, ":"); v[kv[1]] = kv[2] }
    if (v["server_cpu_pct"] > 0) per[$2] = per[$2] " " v[work] / v["server_cpu_pct"] * 100
    delete v }
  function median(list,   n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  END { a = median(per["A"]); b = median(per["B"])
        printf "median per server CPU-s: A %.0f, B %.0f, B/A %.3f\n", a, b, (a > 0 ? b / a : 0) }'
