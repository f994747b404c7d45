package io.metrodb.audit;

import io.metrodb.protocol.FrameFlags;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.logd.AppendRequest;
import io.metrodb.protocol.mapd.SetRequest;
import io.metrodb.protocol.mapd.ValueRecord;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A mapd's SETSAFEs: before an OK answer to a SETSAFE left on a client's connection (the write carrying it was
 * entered), the mapd must have read, on at least {@code replicas} distinct logd connections, the final OK answer
 * (no {@link FrameFlags#MORE}) to a DURABLE APPEND of a value record with that key, and forces of the mapd's own
 * journal covering the journal entry of that key must have returned.
 */
final class MapdAudit
{
    private MapdAudit()
    {
    }

    /**
     * @param replicas how many logds must have acknowledged a forced record (the mapd's RF).
     * @param journal  the journal entry of a key, or null when there is none.
     */
    static AuditReport check(final TraceModel model, final int replicas, final Function<String, RecordLocation> journal)
    {
        final AuditReport report = new AuditReport("mapd SETSAFE");
        final ForceLedger ledger = new ForceLedger(model.forces());
        final Map<String, List<int[]>> logdAcks = logdAcknowledgements(model, report);
        for (final TraceModel.Connection connection : model.connections())
        {
            if (!connection.inbound())
            {
                continue;
            }
            LogdAudit.noteErrors(report, connection);
            final Map<Long, String> keys = new HashMap<>();
            for (final Frame frame : connection.in().frames())
            {
                if (frame.opcode() == Opcodes.SETSAFE && !frame.isResponse())
                {
                    final int keyLength = frame.buffer().getUnsignedShort(FrameHeader.HEADER_LENGTH +
                        SetRequest.KEY_LENGTH_OFFSET);
                    keys.put(frame.requestId(), text(frame.bytes(), FrameHeader.HEADER_LENGTH + SetRequest.KEY_OFFSET,
                        keyLength));
                }
            }
            for (final Frame answer : connection.out().frames())
            {
                if (answer.opcode() != Opcodes.SETSAFE || !answer.isResponse() || answer.status() != StatusCodes.OK)
                {
                    continue;
                }
                final String key = keys.get(answer.requestId());
                if (key == null)
                {
                    report.violation("SETSAFE answer " + answer.requestId() + " at trace line " +
                        (answer.firstLine() + 1) + " answers no SETSAFE request seen on its connection");
                    continue;
                }
                report.checked();
                checkAnswer(report, ledger, logdAcks, replicas, journal, key, answer);
            }
        }
        return report;
    }

    private static void checkAnswer(
        final AuditReport report,
        final ForceLedger ledger,
        final Map<String, List<int[]>> logdAcks,
        final int replicas,
        final Function<String, RecordLocation> journal,
        final String key,
        final Frame answer)
    {
        final String what = "SETSAFE of key " + key + " answered OK at trace line " + (answer.firstLine() + 1);
        final Set<Integer> logds = new HashSet<>();
        for (final int[] ack : logdAcks.getOrDefault(key, List.of()))
        {
            if (ack[1] < answer.firstLine())
            {
                logds.add(ack[0]);
            }
        }
        if (logds.size() < replicas)
        {
            report.violation(what + ": only " + logds.size() + " of " + replicas +
                " logd connections had answered that the record was forced (" +
                logdAcks.getOrDefault(key, List.of()).size() + " such answers in the whole trace)");
        }
        final RecordLocation entry = journal.apply(key);
        if (entry == null)
        {
            report.violation(what + ": no journal entry for it in the journal files");
        }
        else if (!ledger.covered(entry.file(), entry.from(), entry.to(), answer.firstLine()))
        {
            report.violation(what + ": no force of its journal entry (" + entry.file() + " bytes " + entry.from() +
                ".." + entry.to() + ") had returned (" + ledger.near(entry.file(), entry.from(), entry.to(),
                answer.firstLine()) + ")");
        }
    }

    /**
     * @return by key: {connection id, trace line} of every final OK answer the mapd read to a DURABLE APPEND of a
     * value record with that key, on the connections it opened.
     */
    private static Map<String, List<int[]>> logdAcknowledgements(final TraceModel model, final AuditReport report)
    {
        final Map<String, List<int[]>> acks = new HashMap<>();
        for (final TraceModel.Connection connection : model.connections())
        {
            if (connection.inbound())
            {
                continue;
            }
            LogdAudit.noteErrors(report, connection);
            final Map<Long, String> keys = new HashMap<>();
            for (final Frame frame : connection.out().frames())
            {
                if (frame.opcode() == Opcodes.APPEND && !frame.isResponse() && frame.hasFlag(FrameFlags.DURABLE))
                {
                    final int record = AppendRequest.entryIndex(0);
                    final int keyLength = frame.buffer().getUnsignedShort(record + ValueRecord.KEY_LENGTH_OFFSET);
                    keys.put(frame.requestId(), text(frame.bytes(), record + ValueRecord.KEY_OFFSET, keyLength));
                }
            }
            for (final Frame frame : connection.in().frames())
            {
                final String key = keys.get(frame.requestId());
                if (frame.opcode() == Opcodes.APPEND && frame.isResponse() && !frame.hasFlag(FrameFlags.MORE) &&
                    frame.status() == StatusCodes.OK && key != null)
                {
                    acks.computeIfAbsent(key, k -> new ArrayList<>())
                        .add(new int[]{ connection.id(), frame.lastLine() });
                }
            }
        }
        return acks;
    }

    private static String text(final byte[] bytes, final int index, final int length)
    {
        return new String(bytes, index, length, StandardCharsets.UTF_8);
    }
}
