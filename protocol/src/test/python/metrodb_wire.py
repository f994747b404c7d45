"""MetroDB wire protocol v1, encoders and decoders written from protocol/PROTOCOL.md alone.

This is an independent second implementation: it must not be derived from the Java flyweights, so that a
document/code mismatch shows up as a disagreement between the two (see check_protocol.py). Standard library
only (Python 3.11).

Decoded messages are plain dicts whose keys are the field names of the tables in PROTOCOL.md (reserved fields
left out: they are written as zero). Every decoder is strict: a length that disagrees with the bytes present, a
key length of 0 or trailing bytes raise WireError. Every encoder takes the dict its decoder returns, so
encode(decode(bytes)) == bytes for every well-formed message.
"""

import struct

# Section 2: the preface the connecting peer sends first.
PREFACE = bytes([0x89]) + b"METRO\r\n"

# Section 3: frame header.
HEADER_LENGTH = 16
FLAG_RESPONSE = 0x01
FLAG_DURABLE = 0x02
FLAG_MORE = 0x04
KNOWN_FLAGS = FLAG_RESPONSE | FLAG_DURABLE | FLAG_MORE
ERROR_STATUS_MIN = 0x0100

# Section 1: i32 lengths travel as u32 but a receiver rejects anything above 2^31 - 1.
I32_MAX = 2 ** 31 - 1

# Section 6.
MAX_KEY_LENGTH = 65535
DEFAULT_MAX_VALUE_LENGTH = 64 * 1024 * 1024
DEFAULT_MAX_FRAME_LENGTH = DEFAULT_MAX_VALUE_LENGTH + 128 * 1024

# Section 8.
OPCODES = {
    0x01: "HELLO",
    0x02: "PING",
    0x03: "ERROR",
    0x04: "INFO",
    0x10: "APPEND",
    0x11: "READ",
    0x12: "STAT",
    0x13: "SCAN",
    0x20: "GET",
    0x21: "SET",
    0x22: "SETSAFE",
    0x23: "DEL",
    0x24: "EXISTS",
    0x28: "REPLICATE",
    0x29: "SYNC",
    0x2A: "PROBE",
    0x2B: "REPAIR",
    0x2C: "DUMP",
    0x30: "HEARTBEAT",
    0x31: "CLUSTER_VIEW",
}
OP = {name: code for code, name in OPCODES.items()}

# Section 5.
STATUS_CODES = {
    0x0000: "OK",
    0x0001: "NOT_FOUND",
    0x0101: "BAD_FRAME",
    0x0102: "FRAME_TOO_LARGE",
    0x0103: "BAD_PREFACE",
    0x0104: "UNKNOWN_OPCODE",
    0x0105: "BAD_REQUEST",
    0x0106: "UNSUPPORTED_VERSION",
    0x0107: "INVALID_KEY",
    0x0108: "VALUE_TOO_LARGE",
    0x0109: "WRONG_ROLE",
    0x0201: "AUTH_REQUIRED",
    0x0202: "AUTH_FAILED",
    0x0301: "OFFSET_OUT_OF_RANGE",
    0x0302: "NOT_A_RECORD",
    0x0303: "CORRUPT_RECORD",
    0x0304: "ENTRY_TOO_LARGE",
    0x0305: "STORAGE_FULL",
    0x0306: "STORAGE_ERROR",
    0x0401: "NOT_ENOUGH_REPLICAS",
    0x0402: "REPLICAS_UNREADABLE",
    0x0403: "CATCHING_UP",
    0x0404: "STALE_VERSION",
    0x0405: "REPLICA_MISMATCH",
    0x0F01: "INTERNAL_ERROR",
    0x0F02: "SHUTTING_DOWN",
    0x0F03: "OVERLOADED",
    0x0F04: "TIMEOUT",
    0x0F05: "UNAVAILABLE",
}
ST = {name: code for code, name in STATUS_CODES.items()}

# Section 9, HELLO.
ROLES = {1: "client", 2: "logd", 3: "mapd", 4: "mond", 5: "gateway"}
ROLE = {name: code for code, name in ROLES.items()}
PROTOCOL_VERSION = 1

# Section 11, the change body and section 13, the value record.
CHANGE_TOMBSTONE = 0x01
CHANGE_REPAIR = 0x02
RECORD_FORMAT = 1
RECORD_TOMBSTONE = 0x01

