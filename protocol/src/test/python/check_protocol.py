#!/usr/bin/env python3
"""Independent check of MetroDB's wire protocol against protocol/PROTOCOL.md, with metrodb_wire.py (a second
implementation written from the document alone, standard library only).

  python3 check_protocol.py examples protocol/PROTOCOL.md
      Extracts every hex example (a `<!-- example: NAME -->` marker followed by a ```hex block), decodes each,
      checks its fields against what the document says about it, and re-encodes it byte for byte.

  python3 check_protocol.py live LOGD_HOST:PORT MAPD_HOST:PORT [--token TOKEN] [--seed N]
      Speaks to a running logd and mapd over TCP: preface and HELLO, APPEND/READ/SCAN/STAT on the logd,
      SET/GET/EXISTS/DUMP/DEL on the mapd (and READs of the mapd's value records from the logd), and the
      documented answers to malformed frames, including which close the connection.

Exit status 0 when every check passed; 1 with a message naming the failed check otherwise.
"""

import argparse
import os
import random
import re
import socket
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree when mvn verify runs this
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import metrodb_wire as w  # noqa: E402

# Section 1: examples use the key user:42 and the value hello.
EXAMPLE_KEY = b"user:42"
EXAMPLE_VALUE = b"hello"

# A HLC version's top 48 bits are ms since the Unix epoch (section 11): any version from a live server must be a
# plausible time.
PLAUSIBLE_MS = (1577836800000, 4102444800000)  # 2020-01-01 .. 2100-01-01


class CheckFailed(Exception):
    pass


def require(condition, message):
    if not condition:
        raise CheckFailed(message)


def hexdump(data):
    return " ".join("%02x" % b for b in data)


# ===============================================================================================================
# Examples in PROTOCOL.md

MARKER = re.compile(r"(?<!`)<!--\s*example:\s*([A-Za-z0-9_-]+)\s*-->")
HEX_BLOCK = re.compile(r"^```hex[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)
MARKED_BLOCK = re.compile(r"<!--\s*example:\s*([A-Za-z0-9_-]+)\s*-->[ \t]*\n```hex[ \t]*\n(.*?)^```[ \t]*$",
                          re.S | re.M)
HEX_BYTE = re.compile(r"^[0-9a-fA-F]{2}$")


def extract_examples(text):
    """[(name, bytes, line number)] for every marked hex block, in document order; raises CheckFailed for a marker
    without a block, a hex block without a marker, a duplicate name or a token that is not one hex byte."""
    blocks = list(HEX_BLOCK.finditer(text))
    marked = list(MARKED_BLOCK.finditer(text))
    problems = []
    marked_starts = {m.start() for m in marked}
    for marker in MARKER.finditer(text):
        if marker.start() not in marked_starts:
            problems.append("line %d: marker %r is not directly followed by a ```hex block"
                            % (text.count("\n", 0, marker.start()) + 1, marker.group(1)))
    marked_block_ends = {m.end() for m in marked}
    for block in blocks:
        if block.end() not in marked_block_ends:
            problems.append("line %d: a ```hex block without a <!-- example: NAME --> marker"
                            % (text.count("\n", 0, block.start()) + 1))
    examples = []
    seen = set()
    for m in marked:
        name = m.group(1)
        line = text.count("\n", 0, m.start()) + 1
        if name in seen:
            problems.append("line %d: example %r appears twice" % (line, name))
        seen.add(name)
        tokens = m.group(2).split()
        bad = [t for t in tokens if not HEX_BYTE.match(t)]
        if bad:
            problems.append("line %d: example %r has tokens that are not one hex byte: %s" % (line, name, bad[:5]))
            continue
        if not tokens:
            problems.append("line %d: example %r is empty" % (line, name))
            continue
        examples.append((name, bytes(int(t, 16) for t in tokens), line))
    if problems:
        raise CheckFailed("PROTOCOL.md examples cannot be parsed:\n  " + "\n  ".join(problems))
    return examples


def table_rows(text, heading, first_column):
    """The rows (lists of cell strings) of the first table after `heading` whose header's first cell is
    first_column."""
    at = text.find(heading)
    require(at >= 0, "PROTOCOL.md has no heading %r" % heading)
    header = text.find("| " + first_column + " |", at)
    require(header >= 0, "no table with first column %r after %r" % (first_column, heading))
    rows = []
    for line in text[header:].splitlines()[2:]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip().strip("|").split("|")])
    return rows


def check_tables(text):
    """The opcode and status tables of the document against the constants of metrodb_wire."""
    opcodes = {int(r[0], 16): r[1] for r in table_rows(text, "## 8. Opcodes", "opcode")}
    require(opcodes == w.OPCODES, "section 8's opcode table %s differs from metrodb_wire.OPCODES %s"
            % (sorted(opcodes.items()), sorted(w.OPCODES.items())))
    statuses = {int(r[0], 16): r[1] for r in table_rows(text, "## 5. Status codes", "code")}
    require(statuses == w.STATUS_CODES, "section 5's status table differs from metrodb_wire.STATUS_CODES: %s"
            % sorted(set(statuses.items()) ^ set(w.STATUS_CODES.items())))
    unassigned = re.search(r"Opcodes ([^\n]*?) are unassigned", text)
    require(unassigned is not None, "section 8 no longer lists the unassigned opcodes")
    listed = set()
    for lo, hi in re.findall(r"0x([0-9a-f]{2})(?:–0x([0-9a-f]{2}))?", unassigned.group(1)):
        listed.update(range(int(lo, 16), int(hi or lo, 16) + 1))
    assigned = set(w.OPCODES)
    require(listed | assigned == set(range(1, 256)) and not listed & assigned,
            "section 8's unassigned ranges do not complement its opcode table: overlap %s, missing %s"
            % (sorted(listed & assigned), sorted(set(range(1, 256)) - listed - assigned)))
    return len(opcodes), len(statuses)


STORY = re.compile(
    r"They tell one story: mapd node (?P<node>\d+), with RF (?P<rf>\d+), wrote `user:42` = `hello` at version\s+"
    r"`0x(?P<version>[0-9a-f]{16})`\s+\((?P<ms>[\d,]+) ms: [^,]+, counter (?P<counter>\d+)\), version node "
    r"(?P<version_node>\d+); the value's CRC32C is\s+`0x(?P<checksum>[0-9a-f]{8})`; its replicas are on logd "
    r"(?P<logd1>\d+) at offset (?P<offset1>\d+) and logd (?P<logd2>\d+) at offset (?P<offset2>\d+)\. mond's "
    r"cluster view is\s+at epoch (?P<epoch>\d+)\.")


def read_story(text):
    """Section 1's story: the one write every example is about. Its own numbers must agree with each other."""
    m = STORY.search(text)
    require(m is not None, "section 1 no longer tells the examples' story in the form this checker reads "
                           "(\"They tell one story: mapd node N, with RF R, wrote ...\"); update STORY")
    story = {"node": int(m["node"]), "rf": int(m["rf"]), "version": int(m["version"], 16),
             "version_node": int(m["version_node"]), "checksum": int(m["checksum"], 16),
             "replicas": [{"logd_id": int(m["logd1"]), "offset": int(m["offset1"])},
                          {"logd_id": int(m["logd2"]), "offset": int(m["offset2"])}],
             "epoch": int(m["epoch"]), "ms": int(m["ms"].replace(",", ""))}
    require(story["version"] >> 16 == story["ms"] and story["version"] & 0xFFFF == int(m["counter"]),
            "section 1: version 0x%016x is not %s ms << 16 | counter %s (section 11: top 48 bits ms, low 16 a "
            "counter)" % (story["version"], m["ms"], m["counter"]))
    require(story["checksum"] == w.crc32c(EXAMPLE_VALUE), "section 1: CRC32C of hello is 0x%08x, not 0x%08x"
            % (w.crc32c(EXAMPLE_VALUE), story["checksum"]))
    require(len(story["replicas"]) == story["rf"], "section 1: %d replicas for RF %d"
            % (len(story["replicas"]), story["rf"]))
    return story


