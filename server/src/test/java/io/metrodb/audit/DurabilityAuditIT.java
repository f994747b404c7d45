package io.metrodb.audit;

import io.metrodb.mapd.MapdClient;
import io.metrodb.mapd.store.GridJournal;
import io.metrodb.mapd.store.JournalEntry;
import io.metrodb.protocol.FrameFlags;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.ChangeFlyweight;
import io.metrodb.protocol.logd.AppendRequest;
import io.metrodb.testing.Await;
import io.metrodb.testing.SocketClient;
import io.metrodb.testing.TestCluster;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Durability below the page cache, proved from outside the code (docs/RELIABILITY.md): a logd, then a mapd, run
 * under {@code strace -f} while a client makes durable writes, each with a value of its own; the trace shows that
 * before every acknowledgement left on the client's socket, forces covering that write's bytes had returned
 * ({@link LogdAudit}, {@link MapdAudit}). Skips, printing why, where strace cannot trace (no strace, ptrace refused)
 * or when {@code METRODB_SKIP_DURABILITY_AUDIT=1} (bin/verify sets it for its second JDK pass: once per suite).
 * {@code -Ddurability.audit.writes} sets the number of writes of each part (default 2000),
 * {@code -Ddurability.audit.seed} the seed of the value lengths.
 */
class DurabilityAuditIT
{
    private static final int WRITES = Integer.getInteger("durability.audit.writes", 2000);
    private static final int BROKEN_WRITES = 200;
    private static final int BATCH = 50;
    private static final int LOGD_SEGMENT = 64 * 1024;
    private static final List<String> JVM = List.of("-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    @TempDir
    Path root;

    @BeforeAll
    static void requireStrace()
    {
        String reason = "1".equals(System.getenv("METRODB_SKIP_DURABILITY_AUDIT")) ?
            "METRODB_SKIP_DURABILITY_AUDIT=1 (it ran once in this suite)" : null;
        if (reason == null)
        {
            reason = Strace.unavailableReason();
        }
        if (reason != null)
        {
            System.out.println("durability audit: skipped: " + reason);
        }
        Assumptions.assumeTrue(reason == null, reason);
    }

    @Test
    void shouldForceEveryDurableAppendBeforeItsAcknowledgementLeaves() throws Exception
    {
        final long seed = Long.getLong("durability.audit.seed", System.nanoTime());
        final int[] acknowledged = new int[1];
        final AuditReport report = auditLogd(JVM, WRITES, seed, acknowledged);
        assertEquals(acknowledged[0], report.checkedCount(), "every acknowledged durable APPEND is found in the " +
            "trace (seed " + seed + ")\n" + report);
        assertTrue(report.clean(), "seed " + seed + "\n" + report);
    }

    /**
     * The audit itself, against a logd broken on purpose: {@code -Dmetrodb.fault.skipForce=true} acknowledges
     * durable appends without msync. Every acknowledgement must be reported.
     */
    @Test
    void shouldReportEveryAcknowledgementOfALogdThatSkipsItsForces() throws Exception
    {
        final long seed = Long.getLong("durability.audit.seed", System.nanoTime());
        final List<String> broken = new ArrayList<>(JVM);
        broken.add("-Dmetrodb.fault.skipForce=true");
        final int[] acknowledged = new int[1];
        final AuditReport report = auditLogd(broken, BROKEN_WRITES, seed, acknowledged);
        assertEquals(BROKEN_WRITES, acknowledged[0], "the broken logd still acknowledges (seed " + seed + ")");
        assertEquals(acknowledged[0], report.violations().size(), "every acknowledgement without a force is " +
            "reported (seed " + seed + ")\n" + report);
    }

    private AuditReport auditLogd(final List<String> jvm, final int writes, final long seed, final int[] acknowledged)
        throws Exception
    {
        final Path dir = root.resolve("logd").toAbsolutePath();
        final long startNs = System.nanoTime();
        try (Strace logd = Strace.start("logd", root, jvm, "logd", "--dir", dir.toString(), "--port", "0",
            "--segment-size", Integer.toString(LOGD_SEGMENT)))
        {
            acknowledged[0] = appendDurably(logd.port(), writes, seed);
            logd.stop();
            return audit(logd, model -> LogdAudit.check(model, offset -> LogFiles.recordAt(dir, LOGD_SEGMENT, offset)),
                startNs);
        }
    }

    @Test
    void shouldForceJournalAndReplicasBeforeEverySetSafeAnswer() throws Exception
    {
        final long seed = Long.getLong("durability.audit.seed", System.nanoTime());
        final Path mapdDir = root.resolve("mapd").toAbsolutePath();
        final long startNs = System.nanoTime();
        try (TestCluster cluster = TestCluster.builder(root.resolve("cluster")).logds(2).start())
        {
            final StringBuilder logds = new StringBuilder();
            for (final int port : cluster.logdPorts())
            {
                logds.append(logds.length() == 0 ? "" : ",").append(TestCluster.HOST).append(':').append(port);
            }
            try (Strace mapd = Strace.start("mapd", root, JVM, "mapd", "--dir", mapdDir.toString(), "--port", "0",
                "--node-id", "7", "--logds", logds.toString(), "--rf", "2"))
            {
                final int acknowledged = setSafes(mapd.port(), seed);
                mapd.stop();
                final Map<String, RecordLocation> journal = LogFiles.recordsByKey(
                    mapdDir.resolve(GridJournal.DIRECTORY), GridJournal.SEGMENT_LENGTH, DurabilityAuditIT::journalKey);
                final AuditReport report = audit(mapd, model -> MapdAudit.check(model, 2, journal::get), startNs);
                assertEquals(acknowledged, report.checkedCount(), "every acknowledged SETSAFE is found in the trace " +
                    "(seed " + seed + ")\n" + report);
                assertTrue(report.clean(), "seed " + seed + "\n" + report);
            }
        }
    }

    private interface Check
    {
        AuditReport run(TraceModel model);
    }

    private static AuditReport audit(final Strace traced, final Check check, final long startNs) throws Exception
    {
        final long parseNs = System.nanoTime();
        final TraceModel model = TraceModel.of(StraceParser.parse(traced.trace()));
        final AuditReport report = check.run(model);
        System.out.println("durability audit: " + report + "\n  (" + model.syscalls() + " syscalls, " +
            model.forces().size() + " forces, trace " + traced.trace().toFile().length() / 1024 + " KiB; start " +
            traced.startMs() + " ms, run " + TimeUnit.NANOSECONDS.toMillis(parseNs - startNs) + " ms, audit " +
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - parseNs) + " ms)");
        return report;
    }

