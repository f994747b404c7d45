#!/bin/sh
# The image's entrypoint: runs bin/metrodb with the container's arguments, e.g.
#   metrodb-entrypoint logd --dir /var/lib/metrodb --host 0.0.0.0 --port 7558
#
# METRODB_PEER_SET (for a mapd StatefulSet, whose pods share one command line): every mapd of the set,
#   host:port,...; this pod is the entry whose host, up to its first dot, is $METRODB_POD_NAME (default: the
#   host name), and the others are appended as `--peers host:port,...`. Exit status 2 when none is this pod.
# METRODB_ENTRYPOINT_PRINT=1: print the command line, one argument per line, instead of running it (a dry run,
#   used by DeployManifestsTest).
set -eu

launcher="${METRODB_HOME:-/opt/metrodb}/bin/metrodb"

if [ -n "${METRODB_PEER_SET:-}" ]; then
  self="${METRODB_POD_NAME:-$(hostname)}"
  peers=""
  found=0
  set -f
  old_ifs=$IFS
  IFS=','
  for member in $METRODB_PEER_SET; do
    host="${member%:*}"
    if [ "${host%%.*}" = "$self" ]; then
      found=1
    elif [ -n "$member" ]; then
      peers="${peers:+$peers,}$member"
    fi
  done
  IFS=$old_ifs
  set +f
  if [ "$found" != 1 ]; then
    echo "metrodb-entrypoint: this pod ($self) is not in METRODB_PEER_SET ($METRODB_PEER_SET)" >&2
    exit 2
  fi
  if [ -n "$peers" ]; then
    set -- "$@" --peers "$peers"
  fi
fi

if [ -n "${METRODB_ENTRYPOINT_PRINT:-}" ]; then
  printf '%s\n' "$launcher" "$@"
  exit 0
fi
exec "$launcher" "$@"