# Section 5's "meaning" column scopes some statuses to opcodes; an example answering another opcode with one of
# them contradicts the table. Statuses not listed here are not scoped by the document.
STATUS_SCOPE = {
    "NOT_FOUND": {"GET", "EXISTS", "DEL", "REPAIR"},
    "BAD_FRAME": {"ERROR"},
    "FRAME_TOO_LARGE": {"ERROR"},
    "UNSUPPORTED_VERSION": {"HELLO"},
    "AUTH_FAILED": {"HELLO"},
    "OFFSET_OUT_OF_RANGE": {"READ", "SCAN"},
    "NOT_A_RECORD": {"READ"},
    "CORRUPT_RECORD": {"READ", "SCAN"},
    "ENTRY_TOO_LARGE": {"APPEND"},
    "STORAGE_FULL": {"APPEND"},
    "NOT_ENOUGH_REPLICAS": {"SET", "SETSAFE", "DEL", "REPAIR"},
    "REPLICAS_UNREADABLE": {"GET", "REPAIR"},
    "STALE_VERSION": {"REPAIR"},
    "REPLICA_MISMATCH": set(),  # never a response status
    "UNAVAILABLE": set(),  # never sent
}
# Section 7: an ERROR frame is only sent before closing, for a broken frame or an exception in the server.
ERROR_FRAME_STATUSES = {"BAD_FRAME", "FRAME_TOO_LARGE", "INTERNAL_ERROR"}
# Section 11, PROBE reasons: the documented ones plus "any other error status".
PROBE_REASONS_NOT_ALLOWED = {"OK", "NOT_FOUND"}


def check_version(version, where):
    ms = version >> 16
    require(PLAUSIBLE_MS[0] <= ms <= PLAUSIBLE_MS[1],
            "%s: version 0x%016x: its top 48 bits (%d ms since the epoch) are not a plausible HLC time"
            % (where, version, ms))


def offsets_of(body):
    """Every logd offset in a decoded body (section 10: all are multiples of 8)."""
    found = []
    for name, value in body.items():
        if name in ("offset", "tail_offset", "durable_offset", "from_offset") and isinstance(value, int):
            found.append((name, value))
        elif name == "next_offset":
            found.append((name, value))
        elif isinstance(value, dict):
            found.extend(offsets_of(value))
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    found.extend(offsets_of(item))
    return found


def versions_of(body):
    """Every (version, version node) in a decoded body (HELLO's chosen version is not a HLC)."""
    found = []
    if "version" in body:
        found.append((body["version"], body.get("version_node")))
    for value in body.values():
        if isinstance(value, dict):
            found.extend(versions_of(value))
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    found.extend(versions_of(item))
    return found


def check_change(change, story, field):
    """Section 11, the change body of the story's write."""
    field(change["key"] == EXAMPLE_KEY, "change key %r, the examples use %r" % (change["key"], EXAMPLE_KEY))
    field(change["flags"] == 0, "change flags 0x%02x; the story's write is neither a tombstone nor a repair"
          % change["flags"])
    field(change["value_length"] == len(EXAMPLE_VALUE), "change value length %d, hello has %d"
          % (change["value_length"], len(EXAMPLE_VALUE)))
    field(change["checksum"] == story["checksum"], "change checksum 0x%08x, the story's CRC32C is 0x%08x"
          % (change["checksum"], story["checksum"]))
    field(change["replicas"] == story["replicas"], "change replicas %s, the story's are %s"
          % (change["replicas"], story["replicas"]))


def check_example_frame(name, f, frames, story):
    """Field checks for one decoded frame: the rules of sections 1-7 every frame obeys, the story of section 1,
    and what the text before the example says. frames: every decoded frame example by name."""
    op = w.opcode_name(f["opcode"])
    status = w.status_name(f["status"])
    body = f["body"]
    is_response = bool(f["flags"] & w.FLAG_RESPONSE)

    def field(cond, message):
        require(cond, "example %s (%s %s): %s" % (name, op, "response" if is_response else "request", message))

    # Section 3: flags by direction.
    if is_response:
        field(not f["flags"] & w.FLAG_DURABLE, "DURABLE is a request flag (APPEND, DEL), set on a response")
        field(not f["flags"] & w.FLAG_MORE or op == "SYNC", "MORE is set, but only SYNC answers with a stream")
    else:
        field(not f["flags"] & w.FLAG_MORE, "MORE is set on a request")
        field(not f["flags"] & w.FLAG_DURABLE or op in ("APPEND", "DEL"),
              "DURABLE is set on %s; it means something only on APPEND and DEL" % op)
    if f["kind"] == "error":
        field(f["status"] in w.STATUS_CODES, "unknown status 0x%04x" % f["status"])
        if status in STATUS_SCOPE:
            field(op in STATUS_SCOPE[status], "%s is documented only for %s" % (status, sorted(STATUS_SCOPE[status])))
        if op == "ERROR":
            field(status in ERROR_FRAME_STATUSES, "an ERROR frame with %s; section 7 sends ERROR frames only for %s"
                  % (status, sorted(ERROR_FRAME_STATUSES)))
            field(f["request_id"] == 0 or status == "INTERNAL_ERROR",
                  "a framing error's ERROR frame carries request id 0 (section 7), not %d" % f["request_id"])
    # Section 4: a response carries its request's opcode and request id.
    if is_response and f["opcode"] != w.OP["ERROR"]:
        requests = [n for n, g in frames.items() if g["kind"] == "request" and g["opcode"] == f["opcode"]]
        if requests:
            field(any(frames[n]["request_id"] == f["request_id"] for n in requests),
                  "request id %d answers none of the %s request examples %s (ids %s)"
                  % (f["request_id"], op, requests, [frames[n]["request_id"] for n in requests]))
    # Section 1: the key user:42, the value hello, the story's version.
    if "key" in body:
        field(body["key"] == EXAMPLE_KEY, "key %r, the examples use %r" % (body["key"], EXAMPLE_KEY))
    if "value" in body:
        field(body["value"] == EXAMPLE_VALUE, "value %r, the examples use %r" % (body["value"], EXAMPLE_VALUE))
    if op != "HELLO":
        for version, version_node in versions_of(body):
            field((version, version_node) == (story["version"], story["version_node"]),
                  "version 0x%016x node %s, the story's write is 0x%016x node %d"
                  % (version, version_node, story["version"], story["version_node"]))
    # Section 10: records start on 8-byte boundaries.
    for what, offset in offsets_of(body):
        field(offset % 8 == 0, "%s %d is not a multiple of 8" % (what, offset))

    check = EXAMPLE_CHECKS.get(name)
    if check is not None:
        check(f, body, frames, field, story)
    return check is not None


def answered(frames, f):
    """The request example a response example answers (same opcode and request id)."""
    for g in frames.values():
        if g["kind"] == "request" and g["opcode"] == f["opcode"] and g["request_id"] == f["request_id"]:
            return g
    raise CheckFailed("no request example for %s id %d" % (w.opcode_name(f["opcode"]), f["request_id"]))


def expect_frame(f, field, opcode, kind, status=None, flags=None, request_id=None):
    field(f["opcode"] == (w.OP[opcode] if isinstance(opcode, str) else opcode),
          "opcode 0x%02x, expected %s" % (f["opcode"], opcode))
    field(f["kind"] == kind, "a %s frame, expected %s" % (f["kind"], kind))
    if status is not None:
        field(f["status"] == w.ST[status], "status %s, expected %s" % (w.status_name(f["status"]), status))
    if flags is not None:
        field(f["flags"] == flags, "flags 0x%02x, expected 0x%02x" % (f["flags"], flags))
    if request_id is not None:
        field(f["request_id"] == request_id, "request id %d, expected %d" % (f["request_id"], request_id))


def expect_body(b, field, expected, source):
    for key, value in expected.items():
        field(b[key] == value, "%s is %r; %s says %r" % (key, b[key], source, value))


def expect_message(b, field, message):
    field(b["message"] == message, "message %r, the text says %r" % (b["message"], message))


R = w.FLAG_RESPONSE


def _hello_request(f, b, frames, field, story):
    # Section 2: request id 0 by convention; section 9: "A client speaking version 1 only, with token s3cret";
    # node id 0 for clients.
    expect_frame(f, field, "HELLO", "request", flags=0, request_id=0)
    expect_body(b, field, {"min_version": 1, "max_version": 1, "role": w.ROLE["client"], "node_id": 0,
                           "token": b"s3cret"}, "\"a client speaking version 1 only, with token s3cret\"")