# Section 11, SYNC and PROBE modes.
SYNC_BACKLOG = 1
SYNC_SNAPSHOT = 2
PROBE_RANDOM = 0
PROBE_SCAN = 1

# Section 12.
HEARTBEAT_STATES = {0: "serving", 1: "catching up", 2: "stopping"}
NODE_STATES = {1: "UP", 2: "SUSPECT", 3: "DOWN"}


class WireError(Exception):
    """Bytes that do not match PROTOCOL.md."""


def status_name(status):
    return STATUS_CODES.get(status, "UNKNOWN_0x%04X" % status)


def opcode_name(opcode):
    return OPCODES.get(opcode, "0x%02x" % opcode)


def crc32c(data, crc=0):
    """CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the value checksum of sections 11 and 13."""
    crc ^= 0xFFFFFFFF
    for byte in data:
        crc = _CRC32C_TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def _crc32c_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC32C_TABLE = _crc32c_table()


class Reader:
    """Reads big-endian fields from a payload, strictly."""

    def __init__(self, data, what):
        self.data = bytes(data)
        self.pos = 0
        self.what = what

    def _take(self, n, field):
        if n < 0 or self.pos + n > len(self.data):
            raise WireError("%s: %s needs %d bytes at payload offset %d, only %d left"
                            % (self.what, field, n, self.pos, len(self.data) - self.pos))
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def u8(self, field):
        return self._take(1, field)[0]

    def u16(self, field):
        return struct.unpack(">H", self._take(2, field))[0]

    def u32(self, field):
        return struct.unpack(">I", self._take(4, field))[0]

    def u64(self, field):
        return struct.unpack(">Q", self._take(8, field))[0]

    def i32_length(self, field):
        value = self.u32(field)
        if value > I32_MAX:
            raise WireError("%s: %s %d is above 2^31 - 1" % (self.what, field, value))
        return value

    def raw(self, n, field):
        return self._take(n, field)

    def rsvd(self, size, field="rsvd"):
        # Written as zero, ignored on receipt (section 1): read past it.
        self._take(size, field)

    def key(self, length):
        if length == 0:
            raise WireError("%s: key length 0 (keys are 1..65535 bytes)" % self.what)
        return self._take(length, "key")

    def ascii(self, n, field):
        chunk = self._take(n, field)
        try:
            return chunk.decode("ascii")
        except UnicodeDecodeError:
            raise WireError("%s: %s is not ASCII: %r" % (self.what, field, chunk))

    def utf8(self, n, field):
        chunk = self._take(n, field)
        try:
            return chunk.decode("utf-8")
        except UnicodeDecodeError:
            raise WireError("%s: %s is not UTF-8: %r" % (self.what, field, chunk))

    def remaining(self):
        return len(self.data) - self.pos

    def end(self):
        if self.pos != len(self.data):
            raise WireError("%s: %d trailing bytes after the last field (payload is %d bytes, layout ends at %d)"
                            % (self.what, len(self.data) - self.pos, len(self.data), self.pos))


def u8(v):
    return struct.pack(">B", v)


def u16(v):
    return struct.pack(">H", v)


def u32(v):
    return struct.pack(">I", v)


def u64(v):
    return struct.pack(">Q", v)


# ---------------------------------------------------------------------------------------------------------------
# Frame header (section 3)

def encode_frame(opcode, flags, status, request_id, payload=b""):
    return u32(HEADER_LENGTH + len(payload)) + u8(opcode) + u8(flags) + u16(status) + u64(request_id) + payload


def decode_header(data):
    """The 16-byte header: dict length, opcode, flags, status, request_id."""
    if len(data) < HEADER_LENGTH:
        raise WireError("frame header needs 16 bytes, got %d" % len(data))
    length, opcode, flags, status, request_id = struct.unpack(">IBBHQ", data[:HEADER_LENGTH])
    return {"length": length, "opcode": opcode, "flags": flags, "status": status, "request_id": request_id}


def split_frame(data):
    """Checks the length field against the bytes: returns (header dict, payload bytes)."""
    header = decode_header(data)
    if header["length"] < HEADER_LENGTH:
        raise WireError("frame length %d is below 16 (BAD_FRAME)" % header["length"])
    if header["length"] != len(data):
        raise WireError("frame length field says %d bytes, the frame has %d" % (header["length"], len(data)))
    if header["flags"] & ~KNOWN_FLAGS:
        raise WireError("reserved flag bits set: 0x%02x" % header["flags"])
    is_response = bool(header["flags"] & FLAG_RESPONSE)
    if not is_response and header["status"] != 0:
        raise WireError("a request (no RESPONSE flag) with status 0x%04x; requests carry 0" % header["status"])
    return header, data[HEADER_LENGTH:]


