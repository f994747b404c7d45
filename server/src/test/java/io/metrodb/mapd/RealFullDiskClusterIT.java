package io.metrodb.mapd;

import io.metrodb.log.LogConfig;
import io.metrodb.mapd.store.GridJournal;
import io.metrodb.mapd.store.GridSnapshot;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.testing.TestSeed;
import io.metrodb.testing.Await;
import io.metrodb.testing.TestCluster;
import io.metrodb.testing.Tmpfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A logd and a mapd (RF 1), each on a tmpfs of its own, filled until the kernel says ENOSPC: first the logd's disk,
 * then the mapd's (its journal). Each time SET and SETSAFE get {@code STORAGE_FULL}, every acknowledged key reads
 * back, the daemon restarts on the full disk and serves reads, and writes resume once the filler is deleted. Needs
 * root to mount; skipped with the reason elsewhere.
 */
class RealFullDiskClusterIT
{
    private static final long DISK_BYTES = 24L << 20;
    /** Room for one more 4 MiB logd segment (TestCluster.SEGMENT_LENGTH) besides the prepared one, not two. */
    private static final long LOGD_LEAVE_BYTES = 5L << 20;
    private static final int JOURNAL_SEGMENT = 128 * 1024;
    /** Large values, so the logd's disk fills in about a hundred writes. */
    private static final int VALUE_LENGTH = 128 * 1024;
    private static final int RESUMED_VALUE_LENGTH = 16 * 1024;
    private static final int RESUMED_WRITES = 20;
    private static final int JOURNAL_KEY_LENGTH = 4000;
    private static final int WRITE_LIMIT = 5_000;
    private static final long WAIT_MS = 30_000;
    private static final String FULL = StatusCodes.name(StatusCodes.STORAGE_FULL);

    @TempDir
    Path root;

    @Test
    void shouldAnswerStorageFullKeepEveryAcknowledgedWriteRestartAndResumeWhenLogdOrMapdDiskIsReallyFull()
        throws Exception
    {
        final Tmpfs logdDisk = Tmpfs.mount(root.resolve("logd0"), DISK_BYTES);
        if (null == logdDisk)
        {
            System.out.println("RealFullDiskClusterIT skipped: " + Tmpfs.whyNot());
        }
        assumeTrue(null != logdDisk, () -> "skipped: " + Tmpfs.whyNot());
        final TestSeed seed = TestSeed.resolve("fulldisk.seed", "RealFullDiskClusterIT");
        try (logdDisk; Tmpfs mapdDisk = Tmpfs.mount(root.resolve("mapd"), DISK_BYTES))
        {
            assertTrue(null != mapdDisk, Tmpfs.whyNot());
            run(seed, logdDisk, mapdDisk);
        }
    }

