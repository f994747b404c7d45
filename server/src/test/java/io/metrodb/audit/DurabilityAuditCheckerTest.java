package io.metrodb.audit;

import io.metrodb.protocol.FrameFlags;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.Preface;
import io.metrodb.protocol.logd.AppendRequest;
import io.metrodb.protocol.logd.OffsetPayload;
import io.metrodb.protocol.mapd.SetRequest;
import io.metrodb.protocol.mapd.ValueRecord;
import io.metrodb.protocol.mapd.WriteResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The durability audit's checker on small hand-written strace logs (the format of {@code strace -f -tt -xx}): a
 * force that covers the acknowledged record, returned before the acknowledgement's write was entered, passes;
 * no force, a force of other bytes or of another file, one still running, or one that promises nothing fails.
 */
class DurabilityAuditCheckerTest
{
    private static final String SEGMENT = "/d/0000000000.seg";
    private static final String MAP = "0x7f0000000000";
    private static final byte[] ENTRY = "entry-0".getBytes(StandardCharsets.UTF_8);
    /** The record of {@link #ENTRY} at offset 0: header and payload. */
    private static final RecordLocation RECORD = new RecordLocation(SEGMENT, 0, 16 + ENTRY.length, ENTRY);

    @Test
    void shouldPassAnAnswerAfterAnMsyncCoveringItsRecord()
    {
        final AuditReport report = logd(List.of(
            "300 10:00:01.000000 msync(" + MAP + ", 4096, MS_SYNC) = 0",
            answer(0, false)));
        assertEquals(1, report.checkedCount(), report.toString());
        assertTrue(report.clean(), report.toString());
    }

    @Test
    void shouldReportAnAnswerWithoutAnyForce()
    {
        final AuditReport report = logd(List.of(answer(0, false)));
        assertEquals(1, report.violations().size(), report.toString());
        assertTrue(report.violations().get(0).contains("no force of " + SEGMENT + " bytes 0..23"), report.toString());
    }

    @Test
    void shouldReportAForceOfOtherBytesOfTheFile()
    {
        final AuditReport report = logd(List.of(
            "300 10:00:01.000000 msync(0x7f0000001000, 4096, MS_SYNC) = 0",
            answer(0, false)));
        assertEquals(1, report.violations().size(), report.toString());
    }

    @Test
    void shouldReportAForceThatEndsInsideTheRecord()
    {
        final AuditReport report = logd(List.of(
            "300 10:00:01.000000 msync(" + MAP + ", 20, MS_SYNC) = 0",
            answer(0, false)));
        assertEquals(1, report.violations().size(), report.toString());
    }

    @Test
    void shouldReportAForceOfAnotherFile()
    {
        final AuditReport report = logd(List.of(
            "100 10:00:01.000000 openat(AT_FDCWD, \"" + hex("/d/0000000001.seg") + "\", O_RDWR) = 9",
            "100 10:00:01.000001 mmap(NULL, 65536, PROT_READ|PROT_WRITE, MAP_SHARED, 9, 0) = 0x7f0000100000",
            "100 10:00:01.000002 close(9) = 0",
            "300 10:00:01.000003 msync(0x7f0000100000, 4096, MS_SYNC) = 0",
            answer(0, false)));
        assertEquals(1, report.violations().size(), report.toString());
    }

    @Test
    void shouldReportAForceThatHadNotReturnedWhenTheAnswerLeft()
    {
        final AuditReport report = logd(List.of(
            "300 10:00:01.000000 msync(" + MAP + ", 4096, MS_SYNC <unfinished ...>",
            answer(0, false),
            "300 10:00:01.000900 <... msync resumed>) = 0"));
        assertEquals(1, report.violations().size(), report.toString());
        assertTrue(report.violations().get(0).contains("first force of these bytes after: msync"), report.toString());
    }

    @Test
    void shouldReportAForceThatFailed()
    {
        final AuditReport report = logd(List.of(
            "300 10:00:01.000000 msync(" + MAP + ", 4096, MS_SYNC) = -1 EIO (Input/output error)",
            answer(0, false)));
        assertEquals(1, report.violations().size(), report.toString());
    }

