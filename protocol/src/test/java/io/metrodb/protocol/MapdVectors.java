package io.metrodb.protocol;

import io.metrodb.protocol.mapd.BadReplicaFlyweight;
import io.metrodb.protocol.mapd.Change;
import io.metrodb.protocol.mapd.ChangeFlyweight;
import io.metrodb.protocol.mapd.DumpRequest;
import io.metrodb.protocol.mapd.DumpResponse;
import io.metrodb.protocol.mapd.EntryResponse;
import io.metrodb.protocol.mapd.KeyRequest;
import io.metrodb.protocol.mapd.ProbeRequest;
import io.metrodb.protocol.mapd.ProbeResponse;
import io.metrodb.protocol.mapd.RepairRequest;
import io.metrodb.protocol.mapd.RepairRequestFlyweight;
import io.metrodb.protocol.mapd.RepairResponse;
import io.metrodb.protocol.mapd.ReplicateRequest;
import io.metrodb.protocol.mapd.SetRequest;
import io.metrodb.protocol.mapd.SyncRequest;
import io.metrodb.protocol.mapd.SyncResponse;
import io.metrodb.protocol.mapd.WriteResponse;
import io.metrodb.protocol.testing.ReplicateFrames;
import io.metrodb.protocol.validation.FrameValidator;

import static io.metrodb.protocol.GoldenVectors.CHECKSUM;
import static io.metrodb.protocol.GoldenVectors.KEY;
import static io.metrodb.protocol.GoldenVectors.LOGDS;
import static io.metrodb.protocol.GoldenVectors.NODE;
import static io.metrodb.protocol.GoldenVectors.OFFSETS;
import static io.metrodb.protocol.GoldenVectors.VALUE;
import static io.metrodb.protocol.GoldenVectors.VERSION;
import static io.metrodb.protocol.GoldenVectors.add;
import static io.metrodb.protocol.GoldenVectors.assertChange;
import static io.metrodb.protocol.GoldenVectors.string;
import static io.metrodb.protocol.GoldenVectors.withFrame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The golden vectors of the mapd (GET, EXISTS, DEL, SET, SETSAFE, REPLICATE, SYNC, PROBE, REPAIR, DUMP) messages; registered in order by {@link GoldenVectors}.
 */
final class MapdVectors
{
    private MapdVectors()
    {
    }

