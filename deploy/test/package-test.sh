#!/usr/bin/env bash
# The Debian package on this machine, end to end: `systemd-analyze verify` on every unit, `dpkg -i` of the built
# dist/target/metrodb_*_amd64.deb, its files, user and directories; a logd, a mapd, mond and the gateway run from the
# installed files as the metrodb user with the units' own ExecStart lines (systemd is not PID 1 here: the lines are
# read from the installed units, %i and the EnvironmentFile variables expanded as systemd does); SET/GET with the
# installed metrodb-cli; SIGTERM; `dpkg -r` keeps the data and the user, `dpkg --purge` leaves nothing.
#   deploy/test/package-test.sh          after `mvn package` (bin/verify calls it after its mvn runs)
# Needs root and dpkg (else prints "skipped: <reason>" and exits 0); installs Debian's systemd package for
# systemd-analyze when it is missing and apt-get can (else skips that check, saying so). Leaves no process, package,
# user or file behind, even on failure; gives up after PACKAGE_TEST_TIMEOUT seconds (default 90; a run takes about 25).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
deadline=$((SECONDS + ${PACKAGE_TEST_TIMEOUT:-90}))
units=(metrodb-logd@.service metrodb-mapd@.service metrodb-mond.service metrodb-gateway.service)

say() {
  echo "package-test: [${SECONDS}s] $*"
}

skip() {
  say "skipped: $*"
  exit 0
}

fail() {
  say "FAILED: $*" >&2
  exit 1
}

# The guards: a machine that does not allow this, or one where it would touch what is not its own.
[[ "$(id -u)" == 0 ]] || skip "not root (dpkg -i needs it)"
command -v dpkg >/dev/null 2>&1 || skip "no dpkg on this machine"
for tool in setpriv setsid getent; do
  command -v "$tool" >/dev/null 2>&1 || skip "no $tool on this machine"
done
if dpkg-query -W -f='${Status}' metrodb 2>/dev/null | grep -q 'installed\|config-files'; then
  skip "a metrodb package is already on this machine; this test installs and purges its own"
fi
if getent passwd metrodb >/dev/null || getent group metrodb >/dev/null || [[ -e /var/lib/metrodb ]]; then
  skip "a metrodb user, group or /var/lib/metrodb exists already; the purge would delete it"