    @Test
    void shouldNotCountWriteBackThatPromisesNothing()
    {
        final AuditReport report = logd(List.of(
            "100 10:00:01.000000 openat(AT_FDCWD, \"" + hex(SEGMENT) + "\", O_RDWR) = 9",
            "300 10:00:01.000001 msync(" + MAP + ", 4096, MS_ASYNC) = 0",
            "300 10:00:01.000002 sync_file_range(9, 0, 4096, SYNC_FILE_RANGE_WRITE) = 0",
            answer(0, false)));
        assertEquals(1, report.violations().size(), report.toString());
    }

    @Test
    void shouldCountAnFdatasyncOfTheFile()
    {
        final AuditReport report = logd(List.of(
            "100 10:00:01.000000 openat(AT_FDCWD, \"" + hex(SEGMENT) + "\", O_RDWR) = 9",
            "300 10:00:01.000001 fdatasync(9)           = 0",
            answer(0, false)));
        assertTrue(report.clean(), report.toString());
    }

    @Test
    void shouldNotCountAnMsyncThroughAMappingThatWasUnmapped()
    {
        final AuditReport report = logd(List.of(
            "300 10:00:01.000000 munmap(" + MAP + ", 65536) = 0",
            "300 10:00:01.000001 msync(" + MAP + ", 4096, MS_SYNC) = 0",
            answer(0, false)));
        assertEquals(1, report.violations().size(), report.toString());
    }

    @Test
    void shouldHoldAnOffsetFirstAppendOnlyToItsSecondAnswer()
    {
        final AuditReport report = logd(true, List.of(
            answer(0, true),
            "300 10:00:01.000001 msync(" + MAP + ", 4096, MS_SYNC) = 0",
            answer(0, false)), RECORD);
        assertEquals(1, report.checkedCount(), report.toString());
        assertTrue(report.clean(), report.toString());
    }

    @Test
    void shouldCheckAnAnswerSplitOverTwoWritesFromItsFirstByte()
    {
        final byte[] frame = appendAnswer(0, false);
        final AuditReport report = logd(List.of(
            "200 10:00:01.000000 write(7, \"" + hex(Arrays.copyOf(frame, 10)) + "\", 10) = 10",
            "300 10:00:01.000001 msync(" + MAP + ", 4096, MS_SYNC) = 0",
            "200 10:00:01.000002 writev(7, [{iov_base=\"" + hex(Arrays.copyOfRange(frame, 10, 20)) +
                "\", iov_len=10}, {iov_base=\"" + hex(Arrays.copyOfRange(frame, 20, frame.length)) +
                "\", iov_len=" + (frame.length - 20) + "}], 2) = " + (frame.length - 10)));
        assertEquals(1, report.checkedCount(), report.toString());
        assertEquals(1, report.violations().size(), report.toString());
    }

    @Test
    void shouldReportARecordThatIsNotTheEntryTheRequestCarried()
    {
        final AuditReport report = logd(false, List.of(
            "300 10:00:01.000000 msync(" + MAP + ", 4096, MS_SYNC) = 0",
            answer(0, false)), new RecordLocation(SEGMENT, 0, 23, "other-0".getBytes(StandardCharsets.UTF_8)));
        assertEquals(1, report.violations().size(), report.toString());
        assertTrue(report.violations().get(0).contains("not the entry"), report.toString());
    }

    @Test
    void shouldRefuseATraceWhoseDataWasCutShort()
    {
        final List<String> lines = new ArrayList<>(base(false));
        lines.add("200 10:00:01.000000 write(7, \"\\x00\\x00\"..., 24) = 24");
        assertThrows(StraceArgs.TruncatedException.class, () -> TraceModel.of(StraceParser.parse(lines)));
    }

    @Test
    void shouldPassASetSafeAnsweredAfterItsJournalForceAndBothLogdsForced()
    {
        final AuditReport report = mapd(List.of(logdFinal(9), logdFinal(10), journalForce(), setSafeAnswer()));
        assertEquals(1, report.checkedCount(), report.toString());
        assertTrue(report.clean(), report.toString());
    }