# ---------------------------------------------------------------------------------------------------------------
# Error payload (section 3)

def decode_error(payload):
    r = Reader(payload, "error payload")
    length = r.u16("message length")
    message = r.utf8(length, "message")
    r.end()
    return {"message": message}


def encode_error(m):
    message = m["message"].encode("utf-8")
    return u16(len(message)) + message


def decode_empty(payload, what="empty payload"):
    Reader(payload, what).end()
    return {}


def encode_empty(m):
    return b""


# ---------------------------------------------------------------------------------------------------------------
# Common messages (section 9)

def decode_hello_request(payload):
    r = Reader(payload, "HELLO request")
    m = {"min_version": r.u16("min version"), "max_version": r.u16("max version"), "role": r.u8("role")}
    r.rsvd(1)
    m["node_id"] = r.u16("node id")
    token_length = r.u16("token length")
    r.rsvd(2)
    m["token"] = r.raw(token_length, "token")
    r.end()
    return m


def encode_hello_request(m):
    return (u16(m["min_version"]) + u16(m["max_version"]) + u8(m["role"]) + u8(0) + u16(m["node_id"])
            + u16(len(m["token"])) + u16(0) + m["token"])


def decode_hello_response(payload):
    r = Reader(payload, "HELLO response")
    m = {"chosen_version": r.u16("chosen version"), "role": r.u8("server role")}
    r.rsvd(1)
    m["node_id"] = r.u16("server node id")
    r.rsvd(2)
    m["max_frame_length"] = r.u32("max frame length")
    r.end()
    return m


def encode_hello_response(m):
    return u16(m["chosen_version"]) + u8(m["role"]) + u8(0) + u16(m["node_id"]) + u16(0) + u32(m["max_frame_length"])


def decode_ping(payload):
    r = Reader(payload, "PING")
    m = {"nonce": r.u64("nonce")}
    r.end()
    return m


def encode_ping(m):
    return u64(m["nonce"])


def decode_info_request(payload):
    r = Reader(payload, "INFO request")
    length = r.u16("section length")
    m = {"section": r.ascii(length, "section name")}
    r.end()
    return m


def encode_info_request(m):
    section = m["section"].encode("ascii")
    return u16(len(section)) + section


def decode_info_response(payload):
    r = Reader(payload, "INFO response")
    length = r.i32_length("text length")
    m = {"text": r.utf8(length, "text")}
    r.end()
    return m


def encode_info_response(m):
    text = m["text"].encode("utf-8")
    return u32(len(text)) + text


# ---------------------------------------------------------------------------------------------------------------
# logd messages (section 10)

def decode_append_request(payload):
    r = Reader(payload, "APPEND request")
    length = r.i32_length("entry length")
    m = {"entry": r.raw(length, "entry")}
    r.end()
    return m


def encode_append_request(m):
    return u32(len(m["entry"])) + m["entry"]


def decode_offset(payload, what="offset payload"):
    r = Reader(payload, what)
    m = {"offset": r.u64("offset")}
    r.end()
    return m


def encode_offset(m):
    return u64(m["offset"])


def decode_read_response(payload):
    r = Reader(payload, "READ response")
    length = r.i32_length("entry length")
    m = {"entry": r.raw(length, "entry")}
    r.end()
    return m


encode_read_response = encode_append_request

STAT_FIELDS = ["tail_offset", "durable_offset", "segments", "segment_length", "bytes_on_disk", "appends",
               "reads", "forces", "durable_appends", "group_commits"]
STAT_FORMAT = ">QQIIQQQQQQ"
STAT_LENGTH = struct.calcsize(STAT_FORMAT)


def decode_stat_response(payload):
    if len(payload) != STAT_LENGTH:
        raise WireError("STAT response: payload is %d bytes, the layout is %d" % (len(payload), STAT_LENGTH))
    return dict(zip(STAT_FIELDS, struct.unpack(STAT_FORMAT, payload)))


def encode_stat_response(m):
    return struct.pack(STAT_FORMAT, *[m[f] for f in STAT_FIELDS])