    private void run(final TestSeed seed, final Tmpfs logdDisk, final Tmpfs mapdDisk) throws Exception
    {
        final SplittableRandom random = seed.random();
        final Map<String, byte[]> acknowledged = new LinkedHashMap<>();
        final MapdConfig mapdConfig;
        MapdServer mapd = null;
        try (TestCluster cluster = TestCluster.builder(root).logds(1).start())
        {
            mapdConfig = cluster.mapdConfig("mapd", 1, 1);
            try
            {
                mapd = startMapd(mapdConfig);

                phase("started");
                // 1. The logd's disk fills up under SETs and SETSAFEs of 16 KiB values.
                final Path logdFiller = logdDisk.directory().resolve("filler");
                Tmpfs.fillLeaving(logdFiller, LOGD_LEAVE_BYTES);
                final int logdWrites;
                try (MapdClient client = new MapdClient(mapd.port()))
                {
                    logdWrites = writeUntilRefused(client, seed, random, "logd-", 0, VALUE_LENGTH, acknowledged);
                    final Path lastBytes = logdDisk.directory().resolve("filler-last-bytes");
                    Tmpfs.fill(lastBytes);
                    assertRefused(client, seed, "logd-refused", random);
                    assertEveryKeyReadsBack(client, acknowledged, seed, "logd disk full");
                }

                cluster.stopLogd(0);
                phase("logd full");
                cluster.startLogd(0);
                awaitEveryKeyReadsBack(mapd, acknowledged, seed, "logd restarted on its full disk");
                phase("logd restarted");
                try (MapdClient client = new MapdClient(mapd.port()))
                {
                    assertRefused(client, seed, "logd-restarted-refused", random);
                }
                Files.delete(logdFiller);
                Files.delete(logdDisk.directory().resolve("filler-last-bytes"));
                awaitWritesResume(mapd, seed, random, "logd-resumed-", acknowledged);

                phase("logd resumed");
                // 2. The mapd's disk fills up: its journal cannot take a new segment.
                final Path mapdFiller = mapdDisk.directory().resolve("filler");
                Tmpfs.fill(mapdFiller);
                final int journalWrites;
                try (MapdClient client = new MapdClient(mapd.port()))
                {
                    journalWrites = writeUntilRefused(
                        client, seed, random, "k".repeat(JOURNAL_KEY_LENGTH), 0, 100, acknowledged);
                    assertRefused(client, seed, "journal-refused", random);
                    assertEveryKeyReadsBack(client, acknowledged, seed, "mapd disk full");
                }
                final MapdServer full = mapd;
                phase("journal full");
                assertThrows(IOException.class, full::snapshot, "seed " + seed.value() + ": a snapshot on a full disk");
                assertFalse(Files.exists(mapdConfig.dir().resolve(GridSnapshot.FILE_NAME + ".tmp")),
                    "seed " + seed.value() + ": a failed snapshot leaves no temp file filling the disk");

                mapd.close();
                mapd = null;
                mapd = startMapd(mapdConfig);
                awaitEveryKeyReadsBack(mapd, acknowledged, seed, "mapd restarted on its full disk");
                phase("mapd restarted");
                try (MapdClient client = new MapdClient(mapd.port()))
                {
                    assertRefused(client, seed, "journal-restarted-refused", random);
                }
                Files.delete(mapdFiller);
                awaitWritesResume(mapd, seed, random, "journal-resumed-", acknowledged);
                mapd.snapshot();
                phase("mapd resumed");

                System.out.println("RealFullDiskClusterIT (" + seed.describe() + "): logd disk " + (DISK_BYTES >> 20) +
                    " MiB, " + logdWrites + " writes of " + (VALUE_LENGTH >> 10) + " KiB acknowledged before " + FULL +
                    "; mapd disk " + (DISK_BYTES >> 20) + " MiB, " + journalWrites + " writes of " +
                    JOURNAL_KEY_LENGTH + "-byte keys acknowledged before " + FULL + "; both restarted on their full " +
                    "disk and resumed; " + acknowledged.size() + " keys read back");
            }
            finally
            {
                if (null != mapd)
                {
                    mapd.close();
                }
            }
        }
    }

    private long phaseStartNs = System.nanoTime();

    /**
     * Prints how long the phase that just ended took (for docs/RELIABILITY.md).
     */
    private void phase(final String name)
    {
        final long nowNs = System.nanoTime();
        System.out.println("RealFullDiskClusterIT: " + name + " after " +
            TimeUnit.NANOSECONDS.toMillis(nowNs - phaseStartNs) + " ms");
        phaseStartNs = nowNs;
    }

    private static MapdServer startMapd(final MapdConfig config) throws Exception
    {
        final MapdServer mapd = MapdServer.start(config, false,
            dir -> GridJournal.open(dir, JOURNAL_SEGMENT, LogConfig.UNLIMITED));
        mapd.whenLogdsHealthy(1).get(WAIT_MS, TimeUnit.MILLISECONDS);
        return mapd;
    }

    /**
     * SETs, every fourth a SETSAFE, until one is refused: it must be STORAGE_FULL.
     *
     * @return writes acknowledged.
     */
    private static int writeUntilRefused(
        final MapdClient client,
        final TestSeed seed,
        final SplittableRandom random,
        final String prefix,
        final int first,
        final int valueLength,
        final Map<String, byte[]> acknowledged) throws IOException
    {
        for (int i = first; i < first + WRITE_LIMIT; i++)
        {
            final String key = prefix + i;
            final byte[] value = value(random, valueLength);
            final MapdClient.Reply reply = i % 4 == 3 ? client.setSafe(key, value) : client.set(key, value);
            if (reply.status() != StatusCodes.OK)
            {
                assertEquals(FULL, StatusCodes.name(reply.status()),
                    "seed " + seed.value() + ": write " + i + " refused: " + reply.message());
                assertTrue(i - first > 10,
                    "seed " + seed.value() + ": writes before the disk was full: " + (i - first));
                return i - first;
            }
            acknowledged.put(key, value);
        }
        throw new AssertionError("seed " + seed.value() + ": the disk never filled in " + WRITE_LIMIT + " writes");
    }

