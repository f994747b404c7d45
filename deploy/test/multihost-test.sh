#!/usr/bin/env bash
# Multi-host test (issue 17): three "hosts" as Linux network namespaces on this machine, each with a logd and a mapd
# (and mond on the first), bound to the host's own address; load from outside through the SDK while one host's link
# is down; then every acknowledged write must read back from every mapd and the mapds must agree on every key.
#   deploy/test/multihost-test.sh        needs root and iproute2 (ip netns, veth, bridge); uses the built jars
#                                        (builds them when missing: mvn -B package -DskipTests -pl server,tools -am)
# Prints "multihost-test: skipped: <reason>" and exits 0 where the machine does not allow it. Exit 1 on a failed
# check, 2 on a setup error. Everything it makes (namespaces, links, processes, the run directory) is removed on any
# exit; MULTIHOST_KEEP=1 keeps the run directory (daemon logs) for a look.
# Settings: MULTIHOST_FAULT_MS (8000) the link's down time, MULTIHOST_CHECK_ARGS extra MultiHostCheck options,
# MULTIHOST_JAVA_OPTS the daemons' JVM options (default -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1: seven
# JVMs start on a small machine), METRODB_SKIP_MULTIHOST=1 skips it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
started=$SECONDS

skip() {
  echo "multihost-test: skipped: $*"
  exit 0
}
fail() {
  echo "multihost-test: FAILED: $1" >&2
  exit "${2:-1}"
}

[[ "${METRODB_SKIP_MULTIHOST:-}" == 1 ]] && skip "METRODB_SKIP_MULTIHOST=1"
[[ "$(uname -s)" == Linux ]] || skip "not Linux"
[[ "$(id -u)" == 0 ]] || skip "not root (network namespaces need root)"
command -v ip >/dev/null 2>&1 || skip "no ip command (Debian: apt-get install iproute2)"
command -v timeout >/dev/null 2>&1 || skip "no timeout command (coreutils)"

server_jar="$root/server/target/metrodb-server.jar"
tools_jar="$root/tools/target/metrodb-tools.jar"
# shellcheck source=../../bin/java-env.sh
source "$root/bin/java-env.sh"
if [[ ! -f "$server_jar" || ! -f "$tools_jar" ]]; then
  echo "multihost-test: building the server and tools jars (mvn -B -q package -DskipTests -pl server,tools -am)"
  (cd "$root" && mvn -B -q package -DskipTests -pl server,tools -am) || fail "the build failed" 2
fi
read -r -a daemon_opts <<<"${MULTIHOST_JAVA_OPTS:--Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}"
read -r -a check_args <<<"${MULTIHOST_CHECK_ARGS:-}"
fault_ms="${MULTIHOST_FAULT_MS:-8000}"

# Names unique to this run: namespaces mdb-<pid>-1..3; interfaces (15 characters at most) mdb<pid>b (the bridge)
# and mdb<pid>h<i> / mdb<pid>n<i> (veth pair i, bridge side / host side).
id="$$"
bridge="mdb${id}b"
hosts=(1 2 3)
ns() { echo "mdb-$id-$1"; }
veth_bridge() { echo "mdb${id}h$1"; }
veth_host() { echo "mdb${id}n$1"; }