def _hello_response(f, b, frames, field, story):
    # "mapd node 3, default limits": the max frame is the default max value (64 MiB) plus 128 KiB (section 6).
    expect_frame(f, field, "HELLO", "ok", status="OK", flags=R)
    expect_body(b, field, {"chosen_version": 1, "role": w.ROLE["mapd"], "node_id": story["node"],
                           "max_frame_length": w.DEFAULT_MAX_FRAME_LENGTH}, "\"mapd node 3, default limits\"")


def _hello_auth_failed(f, b, frames, field, story):
    expect_frame(f, field, "HELLO", "error", status="AUTH_FAILED", flags=R)
    expect_message(b, field, "wrong auth token")


def _ping_request(f, b, frames, field, story):
    expect_frame(f, field, "PING", "request", flags=0)
    expect_body(b, field, {"nonce": 0x0102030405060708}, "the text")


def _ping_response(f, b, frames, field, story):
    expect_frame(f, field, "PING", "ok", status="OK", flags=R)
    field(b["nonce"] == answered(frames, f)["body"]["nonce"], "the nonce is not the request's (echoed)")


def _info_request(f, b, frames, field, story):
    expect_frame(f, field, "INFO", "request", flags=0)
    expect_body(b, field, {"section": "grid"}, "\"Section grid\"")


def _info_response(f, b, frames, field, story):
    expect_frame(f, field, "INFO", "ok", status="OK", flags=R)
    expect_body(b, field, {"text": "keys:1\n"}, "\"answered with the line keys:1\" (one name:value per line)")


def _append_request(f, b, frames, field, story):
    # "A durable append of hello".
    expect_frame(f, field, "APPEND", "request", flags=w.FLAG_DURABLE)
    expect_body(b, field, {"entry": EXAMPLE_VALUE}, "\"a durable append of hello\"")


def _append_response(f, b, frames, field, story):
    expect_frame(f, field, "APPEND", "ok", status="OK", flags=R)
    expect_body(b, field, {"offset": 4096}, "\"and its answer (offset 4096)\"")


def _append_storage_full(f, b, frames, field, story):
    expect_frame(f, field, "APPEND", "error", status="STORAGE_FULL", flags=R)
    expect_message(b, field, "disk full")


def _read_request(f, b, frames, field, story):
    expect_frame(f, field, "READ", "request", flags=0)
    expect_body(b, field, {"offset": frames["append-response"]["body"]["offset"]},
                "\"Reading back the entry appended above\"")


def _read_response(f, b, frames, field, story):
    expect_frame(f, field, "READ", "ok", status="OK", flags=R)
    expect_body(b, field, {"entry": frames["append-request"]["body"]["entry"]}, "the entry appended above")


def _read_corrupt(f, b, frames, field, story):
    expect_frame(f, field, "READ", "error", status="CORRUPT_RECORD", flags=R)
    expect_message(b, field, "")


def _stat_request(f, b, frames, field, story):
    expect_frame(f, field, "STAT", "request", flags=0)


def _stat_response(f, b, frames, field, story):
    # "Response (OK), 72 bytes", and the text before the example.
    expect_frame(f, field, "STAT", "ok", status="OK", flags=R)
    field(f["length"] - w.HEADER_LENGTH == 72, "payload %d bytes, the text says 72" % (f["length"] - 16))
    expect_body(b, field, {"segments": 1, "segment_length": 128 << 20, "bytes_on_disk": 128 << 20,
                           "tail_offset": 8192, "durable_offset": 4096, "appends": 100, "durable_appends": 40,
                           "group_commits": 8, "reads": 50, "forces": 10}, "the text")


def _scan_request(f, b, frames, field, story):
    expect_frame(f, field, "SCAN", "request", flags=0)
    expect_body(b, field, {"from_offset": 0, "max_bytes": 64 * 1024, "max_records": 100},
                "\"a scan from 0, at most 64 KiB and 100 records\"")


def _scan_response(f, b, frames, field, story):
    expect_frame(f, field, "SCAN", "ok", status="OK", flags=R)
    expect_body(b, field, {"records": [{"offset": 0, "entry": EXAMPLE_VALUE}], "next_offset": 32},
                "\"holding only hello, at offset 0 ... the next record would start at 32\"")


def _get_request(f, b, frames, field, story):
    expect_frame(f, field, "GET", "request", flags=0)


def _get_response(f, b, frames, field, story):
    expect_frame(f, field, "GET", "ok", status="OK", flags=R)


def _get_not_found(f, b, frames, field, story):
    # "NOT_FOUND has an empty payload".
    expect_frame(f, field, "GET", "not_found", status="NOT_FOUND", flags=R)
    field(f["length"] == w.HEADER_LENGTH, "NOT_FOUND with a payload")


def _exists_request(f, b, frames, field, story):
    expect_frame(f, field, "EXISTS", "request", flags=0)


def _exists_response(f, b, frames, field, story):
    # "EXISTS answers with the same 16 fixed bytes and no value bytes (value length is the stored value's)".
    expect_frame(f, field, "EXISTS", "ok", status="OK", flags=R)
    field(f["length"] - w.HEADER_LENGTH == 16, "payload %d bytes, the text says 16" % (f["length"] - 16))
    expect_body(b, field, {"value_length": len(EXAMPLE_VALUE)}, "\"value length is the stored value's\"")


def _del_request(f, b, frames, field, story):
    expect_frame(f, field, "DEL", "request", flags=w.FLAG_DURABLE)


def _set_request(f, b, frames, field, story):
    expect_frame(f, field, "SET", "request", flags=0)


def _setsafe_request(f, b, frames, field, story):
    expect_frame(f, field, "SETSAFE", "request", flags=0)


def _set_response(f, b, frames, field, story):
    # "Write response (OK) to SET, SETSAFE and DEL, 16 bytes"; "The answer to the SETSAFE above: 2 replicas
    # written, and both live peers acknowledged".
    expect_frame(f, field, "SETSAFE", "ok", status="OK", flags=R)
    field(f["length"] - w.HEADER_LENGTH == 16, "payload %d bytes, the text says 16" % (f["length"] - 16))
    expect_body(b, field, {"replicas": story["rf"], "peers_acked": 2, "peers_live": 2}, "the text")


def _set_not_enough_replicas(f, b, frames, field, story):
    expect_frame(f, field, "SET", "error", status="NOT_ENOUGH_REPLICAS", flags=R)
    expect_message(b, field, "1 of 2 logds")


def _replicate_request(f, b, frames, field, story):
    # "Node 3 sends its write of user:42 as its sequence 42".
    expect_frame(f, field, "REPLICATE", "request", flags=0)
    expect_body(b, field, {"sequence": 42, "origin": story["node"]}, "\"node 3 sends ... as its sequence 42\"")
    check_change(b["change"], story, field)


def _replicate_response(f, b, frames, field, story):
    # "Response (OK): empty payload".
    expect_frame(f, field, "REPLICATE", "ok", status="OK", flags=R)
    field(f["length"] == w.HEADER_LENGTH, "a payload on an empty response")


def _sync_request(f, b, frames, field, story):
    # "A peer lacking node 3's changes from sequence 40 asks".
    expect_frame(f, field, "SYNC", "request", flags=0)
    expect_body(b, field, {"from_sequence": 40, "origin": story["node"]}, "\"lacking node 3's changes from 40\"")


def _sync_response_backlog(f, b, frames, field, story):
    # All but the last frame flagged MORE; "re-send the change of the REPLICATE above (sequence 42)".
    expect_frame(f, field, "SYNC", "ok", status="OK", flags=R | w.FLAG_MORE)
    replicate = frames["replicate-request"]["body"]
    expect_body(b, field, {"mode": w.SYNC_BACKLOG, "sequence": replicate["sequence"],
                           "changes": [replicate["change"]]}, "\"re-send the change of the REPLICATE above\"")


def _sync_response_end(f, b, frames, field, story):
    # The last frame has no MORE; its sequence is the next one the peer will see: 43, right after the backlog
    # frame's changes (BACKLOG numbers them consecutively from the frame's sequence).
    expect_frame(f, field, "SYNC", "ok", status="OK", flags=R)
    backlog = frames["sync-response-backlog"]
    field(backlog["request_id"] == f["request_id"], "not the same stream as sync-response-backlog")
    expect_body(b, field, {"mode": w.SYNC_BACKLOG, "changes": [],
                           "sequence": backlog["body"]["sequence"] + len(backlog["body"]["changes"])},
                "\"say the live stream continues at 43\"")
    field(b["sequence"] == 43, "sequence %d, the text says 43" % b["sequence"])


