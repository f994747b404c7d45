package io.metrodb.ycsb;

import io.metrodb.client.MetroClient;
import io.metrodb.testing.ChildJvm;
import io.metrodb.testing.TestCluster;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import site.ycsb.ByteArrayByteIterator;
import site.ycsb.ByteIterator;
import site.ycsb.RandomByteIterator;
import site.ycsb.Status;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.Vector;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The binding against a real cluster (3 logds, 3 peered mapds, RF 2, an auth token) in this JVM: every operation
 * in-process, then YCSB's own {@code site.ycsb.Client} in a child JVM loading and running workload A.
 */
class MetroDbClientIT
{
    private static final String TOKEN = "ycsb-it-token";
    private static final long SEED = Long.getLong("ycsb.it.seed", System.nanoTime());
    private static final long YCSB_TIMEOUT_MS = 180_000;
    /** Small: the test proves the path, not the speed (a few seconds per phase on a loaded 2-core box). */
    private static final int RECORDS = 300;
    private static final int OPERATIONS = 600;

    @TempDir
    static Path root;

    private static TestCluster cluster;
    private static ResourceLeakDetector.Level leakLevel;

    /**
     * The cluster is this test's load target, not its subject: the test JVMs' PARANOID leak detection records a
     * stack trace at every buffer access in its six servers, which made this class take 2.5 times as long (22 s
     * against 9 s, measured). The servers' and the SDK's own suites run PARANOID; here SIMPLE still samples
     * buffers, and NettyLeakCheck still fails the class on any report.
     */
    @BeforeAll
    static void startCluster() throws Exception
    {
        leakLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
        cluster = TestCluster.builder(root).logds(3).mapds(3).firstMapdId(1).authToken(TOKEN)
            .requestTimeoutMs(10_000).peerTimeoutMs(10_000).awaitPeers(true).start();
    }

    @AfterAll
    static void stopCluster()
    {
        if (cluster != null)
        {
            cluster.close();
        }
        ResourceLeakDetector.setLevel(leakLevel);
    }

    @Test
    void shouldServeEveryOperationOfARecord() throws Exception
    {
        final Random random = new Random(SEED);
        final String context = "seed " + SEED;
        final MetroDbClient db = db(Map.of());
        db.init();
        try (MetroClient raw = MetroClient.builder(cluster.mapdAddresses()).authToken(TOKEN)
            .requestTimeoutMs(10_000).build())
        {
            final Map<String, byte[]> record = new LinkedHashMap<>();
            for (int i = 0; i < 4; i++)
            {
                final byte[] value = new byte[1 + random.nextInt(200)];
                random.nextBytes(value);
                record.put("field" + i, value);
            }
            assertEquals(Status.OK, db.insert("usertable", "user1", iterators(record)), context);
            assertArrayEquals(RecordCodec.encode(record), raw.get("usertable:user1".getBytes(StandardCharsets.UTF_8)),
                context + ": the record is one value under <table>:<key>");

            assertRecord(record, read(db, "user1", null), context + ": all fields");
            final Map<String, byte[]> some = new LinkedHashMap<>();
            some.put("field1", record.get("field1"));
            some.put("field3", record.get("field3"));
            assertRecord(some, read(db, "user1", Set.of("field1", "field3", "field9")), context + ": two fields");

            final byte[] changed = {0, (byte)0xFF, '\n', 0};
            record.put("field2", changed);
            assertEquals(Status.OK, db.update("usertable", "user1", iterators(Map.of("field2", changed))), context);
            assertRecord(record, read(db, "user1", null), context + ": an update keeps the other fields");

            assertEquals(Status.OK, db.delete("usertable", "user1"), context);
            assertEquals(Status.NOT_FOUND, db.read("usertable", "user1", null, new HashMap<>()), context);
            assertEquals(Status.NOT_FOUND, db.update("usertable", "user1", iterators(record)),
                context + ": an update does not create a record");
            assertNull(raw.get("usertable:user1".getBytes(StandardCharsets.UTF_8)), context);
            assertEquals(Status.NOT_FOUND, db.delete("usertable", "user1"), context);
            assertEquals(Status.NOT_IMPLEMENTED, db.scan("usertable", "user0", 10, null, new Vector<>()), context);

            raw.set("usertable:text", "plain text, not a record");
            assertEquals(Status.UNEXPECTED_STATE, db.read("usertable", "text", null, new HashMap<>()));
            assertEquals(Status.UNEXPECTED_STATE, db.update("usertable", "text", iterators(record)));
            assertEquals("plain text, not a record", raw.get("usertable:text"), "a failed update writes nothing");
        }
        finally
        {
            db.cleanup();
        }
    }