fi
shopt -s nullglob
debs=("$root"/dist/target/metrodb_*_amd64.deb)
shopt -u nullglob
(( ${#debs[@]} > 0 )) || skip "no dist/target/metrodb_*_amd64.deb: the dist module was not built (mvn package)"
(( ${#debs[@]} == 1 )) || fail "expected one dist/target/metrodb_*_amd64.deb, found: ${debs[*]}"
deb="${debs[0]}"

run_dir="$(mktemp -d "${TMPDIR:-/tmp}/metrodb-package-test.XXXXXX")"
pids=()
cleanup() {
  local status=$? pid
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if dpkg-query -W -f='${Status}' metrodb 2>/dev/null | grep -q 'installed\|config-files\|half'; then
    timeout 60 dpkg --purge metrodb >/dev/null 2>&1 || say "cleanup: dpkg --purge metrodb failed" >&2
  fi
  if (( status != 0 )); then
    for log in "$run_dir"/*.log; do
      [[ -f "$log" ]] && { echo "--- $log"; tail -n 30 "$log"; }
    done
  fi
  rm -rf "$run_dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

left() {
  local left=$((deadline - SECONDS))
  (( left > 0 )) || fail "out of time (PACKAGE_TEST_TIMEOUT=${PACKAGE_TEST_TIMEOUT:-90})"
  echo "$left"
}

# A port nobody listens on now (the daemon binds it right after).
free_port() {
  local port
  while true; do
    port=$((20000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
}

say "installing $(basename "$deb")"
timeout "$(left)" dpkg -i "$deb" >"$run_dir/dpkg-install.log" 2>&1 || fail "dpkg -i: $(cat "$run_dir/dpkg-install.log")"

# --- The installed files, user and directories.
for file in /usr/share/metrodb/lib/metrodb-server.jar /usr/share/metrodb/lib/metrodb-tools.jar \
  /usr/share/metrodb/bin/java-env.sh /etc/metrodb/logd-1.conf /etc/metrodb/mapd-1.conf /etc/metrodb/mond.conf \
  /etc/metrodb/gateway.conf; do
  [[ -f "$file" ]] || fail "$file is not installed"
done
for file in /usr/bin/metrodb /usr/bin/metrodb-cli /usr/share/metrodb/bin/metrodb /usr/share/metrodb/bin/metrodb-cli; do
  [[ -x "$file" ]] || fail "$file is not installed executable"
done
for unit in "${units[@]}"; do
  [[ -f "/lib/systemd/system/$unit" ]] || fail "/lib/systemd/system/$unit is not installed"
done
conffiles="$(dpkg-query -W -f='${Conffiles}' metrodb)"
for conf in logd-1 mapd-1 mond gateway; do
  grep -q "/etc/metrodb/$conf.conf" <<<"$conffiles" || fail "/etc/metrodb/$conf.conf is not a conffile: $conffiles"
done
getent passwd metrodb >/dev/null || fail "no metrodb user"
user_entry="$(getent passwd metrodb)"
IFS=: read -r _ _ user_id _ _ user_home user_shell <<<"$user_entry"
(( user_id < 1000 )) || fail "metrodb is not a system user: $user_entry"
[[ "$user_home" == /var/lib/metrodb && "$user_shell" == /usr/sbin/nologin ]] || fail "metrodb user: $user_entry"
[[ "$(stat -c '%U:%G %a' /var/lib/metrodb)" == "metrodb:metrodb 750" ]] ||
  fail "/var/lib/metrodb is $(stat -c '%U:%G %a' /var/lib/metrodb), not metrodb:metrodb 750"
say "files, conffiles, the metrodb user and /var/lib/metrodb are in place"

# --- systemd-analyze verify on every installed unit (a template through an instance of it).
if ! command -v systemd-analyze >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  say "installing Debian's systemd package for systemd-analyze"
  DEBIAN_FRONTEND=noninteractive timeout "$(left)" apt-get -y install systemd >"$run_dir/apt.log" 2>&1 ||
    { timeout "$(left)" apt-get update >>"$run_dir/apt.log" 2>&1 &&
      DEBIAN_FRONTEND=noninteractive timeout "$(left)" apt-get -y install systemd >>"$run_dir/apt.log" 2>&1; } ||
    true
fi
if command -v systemd-analyze >/dev/null 2>&1; then
  for unit in "${units[@]}"; do
    name="${unit/@./@1.}"
    if [[ "$name" != "$unit" ]]; then
      # An instance of a template is verified through a link named after it.
      ln -s "/lib/systemd/system/$unit" "$run_dir/$name"
      target="$run_dir/$name"
    else
      target="/lib/systemd/system/$unit"
    fi
    if ! out="$(timeout "$(left)" systemd-analyze verify --man=no "$target" 2>&1)"; then
      fail "systemd-analyze verify $name: $out"
    fi
    # Warnings do not fail the command; any about our units fails the test.
    if grep -i 'metrodb' <<<"$out" | grep -v '^$' >/dev/null; then
      fail "systemd-analyze verify $name warns: $out"
    fi
  done
  say "systemd-analyze verify: ${units[*]} clean"
else
  say "note: systemd-analyze unavailable and systemd not installable here: skipped the unit verification"
fi

# --- The admin's edits: free ports (nothing on this machine is disturbed), small heaps and segments.
logd_port="$(free_port)"
mapd_port="$(free_port)"
mond_port="$(free_port)"
gateway_port="$(free_port)"
java_opts='METRODB_JAVA_OPTS="-Xmx192m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"'
sed -i -e "s/--port 7558/--port $logd_port --segment-size 8m/" -e "s/^METRODB_JAVA_OPTS=.*/$java_opts/" \
  /etc/metrodb/logd-1.conf
sed -i -e "s/--port 7550/--port $mapd_port/" -e "s/127.0.0.1:7558/127.0.0.1:$logd_port/" \
  -e "s/^METRODB_JAVA_OPTS=.*/$java_opts/" /etc/metrodb/mapd-1.conf
sed -i -e "s/--port 7570/--port $mond_port/" -e "s/127.0.0.1:7550/127.0.0.1:$mapd_port/" \
  -e "s/127.0.0.1:7558/127.0.0.1:$logd_port/" -e "s/^METRODB_JAVA_OPTS=.*/$java_opts/" /etc/metrodb/mond.conf
sed -i -e "s/--port 7080/--port $gateway_port/" -e "s/127.0.0.1:7550/127.0.0.1:$mapd_port/" \
  -e "s/127.0.0.1:7570/127.0.0.1:$mond_port/" -e "s/^METRODB_JAVA_OPTS=.*/$java_opts/" /etc/metrodb/gateway.conf
for edit in "logd-1:--port $logd_port" "mapd-1:--port $mapd_port" "mapd-1:127.0.0.1:$logd_port" \
  "mond:--port $mond_port" "mond:127.0.0.1:$mapd_port" "gateway:--port $gateway_port" "gateway:127.0.0.1:$mapd_port"; do
  grep -q -- "${edit#*:}" "/etc/metrodb/${edit%%:*}.conf" ||
    fail "/etc/metrodb/${edit%%:*}.conf: the example's defaults changed, this test's edit (${edit#*:}) did not apply"
done
# systemd gives a service a clean environment: with no java on its PATH, the admin sets JAVA_HOME in the conf.
service_path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
if ! PATH="$service_path" command -v java >/dev/null 2>&1; then
  java_home="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
  for conf in /etc/metrodb/*.conf; do
    echo "JAVA_HOME=$java_home" >>"$conf"
  done
fi

# A stand-in for systemd's notification socket, when python3 is here: each datagram is logged with the sender's pid
# (SCM_CREDENTIALS), since a Type=notify unit with NotifyAccess=main takes READY=1 from its main process only.
notify_socket=""
notify_pid=""
if command -v python3 >/dev/null 2>&1; then
  notify_socket="$run_dir/notify"
  chmod 711 "$run_dir"
  python3 -c '
import os, socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o666)
out = open(sys.argv[2], "a", buffering=1)
out.write("bound\n")
while True:
    message, ancillary, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(12))
    pid = 0
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
            pid = struct.unpack("iII", data[:12])[0]
    out.write("%d %s\n" % (pid, message.decode("utf-8", "replace").replace("\n", " ")))
' "$notify_socket" "$run_dir/notify.txt" >"$run_dir/notify.log" 2>&1 &
  notify_pid=$!
  pids+=("$notify_pid")
  while ! grep -q bound "$run_dir/notify.txt" 2>/dev/null; do
    (( SECONDS < deadline )) || fail "the notify socket stand-in did not start: $(cat "$run_dir/notify.log")"
    sleep 0.1
  done
else
  say "note: no python3: READY=1/STOPPING=1 are not checked here (SystemdNotifyIT checks them)"
fi

# unit_value UNIT KEY: the value of KEY= in the installed unit (the last one, as systemd takes it).
unit_value() {
  sed -n "s/^$2=//p" "/lib/systemd/system/$1" | tail -n 1
}

# start NAME UNIT INSTANCE: runs the unit's ExecStart as its User= with its EnvironmentFile, in the background.
start() {
  local name=$1 unit=$2 instance=$3 user env_file exec_line word var line key value
  local -
  set -f
  user="$(unit_value "$unit" User)"
  env_file="$(unit_value "$unit" EnvironmentFile)"
  exec_line="$(unit_value "$unit" ExecStart)"
  env_file="${env_file//%i/$instance}"
  exec_line="${exec_line//%i/$instance}"
  [[ -n "$user" && -f "$env_file" && -n "$exec_line" ]] || fail "$unit: User=$user EnvironmentFile=$env_file"
  # The EnvironmentFile as systemd reads it: KEY=VALUE lines, # comments, one pair of double quotes stripped.
  local -A vars=()
  local env=(PATH="$service_path" HOME="$(getent passwd "$user" | cut -d: -f6)" USER="$user" LOGNAME="$user"
    LANG=C.UTF-8)
  if [[ -n "$notify_socket" ]]; then
    env+=(NOTIFY_SOCKET="$notify_socket")
  fi
  while IFS= read -r line || [[ -n "$line" ]]; do
    [[ "$line" =~ ^[[:space:]]*(#|$) ]] && continue
    key="${line%%=*}"
    value="${line#*=}"
    if [[ "$value" == \"*\" ]]; then
      value="${value:1:${#value}-2}"
    fi
    vars[$key]="$value"
    env+=("$key=$value")
  done <"$env_file"
  # ExecStart's words: $VAR splits the value on whitespace, ${VAR} is one word, as in systemd.service(5).
  local argv=()
  for word in $exec_line; do
    if [[ "$word" =~ ^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$ ]]; then
      argv+=("${vars[${BASH_REMATCH[1]}]-}")
    elif [[ "$word" =~ ^\$([A-Za-z_][A-Za-z0-9_]*)$ ]]; then
      var="${vars[${BASH_REMATCH[1]}]-}"
      # shellcheck disable=SC2206
      argv+=($var)
    else
      argv+=("$word")
    fi
  done
  echo "${argv[*]}" >"$run_dir/$name.cmd"
  # setsid without a fork (a background job is no group leader), setpriv execs: $! is the daemon's own pid.
  setsid setpriv --reuid="$user" --regid="$user" --init-groups --no-new-privs -- \
    env -i "${env[@]}" "${argv[@]}" </dev/null >"$run_dir/$name.log" 2>&1 &
  pids+=($!)
  eval "${name}_pid=$!"
}

# await_listening NAME: the daemon's "listening on" line, the daemon still running.
await_listening() {
  local name=$1 pid_var="${1}_pid"
  while ! grep -q 'listening on' "$run_dir/$name.log" 2>/dev/null; do
    kill -0 "${!pid_var}" 2>/dev/null || fail "$name exited before listening: $(cat "$run_dir/$name.log")"
    (( SECONDS < deadline )) || fail "$name did not listen in time"
    sleep 0.2
  done
  [[ "$(ps -o user= -p "${!pid_var}")" == metrodb ]] || fail "$name runs as $(ps -o user= -p "${!pid_var}")"
  if [[ -n "$notify_socket" ]]; then
    await_notified "$name" READY=1
  fi
}

# await_notified NAME STATE: the daemon's own process (the unit's main pid) sent STATE to the notify socket.
await_notified() {
  local name=$1 state=$2 pid_var="${1}_pid"
  while ! grep -qx "${!pid_var} $state" "$run_dir/notify.txt"; do
    (( SECONDS < deadline )) || fail "$name (pid ${!pid_var}) sent no $state: $(cat "$run_dir/notify.txt")"
    sleep 0.2
  done
}

# All at once, as systemd starts units on boot (a mapd waits for its logds by itself).
start logd metrodb-logd@.service 1
start mapd metrodb-mapd@.service 1
start mond metrodb-mond.service ""
start gateway metrodb-gateway.service ""
await_listening logd
await_listening mapd
await_listening mond
await_listening gateway
say "logd :$logd_port, mapd :$mapd_port, mond :$mond_port, gateway :$gateway_port run as metrodb$(
  [[ -n "$notify_socket" ]] && echo ", each sent READY=1 from its main pid")"
say "  logd: $(cat "$run_dir/logd.cmd")"

# --- SET/GET with the installed metrodb-cli, one command a line; the data is in the metrodb user's directory.
value="installed-$RANDOM-$RANDOM"
if ! out="$(printf 'SET package-test %s\nGET package-test\n' "$value" |
  timeout "$(left)" /usr/bin/metrodb-cli -h 127.0.0.1 -p "$mapd_port" 2>&1)"; then
  fail "metrodb-cli: $out"
fi
grep -qx 'OK' <<<"$out" || fail "SET did not answer OK: $out"
grep -qx "\"\\?$value\"\\?" <<<"$out" || fail "GET did not return $value: $out"
[[ "$(stat -c %U /var/lib/metrodb/logd-1)" == metrodb ]] || fail "/var/lib/metrodb/logd-1 is not the metrodb user's"
say "SET/GET through the installed metrodb-cli: $value"

# --- SIGTERM: each stops cleanly, with the status the units accept (SuccessExitStatus=143).
for name in gateway mond mapd logd; do
  pid_var="${name}_pid"
  kill -TERM "${!pid_var}"
  status=0
  while kill -0 "${!pid_var}" 2>/dev/null; do
    (( SECONDS < deadline )) || fail "$name did not stop on SIGTERM"
    sleep 0.2
  done
  wait "${!pid_var}" || status=$?
  [[ "$status" == 143 ]] || fail "$name exited $status after SIGTERM, not 143 (the units' SuccessExitStatus)"
  if [[ -n "$notify_socket" ]]; then
    await_notified "$name" STOPPING=1
  fi
done
for name in logd mapd mond; do
  grep -q "$name stopped" "$run_dir/$name.log" || fail "$name did not stop cleanly: $(tail -n 5 "$run_dir/$name.log")"
done
# The daemons are gone and reaped: cleanup must not signal their pids again.
pids=(${notify_pid:+"$notify_pid"})
say "SIGTERM: every daemon stopped cleanly$([[ -n "$notify_socket" ]] && echo ", each sent STOPPING=1")"

# --- dpkg -r keeps the data, the user and the conffiles; dpkg --purge removes everything.
timeout "$(left)" dpkg -r metrodb >"$run_dir/dpkg-remove.log" 2>&1 || fail "dpkg -r: $(cat "$run_dir/dpkg-remove.log")"
[[ ! -e /usr/share/metrodb && ! -e /usr/bin/metrodb && ! -e /lib/systemd/system/metrodb-mond.service ]] ||
  fail "dpkg -r left program files"
[[ -d /var/lib/metrodb/logd-1 ]] || fail "dpkg -r removed the data in /var/lib/metrodb"
getent passwd metrodb >/dev/null || fail "dpkg -r removed the metrodb user"
[[ -f /etc/metrodb/logd-1.conf ]] || fail "dpkg -r removed the conffiles"
timeout "$(left)" dpkg --purge metrodb >"$run_dir/dpkg-purge.log" 2>&1 ||
  fail "dpkg --purge: $(cat "$run_dir/dpkg-purge.log")"
for path in /usr/share/metrodb /usr/bin/metrodb /usr/bin/metrodb-cli /etc/metrodb /var/lib/metrodb \
  /usr/share/doc/metrodb "${units[@]/#//lib/systemd/system/}"; do
  [[ ! -e "$path" ]] || fail "dpkg --purge left $path"
done
! getent passwd metrodb >/dev/null || fail "dpkg --purge left the metrodb user"
! getent group metrodb >/dev/null || fail "dpkg --purge left the metrodb group"
! dpkg-query -W metrodb >/dev/null 2>&1 || fail "dpkg still knows the metrodb package"
say "dpkg -r kept data, user and conffiles; dpkg --purge left nothing"

# --- The tarball: unpacked anywhere, bin/metrodb runs the jars in lib/ without building.
shopt -s nullglob
tarballs=("$root"/dist/target/metrodb-*.tar.gz)
shopt -u nullglob
(( ${#tarballs[@]} == 1 )) || fail "expected one dist/target/metrodb-*.tar.gz, found ${#tarballs[@]}"
tar -xzf "${tarballs[0]}" -C "$run_dir"
unpacked=("$run_dir"/metrodb-*/)
for file in bin/metrodb bin/metrodb-cli bin/java-env.sh lib/metrodb-server.jar lib/metrodb-tools.jar \
  conf/logd-1.conf "${units[@]/#/systemd/}"; do
  [[ -e "${unpacked[0]}$file" ]] || fail "the tarball has no $file"
done
# The java they run is a stand-in that prints its arguments (a Java 17 by its release file): no JVM start is needed
# to see which jar each launcher picks, and that it does not build (it would print "building").
fake_java="$run_dir/fake-jdk"
mkdir -p "$fake_java/bin"
echo 'JAVA_VERSION="17.0.99"' >"$fake_java/release"
printf '#!/bin/sh\necho "java $*"\n' >"$fake_java/bin/java"
chmod 755 "$fake_java/bin/java"
for launcher in "metrodb logd --help" "metrodb gateway --help" "metrodb-cli --help"; do
  # shellcheck disable=SC2086
  out="$(cd / && JAVA_HOME="$fake_java" PATH="$service_path" timeout "$(left)" "${unpacked[0]}bin/"$launcher 2>&1)" ||
    fail "tarball bin/$launcher: $out"
  case "$launcher" in
    "metrodb logd"*) jar=metrodb-server.jar ;;
    *) jar=metrodb-tools.jar ;;
  esac
  grep -q -- "${unpacked[0]}lib/$jar" <<<"$out" || fail "tarball bin/$launcher does not run lib/$jar: $out"
  ! grep -q 'building' <<<"$out" || fail "tarball bin/$launcher tried to build: $out"
done
say "tarball: $(basename "${tarballs[0]}") runs from its own lib/"
say "passed in $SECONDS s"