def _probe_request(f, b, frames, field, story):
    expect_frame(f, field, "PROBE", "request", flags=0)
    expect_body(b, field, {"mode": w.PROBE_SCAN, "max_keys": 100, "cursor": 0},
                "\"SCAN, cursor 0, at most 100 keys\"")


def _probe_response(f, b, frames, field, story):
    expect_frame(f, field, "PROBE", "ok", status="OK", flags=R)
    expect_body(b, field, {"next_cursor": 100, "keys_checked": 100}, "\"checked 100 keys ... continues at 100\"")
    bad = [{"logd_id": x["logd_id"], "offset": x["offset"], "reason": x["reason"]} for x in b["bad"]]
    logd2 = [r for r in story["replicas"] if r["logd_id"] == 2]
    field(bad == [{"logd_id": 2, "offset": logd2[0]["offset"] if logd2 else None, "reason": w.ST["CORRUPT_RECORD"]}],
          "bad replicas %s; the text says logd 2's replica of user:42, CORRUPT_RECORD" % bad)


def _repair_request(f, b, frames, field, story):
    # "mond repairs what the PROBE above found"; a REPAIR passes version and version node back.
    expect_frame(f, field, "REPAIR", "request", flags=0)
    found = frames["probe-response"]["body"]["bad"]
    expect_body(b, field, {"version": found[0]["version"], "version_node": found[0]["version_node"],
                           "key": found[0]["key"],
                           "bad": [{"logd_id": x["logd_id"], "offset": x["offset"]} for x in found]},
                "\"what the PROBE above found\"")


def _repair_response(f, b, frames, field, story):
    # The list becomes the good replicas followed by the new copies, up to RF: logd 1's, then logd 4 at 512.
    expect_frame(f, field, "REPAIR", "ok", status="OK", flags=R)
    bad = answered(frames, f)["body"]["bad"]
    good = [r for r in story["replicas"] if r not in bad]
    expect_body(b, field, {"replicas": good + [{"logd_id": 4, "offset": 512}]},
                "\"logd 1's replica is good, and the new copy lands on logd 4 at offset 512\" (good replicas, then "
                "the new copies)")
    field(len(b["replicas"]) == story["rf"], "%d replicas after an OK repair; RF is %d"
          % (len(b["replicas"]), story["rf"]))


def _dump_request(f, b, frames, field, story):
    expect_frame(f, field, "DUMP", "request", flags=0)
    expect_body(b, field, {"cursor": 0, "max_keys": 1000}, "\"a dump from the start, up to 1000 keys\"")


def _dump_response(f, b, frames, field, story):
    # "the grid holds only user:42": one change, and the dump is done (next cursor 0).
    expect_frame(f, field, "DUMP", "ok", status="OK", flags=R)
    field(b["next_cursor"] == 0 and len(b["changes"]) == 1, "next cursor %d, %d changes; the grid holds one key"
          % (b["next_cursor"], len(b["changes"])))
    check_change(b["changes"][0], story, field)


def _heartbeat_request(f, b, frames, field, story):
    expect_frame(f, field, "HEARTBEAT", "request", flags=0)
    expect_body(b, field, {"send_time": 123456789, "epoch": story["epoch"]}, "\"mond (view epoch 5) sends time "
                                                                          "123456789 ns\"")


def _heartbeat_response(f, b, frames, field, story):
    # Section 12: 32 bytes; send time echoed; "A logd answers role 2, state 0 (2 once it is stopping), data = its
    # tail offset, epoch 0"; "logd node 1 (tail offset 8192) answers".
    expect_frame(f, field, "HEARTBEAT", "ok", status="OK", flags=R)
    field(f["length"] - w.HEADER_LENGTH == 32, "payload %d bytes, the text says 32" % (f["length"] - 16))
    expect_body(b, field, {"send_time": answered(frames, f)["body"]["send_time"], "role": w.ROLE["logd"],
                           "state": 0, "node_id": 1, "data": 8192, "epoch": 0},
                "\"logd node 1 (tail offset 8192) answers\" and \"a logd answers role 2, state 0, ... epoch 0\"")


def _cluster_view_query(f, b, frames, field, story):
    expect_frame(f, field, "CLUSTER_VIEW", "request", flags=0)
    field(b["view"] is None, "a query has an empty payload")


def _cluster_view_response(f, b, frames, field, story):
    expect_frame(f, field, "CLUSTER_VIEW", "ok", status="OK", flags=R)
    field(b["view"] is not None, "the answer to a query carries the view")
    expect_body(b["view"], field, {
        "epoch": story["epoch"], "keys_checked": 1000, "bad_replicas": 1, "repairs_done": 1, "repairs_pending": 0,
        "nodes": [{"node_id": 1, "role": w.ROLE["logd"], "state": 1, "port": 7558, "host": "127.0.0.1",
                   "since": story["ms"], "rtt_us": 85, "data": 8192}]}, "the text")


def _error_frame_too_large(f, b, frames, field, story):
    # Section 7: "ERROR frame, status FRAME_TOO_LARGE, request id 0".
    expect_frame(f, field, "ERROR", "error", status="FRAME_TOO_LARGE", flags=R, request_id=0)
    expect_message(b, field, "too large")


def _error_unknown_opcode(f, b, frames, field, story):
    # "An unknown opcode 0x7f with request id 9 gets (note the empty message)"; section 7: "error response
    # UNKNOWN_OPCODE with the frame's opcode and request id".
    expect_frame(f, field, 0x7F, "error", status="UNKNOWN_OPCODE", flags=R, request_id=9)
    field(0x7F not in w.OPCODES, "0x7f is assigned")
    expect_message(b, field, "")


EXAMPLE_CHECKS = {
    "hello-request": _hello_request,
    "hello-response": _hello_response,
    "hello-auth-failed": _hello_auth_failed,
    "ping-request": _ping_request,
    "ping-response": _ping_response,
    "info-request": _info_request,
    "info-response": _info_response,
    "append-request": _append_request,
    "append-response": _append_response,
    "append-storage-full": _append_storage_full,
    "read-request": _read_request,
    "read-response": _read_response,
    "read-corrupt": _read_corrupt,
    "stat-request": _stat_request,
    "stat-response": _stat_response,
    "scan-request": _scan_request,
    "scan-response": _scan_response,
    "get-request": _get_request,
    "get-response": _get_response,
    "get-not-found": _get_not_found,
    "exists-request": _exists_request,
    "exists-response": _exists_response,
    "del-request": _del_request,
    "set-request": _set_request,
    "setsafe-request": _setsafe_request,
    "set-response": _set_response,
    "set-not-enough-replicas": _set_not_enough_replicas,
    "replicate-request": _replicate_request,
    "replicate-response": _replicate_response,
    "sync-request": _sync_request,
    "sync-response-backlog": _sync_response_backlog,
    "sync-response-end": _sync_response_end,
    "probe-request": _probe_request,
    "probe-response": _probe_response,
    "repair-request": _repair_request,
    "repair-response": _repair_response,
    "dump-request": _dump_request,
    "dump-response": _dump_response,
    "heartbeat-request": _heartbeat_request,
    "heartbeat-response": _heartbeat_response,
    "cluster-view-query": _cluster_view_query,
    "cluster-view-response": _cluster_view_response,
    "error-frame-too-large": _error_frame_too_large,
    "error-unknown-opcode": _error_unknown_opcode,
}


def check_preface(data, story):
    # Section 2: 0x89 "METRO" CR LF, the bytes 89 4d 45 54 52 4f 0d 0a.
    require(data == bytes.fromhex("894d4554524f0d0a") and data == w.PREFACE,
            "example preface: %s is not 0x89 \"METRO\" CR LF" % hexdump(data))
    return w.PREFACE


def check_value_record(data, story):
    # Section 13, "the record of the story's write".
    record = w.decode_value_record(data)
    expected = {"format": w.RECORD_FORMAT, "flags": 0, "version_node": story["version_node"],
                "version": story["version"], "checksum": story["checksum"], "key": EXAMPLE_KEY, "value": EXAMPLE_VALUE}
    require(record == expected, "example value-record: %s; the story's write is %s" % (record, expected))
    require(record["checksum"] == w.crc32c(record["value"]),
            "example value-record: checksum 0x%08x, CRC32C of the value is 0x%08x"
            % (record["checksum"], w.crc32c(record["value"])))
    return w.encode_value_record(record)