    @Test
    void shouldStoreYcsbsRandomValuesWhole() throws Exception
    {
        final MetroDbClient db = db(Map.of());
        db.init();
        try
        {
            final Map<String, ByteIterator> values = new LinkedHashMap<>();
            for (int i = 0; i < 10; i++)
            {
                values.put("field" + i, new RandomByteIterator(100));
            }
            assertEquals(Status.OK, db.insert("usertable", "random1", values));
            final Map<String, ByteIterator> result = read(db, "random1", null);
            assertEquals(values.keySet(), result.keySet());
            for (final Map.Entry<String, ByteIterator> field : result.entrySet())
            {
                assertEquals(100, field.getValue().toArray().length, field.getKey());
            }
        }
        finally
        {
            db.cleanup();
        }
    }

    @Test
    void shouldWriteWithSetSafe() throws Exception
    {
        final MetroDbClient db = db(Map.of(MetroDbClient.SETSAFE_PROPERTY, "true"));
        db.init();
        try
        {
            final Map<String, byte[]> record = Map.of("field0", new byte[] {1, 2, 3});
            assertEquals(Status.OK, db.insert("usertable", "safe1", iterators(record)));
            assertRecord(record, read(db, "safe1", null), "SETSAFE insert");
            assertEquals(Status.OK, db.delete("usertable", "safe1"));
            assertEquals(Status.NOT_FOUND, db.read("usertable", "safe1", null, new HashMap<>()));
        }
        finally
        {
            db.cleanup();
        }
    }

    @Test
    void shouldAnswerForbiddenForAWrongToken() throws Exception
    {
        final MetroDbClient db = db(Map.of(MetroDbClient.AUTH_TOKEN_PROPERTY, "not-" + TOKEN,
            MetroDbClient.TIMEOUT_PROPERTY, "3000"));
        db.init();
        try
        {
            assertEquals(Status.FORBIDDEN, db.read("usertable", "user1", null, new HashMap<>()));
        }
        finally
        {
            db.cleanup();
        }
    }

    @Test
    void shouldLoadAndRunWorkloadAWithYcsbsOwnClient() throws Exception
    {
        final Path workload = Path.of("workloads", "workloada").toAbsolutePath();
        assertTrue(workload.toFile().isFile(), workload + " is missing");

        final String load = ycsb("ycsb-load", "-load", workload, RECORDS, OPERATIONS);
        assertEquals(RECORDS, count(load, "INSERT", "Operations"), load);
        assertEquals(RECORDS, count(load, "INSERT", "Return=OK"), load);
        assertNoFailures(load);

        final String run = ycsb("ycsb-run", "-t", workload, RECORDS, OPERATIONS);
        final long reads = count(run, "READ", "Operations");
        final long updates = count(run, "UPDATE", "Operations");
        assertEquals(OPERATIONS, reads + updates, run);
        assertTrue(reads > 0 && updates > 0, "workload A is half reads, half updates:\n" + run);
        assertEquals(reads, count(run, "READ", "Return=OK"), run);
        assertEquals(updates, count(run, "UPDATE", "Return=OK"), run);
        // dataintegrity=true: YCSB checks every field of every read against the value it wrote.
        assertEquals(reads, count(run, "VERIFY", "Return=OK"), run);
        assertNoFailures(run);
    }