run_dir=""
pids=()
made_ns=()
made_links=()
cleanup() {
  local status=$?
  set +e
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null
  done
  local deadline=$((SECONDS + 15))
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  for name in "${made_ns[@]}"; do
    # Only this run's processes can be in its namespaces.
    ip netns pids "$name" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
    ip netns del "$name" 2>/dev/null
  done
  for link in "${made_links[@]}"; do
    ip link del "$link" 2>/dev/null
  done
  if [[ -n "$run_dir" ]]; then
    if ((status != 0)); then
      for log in "$run_dir"/h*/*.log; do
        [[ -f "$log" ]] && { echo "--- ${log#"$run_dir"/}"; tail -n 15 "$log"; }
      done
    fi
    if [[ "${MULTIHOST_KEEP:-}" == 1 ]]; then
      echo "multihost-test: kept $run_dir"
    else
      rm -rf "$run_dir"
    fi
  fi
  echo "multihost-test: cleaned up (namespaces, links, processes) after $((SECONDS - started)) s"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Can this machine make namespaces and links at all? (A container may be root without CAP_NET_ADMIN or CAP_SYS_ADMIN.)
probe="mdb-$id-probe"
if ! err="$(ip netns add "$probe" 2>&1)"; then
  skip "ip netns not allowed here: $err"
fi
ip netns del "$probe"
if ! err="$(ip link add "$bridge" type bridge 2>&1)"; then
  skip "cannot make a bridge: $err"
fi
made_links+=("$bridge")
# Bridged frames skip iptables (a FORWARD policy of DROP, as Docker sets, would cut the hosts off each other).
ip link set "$bridge" type bridge nf_call_iptables 0 2>/dev/null || true

# A private /24 no interface of this machine uses yet: 10.231.<x>.0/24; the bridge is .1, host i is .1<i>.
x=$((id % 200 + 20))
while ip -o -4 addr show | grep -q " 10\.231\.$x\."; do
  x=$(((x + 1) % 250 + 1))
done
net="10.231.$x"
addr() { echo "$net.1$1"; }

ip addr add "$net.1/24" dev "$bridge"
ip link set "$bridge" up
for i in "${hosts[@]}"; do
  name="$(ns "$i")"
  ip netns add "$name"
  made_ns+=("$name")
  ip link add "$(veth_bridge "$i")" type veth peer name "$(veth_host "$i")"
  made_links+=("$(veth_bridge "$i")")
  ip link set "$(veth_host "$i")" netns "$name"
  ip link set "$(veth_bridge "$i")" master "$bridge"
  ip link set "$(veth_bridge "$i")" up
  ip -n "$name" link set lo up
  ip -n "$name" addr add "$(addr "$i")/24" dev "$(veth_host "$i")"
  ip -n "$name" link set "$(veth_host "$i")" up
done
echo "multihost-test: hosts $(ns 1) $(addr 1), $(ns 2) $(addr 2), $(ns 3) $(addr 3) on bridge $bridge ($net.1/24)"

run_dir="$(mktemp -d "${TMPDIR:-/tmp}/metrodb-multihost.XXXXXX")"
for i in "${hosts[@]}"; do
  mkdir -p "$run_dir/h$i"
done

logd_port=7558
mapd_port=7550
mond_port=7570
logds="$(addr 1):$logd_port,$(addr 2):$logd_port,$(addr 3):$logd_port"
mapds="$(addr 1):$mapd_port,$(addr 2):$mapd_port,$(addr 3):$mapd_port"

# Runs a daemon on host $1 (log $2, then the server jar's arguments). Inside the host the other hosts' directories
# are covered by empty tmpfs mounts (in the host's own mount namespace, which ip netns exec makes), so a host sees
# only its own files, as separate machines would: a mapd may read its own host's logd from the segment files
# (--local-reads auto), never another host's.
start_daemon() {
  local i="$1" log="$2"
  shift 2
  local hide="" j
  for j in "${hosts[@]}"; do
    [[ "$j" == "$i" ]] || hide+="mount -t tmpfs -o size=1m,mode=0700 multihost-hidden '$run_dir/h$j' && "
  done
  ip netns exec "$(ns "$i")" bash -c "${hide}exec \"\$@\"" daemon \
    "$METRODB_JAVA" "${METRODB_JAVA_FLAGS[@]}" "${daemon_opts[@]}" -jar "$server_jar" "$@" \
    >"$run_dir/h$i/$log.log" 2>&1 &
  pids+=($!)
}

for i in "${hosts[@]}"; do
  start_daemon "$i" logd logd --host "$(addr "$i")" --port "$logd_port" --dir "$run_dir/h$i/logd" --segment-size 8m
done
for i in "${hosts[@]}"; do
  peers=""
  for j in "${hosts[@]}"; do
    [[ "$j" == "$i" ]] || peers+="${peers:+,}$(addr "$j"):$mapd_port"
  done
  start_daemon "$i" mapd mapd --host "$(addr "$i")" --port "$mapd_port" --dir "$run_dir/h$i/mapd" --rf 2 \
    --logds "$logds" --peers "$peers" --request-timeout-ms 2000 --snapshot-interval-ms 0
done
start_daemon 1 mond mond --host "$(addr 1)" --port "$mond_port" --dir "$run_dir/h1/mond" --mapds "$mapds" \
  --logds "$logds"

# Every daemon listening on its host's address, reached from outside (this namespace, through the bridge).
deadline=$((SECONDS + 90))
for target in "$logds" "$mapds" "$(addr 1):$mond_port"; do
  for endpoint in ${target//,/ }; do
    until timeout 1 bash -c "exec 3<>/dev/tcp/${endpoint%:*}/${endpoint#*:}" 2>/dev/null; do
      ((SECONDS < deadline)) || fail "$endpoint did not accept a connection within 90 s" 2
      for pid in "${pids[@]}"; do
        kill -0 "$pid" 2>/dev/null || fail "a daemon exited early" 2
      done
      sleep 0.2
    done
  done
done
# ... and seen UP by mond, so the load starts on a settled cluster: its view (metrodb-cli's CLUSTER, asked of mond;
# its log names only the nodes that change state after the view first settles) lists every node UP.
mond_view() {
  "$METRODB_JAVA" "${METRODB_JAVA_FLAGS[@]}" -XX:TieredStopAtLevel=1 -cp "$tools_jar" io.metrodb.tools.cli.CliCommand \
    -h "$(addr 1)" -p "$mapd_port" --mond "$(addr 1):$mond_port" CLUSTER 2>/dev/null || true
}
for endpoint in ${logds//,/ } ${mapds//,/ }; do
  until mond_view | grep -Eq "[[:space:]]${endpoint//./\\.}[[:space:]]+UP[[:space:]]"; do
    ((SECONDS < deadline)) || fail "mond did not see $endpoint UP within 90 s" 2
    sleep 0.5
  done
done
echo "multihost-test: 3 logds, 3 mapds (rf 2, peered) and mond up after $((SECONDS - started)) s"

# The load from outside; host 3's link goes down on the bridge side for MULTIHOST_FAULT_MS, then comes back.
cut="$(veth_bridge 3)"
# In the background, so that a signal to this script is handled at once (bash defers traps while a foreground child
# runs); the clean-up stops it with the daemons.
timeout --signal=TERM 150 "$METRODB_JAVA" "${METRODB_JAVA_FLAGS[@]}" -cp "$tools_jar" \
  io.metrodb.tools.check.MultiHostCheck --mapds "$mapds" --before-ms 2000 --fault-ms "$fault_ms" --after-ms 3000 \
  --fault "ip link set $cut down" --heal "ip link set $cut up" --expect-cut 1 "${check_args[@]}" &
check_pid=$!
pids+=("$check_pid")
check_status=0
wait "$check_pid" || check_status=$?

# Each mapd read its own host's logd locally and the other two over the network (the logs say which, per connect,
# naming the logd as e.g. 10.231.20.12/<unresolved>:7558).
said() {
  local log="$1" j="$2" what="$3" a
  a="$(addr "$j")"
  grep -Eq "${a//./\\.}(/<unresolved>)?:$logd_port is $what" "$log"
}
local_reads_ok=1
for i in "${hosts[@]}"; do
  log="$run_dir/h$i/mapd.log"
  for j in "${hosts[@]}"; do
    if [[ "$j" == "$i" ]]; then
      if ! said "$log" "$j" "on this host"; then
        echo "multihost-test: mapd on host $i did not read its own host's logd locally" >&2
        local_reads_ok=0
      fi
    elif said "$log" "$j" "on this host" || ! said "$log" "$j" "read over the network"; then
      echo "multihost-test: mapd on host $i did not read host $j's logd over the network" >&2
      local_reads_ok=0
    fi
  done
done
if ((local_reads_ok)); then
  echo "multihost-test: local reads: each mapd reads its own host's logd from its files, the others over the network"
fi

# mond saw host 3's logd and mapd go DOWN during the fault and come back UP (its log names every change of state;
# mond reconnects with a backoff of up to 2.5 s, so the last UP may come a little after the check ended).
states_of() {
  { grep -o " $1 (node [0-9]*) is [A-Z]*" "$run_dir/h1/mond.log" || true; } | awk '{print $NF}' | tr '\n' ' '
}
mond_ok=1
deadline=$((SECONDS + 15))
for endpoint in "$(addr 3):$logd_port" "$(addr 3):$mapd_port"; do
  until [[ " $(states_of "$endpoint")" == *" DOWN "*"UP " ]] || ((SECONDS >= deadline)); do
    sleep 0.2
  done
  states="$(states_of "$endpoint")"
  if [[ " $states" != *" DOWN "*"UP " ]]; then
    echo "multihost-test: mond did not see $endpoint go DOWN and come back UP: states ${states:-none}" >&2
    mond_ok=0
  fi
done
if ((mond_ok)); then
  others_down=0
  for endpoint in "$(addr 1):$logd_port" "$(addr 1):$mapd_port" "$(addr 2):$logd_port" "$(addr 2):$mapd_port"; do
    if [[ " $(states_of "$endpoint")" == *" DOWN "* ]]; then
      others_down=$((others_down + 1))
    fi
  done
  echo "multihost-test: mond saw host 3's logd and mapd DOWN during the fault and UP after it" \
    "($others_down of the 4 daemons on hosts 1 and 2 were ever DOWN)"
fi

((check_status == 0)) || fail "MultiHostCheck exited with status $check_status" "$((check_status == 2 ? 2 : 1))"
((local_reads_ok)) || fail "local reads crossed hosts (see above)"
((mond_ok)) || fail "mond did not see the fault (see above)"
echo "multihost-test: passed in $((SECONDS - started)) s"
