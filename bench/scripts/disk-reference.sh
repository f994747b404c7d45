#!/usr/bin/env bash
# The disk's physical limits, measured with dd in the directory the logd benchmarks write to:
#   sequential bandwidth: 1 GiB of 1 MiB writes, then one fdatasync (conv=fdatasync), timed as a whole;
#   fsync rate:           2000 writes of 4 KiB, each O_DSYNC (oflag=dsync);
#   group-sized syncs:    500 writes of 256 KiB, each O_DSYNC: what one force of 64 x 4 KiB appends costs at best.
# Each is repeated DD_REPEATS times (default 3) because a shared virtual disk varies a lot; the median is
# printed last, on a "DISK ..." line. MB is 10^6 bytes, as dd prints it.
# Usage: disk-reference.sh [dir]   (default bench/target/logd-bench)
set -euo pipefail

dir="${1:-$(cd "$(dirname "$0")/.." && pwd)/target/logd-bench}"
repeats="${DD_REPEATS:-3}"
mkdir -p "$dir"
file="$dir/dd.tmp"
trap 'rm -f "$file"' EXIT

# "1073741824 bytes (1.1 GB, 1.0 GiB) copied, 2.34 s, 459 MB/s" -> "1073741824 2.34"
bytes_and_seconds() {
    awk '/copied/ { for (i = 1; i <= NF; i++) if ($i == "s," || $i == "s") { print $1, $(i - 1); exit } }' |
        tr -d ','
}

median() {
    tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo "disk reference in $dir ($(df -P "$dir" | awk 'NR == 2 { print $1 }')), $repeats runs each"

# runs <unit bytes> <printf format> <dd arguments...>: runs dd $repeats times; prints each run's bytes/s ÷ unit.
runs() {
    local unit="$1" format="$2" values="" out bytes seconds
    shift 2
    for ((i = 1; i <= repeats; i++)); do
        echo "\$ dd if=/dev/zero of=$file $*" >&3
        out="$(dd if=/dev/zero of="$file" "$@" 2>&1)"
        echo "$out" | tail -1 >&3
        rm -f "$file"
        read -r bytes seconds < <(echo "$out" | bytes_and_seconds)
        values+=" $(awk -v b="$bytes" -v s="$seconds" -v u="$unit" -v f="$format" 'BEGIN { printf f, b / u / s }')"
    done
    echo "${values# }"
}

exec 3>&1    # runs' commentary goes to stdout, past the $(...) that takes its values
bandwidths="$(runs 1e6 %.1f bs=1M count=1024 conv=fdatasync)"
rates="$(runs 4096 %.0f bs=4k count=2000 oflag=dsync)"
group_rates="$(runs 262144 %.0f bs=256k count=500 oflag=dsync)"

echo "DISK seq_write_MBps median=$(echo "$bandwidths" | median) runs=[$bandwidths]"
echo "DISK dsync_writes_per_s median=$(echo "$rates" | median) runs=[$rates]"
echo "DISK dsync_256k_writes_per_s median=$(echo "$group_rates" | median) runs=[$group_rates]"