    @Test
    void shouldReportASetSafeAnsweredBeforeTheSecondLogdForced()
    {
        final AuditReport report = mapd(List.of(logdFinal(9), journalForce(), setSafeAnswer(), logdFinal(10)));
        assertEquals(1, report.violations().size(), report.toString());
        assertTrue(report.violations().get(0).contains("only 1 of 2 logd"), report.toString());
    }

    @Test
    void shouldReportASetSafeAnsweredOnTheLogdsOffsetsAlone()
    {
        final AuditReport report = mapd(List.of(journalForce(), setSafeAnswer()));
        assertEquals(1, report.violations().size(), report.toString());
        assertTrue(report.violations().get(0).contains("only 0 of 2 logd"), report.toString());
    }

    @Test
    void shouldReportASetSafeAnsweredBeforeItsJournalEntryWasForced()
    {
        final AuditReport report = mapd(List.of(logdFinal(9), logdFinal(10), setSafeAnswer(), journalForce()));
        assertEquals(1, report.violations().size(), report.toString());
        assertTrue(report.violations().get(0).contains("no force of its journal entry"), report.toString());
    }

    private static AuditReport logd(final List<String> events)
    {
        return logd(false, events, RECORD);
    }

    private static AuditReport logd(final boolean offsetFirst, final List<String> events, final RecordLocation record)
    {
        final List<String> lines = new ArrayList<>(base(offsetFirst));
        lines.addAll(events);
        final TraceModel model = TraceModel.of(StraceParser.parse(lines));
        return LogdAudit.check(model, offset -> offset == 0 ? record : null);
    }

    /**
     * A segment file mapped at {@link #MAP} and a client's durable APPEND of {@link #ENTRY} on fd 7.
     */
    private static List<String> base(final boolean offsetFirst)
    {
        final byte[] request = bytes(out ->
        {
            Preface.write(out);
            FrameHeader.writeRequest(out, AppendRequest.ENTRY_OFFSET + ENTRY.length, Opcodes.APPEND,
                (byte)(FrameFlags.DURABLE | (offsetFirst ? FrameFlags.MORE : 0)), 0);
            out.writeInt(ENTRY.length);
            out.writeBytes(ENTRY);
        });
        return List.of(
            "100 10:00:00.000001 openat(AT_FDCWD, \"" + hex(SEGMENT) + "\", O_RDWR|O_CLOEXEC) = 5",
            "100 10:00:00.000002 mmap(NULL, 65536, PROT_READ|PROT_WRITE, MAP_SHARED, 5, 0) = " + MAP,
            "100 10:00:00.000003 close(5)                = 0",
            "200 10:00:00.000004 accept4(4, {sa_family=AF_INET, sin_port=htons(40000), sin_addr=inet_addr(\"" +
                hex("127.0.0.1") + "\")}, [16], SOCK_CLOEXEC|SOCK_NONBLOCK) = 7",
            "200 10:00:00.000005 read(7, \"" + hex(request) + "\", 65536) = " + request.length);
    }

    private static String answer(final long offset, final boolean offsetFirst)
    {
        final byte[] frame = appendAnswer(offset, offsetFirst);
        return "200 10:00:02.000000 write(7, \"" + hex(frame) + "\", " + frame.length + ") = " + frame.length;
    }

    private static byte[] appendAnswer(final long offset, final boolean offsetFirst)
    {
        return bytes(out ->
        {
            if (offsetFirst)
            {
                OffsetPayload.encodeAppendOffsetFirst(out, 0, offset);
            }
            else
            {
                OffsetPayload.encodeAppendResponse(out, 0, offset);
            }
        });
    }

    private static final String JOURNAL = "/m/journal/0000000000.seg";
    private static final String KEY = "key-1";

