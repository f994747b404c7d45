package io.metrodb.audit;

import io.metrodb.protocol.FrameFlags;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.logd.AppendRequest;
import io.metrodb.protocol.logd.OffsetPayload;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * A logd's durable APPENDs: every OK answer to a DURABLE APPEND (the answer without {@link FrameFlags#MORE}; an
 * offset-first APPEND's first answer promises nothing) that left on a client's connection must have been preceded
 * by forces, returned before the write that carried the answer was entered, covering the record at the answered
 * offset. The record is read from the segment files after the run, and must hold the entry the request carried.
 */
final class LogdAudit
{
    private LogdAudit()
    {
    }

    /**
     * @param records the record at a log offset, or null when there is none.
     */
    static AuditReport check(final TraceModel model, final LongFunction<RecordLocation> records)
    {
        final AuditReport report = new AuditReport("logd durable APPEND");
        final ForceLedger ledger = new ForceLedger(model.forces());
        for (final TraceModel.Connection connection : model.connections())
        {
            if (!connection.inbound())
            {
                continue;
            }
            noteErrors(report, connection);
            final Map<Long, Frame> requests = new HashMap<>();
            for (final Frame frame : connection.in().frames())
            {
                if (frame.opcode() == Opcodes.APPEND && !frame.isResponse())
                {
                    requests.put(frame.requestId(), frame);
                }
            }
            for (final Frame answer : connection.out().frames())
            {
                if (answer.opcode() != Opcodes.APPEND || !answer.isResponse() || answer.hasFlag(FrameFlags.MORE) ||
                    answer.status() != StatusCodes.OK)
                {
                    continue;
                }
                final Frame request = requests.get(answer.requestId());
                if (request == null || !request.hasFlag(FrameFlags.DURABLE))
                {
                    continue;
                }
                report.checked();
                checkAnswer(report, ledger, records, connection, request, answer);
            }
        }
        return report;
    }

    static void noteErrors(final AuditReport report, final TraceModel.Connection connection)
    {
        if (connection.in().error() != null || connection.out().error() != null)
        {
            report.note("connection " + connection.id() + " (fd " + connection.fd() + "): stopped decoding: " +
                (connection.in().error() != null ? connection.in().error() : connection.out().error()));
        }
    }

    private static void checkAnswer(
        final AuditReport report,
        final ForceLedger ledger,
        final LongFunction<RecordLocation> records,
        final TraceModel.Connection connection,
        final Frame request,
        final Frame answer)
    {
        final long offset = OffsetPayload.offset(answer.buffer(), 0);
        final String what = "APPEND request " + answer.requestId() + " on connection " + connection.id() + " (fd " +
            connection.fd() + "), answered offset " + offset + " at trace line " + (answer.firstLine() + 1);
        final RecordLocation record = records.apply(offset);
        if (record == null)
        {
            report.violation(what + ": no record at that offset in the segment files");
            return;
        }
        final int entryIndex = AppendRequest.entryIndex(0);
        final byte[] entry = Arrays.copyOfRange(request.bytes(), entryIndex,
            entryIndex + AppendRequest.entryLength(request.buffer(), 0));
        if (!Arrays.equals(entry, record.payload()))
        {
            report.violation(what + ": the record there is not the entry this request carried");
            return;
        }
        if (!ledger.covered(record.file(), record.from(), record.to(), answer.firstLine()))
        {
            report.violation(what + ": no force of " + record.file() + " bytes " + record.from() + ".." + record.to() +
                " had returned (" + ledger.near(record.file(), record.from(), record.to(), answer.firstLine()) + ")");
        }
    }
}