    static void register()
    {
        add("get-request",
            out -> KeyRequest.encode(out, 10, Opcodes.GET, (byte)0, KEY),
            f -> withFrame(f, (buf, at) ->
            {
                assertEquals(StatusCodes.OK, KeyRequest.validate(buf, at));
                assertEquals(Opcodes.GET, FrameHeader.opcode(buf, at));
                assertEquals("user:42", string(buf, KeyRequest.keyIndex(at), KeyRequest.keyLength(buf, at)));
            }));
        add("get-response",
            out -> EntryResponse.encodeGet(out, 10, VERSION, NODE, VALUE),
            f -> withFrame(f, (buf, at) ->
            {
                assertTrue(EntryResponse.isValidGet(buf, at));
                assertEquals(VERSION, EntryResponse.version(buf, at));
                assertEquals(NODE, EntryResponse.versionNode(buf, at));
                assertEquals("hello", string(buf, EntryResponse.valueIndex(at), EntryResponse.valueLength(buf, at)));
            }));
        add("get-not-found",
            out -> FrameHeader.writeResponse(out, 0, Opcodes.GET, StatusCodes.NOT_FOUND, 10),
            f -> withFrame(f, (buf, at) ->
            {
                assertEquals(StatusCodes.NOT_FOUND, FrameHeader.status(buf, at));
                assertTrue(FrameValidator.isValidResponse(buf, at));
            }));
        add("exists-request",
            out -> KeyRequest.encode(out, 11, Opcodes.EXISTS, (byte)0, KEY),
            f -> withFrame(f, (buf, at) -> assertEquals(StatusCodes.OK, KeyRequest.validate(buf, at))));
        add("exists-response",
            out -> EntryResponse.encodeExists(out, 11, VERSION, NODE, VALUE.length),
            f -> withFrame(f, (buf, at) ->
            {
                assertTrue(EntryResponse.isValidExists(buf, at));
                assertEquals(VALUE.length, EntryResponse.valueLength(buf, at));
            }));
        add("del-request",
            out -> KeyRequest.encode(out, 12, Opcodes.DEL, FrameFlags.DURABLE, KEY),
            f -> withFrame(f, (buf, at) ->
            {
                assertEquals(StatusCodes.OK, KeyRequest.validate(buf, at));
                assertTrue(KeyRequest.isDurable(buf, at));
            }));
        add("set-request",
            out -> SetRequest.encode(out, 13, Opcodes.SET, KEY, VALUE),
            f -> withFrame(f, (buf, at) ->
            {
                assertEquals(StatusCodes.OK, SetRequest.validate(buf, at, ProtocolLimits.DEFAULT_MAX_VALUE_LENGTH));
                assertEquals("user:42", string(buf, SetRequest.keyIndex(at), SetRequest.keyLength(buf, at)));
                assertEquals("hello", string(buf, SetRequest.valueIndex(buf, at), SetRequest.valueLength(buf, at)));
            }));
        add("setsafe-request",
            out -> SetRequest.encode(out, 14, Opcodes.SETSAFE, KEY, VALUE),
            f -> withFrame(f, (buf, at) ->
            {
                assertEquals(Opcodes.SETSAFE, FrameHeader.opcode(buf, at));
                assertEquals(StatusCodes.OK, SetRequest.validate(buf, at, ProtocolLimits.DEFAULT_MAX_VALUE_LENGTH));
            }));
        add("set-response",
            out -> WriteResponse.encode(out, Opcodes.SETSAFE, 14, VERSION, NODE, 2, 2, 2),
            f -> withFrame(f, (buf, at) ->
            {
                assertTrue(WriteResponse.isValid(buf, at));
                assertEquals(VERSION, WriteResponse.version(buf, at));
                assertEquals(NODE, WriteResponse.versionNode(buf, at));
                assertEquals(2, WriteResponse.replicas(buf, at));
                assertEquals(2, WriteResponse.peersAcked(buf, at));
                assertEquals(2, WriteResponse.peersLive(buf, at));
            }));
        add("set-not-enough-replicas",
            out -> ErrorPayload.encode(out, Opcodes.SET, StatusCodes.NOT_ENOUGH_REPLICAS, 13, "1 of 2 logds"),
            f -> withFrame(f, (buf, at) ->
            {
                assertEquals(StatusCodes.NOT_ENOUGH_REPLICAS, FrameHeader.status(buf, at));
                assertEquals("1 of 2 logds", ErrorPayload.message(buf, at));
            }));
        add("replicate-request",
            out -> ReplicateFrames.wrapForAppend(out, new ChangeFlyweight(), 15, 42, NODE, KEY.length, 2)
                .version(VERSION).versionNode(NODE).flags(0).valueLength(VALUE.length).checksum(CHECKSUM)
                .key(KEY).replicas(2, LOGDS, OFFSETS)
                .commit(),
            f -> withFrame(f, (buf, at) ->
            {
                assertEquals(StatusCodes.OK, ReplicateRequest.validate(buf, at));
                assertEquals(42, ReplicateRequest.sequence(buf, at));
                assertEquals(NODE, ReplicateRequest.originNode(buf, at));
                assertChange(buf, ReplicateRequest.changeIndex(at));
            }));
        add("replicate-response",
            out -> ReplicateRequest.encodeAck(out, 15),
            f -> withFrame(f, (buf, at) -> assertTrue(ReplicateRequest.isValidAck(buf, at))));
        add("sync-request",
            out -> SyncRequest.encode(out, 16, 40, NODE),
            f -> withFrame(f, (buf, at) ->
            {
                assertEquals(StatusCodes.OK, SyncRequest.validate(buf, at));
                assertEquals(40, SyncRequest.fromSequence(buf, at));
                assertEquals(NODE, SyncRequest.originNode(buf, at));
            }));
        add("sync-response-backlog",
            out ->
            {
                SyncResponse.encodeHeader(out, 16, true, SyncResponse.MODE_BACKLOG, 1, 42,
                    Change.length(KEY.length, 2));
                new ChangeFlyweight().wrapForAppend(out, KEY.length, 2)
                    .version(VERSION).versionNode(NODE).flags(0).valueLength(VALUE.length).checksum(CHECKSUM)
                    .key(KEY).replicas(2, LOGDS, OFFSETS)
                    .commit();
            },
            f -> withFrame(f, (buf, at) ->
            {
                assertTrue(SyncResponse.isValid(buf, at));
                assertTrue(SyncResponse.hasMore(buf, at));
                assertEquals(SyncResponse.MODE_BACKLOG, SyncResponse.mode(buf, at));
                assertEquals(1, SyncResponse.changeCount(buf, at));
                assertEquals(42, SyncResponse.sequence(buf, at));
                assertChange(buf, SyncResponse.firstChangeIndex(at));
            }));
        add("sync-response-end",
            out -> SyncResponse.encodeHeader(out, 16, false, SyncResponse.MODE_BACKLOG, 0, 43, 0),
            f -> withFrame(f, (buf, at) ->
            {
                assertTrue(SyncResponse.isValid(buf, at));
                assertTrue(!SyncResponse.hasMore(buf, at));
                assertEquals(43, SyncResponse.sequence(buf, at));
            }));
        add("probe-request",
            out -> ProbeRequest.encode(out, 17, ProbeRequest.MODE_SCAN, 100, 0),
            f -> withFrame(f, (buf, at) ->
            {
                assertEquals(StatusCodes.OK, ProbeRequest.validate(buf, at));
                assertEquals(ProbeRequest.MODE_SCAN, ProbeRequest.mode(buf, at));
                assertEquals(100, ProbeRequest.maxKeys(buf, at));
            }));
        add("probe-response",
            out ->
            {
                ProbeResponse.encodeHeader(out, 17, 100, 100, 1, ProbeResponse.badReplicaLength(KEY.length));
                new BadReplicaFlyweight().wrapForAppend(out, KEY.length)
                    .logdId(2).reason(StatusCodes.CORRUPT_RECORD).offset(8192).version(VERSION).versionNode(NODE)
                    .key(KEY)
                    .commit();
            },
            f -> withFrame(f, (buf, at) ->
            {
                assertTrue(ProbeResponse.isValid(buf, at));
                assertEquals(100, ProbeResponse.nextCursor(buf, at));
                assertEquals(100, ProbeResponse.checked(buf, at));
                assertEquals(1, ProbeResponse.badCount(buf, at));
                final int bad = ProbeResponse.firstBadIndex(at);
                assertEquals(2, ProbeResponse.badLogdId(buf, bad));
                assertEquals(StatusCodes.CORRUPT_RECORD, ProbeResponse.badReason(buf, bad));
                assertEquals(8192, ProbeResponse.badOffset(buf, bad));
                assertEquals(VERSION, ProbeResponse.badVersion(buf, bad));
                assertEquals(NODE, ProbeResponse.badVersionNode(buf, bad));
                assertEquals("user:42", string(buf, ProbeResponse.badKeyIndex(bad), ProbeResponse.badKeyLength(buf, bad)));
            }));
        add("repair-request",
            out -> new RepairRequestFlyweight().wrapForAppend(out, 18, KEY.length, 1)
                .version(VERSION).versionNode(NODE).key(KEY).badReplicas(1, new short[] {2}, new long[] {8192})
                .commit(),
            f -> withFrame(f, (buf, at) ->
            {
                assertEquals(StatusCodes.OK, RepairRequest.validate(buf, at));
                assertEquals(VERSION, RepairRequest.version(buf, at));
                assertEquals(1, RepairRequest.badCount(buf, at));
                assertEquals(2, RepairRequest.badLogdId(buf, at, 0));
                assertEquals(8192, RepairRequest.badOffset(buf, at, 0));
            }));
        add("repair-response",
            out -> RepairResponse.encode(out, 18, 2, new short[] {1, 4}, new long[] {4096, 512}),
            f -> withFrame(f, (buf, at) ->
            {
                assertTrue(RepairResponse.isValid(buf, at));
                assertEquals(2, RepairResponse.replicaCount(buf, at));
                assertEquals(4, RepairResponse.replicaLogdId(buf, at, 1));
                assertEquals(512, RepairResponse.replicaOffset(buf, at, 1));
            }));
        add("dump-request",
            out -> DumpRequest.encode(out, 19, 0, 1000),
            f -> withFrame(f, (buf, at) ->
            {
                assertEquals(StatusCodes.OK, DumpRequest.validate(buf, at));
                assertEquals(1000, DumpRequest.maxKeys(buf, at));
            }));
        add("dump-response",
            out ->
            {
                DumpResponse.encodeHeader(out, 19, 0, 1, Change.length(KEY.length, 2));
                new ChangeFlyweight().wrapForAppend(out, KEY.length, 2)
                    .version(VERSION).versionNode(NODE).flags(0).valueLength(VALUE.length).checksum(CHECKSUM)
                    .key(KEY).replicas(2, LOGDS, OFFSETS)
                    .commit();
            },
            f -> withFrame(f, (buf, at) ->
            {
                assertTrue(DumpResponse.isValid(buf, at));
                assertEquals(0, DumpResponse.nextCursor(buf, at));
                assertEquals(1, DumpResponse.count(buf, at));
                assertChange(buf, DumpResponse.firstChangeIndex(at));
            }));

    }
}