def decode_scan_request(payload):
    r = Reader(payload, "SCAN request")
    m = {"from_offset": r.u64("from offset"), "max_bytes": r.u32("max bytes"), "max_records": r.u16("max records")}
    r.rsvd(2)
    r.end()
    return m


def encode_scan_request(m):
    return u64(m["from_offset"]) + u32(m["max_bytes"]) + u16(m["max_records"]) + u16(0)


def decode_scan_response(payload):
    r = Reader(payload, "SCAN response")
    m = {"next_offset": r.u64("next offset"), "records": []}
    count = r.u32("record count")
    for i in range(count):
        offset = r.u64("record %d offset" % i)
        length = r.i32_length("record %d length" % i)
        m["records"].append({"offset": offset, "entry": r.raw(length, "record %d entry" % i)})
    r.end()
    return m


def encode_scan_response(m):
    out = u64(m["next_offset"]) + u32(len(m["records"]))
    for record in m["records"]:
        out += u64(record["offset"]) + u32(len(record["entry"])) + record["entry"]
    return out


# ---------------------------------------------------------------------------------------------------------------
# mapd messages (section 11)

def decode_key_request(payload, what="key request"):
    r = Reader(payload, what)
    m = {"key": r.key(r.u16("key length"))}
    r.end()
    return m


def encode_key_request(m):
    return u16(len(m["key"])) + m["key"]


def decode_get_response(payload):
    r = Reader(payload, "GET response")
    m = {"version": r.u64("version"), "version_node": r.u16("version node")}
    r.rsvd(2)
    length = r.i32_length("value length")
    m["value"] = r.raw(length, "value")
    r.end()
    return m


def encode_get_response(m):
    return u64(m["version"]) + u16(m["version_node"]) + u16(0) + u32(len(m["value"])) + m["value"]


def decode_exists_response(payload):
    r = Reader(payload, "EXISTS response")
    m = {"version": r.u64("version"), "version_node": r.u16("version node")}
    r.rsvd(2)
    m["value_length"] = r.i32_length("value length")
    r.end()
    return m


def encode_exists_response(m):
    return u64(m["version"]) + u16(m["version_node"]) + u16(0) + u32(m["value_length"])


def decode_set_request(payload, what="SET request"):
    r = Reader(payload, what)
    key_length = r.u16("key length")
    value_length = r.i32_length("value length")
    m = {"key": r.key(key_length), "value": r.raw(value_length, "value")}
    r.end()
    return m


def encode_set_request(m):
    return u16(len(m["key"])) + u32(len(m["value"])) + m["key"] + m["value"]


def decode_write_response(payload):
    r = Reader(payload, "write response")
    m = {"version": r.u64("version"), "version_node": r.u16("version node"), "replicas": r.u8("replicas written")}
    r.rsvd(1)
    m["peers_acked"] = r.u16("peers acknowledged")
    m["peers_live"] = r.u16("peers live")
    r.end()
    return m


def encode_write_response(m):
    return (u64(m["version"]) + u16(m["version_node"]) + u8(m["replicas"]) + u8(0) + u16(m["peers_acked"])
            + u16(m["peers_live"]))


def read_replicas(r, count, what="replica"):
    return [{"logd_id": r.u16("%s %d logd id" % (what, i)), "offset": r.u64("%s %d offset" % (what, i))}
            for i in range(count)]


def encode_replicas(replicas):
    return b"".join(u16(x["logd_id"]) + u64(x["offset"]) for x in replicas)


def read_change(r):
    m = {"version": r.u64("change version"), "version_node": r.u16("change version node"),
         "flags": r.u8("change flags")}
    replica_count = r.u8("replica count")
    m["value_length"] = r.i32_length("change value length")
    m["checksum"] = r.u32("change value checksum")
    m["key"] = r.key(r.u16("change key length"))
    m["replicas"] = read_replicas(r, replica_count)
    return m


def encode_change(m):
    return (u64(m["version"]) + u16(m["version_node"]) + u8(m["flags"]) + u8(len(m["replicas"]))
            + u32(m["value_length"]) + u32(m["checksum"]) + u16(len(m["key"])) + m["key"]
            + encode_replicas(m["replicas"]))


def decode_change(body):
    r = Reader(body, "change body")
    m = read_change(r)
    r.end()
    return m


def decode_replicate_request(payload):
    r = Reader(payload, "REPLICATE request")
    m = {"sequence": r.u64("sequence"), "origin": r.u16("origin node")}
    r.rsvd(2)
    m["change"] = read_change(r)
    r.end()
    return m


