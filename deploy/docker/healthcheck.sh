#!/bin/bash
# Health of the daemon in this container, for docker-compose healthchecks and Kubernetes exec probes:
#   metrodb-healthcheck tcp PORT          the port accepts a connection (logd, mond)
#   metrodb-healthcheck resp PORT         a mapd answers PING with PONG (AUTH first with $METRODB_AUTH_TOKEN)
#   metrodb-healthcheck http PORT [PATH]  the gateway answers GET PATH (default /healthz) with 200
# Exit status 0 healthy, 1 not; on 127.0.0.1 (the daemons in the image listen on 0.0.0.0). Bash's /dev/tcp only:
# the image has no nc, curl or redis-cli.
set -u
LC_ALL=C  # ${#token} in bytes, as RESP counts them
kind="${1:-}"
port="${2:-}"
if [[ ! "$port" =~ ^[0-9]+$ ]]; then
  echo "usage: metrodb-healthcheck tcp|resp|http PORT [PATH]" >&2
  exit 2
fi
case "$kind" in
  tcp|resp|http) ;;
  *)
    echo "usage: metrodb-healthcheck tcp|resp|http PORT [PATH]" >&2
    exit 2
    ;;
esac
{ exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || exit 1

case "$kind" in
  tcp)
    exit 0
    ;;
  resp)
    if [[ -n "${METRODB_AUTH_TOKEN:-}" ]]; then
      printf '*2\r\n$4\r\nAUTH\r\n$%d\r\n%s\r\n' "${#METRODB_AUTH_TOKEN}" "$METRODB_AUTH_TOKEN" >&3
      IFS= read -r -t 5 line <&3 || exit 1
      [[ "$line" == "+OK"* ]] || exit 1
    fi
    printf 'PING\r\n' >&3
    IFS= read -r -t 5 line <&3 || exit 1
    [[ "$line" == "+PONG"* ]]
    ;;
  http)
    printf 'GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' "${3:-/healthz}" >&3
    IFS= read -r -t 5 line <&3 || exit 1
    [[ "$line" == "HTTP/1."?" 200 "* ]]
    ;;
esac
