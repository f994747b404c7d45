package io.metrodb.protocol;

import io.metrodb.protocol.logd.AppendRequest;
import io.metrodb.protocol.logd.OffsetPayload;
import io.metrodb.protocol.logd.ReadResponse;
import io.metrodb.protocol.logd.ScanRequest;
import io.metrodb.protocol.logd.ScanResponse;
import io.metrodb.protocol.logd.StatResponse;
import io.netty.buffer.Unpooled;

import static io.metrodb.protocol.GoldenVectors.VALUE;
import static io.metrodb.protocol.GoldenVectors.add;
import static io.metrodb.protocol.GoldenVectors.string;
import static io.metrodb.protocol.GoldenVectors.withFrame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The golden vectors of the logd (APPEND, READ, STAT, SCAN) messages; registered in order by {@link GoldenVectors}.
 */
final class LogdVectors
{
    private LogdVectors()
    {
    }

    static void register()
    {
        add("append-request",
            out -> AppendRequest.encode(out, 3, true, VALUE),
            f -> withFrame(f, (buf, at) ->
            {
                assertEquals(StatusCodes.OK, AppendRequest.validate(buf, at));
                assertTrue(AppendRequest.isDurable(buf, at));
                assertEquals(VALUE.length, AppendRequest.entryLength(buf, at));
                assertEquals("hello", string(buf, AppendRequest.entryIndex(at), VALUE.length));
            }));
        add("append-response",
            out -> OffsetPayload.encodeAppendResponse(out, 3, 4096),
            f -> withFrame(f, (buf, at) -> assertEquals(4096, OffsetPayload.offset(buf, at))));
        add("append-storage-full",
            out -> ErrorPayload.encode(out, Opcodes.APPEND, StatusCodes.STORAGE_FULL, 3, "disk full"),
            f -> withFrame(f, (buf, at) ->
            {
                assertEquals(StatusCodes.STORAGE_FULL, FrameHeader.status(buf, at));
                assertEquals("disk full", ErrorPayload.message(buf, at));
            }));
        add("read-request",
            out -> OffsetPayload.encodeReadRequest(out, 4, 4096),
            f -> withFrame(f, (buf, at) ->
            {
                assertEquals(StatusCodes.OK, OffsetPayload.validate(buf, at));
                assertEquals(4096, OffsetPayload.offset(buf, at));
            }));
        add("read-response",
            out -> ReadResponse.encode(out, 4, VALUE),
            f -> withFrame(f, (buf, at) ->
            {
                assertTrue(ReadResponse.isValid(buf, at));
                assertEquals("hello", string(buf, ReadResponse.entryIndex(at), ReadResponse.entryLength(buf, at)));
            }));
        add("read-corrupt",
            out -> ErrorPayload.encode(out, Opcodes.READ, StatusCodes.CORRUPT_RECORD, 4, ""),
            f -> withFrame(f, (buf, at) -> assertEquals(StatusCodes.CORRUPT_RECORD, FrameHeader.status(buf, at))));
        add("stat-request",
            out -> StatResponse.encodeRequest(out, 5),
            f -> withFrame(f, (buf, at) -> assertEquals(0, FrameHeader.payloadLength(buf, at))));
        add("stat-response",
            out -> StatResponse.encode(out, 5, 8192, 4096, 1, 128 << 20, 128 << 20, 100, 50, 10, 40, 8),
            f -> withFrame(f, (buf, at) ->
            {
                assertTrue(StatResponse.isValid(buf, at));
                assertEquals(8192, StatResponse.tailOffset(buf, at));
                assertEquals(4096, StatResponse.durableOffset(buf, at));
                assertEquals(1, StatResponse.segments(buf, at));
                assertEquals(128 << 20, StatResponse.segmentLength(buf, at));
                assertEquals(128 << 20, StatResponse.bytes(buf, at));
                assertEquals(100, StatResponse.appends(buf, at));
                assertEquals(50, StatResponse.reads(buf, at));
                assertEquals(10, StatResponse.forces(buf, at));
                assertEquals(40, StatResponse.durableAppends(buf, at));
                assertEquals(8, StatResponse.groupCommits(buf, at));
            }));
        add("scan-request",
            out -> ScanRequest.encode(out, 6, 0, 65536, 100),
            f -> withFrame(f, (buf, at) ->
            {
                assertEquals(StatusCodes.OK, ScanRequest.validate(buf, at));
                assertEquals(0, ScanRequest.fromOffset(buf, at));
                assertEquals(65536, ScanRequest.maxBytes(buf, at));
                assertEquals(100, ScanRequest.maxRecords(buf, at));
            }));
        add("scan-response",
            out ->
            {
                ScanResponse.encodeHeader(out, 6, 32, 1, ScanResponse.RECORD_HEADER_LENGTH + VALUE.length);
                ScanResponse.writeRecord(out, 0, Unpooled.wrappedBuffer(VALUE), 0, VALUE.length);
            },
            f -> withFrame(f, (buf, at) ->
            {
                assertTrue(ScanResponse.isValid(buf, at));
                assertEquals(32, ScanResponse.nextOffset(buf, at));
                assertEquals(1, ScanResponse.count(buf, at));
                final int record = ScanResponse.firstRecordIndex(at);
                assertEquals(0, ScanResponse.recordOffset(buf, record));
                assertEquals("hello", string(buf, ScanResponse.recordBytesIndex(record), VALUE.length));
            }));
    }
}