def encode_replicate_request(m):
    return u64(m["sequence"]) + u16(m["origin"]) + u16(0) + encode_change(m["change"])


def decode_sync_request(payload):
    r = Reader(payload, "SYNC request")
    m = {"from_sequence": r.u64("from sequence"), "origin": r.u16("origin node")}
    r.rsvd(2)
    r.end()
    return m


def encode_sync_request(m):
    return u64(m["from_sequence"]) + u16(m["origin"]) + u16(0)


def decode_sync_response(payload):
    r = Reader(payload, "SYNC response")
    m = {"mode": r.u8("mode")}
    r.rsvd(1)
    count = r.u16("change count")
    r.rsvd(4)
    m["sequence"] = r.u64("sequence")
    m["changes"] = [read_change(r) for _ in range(count)]
    r.end()
    return m


def encode_sync_response(m):
    return (u8(m["mode"]) + u8(0) + u16(len(m["changes"])) + u32(0) + u64(m["sequence"])
            + b"".join(encode_change(c) for c in m["changes"]))


def decode_probe_request(payload):
    r = Reader(payload, "PROBE request")
    m = {"mode": r.u8("mode")}
    r.rsvd(1)
    m["max_keys"] = r.u16("max keys")
    r.rsvd(4)
    m["cursor"] = r.u64("cursor")
    r.end()
    return m


def encode_probe_request(m):
    return u8(m["mode"]) + u8(0) + u16(m["max_keys"]) + u32(0) + u64(m["cursor"])


def decode_probe_response(payload):
    r = Reader(payload, "PROBE response")
    m = {"next_cursor": r.u64("next cursor"), "keys_checked": r.u32("keys checked"), "bad": []}
    count = r.u16("bad replica count")
    r.rsvd(2)
    for i in range(count):
        bad = {"logd_id": r.u16("bad %d logd id" % i), "reason": r.u16("bad %d reason" % i)}
        key_length = r.u16("bad %d key length" % i)
        bad["version_node"] = r.u16("bad %d version node" % i)
        bad["offset"] = r.u64("bad %d offset" % i)
        bad["version"] = r.u64("bad %d version" % i)
        bad["key"] = r.key(key_length)
        m["bad"].append(bad)
    r.end()
    return m


def encode_probe_response(m):
    out = u64(m["next_cursor"]) + u32(m["keys_checked"]) + u16(len(m["bad"])) + u16(0)
    for bad in m["bad"]:
        out += (u16(bad["logd_id"]) + u16(bad["reason"]) + u16(len(bad["key"])) + u16(bad["version_node"])
                + u64(bad["offset"]) + u64(bad["version"]) + bad["key"])
    return out


def decode_repair_request(payload):
    r = Reader(payload, "REPAIR request")
    m = {"version": r.u64("version"), "version_node": r.u16("version node")}
    count = r.u8("bad replica count")
    r.rsvd(1)
    m["key"] = r.key(r.u16("key length"))
    m["bad"] = read_replicas(r, count, "bad replica")
    r.end()
    return m


def encode_repair_request(m):
    return (u64(m["version"]) + u16(m["version_node"]) + u8(len(m["bad"])) + u8(0) + u16(len(m["key"]))
            + m["key"] + encode_replicas(m["bad"]))


def decode_repair_response(payload):
    r = Reader(payload, "REPAIR response")
    count = r.u8("replica count")
    r.rsvd(1)
    m = {"replicas": read_replicas(r, count)}
    r.end()
    return m


def encode_repair_response(m):
    return u8(len(m["replicas"])) + u8(0) + encode_replicas(m["replicas"])


def decode_dump_request(payload):
    r = Reader(payload, "DUMP request")
    m = {"cursor": r.u64("cursor"), "max_keys": r.u16("max keys")}
    r.rsvd(2)
    r.end()
    return m


def encode_dump_request(m):
    return u64(m["cursor"]) + u16(m["max_keys"]) + u16(0)


def decode_dump_response(payload):
    r = Reader(payload, "DUMP response")
    m = {"next_cursor": r.u64("next cursor")}
    count = r.u16("count")
    r.rsvd(2)
    m["changes"] = [read_change(r) for _ in range(count)]
    r.end()
    return m