    /**
     * Durable APPENDs in pipelined batches, every other one offset first (two answers).
     *
     * @return how many were acknowledged OK (all of them, or the test fails).
     */
    private static int appendDurably(final int port, final int writes, final long seed) throws Exception
    {
        final Random random = new Random(seed);
        int acknowledged = 0;
        try (SocketClient client = SocketClient.connectWithHello(TestCluster.HOST, port, null))
        {
            client.lastHello().release();
            for (int first = 0; first < writes; first += BATCH)
            {
                final int count = Math.min(BATCH, writes - first);
                final int from = first;
                client.send(out ->
                {
                    for (int i = from; i < from + count; i++)
                    {
                        final byte[] entry = value("logd", i, seed, random);
                        final byte flags = (byte)(FrameFlags.DURABLE | (i % 2 == 0 ? FrameFlags.MORE : 0));
                        FrameHeader.writeRequest(out, AppendRequest.ENTRY_OFFSET + entry.length, Opcodes.APPEND, flags,
                            i);
                        out.writeInt(entry.length);
                        out.writeBytes(entry);
                    }
                });
                int finals = 0;
                while (finals < count)
                {
                    final ByteBuf frame = client.readFrame();
                    try
                    {
                        assertEquals(StatusCodes.OK, FrameHeader.status(frame, 0), "APPEND " +
                            FrameHeader.requestId(frame, 0) + " (seed " + seed + ")");
                        if (!FrameHeader.hasFlag(frame, 0, FrameFlags.MORE))
                        {
                            finals++;
                        }
                    }
                    finally
                    {
                        frame.release();
                    }
                }
                acknowledged += finals;
            }
        }
        return acknowledged;
    }

    /**
     * {@link #WRITES} SETSAFEs of distinct keys in pipelined batches, after one that shows the mapd has its logds.
     *
     * @return how many were acknowledged OK.
     */
    private static int setSafes(final int port, final long seed) throws Exception
    {
        final Random random = new Random(seed);
        int acknowledged = 0;
        try (MapdClient client = new MapdClient(port))
        {
            final int[] attempt = { 0 };
            Await.until("the mapd takes a SETSAFE", 30_000, () -> client.setSafe("audit-ready-" + attempt[0]++,
                MapdClient.bytes("ready")).status() == StatusCodes.OK);
            acknowledged++;
            for (int first = 0; first < WRITES; first += BATCH)
            {
                final Map<String, byte[]> batch = new LinkedHashMap<>();
                for (int i = first; i < Math.min(first + BATCH, WRITES); i++)
                {
                    batch.put(String.format("audit-%06d", i), value("mapd", i, seed, random));
                }
                final List<String> failed = new ArrayList<>();
                client.setAll(Opcodes.SETSAFE, batch).forEach((key, reply) ->
                {
                    if (reply.status() != StatusCodes.OK)
                    {
                        failed.add(key + "=" + StatusCodes.name(reply.status()));
                    }
                });
                assertTrue(failed.isEmpty(), "SETSAFEs failed (seed " + seed + "): " + failed);
                acknowledged += batch.size();
            }
        }
        return acknowledged;
    }

    /**
     * @return a value naming its write, padded to a random length (1 to ~300 bytes beyond the name).
     */
    private static byte[] value(final String part, final int i, final long seed, final Random random)
    {
        final String name = part + "-" + i + "-" + seed + "-";
        return (name + "v".repeat(1 + random.nextInt(300))).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @return the key of the change in a journal entry (docs/MAPD.md; {@code JournalEntry}).
     */
    private static String journalKey(final byte[] payload)
    {
        final ChangeFlyweight change = new ChangeFlyweight()
            .wrap(Unpooled.wrappedBuffer(payload), JournalEntry.CHANGE_OFFSET);
        return new String(payload, change.keyIndex(), change.keyLength(), StandardCharsets.UTF_8);
    }
}