NOT_FRAMES = {"preface": check_preface, "value-record": check_value_record}


def run_examples(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    require(w.crc32c(b"123456789") == 0xE3069283, "the CRC32C implementation fails its check value")
    opcode_count, status_count = check_tables(text)
    story = read_story(text)
    examples = extract_examples(text)
    require(examples, "no hex examples found in %s (expected <!-- example: NAME --> markers before ```hex blocks)"
            % path)
    frames = {}
    failures = []
    last_request = None
    for name, data, line in examples:
        try:
            if name in NOT_FRAMES:
                again = NOT_FRAMES[name](data, story)
            else:
                frame = w.decode_frame(data)
                frames[name] = frame
                again = w.encode_decoded_frame(frame)
                if frame["kind"] == "request":
                    # Section 1: each request its own id, increasing down the page.
                    if last_request is not None:
                        require(frame["request_id"] > last_request[1],
                                "request id %d is not above that of %s (%d) before it"
                                % (frame["request_id"], last_request[0], last_request[1]))
                    last_request = (name, frame["request_id"])
            require(again == data, "re-encoded from its decoded fields it differs:\n    doc:     %s\n    encoded: %s"
                    % (hexdump(data), hexdump(again)))
        except (w.WireError, CheckFailed) as e:
            failures.append("example %s (line %d): %s" % (name, line, e))
    checked = 0
    for name, frame in frames.items():
        try:
            checked += check_example_frame(name, frame, frames, story)
        except CheckFailed as e:
            failures.append(str(e))
        except KeyError as e:
            failures.append("example %s: the example it refers to is missing: %s" % (name, e))
    unchecked = sorted(set(frames) - set(EXAMPLE_CHECKS))
    if unchecked:
        failures.append("examples without field checks (add them to EXAMPLE_CHECKS): %s" % unchecked)
    gone = sorted(set(EXAMPLE_CHECKS) - set(frames))
    if gone:
        failures.append("checks for examples the document no longer has: %s" % gone)
    covered = {}
    for frame in frames.values():
        covered.setdefault(frame["opcode"], set()).add(frame["kind"])
    uncovered = sorted(w.OPCODES[op] for op in w.OPCODES if op not in covered)
    if uncovered:
        failures.append("opcodes without an example: %s" % uncovered)
    for op in sorted(covered):
        print("  0x%02x %-12s %s" % (op, w.opcode_name(op), ", ".join(sorted(covered[op]))))
    if failures:
        raise CheckFailed("%d problem(s) with the %d examples in %s:\n  %s"
                          % (len(failures), len(examples), path, "\n  ".join(failures)))
    print("%d examples decoded and re-encoded byte for byte (%d frames, %d with field checks from the text), "
          "%d defined opcodes covered, %d opcodes and %d status codes match the tables"
          % (len(examples), len(frames), checked, len(set(covered) & set(w.OPCODES)), opcode_count, status_count))


# ===============================================================================================================
# Live servers

TIMEOUT_S = 15.0


class Closed(Exception):
    pass


class Connection:
    def __init__(self, name, address, preface=True):
        host, port = address.rsplit(":", 1)
        self.name = name
        self.sock = socket.create_connection((host, int(port)), timeout=TIMEOUT_S)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.next_id = 1
        if preface:
            self.send(w.PREFACE)

    def close(self):
        self.sock.close()

    def send(self, data):
        self.sock.sendall(data)

    def _read_exactly(self, n):
        data = b""
        while len(data) < n:
            try:
                chunk = self.sock.recv(n - len(data))
            except ConnectionResetError:
                chunk = b""
            except socket.timeout:
                raise CheckFailed("%s: no answer within %.0f s (%d of %d bytes of a frame)"
                                  % (self.name, TIMEOUT_S, len(data), n))
            if not chunk:
                raise Closed("%s closed the connection after %d of %d bytes" % (self.name, len(data), n))
            data += chunk
        return data

    def read_frame(self):
        head = self._read_exactly(4)
        length = int.from_bytes(head, "big")
        require(length >= w.HEADER_LENGTH, "%s sent a frame of length %d" % (self.name, length))
        return head + self._read_exactly(length - 4)

    def read_decoded(self, what):
        data = self.read_frame()
        try:
            return w.decode_frame(data)
        except w.WireError as e:
            raise CheckFailed("%s: %s answer %s does not decode: %s" % (self.name, what, hexdump(data[:64]), e))

    def request(self, opcode, payload, flags=0, what=None, request_id=None):
        """Sends one request, reads its answer and checks the opcode and request id are echoed."""
        what = what or w.opcode_name(opcode)
        if request_id is None:
            request_id = self.next_id
            self.next_id += 1
        self.send(w.encode_frame(opcode, flags, 0, request_id, payload))
        try:
            f = self.read_decoded(what)
        except Closed as e:
            raise CheckFailed("%s: %s got no answer: %s" % (self.name, what, e))
        require(f["flags"] & w.FLAG_RESPONSE, "%s: %s answered without the RESPONSE flag" % (self.name, what))
        require(f["opcode"] == opcode and f["request_id"] == request_id,
                "%s: %s (opcode 0x%02x, id %d) answered with opcode 0x%02x, id %d"
                % (self.name, what, opcode, request_id, f["opcode"], f["request_id"]))
        return f

    def expect_closed(self, what):
        """The peer closes (after any bytes it still had to send): EOF or a reset within the timeout."""
        try:
            data = self.sock.recv(65536)
            if data:
                raise CheckFailed("%s: after %s the connection should close, but %d more bytes came: %s"
                                  % (self.name, what, len(data), hexdump(data[:32])))
        except ConnectionResetError:
            pass
        except socket.timeout:
            raise CheckFailed("%s: after %s the connection should close; still open after %.0f s"
                              % (self.name, what, TIMEOUT_S))


def ok(message):
    print("ok - " + message)


def expect_ok(f, what, conn):
    require(f["kind"] == "ok", "%s: %s answered %s%s" % (conn.name, what, w.status_name(f["status"]),
                                                          error_message(f)))
    return f["body"]


def expect_error(f, status, what, conn):
    require(f["status"] == w.ST[status], "%s: %s answered %s%s, the document says %s"
            % (conn.name, what, w.status_name(f["status"]), error_message(f), status))
    if status == "NOT_FOUND":
        require(f["length"] == w.HEADER_LENGTH, "%s: %s: NOT_FOUND with a payload" % (conn.name, what))


def error_message(f):
    return " (%r)" % f["body"]["message"] if f["kind"] == "error" else ""


def hello_payload(token, min_version=1, max_version=1):
    return w.encode_hello_request({"min_version": min_version, "max_version": max_version,
                                   "role": w.ROLE["client"], "node_id": 0, "token": token})


def handshake(name, address, token, role):
    conn = Connection(name, address)
    f = conn.request(w.OP["HELLO"], hello_payload(token), request_id=0, what="HELLO")
    b = expect_ok(f, "HELLO", conn)
    require(b["chosen_version"] == w.PROTOCOL_VERSION, "%s: HELLO chose version %d" % (name, b["chosen_version"]))
    require(b["role"] == w.ROLE[role], "%s: HELLO says role %d, expected %s (%d)"
            % (name, b["role"], role, w.ROLE[role]))
    require(1 <= b["node_id"] <= 0xFFFF, "%s: node id %d" % (name, b["node_id"]))
    require(b["max_frame_length"] > w.HEADER_LENGTH, "%s: max frame %d" % (name, b["max_frame_length"]))
    return conn, b


def check_still_open(conn, what):
    nonce = random.getrandbits(64)
    f = conn.request(w.OP["PING"], w.encode_ping({"nonce": nonce}), what="PING after " + what)
    require(expect_ok(f, "PING", conn)["nonce"] == nonce, "%s: PING nonce not echoed" % conn.name)


def check_handshake_rules(name, address, token, role):
    """Section 2's handshake table and the preface rule (section 15: a mapd takes text as Redis)."""
    # A first byte that is neither the preface's nor text: nothing sent, closed.
    conn = Connection(name, address, preface=False)
    conn.send(b"\x16\x03\x01\x00\x05hello")
    conn.expect_closed("a connection without the preface")
    conn.close()
    ok("%s: a connection that starts with neither the preface nor text is closed without an answer" % name)
    conn = Connection(name, address, preface=False)
    if role == "mapd":
        # Text first: a Redis client (section 15). PING is answered before AUTH only without a token.
        conn.send(b"PING\r\n")
        answer = conn._read_exactly(7)
        expected = b"-NOAUTH" if token else b"+PONG\r\n"
        require(answer == expected, "%s: inline PING answered %r, section 15 says %r" % (name, answer, expected))
        conn.close()
        ok("%s: a connection that starts with text speaks Redis (inline PING answered)" % name)
    else:
        conn.send(b"GET / HTTP/1.0\r\n\r\n")
        conn.expect_closed("a text connection to a %s" % role)
        conn.close()
        ok("%s: a connection that starts with text instead of the preface is closed without an answer" % name)

    if token:
        conn = Connection(name, address)
        f = conn.request(w.OP["PING"], w.encode_ping({"nonce": 7}), what="PING before HELLO")
        expect_error(f, "AUTH_REQUIRED", "PING before HELLO", conn)
        f = conn.request(w.OP["HELLO"], hello_payload(token), request_id=0, what="HELLO after AUTH_REQUIRED")
        expect_ok(f, "HELLO after AUTH_REQUIRED", conn)
        check_still_open(conn, "AUTH_REQUIRED then HELLO")
        conn.close()
        ok("%s: a request before HELLO gets AUTH_REQUIRED, the connection stays open and HELLO then works" % name)

        for label, wrong in (("a wrong", token + b"x"), ("a missing", b"")):
            conn = Connection(name, address)
            f = conn.request(w.OP["HELLO"], hello_payload(wrong), request_id=0, what="HELLO with %s token" % label)
            expect_error(f, "AUTH_FAILED", "HELLO with %s token" % label, conn)
            conn.expect_closed("AUTH_FAILED")
            conn.close()
            ok("%s: HELLO with %s token gets AUTH_FAILED and the connection closes" % (name, label))
    else:
        conn = Connection(name, address)
        nonce = 0x0102030405060708
        f = conn.request(w.OP["PING"], w.encode_ping({"nonce": nonce}), what="PING without HELLO")
        require(expect_ok(f, "PING without HELLO", conn)["nonce"] == nonce, "%s: nonce not echoed" % name)
        conn.close()
        ok("%s: with no token configured, a first frame that is not HELLO is served" % name)

    conn = Connection(name, address)
    f = conn.request(w.OP["HELLO"], hello_payload(token, 2, 3), request_id=0, what="HELLO for versions 2..3")
    expect_error(f, "UNSUPPORTED_VERSION", "HELLO for versions 2..3", conn)
    conn.expect_closed("UNSUPPORTED_VERSION")
    conn.close()
    ok("%s: HELLO for versions 2..3 gets UNSUPPORTED_VERSION and the connection closes" % name)

    conn = Connection(name, address)
    bad = hello_payload(token)[:8] + w.u16(len(token) + 5) + w.u16(0) + token
    f = conn.request(w.OP["HELLO"], bad, request_id=0, what="HELLO with a token length past the payload")
    expect_error(f, "BAD_REQUEST", "a malformed HELLO", conn)
    conn.expect_closed("a malformed HELLO")
    conn.close()
    ok("%s: a malformed HELLO payload gets BAD_REQUEST and the connection closes" % name)

    conn, _ = handshake(name, address, token, role)
    f = conn.request(w.OP["HELLO"], hello_payload(token), what="a second HELLO")
    expect_error(f, "BAD_REQUEST", "a second HELLO", conn)
    check_still_open(conn, "a second HELLO")
    conn.close()
    ok("%s: a second HELLO gets BAD_REQUEST and the connection stays open" % name)


def check_common_errors(conn, wrong_role_opcode, wrong_role_payload):
    """Section 7's errors that keep the connection open."""
    request_id = 0x4242
    conn.send(w.encode_frame(0x7F, 0, 0, request_id, b"\x01\x02\x03"))
    f = conn.read_decoded("unknown opcode 0x7f")
    require(f["opcode"] == 0x7F and f["request_id"] == request_id and f["flags"] & w.FLAG_RESPONSE,
            "%s: unknown opcode 0x7f answered with opcode 0x%02x id %d flags 0x%02x; section 7: the frame's opcode "
            "and request id" % (conn.name, f["opcode"], f["request_id"], f["flags"]))
    expect_error(f, "UNKNOWN_OPCODE", "opcode 0x7f", conn)
    check_still_open(conn, "UNKNOWN_OPCODE")
    ok("%s: an unknown opcode gets UNKNOWN_OPCODE with its opcode and request id; the connection stays open"
       % conn.name)

    f = conn.request(wrong_role_opcode, wrong_role_payload, what="%s to a %s" % (
        w.opcode_name(wrong_role_opcode), conn.name))
    expect_error(f, "WRONG_ROLE", "an opcode this role does not serve", conn)
    check_still_open(conn, "WRONG_ROLE")
    ok("%s: %s gets WRONG_ROLE; the connection stays open" % (conn.name, w.opcode_name(wrong_role_opcode)))

    f = conn.request(w.OP["PING"], w.encode_ping({"nonce": 1}), flags=w.FLAG_RESPONSE,
                     what="a PING flagged RESPONSE")
    expect_error(f, "BAD_REQUEST", "a request flagged RESPONSE", conn)
    check_still_open(conn, "a request flagged RESPONSE")
    ok("%s: a request flagged RESPONSE gets BAD_REQUEST; the connection stays open" % conn.name)


def check_bad_frame(name, conn):
    """Section 7: a frame length below 16 gets an ERROR frame BAD_FRAME with request id 0, then the close."""
    conn.send(w.u32(8) + b"\x02\x00\x00\x00")
    f = conn.read_decoded("a frame of length 8")
    require(f["opcode"] == w.OP["ERROR"] and f["request_id"] == 0 and f["status"] == w.ST["BAD_FRAME"],
            "%s: a frame of length 8 answered opcode 0x%02x id %d %s%s; section 7: ERROR, request id 0, BAD_FRAME"
            % (name, f["opcode"], f["request_id"], w.status_name(f["status"]), error_message(f)))
    conn.expect_closed("BAD_FRAME")
    ok("%s: a frame length of 8 gets an ERROR frame BAD_FRAME with request id 0, and the connection closes" % name)


def check_logd(address, token, rng):
    check_handshake_rules("logd", address, token, "logd")
    conn, hello = handshake("logd", address, token, "logd")
    ok("logd: HELLO answered: version 1, role logd, node id %d, max frame %d"
       % (hello["node_id"], hello["max_frame_length"]))

    before = expect_ok(conn.request(w.OP["STAT"], b""), "STAT", conn)
    entry = bytes(range(256)) + rng.randbytes(rng.randrange(1, 3000))
    f = conn.request(w.OP["APPEND"], w.encode_append_request({"entry": entry}), flags=w.FLAG_DURABLE)
    offset = expect_ok(f, "durable APPEND", conn)["offset"]
    require(offset >= before["tail_offset"], "logd: APPEND at offset %d, below the tail %d before it"
            % (offset, before["tail_offset"]))
    read = expect_ok(conn.request(w.OP["READ"], w.encode_offset({"offset": offset})), "READ", conn)
    require(read["entry"] == entry, "logd: READ of offset %d returned %d bytes that differ from the %d appended"
            % (offset, len(read["entry"]), len(entry)))
    ok("logd: durable APPEND of %d bytes at offset %d, READ returns the same bytes" % (len(entry), offset))

    stat = expect_ok(conn.request(w.OP["STAT"], b""), "STAT", conn)
    require(stat["tail_offset"] > offset, "logd: STAT tail %d not after the entry at %d" % (stat["tail_offset"], offset))
    require(offset < stat["durable_offset"] <= stat["tail_offset"],
            "logd: STAT durable offset %d after a durable APPEND at %d (tail %d)"
            % (stat["durable_offset"], offset, stat["tail_offset"]))
    require(stat["appends"] >= 1 and stat["durable_appends"] >= 1 and stat["group_commits"] >= 1,
            "logd: STAT counters %s after a durable APPEND" % stat)
    require(stat["tail_offset"] <= stat["segments"] * stat["segment_length"],
            "logd: STAT tail %d beyond %d segments of %d" % (stat["tail_offset"], stat["segments"],
                                                              stat["segment_length"]))
    ok("logd: STAT tail %d, durable %d, %d appends" % (stat["tail_offset"], stat["durable_offset"], stat["appends"]))

    scan = expect_ok(conn.request(w.OP["SCAN"], w.encode_scan_request(
        {"from_offset": offset, "max_bytes": 1, "max_records": 1})), "SCAN", conn)
    require(len(scan["records"]) == 1 and scan["records"][0]["offset"] == offset
            and scan["records"][0]["entry"] == entry,
            "logd: SCAN from %d with max bytes 1 should return the one record there (at least one record, even "
            "over max bytes); got %s" % (offset, [(r["offset"], len(r["entry"])) for r in scan["records"]]))
    require(scan["next_offset"] == stat["tail_offset"],
            "logd: SCAN's next offset %d should equal the tail %d (the scan reached it)"
            % (scan["next_offset"], stat["tail_offset"]))
    ok("logd: SCAN from the entry returns it (over max bytes) and next offset = the tail")

    f = conn.request(w.OP["READ"], w.encode_offset({"offset": stat["tail_offset"]}), what="READ at the tail")
    expect_error(f, "OFFSET_OUT_OF_RANGE", "READ at the tail", conn)
    f = conn.request(w.OP["READ"], w.encode_offset({"offset": 2 ** 64 - 8}), what="READ at a negative offset")
    expect_error(f, "OFFSET_OUT_OF_RANGE", "READ at offset 2^64 - 8 (negative as an i64)", conn)
    f = conn.request(w.OP["READ"], w.encode_offset({"offset": offset + 1}), what="READ at a misaligned offset")
    expect_error(f, "OFFSET_OUT_OF_RANGE", "READ at an offset that is not a multiple of 8", conn)
    f = conn.request(w.OP["READ"], w.encode_offset({"offset": offset + 8}), what="READ inside a record")
    expect_error(f, "NOT_A_RECORD", "READ 8 bytes into a record", conn)
    ok("logd: READ at the tail, at a negative or a misaligned offset gets OFFSET_OUT_OF_RANGE; 8 bytes into a "
       "record NOT_A_RECORD")

    send_time = rng.getrandbits(63)
    beat = expect_ok(conn.request(w.OP["HEARTBEAT"], w.encode_heartbeat_request(
        {"send_time": send_time, "epoch": 9})), "HEARTBEAT", conn)
    require(beat == {"send_time": send_time, "role": w.ROLE["logd"], "state": 0, "node_id": hello["node_id"],
                     "data": stat["tail_offset"], "epoch": 0},
            "logd: HEARTBEAT answered %s; section 12: send time echoed, role 2, state 0, node id %d, data = the tail "
            "%d, epoch 0" % (beat, hello["node_id"], stat["tail_offset"]))
    ok("logd: HEARTBEAT: role 2, state 0, data = tail offset, epoch 0")

    info = expect_ok(conn.request(w.OP["INFO"], w.encode_info_request({"section": ""})), "INFO", conn)
    check_info_text("logd", info["text"])

    check_common_errors(conn, w.OP["GET"], w.encode_key_request({"key": b"k"}))
    bad = w.u32(len(entry) + 10) + entry
    f = conn.request(w.OP["APPEND"], bad, what="APPEND whose entry length exceeds the frame")
    expect_error(f, "BAD_REQUEST", "APPEND whose entry length exceeds the frame", conn)
    check_still_open(conn, "BAD_REQUEST")
    ok("logd: an APPEND whose entry length disagrees with the frame gets BAD_REQUEST; the connection stays open")

    check_bad_frame("logd", conn)
    conn.close()
    return hello["node_id"]


def check_info_text(name, text):
    lines = [line for line in text.split("\n") if line]
    require(lines and all(re.match(r"^[^:\s][^:]*:.*$", line) for line in lines),
            "%s: INFO text is not one name:value per line: %r" % (name, text[:400]))
    ok("%s: INFO answers %d name:value lines" % (name, len(lines)))


def dump_find(conn, key):
    cursor, pages = 0, 0
    while True:
        page = expect_ok(conn.request(w.OP["DUMP"], w.encode_dump_request({"cursor": cursor, "max_keys": 1000})),
                         "DUMP", conn)
        for change in page["changes"]:
            if change["key"] == key:
                return change
        cursor = page["next_cursor"]
        pages += 1
        if cursor == 0 or pages > 100000:
            return None


def check_mapd(address, token, rng, logd_address, logd_node):
    check_handshake_rules("mapd", address, token, "mapd")
    conn, hello = handshake("mapd", address, token, "mapd")
    node = hello["node_id"]
    ok("mapd: HELLO answered: version 1, role mapd, node id %d, max frame %d" % (node, hello["max_frame_length"]))

    key = b"pyproto:%016x" % rng.getrandbits(64)
    value = bytes(range(256)) + rng.randbytes(rng.randrange(0, 2000))
    key_payload = w.encode_key_request({"key": key})

    f = conn.request(w.OP["GET"], key_payload, what="GET of a new key")
    expect_error(f, "NOT_FOUND", "GET of a key never written", conn)

    now_ms = time.time() * 1000
    written = expect_ok(conn.request(w.OP["SET"], w.encode_set_request({"key": key, "value": value})), "SET", conn)
    check_version(written["version"], "mapd SET")
    require(abs((written["version"] >> 16) - now_ms) < 24 * 3600 * 1000,
            "mapd: SET version's time %d ms is a day away from now %d" % (written["version"] >> 16, now_ms))
    require(written["version_node"] == node and written["replicas"] >= 1 and written["peers_acked"] == 0,
            "mapd: SET answered %s; expected version node %d (the writer), replicas >= 1, peers acknowledged 0"
            % (written, node))
    ok("mapd: SET of %d bytes: version 0x%016x node %d, %d replicas" % (len(value), written["version"], node,
                                                                       written["replicas"]))

    got = expect_ok(conn.request(w.OP["GET"], key_payload), "GET", conn)
    require(got["value"] == value, "mapd: GET returned %d bytes that differ from the %d set"
            % (len(got["value"]), len(value)))
    require((got["version"], got["version_node"]) == (written["version"], written["version_node"]),
            "mapd: GET version (0x%x, %d) is not SET's (0x%x, %d)" % (got["version"], got["version_node"],
                                                                    written["version"], written["version_node"]))
    ok("mapd: GET returns the value and SET's version")

    exists = expect_ok(conn.request(w.OP["EXISTS"], key_payload), "EXISTS", conn)
    require(exists == {"version": written["version"], "version_node": node, "value_length": len(value)},
            "mapd: EXISTS answered %s" % exists)
    ok("mapd: EXISTS: SET's version and the value's length")

    change = dump_find(conn, key)
    require(change is not None, "mapd: DUMP does not list the key just set")
    require(change["version"] == written["version"] and change["version_node"] == node and change["flags"] == 0
            and change["value_length"] == len(value) and change["checksum"] == w.crc32c(value)
            and len(change["replicas"]) == written["replicas"],
            "mapd: DUMP lists %s; expected SET's version, no flags, value length %d, CRC32C 0x%08x, %d replicas"
            % (change, len(value), w.crc32c(value), written["replicas"]))
    ok("mapd: DUMP lists the key: version, value length, CRC32C of the value, %d replicas" % len(change["replicas"]))

    on_logd = [r for r in change["replicas"] if r["logd_id"] == logd_node]
    require(on_logd, "mapd: no replica on the logd given (node %d): %s" % (logd_node, change["replicas"]))
    logd, _ = handshake("logd", logd_address, token, "logd")
    for replica in on_logd:
        entry = expect_ok(logd.request(w.OP["READ"], w.encode_offset({"offset": replica["offset"]})),
                          "READ of a replica", logd)["entry"]
        try:
            record = w.decode_value_record(entry)
        except w.WireError as e:
            raise CheckFailed("logd: the replica at %d is not a value record (section 13): %s"
                              % (replica["offset"], e))
        expected = {"format": 1, "flags": 0, "version_node": node, "version": written["version"],
                    "checksum": w.crc32c(value), "key": key, "value": value}
        require(record == expected, "logd: the value record at %d is %s, expected %s"
                % (replica["offset"], record, expected))
    ok("logd: the mapd's replica reads back as a section 13 value record (key, version, value, CRC32C)")

    value2 = rng.randbytes(100)
    safe = expect_ok(conn.request(w.OP["SETSAFE"], w.encode_set_request({"key": key, "value": value2})),
                     "SETSAFE", conn)
    require((safe["version"], safe["version_node"]) > (written["version"], written["version_node"]),
            "mapd: SETSAFE version (0x%x, %d) is not newer than SET's" % (safe["version"], safe["version_node"]))
    require(safe["peers_acked"] <= safe["peers_live"], "mapd: SETSAFE: %s" % safe)
    require(expect_ok(conn.request(w.OP["GET"], key_payload), "GET", conn)["value"] == value2,
            "mapd: GET after SETSAFE does not return the new value")
    ok("mapd: SETSAFE overwrites with a newer version, GET returns the new value")

    beat = expect_ok(conn.request(w.OP["HEARTBEAT"], w.encode_heartbeat_request({"send_time": 5, "epoch": 0})),
                     "HEARTBEAT", conn)
    require(beat["send_time"] == 5 and beat["role"] == w.ROLE["mapd"] and beat["node_id"] == node
            and beat["state"] in w.HEARTBEAT_STATES and beat["data"] >= 1,
            "mapd: HEARTBEAT answered %s; expected the send time echoed, role 3, node id %d, live keys >= 1"
            % (beat, node))
    ok("mapd: HEARTBEAT: role 3, node id, %d live keys" % beat["data"])

    # Section 12: a query to a mapd returns the view it holds, or (none pushed) an empty view of epoch 0.
    view = expect_ok(conn.request(w.OP["CLUSTER_VIEW"], b"", what="CLUSTER_VIEW query"), "CLUSTER_VIEW", conn)["view"]
    require(view is not None, "mapd: CLUSTER_VIEW query answered an empty payload; the document says a view (an "
            "empty view of epoch 0 when none was pushed)")
    if view["epoch"] == 0:
        require(not view["nodes"] and all(view[name] == 0 for name in w.VIEW_COUNTERS),
                "mapd: a view of epoch 0 that is not empty (no nodes, zero counters): %s" % view)
    require(beat["epoch"] == view["epoch"], "mapd: HEARTBEAT epoch %d is not the epoch of the view it holds (%d)"
            % (beat["epoch"], view["epoch"]))
    ok("mapd: CLUSTER_VIEW query answers a view of epoch %d with %d nodes, HEARTBEAT the same epoch"
       % (view["epoch"], len(view["nodes"])))

    info = expect_ok(conn.request(w.OP["INFO"], w.encode_info_request({"section": ""})), "INFO", conn)
    check_info_text("mapd", info["text"])

    deleted = expect_ok(conn.request(w.OP["DEL"], key_payload), "DEL", conn)
    require((deleted["version"], deleted["version_node"]) > (safe["version"], safe["version_node"])
            and deleted["version_node"] == node and deleted["replicas"] >= 1,
            "mapd: DEL answered %s; expected a version newer than the last write's, node %d" % (deleted, node))
    f = conn.request(w.OP["GET"], key_payload, what="GET after DEL")
    expect_error(f, "NOT_FOUND", "GET after DEL", conn)
    f = conn.request(w.OP["EXISTS"], key_payload, what="EXISTS after DEL")
    expect_error(f, "NOT_FOUND", "EXISTS after DEL", conn)
    f = conn.request(w.OP["DEL"], key_payload, what="DEL of a deleted key")
    expect_error(f, "NOT_FOUND", "DEL of a missing key", conn)
    tombstone = dump_find(conn, key)
    require(tombstone is not None and tombstone["flags"] & w.CHANGE_TOMBSTONE and tombstone["value_length"] == 0
            and tombstone["version"] == deleted["version"],
            "mapd: DUMP after DEL lists %s; expected a tombstone (flag bit 0) of DEL's version, value length 0"
            % tombstone)
    ok("mapd: DEL answers a newer version; GET and EXISTS then NOT_FOUND (empty payload), a second DEL NOT_FOUND, "
       "DUMP lists a tombstone")

    f = conn.request(w.OP["GET"], w.u16(0), what="GET with key length 0")
    expect_error(f, "INVALID_KEY", "a key of length 0", conn)
    check_still_open(conn, "INVALID_KEY")
    ok("mapd: a key of length 0 gets INVALID_KEY; the connection stays open")

    bad = w.u16(len(key)) + w.u32(len(value) + 10) + key + value
    f = conn.request(w.OP["SET"], bad, what="SET whose value length exceeds the frame")
    expect_error(f, "BAD_REQUEST", "SET whose value length exceeds the frame", conn)
    check_still_open(conn, "BAD_REQUEST")
    ok("mapd: a SET whose value length disagrees with the frame gets BAD_REQUEST; the connection stays open")

    # Section 6: the max frame is the max value plus 128 KiB, so a value of (max frame - 128 KiB + 1) is too large.
    max_value = hello["max_frame_length"] - 128 * 1024
    if max_value < 16 * 1024 * 1024:
        too_large = bytes(max_value + 1)
        f = conn.request(w.OP["SET"], w.encode_set_request({"key": key, "value": too_large}),
                         what="SET of max value + 1 bytes")
        expect_error(f, "VALUE_TOO_LARGE", "a value of max frame - 128 KiB + 1 bytes", conn)
        check_still_open(conn, "VALUE_TOO_LARGE")
        ok("mapd: a value of max frame - 128 KiB + 1 = %d bytes gets VALUE_TOO_LARGE; the connection stays open"
           % (max_value + 1))
    else:
        print("skip - mapd: VALUE_TOO_LARGE (max value %d bytes is too much to send)" % max_value)

    check_common_errors(conn, w.OP["APPEND"], w.encode_append_request({"entry": b"x"}))

    # Section 7: the length is checked when its 4 bytes arrive; nothing more needs to be sent.
    conn.send(w.u32(hello["max_frame_length"] + 1))
    f = conn.read_decoded("a frame length over the limit")
    require(f["opcode"] == w.OP["ERROR"] and f["request_id"] == 0 and f["status"] == w.ST["FRAME_TOO_LARGE"],
            "mapd: a frame length of max + 1 answered opcode 0x%02x id %d %s%s; section 7: ERROR, request id 0, "
            "FRAME_TOO_LARGE" % (f["opcode"], f["request_id"], w.status_name(f["status"]), error_message(f)))
    conn.expect_closed("FRAME_TOO_LARGE")
    conn.close()
    ok("mapd: a frame length of max frame + 1 (its 4 bytes only) gets an ERROR frame FRAME_TOO_LARGE with request id "
       "0, and the connection closes")

    conn, _ = handshake("mapd", address, token, "mapd")
    check_bad_frame("mapd", conn)
    conn.close()


def run_live(logd, mapd, token, seed):
    rng = random.Random(seed)
    print("seed %d (rerun with --seed %d)" % (seed, seed))
    logd_node = check_logd(logd, token, rng)
    check_mapd(mapd, token, rng, logd, logd_node)
    print("live check passed against logd %s and mapd %s" % (logd, mapd))


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    examples = sub.add_parser("examples", help="check every hex example of PROTOCOL.md")
    examples.add_argument("protocol_md")
    live = sub.add_parser("live", help="check a running logd and mapd")
    live.add_argument("logd", help="HOST:PORT of a logd")
    live.add_argument("mapd", help="HOST:PORT of a mapd that uses that logd")
    live.add_argument("--token", default=None, help="the auth token both servers are configured with")
    live.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    try:
        if args.command == "examples":
            run_examples(args.protocol_md)
        else:
            seed = args.seed if args.seed is not None else random.randrange(2 ** 32)
            token = args.token.encode("utf-8") if args.token is not None else b""
            try:
                run_live(args.logd, args.mapd, token, seed)
            except CheckFailed as e:
                raise CheckFailed("%s (seed %d)" % (e, seed))
    except CheckFailed as e:
        print("FAIL: %s" % e, file=sys.stderr)
        return 1
    except (OSError, Closed) as e:
        print("FAIL: %s: %s" % (type(e).__name__, e), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