def encode_dump_response(m):
    return (u64(m["next_cursor"]) + u16(len(m["changes"])) + u16(0)
            + b"".join(encode_change(c) for c in m["changes"]))


# ---------------------------------------------------------------------------------------------------------------
# mond messages (section 12)

def decode_heartbeat_request(payload):
    r = Reader(payload, "HEARTBEAT request")
    m = {"send_time": r.u64("send time"), "epoch": r.u64("view epoch")}
    r.end()
    return m


def encode_heartbeat_request(m):
    return u64(m["send_time"]) + u64(m["epoch"])


def decode_heartbeat_response(payload):
    r = Reader(payload, "HEARTBEAT response")
    m = {"send_time": r.u64("send time"), "role": r.u8("role"), "state": r.u8("state"), "node_id": r.u16("node id")}
    r.rsvd(4)
    m["data"] = r.u64("data")
    m["epoch"] = r.u64("epoch")
    r.end()
    return m


def encode_heartbeat_response(m):
    return (u64(m["send_time"]) + u8(m["role"]) + u8(m["state"]) + u16(m["node_id"]) + u32(0) + u64(m["data"])
            + u64(m["epoch"]))


VIEW_COUNTERS = ["keys_checked", "bad_replicas", "repairs_done", "repairs_pending"]


def decode_view_or_empty(payload):
    """CLUSTER_VIEW request and response: an empty payload, or a view."""
    if len(payload) == 0:
        return {"view": None}
    r = Reader(payload, "cluster view")
    view = {"epoch": r.u64("epoch")}
    count = r.u16("node count")
    r.rsvd(2)
    r.rsvd(4)
    for name in VIEW_COUNTERS:
        view[name] = r.u64(name)
    view["nodes"] = []
    for i in range(count):
        node = {"node_id": r.u16("node %d id" % i), "role": r.u8("node %d role" % i),
                "state": r.u8("node %d state" % i), "port": r.u16("node %d port" % i)}
        host_length = r.u8("node %d host length" % i)
        r.rsvd(1)
        node["since"] = r.u64("node %d since" % i)
        node["rtt_us"] = r.u32("node %d rtt" % i)
        r.rsvd(4)
        node["data"] = r.u64("node %d data" % i)
        node["host"] = r.ascii(host_length, "node %d host" % i)
        view["nodes"].append(node)
    r.end()
    return {"view": view}


def encode_view_or_empty(m):
    view = m["view"]
    if view is None:
        return b""
    out = u64(view["epoch"]) + u16(len(view["nodes"])) + u16(0) + u32(0)
    out += b"".join(u64(view[name]) for name in VIEW_COUNTERS)
    for node in view["nodes"]:
        host = node["host"].encode("ascii")
        out += (u16(node["node_id"]) + u8(node["role"]) + u8(node["state"]) + u16(node["port"]) + u8(len(host))
                + u8(0) + u64(node["since"]) + u32(node["rtt_us"]) + u32(0) + u64(node["data"]) + host)
    return out


# ---------------------------------------------------------------------------------------------------------------
# Not frames: the value record (section 13)

def decode_value_record(data):
    r = Reader(data, "value record")
    m = {"format": r.u8("format"), "flags": r.u8("flags")}
    key_length = r.u16("key length")
    m["version_node"] = r.u16("version node")
    r.rsvd(2)
    m["version"] = r.u64("version")
    value_length = r.i32_length("value length")
    m["checksum"] = r.u32("value checksum")
    m["key"] = r.key(key_length)
    m["value"] = r.raw(value_length, "value")
    r.end()
    if m["format"] != RECORD_FORMAT:
        raise WireError("value record: format %d, expected %d" % (m["format"], RECORD_FORMAT))
    return m


def encode_value_record(m):
    return (u8(m["format"]) + u8(m["flags"]) + u16(len(m["key"])) + u16(m["version_node"]) + u16(0)
            + u64(m["version"]) + u32(len(m["value"])) + u32(m["checksum"]) + m["key"] + m["value"])


# ---------------------------------------------------------------------------------------------------------------
# Opcode table: (request decoder, request encoder, OK response decoder, OK response encoder)