    private static void assertRefused(
        final MapdClient client, final TestSeed seed, final String key, final SplittableRandom random)
        throws IOException
    {
        final byte[] value = value(random, 100);
        assertEquals(FULL, StatusCodes.name(client.set(key, value).status()), "seed " + seed.value() + ": SET " + key);
        assertEquals(FULL, StatusCodes.name(client.setSafe(key, value).status()),
            "seed " + seed.value() + ": SETSAFE " + key);
        assertEquals(StatusCodes.name(StatusCodes.NOT_FOUND), StatusCodes.name(client.get(key).status()),
            "seed " + seed.value() + ": a refused write changed nothing: " + key);
    }

    private static void assertEveryKeyReadsBack(
        final MapdClient client, final Map<String, byte[]> acknowledged, final long seed, final String when)
        throws IOException
    {
        final Map<String, MapdClient.Reply> replies = client.getAll(acknowledged.keySet());
        for (final Map.Entry<String, byte[]> entry : acknowledged.entrySet())
        {
            final MapdClient.Reply reply = replies.get(entry.getKey());
            final String key = entry.getKey().length() > 40 ? "..." + entry.getKey().substring(
                entry.getKey().length() - 20) : entry.getKey();
            assertEquals(StatusCodes.name(StatusCodes.OK), StatusCodes.name(reply.status()),
                "seed " + seed + ", " + when + ": GET " + key + ": " + reply.message());
            assertArrayEquals(entry.getValue(), reply.value(), "seed " + seed + ", " + when + ": value of " + key);
        }
    }

    private static void assertEveryKeyReadsBack(
        final MapdClient client, final Map<String, byte[]> acknowledged, final TestSeed seed, final String when)
        throws IOException
    {
        assertEveryKeyReadsBack(client, acknowledged, seed.value(), when);
    }

    private static void awaitEveryKeyReadsBack(
        final MapdServer mapd, final Map<String, byte[]> acknowledged, final TestSeed seed, final String when)
        throws Exception
    {
        final String first = acknowledged.keySet().iterator().next();
        try (MapdClient client = new MapdClient(mapd.port()))
        {
            Await.until(when + ": a GET is served", WAIT_MS,
                () -> client.get(first).status() == StatusCodes.OK);
            assertEveryKeyReadsBack(client, acknowledged, seed, when);
        }
    }

    private static void awaitWritesResume(
        final MapdServer mapd,
        final TestSeed seed,
        final SplittableRandom random,
        final String prefix,
        final Map<String, byte[]> acknowledged) throws Exception
    {
        try (MapdClient client = new MapdClient(mapd.port()))
        {
            final byte[] value = value(random, 100);
            final String key = prefix + "first";
            Await.until("seed " + seed.value() + ": a SET succeeds once space is freed", WAIT_MS,
                () -> client.set(key, value).status() == StatusCodes.OK);
            acknowledged.put(key, value);
            for (int i = 0; i < RESUMED_WRITES; i++)
            {
                final byte[] more = value(random, RESUMED_VALUE_LENGTH);
                final MapdClient.Reply reply = i % 2 == 1 ?
                    client.setSafe(prefix + i, more) : client.set(prefix + i, more);
                assertEquals(StatusCodes.name(StatusCodes.OK), StatusCodes.name(reply.status()),
                    "seed " + seed.value() + ": write " + prefix + i + " after space was freed: " + reply.message());
                acknowledged.put(prefix + i, more);
            }
            assertEveryKeyReadsBack(client, acknowledged, seed, "after space was freed");
        }
    }

    private static byte[] value(final SplittableRandom random, final int length)
    {
        final byte[] value = new byte[length];
        random.nextBytes(value);
        return value;
    }
}