    @SuppressWarnings("try") // ChildJvm.close() may throw InterruptedException: the test then fails, as it should
    private static String ycsb(final String name, final String phase, final Path workload, final int records,
        final int operations) throws Exception
    {
        final List<String> args = new ArrayList<>(List.of(
            "-db", MetroDbClient.class.getName(), phase, "-P", workload.toString(), "-threads", "4",
            "-p", "recordcount=" + records, "-p", "operationcount=" + operations,
            "-p", "dataintegrity=true",
            "-p", MetroDbClient.HOSTS_PROPERTY + "=" + cluster.mapdList(),
            "-p", MetroDbClient.AUTH_TOKEN_PROPERTY + "=" + TOKEN,
            "-p", MetroDbClient.TIMEOUT_PROPERTY + "=10000"));
        final List<String> jvmOptions = new ArrayList<>(ChildJvm.moduleFlagsOfThisJvm());
        // A short-lived JVM on a loaded box: C1 only and the serial collector halve its time (measured: 4.5 -> 2 s
        // for the load phase); the latencies YCSB prints here are not what this test is about.
        jvmOptions.addAll(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        final long startNs = System.nanoTime();
        try (ChildJvm child = ChildJvm.start(name, root.resolve("ycsb"), jvmOptions, "site.ycsb.Client",
            args.toArray(String[]::new)))
        {
            final int exit = child.awaitExit(YCSB_TIMEOUT_MS);
            final String output = child.output();
            System.out.println(name + ": YCSB's [OVERALL] RunTime " + count(output, "OVERALL", "RunTime(ms)") +
                " ms, the child JVM " + (System.nanoTime() - startNs) / 1_000_000 + " ms");
            assertEquals(0, exit, output);
            assertTrue(output.contains("metrodb-ycsb: mapds " + cluster.mapdList()), output);
            return output;
        }
    }

    /**
     * @return the number in YCSB's summary line {@code [OPERATION], metric, number}.
     */
    private static long count(final String output, final String operation, final String metric)
    {
        final Matcher matcher = Pattern.compile("(?m)^\\[" + operation + "\\], " + Pattern.quote(metric) +
            ", (\\d+)$").matcher(output);
        return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
    }

    private static void assertNoFailures(final String output)
    {
        assertFalse(Pattern.compile("(?m)^\\[[A-Z-]+-FAILED\\]").matcher(output).find(), output);
        assertFalse(Pattern.compile("(?m)^\\[[A-Z-]+\\], Return=(?!OK,)").matcher(output).find(), output);
        assertFalse(output.contains(" failed with "), output);
    }

    private static MetroDbClient db(final Map<String, String> settings)
    {
        final Properties properties = new Properties();
        properties.setProperty(MetroDbClient.HOSTS_PROPERTY, cluster.mapdList());
        properties.setProperty(MetroDbClient.AUTH_TOKEN_PROPERTY, TOKEN);
        properties.setProperty(MetroDbClient.TIMEOUT_PROPERTY, "10000");
        properties.putAll(settings);
        final MetroDbClient db = new MetroDbClient();
        db.setProperties(properties);
        return db;
    }

    private static Map<String, ByteIterator> iterators(final Map<String, byte[]> record)
    {
        final Map<String, ByteIterator> values = new LinkedHashMap<>();
        for (final Map.Entry<String, byte[]> field : record.entrySet())
        {
            values.put(field.getKey(), new ByteArrayByteIterator(field.getValue()));
        }
        return values;
    }

    private static Map<String, ByteIterator> read(final MetroDbClient db, final String key, final Set<String> fields)
    {
        final Map<String, ByteIterator> result = new HashMap<>();
        assertEquals(Status.OK, db.read("usertable", key, fields, result), key);
        return result;
    }

    private static void assertRecord(final Map<String, byte[]> expected, final Map<String, ByteIterator> actual,
        final String context)
    {
        assertEquals(expected.keySet(), actual.keySet(), context);
        for (final Map.Entry<String, byte[]> field : expected.entrySet())
        {
            assertArrayEquals(field.getValue(), actual.get(field.getKey()).toArray(), context + ", " +
                field.getKey());
        }
    }
}