CODECS = {
    OP["HELLO"]: (decode_hello_request, encode_hello_request, decode_hello_response, encode_hello_response),
    OP["PING"]: (decode_ping, encode_ping, decode_ping, encode_ping),
    OP["INFO"]: (decode_info_request, encode_info_request, decode_info_response, encode_info_response),
    OP["APPEND"]: (decode_append_request, encode_append_request,
                   lambda p: decode_offset(p, "APPEND response"), encode_offset),
    OP["READ"]: (lambda p: decode_offset(p, "READ request"), encode_offset,
                 decode_read_response, encode_read_response),
    OP["STAT"]: (lambda p: decode_empty(p, "STAT request"), encode_empty, decode_stat_response, encode_stat_response),
    OP["SCAN"]: (decode_scan_request, encode_scan_request, decode_scan_response, encode_scan_response),
    OP["GET"]: (lambda p: decode_key_request(p, "GET request"), encode_key_request,
                decode_get_response, encode_get_response),
    OP["SET"]: (lambda p: decode_set_request(p, "SET request"), encode_set_request,
                decode_write_response, encode_write_response),
    OP["SETSAFE"]: (lambda p: decode_set_request(p, "SETSAFE request"), encode_set_request,
                    decode_write_response, encode_write_response),
    OP["DEL"]: (lambda p: decode_key_request(p, "DEL request"), encode_key_request,
                decode_write_response, encode_write_response),
    OP["EXISTS"]: (lambda p: decode_key_request(p, "EXISTS request"), encode_key_request,
                   decode_exists_response, encode_exists_response),
    OP["REPLICATE"]: (decode_replicate_request, encode_replicate_request,
                      lambda p: decode_empty(p, "REPLICATE response"), encode_empty),
    OP["SYNC"]: (decode_sync_request, encode_sync_request, decode_sync_response, encode_sync_response),
    OP["PROBE"]: (decode_probe_request, encode_probe_request, decode_probe_response, encode_probe_response),
    OP["REPAIR"]: (decode_repair_request, encode_repair_request, decode_repair_response, encode_repair_response),
    OP["DUMP"]: (decode_dump_request, encode_dump_request, decode_dump_response, encode_dump_response),
    OP["HEARTBEAT"]: (decode_heartbeat_request, encode_heartbeat_request,
                      decode_heartbeat_response, encode_heartbeat_response),
    OP["CLUSTER_VIEW"]: (decode_view_or_empty, encode_view_or_empty, decode_view_or_empty, encode_view_or_empty),
}


def decode_frame(data):
    """A whole frame: its header fields plus 'kind' (request, ok, not_found, error) and 'body' (the decoded
    payload dict)."""
    header, payload = split_frame(data)
    opcode = header["opcode"]
    status = header["status"]
    frame = dict(header)
    if opcode == OP["ERROR"]:
        # Section 7: an ERROR frame is only ever sent (never a request); it carries the error payload.
        if not header["flags"] & FLAG_RESPONSE or status < ERROR_STATUS_MIN:
            raise WireError("ERROR frame with flags 0x%02x status 0x%04x: expected RESPONSE and an error status"
                            % (header["flags"], status))
        frame["kind"] = "error"
        frame["body"] = decode_error(payload)
    elif header["flags"] & FLAG_RESPONSE and status >= ERROR_STATUS_MIN:
        frame["kind"] = "error"
        frame["body"] = decode_error(payload)
    elif header["flags"] & FLAG_RESPONSE and status == ST["NOT_FOUND"]:
        frame["kind"] = "not_found"
        frame["body"] = decode_empty(payload, "NOT_FOUND response")
    elif header["flags"] & FLAG_RESPONSE and status != ST["OK"]:
        raise WireError("non-error status 0x%04x other than OK and NOT_FOUND" % status)
    else:
        if opcode not in CODECS:
            raise WireError("opcode 0x%02x is not defined in version 1" % opcode)
        is_response = bool(header["flags"] & FLAG_RESPONSE)
        decode_request, _, decode_response, _ = CODECS[opcode]
        frame["kind"] = "ok" if is_response else "request"
        frame["body"] = (decode_response if is_response else decode_request)(payload)
    return frame


def encode_decoded_frame(frame):
    """Re-encodes what decode_frame returned, from its fields alone (the length is recomputed)."""
    kind = frame["kind"]
    if kind == "error":
        payload = encode_error(frame["body"])
    elif kind == "not_found":
        payload = b""
    else:
        _, encode_request, _, encode_response = CODECS[frame["opcode"]]
        payload = (encode_response if kind == "ok" else encode_request)(frame["body"])
    return encode_frame(frame["opcode"], frame["flags"], frame["status"], frame["request_id"], payload)