    private static AuditReport mapd(final List<String> events)
    {
        final byte[] setSafe = bytes(out ->
        {
            Preface.write(out);
            SetRequest.encode(out, 5, Opcodes.SETSAFE, KEY.getBytes(StandardCharsets.UTF_8),
                "v".getBytes(StandardCharsets.UTF_8));
        });
        final List<String> lines = new ArrayList<>(List.of(
            "100 10:00:00.000001 openat(AT_FDCWD, \"" + hex(JOURNAL) + "\", O_RDWR) = 5",
            "100 10:00:00.000002 mmap(NULL, 65536, PROT_READ|PROT_WRITE, MAP_SHARED, 5, 0) = " + MAP,
            "100 10:00:00.000003 close(5)                = 0",
            "200 10:00:00.000004 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_IP) = 9",
            "200 10:00:00.000005 connect(9, {sa_family=AF_INET, sin_port=htons(7558)}, 16) = -1 EINPROGRESS " +
                "(Operation now in progress)",
            "200 10:00:00.000006 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_IP) = 10",
            "200 10:00:00.000007 connect(10, {sa_family=AF_INET, sin_port=htons(7559)}, 16) = -1 EINPROGRESS " +
                "(Operation now in progress)",
            "200 10:00:00.000008 accept4(4, {sa_family=AF_INET}, [16], SOCK_CLOEXEC|SOCK_NONBLOCK) = 7",
            "200 10:00:00.000009 read(7, \"" + hex(setSafe) + "\", 65536) = " + setSafe.length,
            logdAppend(9),
            logdAppend(10),
            logdOffset(9),
            logdOffset(10)));
        lines.addAll(events);
        final TraceModel model = TraceModel.of(StraceParser.parse(lines));
        return MapdAudit.check(model, 2,
            key -> KEY.equals(key) ? new RecordLocation(JOURNAL, 0, 64, new byte[0]) : null);
    }

    private static String logdAppend(final int fd)
    {
        final byte[] record = new byte[ValueRecord.HEADER_LENGTH + KEY.length() + 1];
        record[ValueRecord.FORMAT_OFFSET] = ValueRecord.FORMAT_V1;
        record[ValueRecord.KEY_LENGTH_OFFSET + 1] = (byte)KEY.length();
        System.arraycopy(KEY.getBytes(StandardCharsets.UTF_8), 0, record, ValueRecord.KEY_OFFSET, KEY.length());
        final byte[] frame = bytes(out ->
        {
            Preface.write(out);
            FrameHeader.writeRequest(out, AppendRequest.ENTRY_OFFSET + record.length, Opcodes.APPEND,
                (byte)(FrameFlags.DURABLE | FrameFlags.MORE), 1);
            out.writeInt(record.length);
            out.writeBytes(record);
        });
        return "201 10:00:00.000010 writev(" + fd + ", [{iov_base=\"" + hex(frame) + "\", iov_len=" + frame.length +
            "}], 1) = " + frame.length;
    }

    private static String logdOffset(final int fd)
    {
        final byte[] frame = bytes(out -> OffsetPayload.encodeAppendOffsetFirst(out, 1, 4096));
        return "201 10:00:00.000011 read(" + fd + ", \"" + hex(frame) + "\", 65536) = " + frame.length;
    }

    private static String logdFinal(final int fd)
    {
        final byte[] frame = bytes(out -> OffsetPayload.encodeAppendResponse(out, 1, 4096));
        return "201 10:00:00.000012 read(" + fd + ", \"" + hex(frame) + "\", 65536) = " + frame.length;
    }

    private static String journalForce()
    {
        return "300 10:00:00.000013 msync(" + MAP + ", 4096, MS_SYNC) = 0";
    }

    private static String setSafeAnswer()
    {
        final byte[] frame = bytes(out -> WriteResponse.encode(out, Opcodes.SETSAFE, 5, 1L << 20, 7, 2, 0, 0));
        return "200 10:00:00.000014 write(7, \"" + hex(frame) + "\", " + frame.length + ") = " + frame.length;
    }

    private static byte[] bytes(final Consumer<ByteBuf> encoder)
    {
        final ByteBuf buf = Unpooled.buffer();
        encoder.accept(buf);
        final byte[] bytes = ByteBufUtil.getBytes(buf);
        buf.release();
        return bytes;
    }

    private static String hex(final String text)
    {
        return hex(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @return the bytes as {@code strace -xx} prints them.
     */
    private static String hex(final byte[] bytes)
    {
        final StringBuilder text = new StringBuilder();
        for (final byte b : bytes)
        {
            text.append(String.format("\\x%02x", b & 0xFF));
        }
        return text.toString();
    }
}
