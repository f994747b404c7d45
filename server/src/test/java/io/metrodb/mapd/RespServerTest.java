package io.metrodb.mapd;

import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.netty.ServerLimits;
import io.metrodb.protocol.testing.RespClient;
import io.metrodb.testing.TestCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.metrodb.mapd.MapdClient.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redis clients on a real mapd's port over raw sockets: inline lines as telnet sends them, RESP split at every byte,
 * pipelines answered in order (and reading their own writes), the command set, limits, auth, and the binary protocol
 * still served on the same port. One mapd, three logds, RF 2.
 */
class RespServerTest
{
    @TempDir
    Path root;

    private TestCluster cluster;

    @AfterEach
    void stop()
    {
        if (cluster != null)
        {
            cluster.close();
        }
    }

    private int startMapd(final String token) throws Exception
    {
        cluster = TestCluster.builder(root).logds(3).start();
        final MapdConfig base = cluster.mapdConfig("mapd", 1, 2);
        return cluster.startMapd(new MapdConfig(base.host(), 0, base.dir(), 1, base.logds(), 2, TestCluster.MAX_VALUE,
            token, 5_000, 0, 0), false).port();
    }

    private RespClient connect(final int port) throws Exception
    {
        return new RespClient(TestCluster.HOST, port);
    }

    @Test
    void shouldTellARedisClientPastTheConnectionLimitWhyItIsClosed() throws Exception
    {
        cluster = TestCluster.builder(root).logds(2).start();
        final int port = cluster.startMapd(cluster.mapdConfig("mapd", 1, 2)
            .limits(ServerLimits.DEFAULTS.withMaxConnections(1)), false).port();
        try (RespClient first = connect(port); RespClient second = connect(port))
        {
            first.writeRaw("PING\r\n");
            assertEquals("+PONG", first.read());
            second.writeRaw("PING\r\n");
            assertEquals("-ERR max number of clients reached", second.read());
            assertTrue(second.isClosedByServer(), "the refused connection is closed");
            first.writeRaw("PING\r\n");
            assertEquals("+PONG", first.read(), "the connection within the limit is served on");
        }
    }

    @Test
    void shouldCloseARedisClientWhoseCommandStopsHalfWayAtTheFrameDeadlineAndServeOthers() throws Exception
    {
        cluster = TestCluster.builder(root).logds(2).start();
        final int port = cluster.startMapd(cluster.mapdConfig("mapd", 1, 2)
            .limits(ServerLimits.DEFAULTS.withFrameTimeoutMs(300)), false).port();
        try (RespClient stalled = connect(port); RespClient other = connect(port))
        {
            stalled.writeRaw("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nab");
            other.writeRaw("PING\r\n");
            assertEquals("+PONG", other.read(), "a client with a whole command is served meanwhile");
            assertEquals("-ERR a command was incomplete 300 ms after it started arriving", stalled.read());
            assertTrue(stalled.isClosedByServer(), "the stalled connection is closed");
            other.writeRaw("SET k v\r\nGET k\r\n");
            assertEquals("+OK", other.read());
            assertEquals("v", other.read(), "the half-sent SET was never applied; the other client's was");
        }
    }

    @Test
    void shouldCloseARedisClientWhoseIncompleteCommandFindsNoRoomInTheBudget() throws Exception
    {
        cluster = TestCluster.builder(root).logds(2).start();
        final int port = cluster.startMapd(cluster.mapdConfig("mapd", 1, 2)
            .limits(ServerLimits.DEFAULTS.withIncompleteFrameBudget(64 * 1024)), false).port();
        try (RespClient greedy = connect(port); RespClient other = connect(port))
        {
            greedy.writeRaw("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100000\r\n" + "x".repeat(70_000));
            assertTrue(String.valueOf(greedy.read()).startsWith("-ERR the server holds too many incomplete commands"),
                "a partial command over the budget is refused");
            assertTrue(greedy.isClosedByServer(), "and its connection closed");
            other.writeRaw("PING\r\n");
            assertEquals("+PONG", other.read(), "its bytes went back to the budget: others are served");
        }
    }

    @Test
    void shouldAnswerAnInlineSessionAsTelnetSendsIt() throws Exception
    {
        final int port = startMapd(null);
        try (RespClient client = connect(port))
        {
            client.writeRaw("SET k v\r\nGET k\r\n");
            assertEquals("+OK", client.read());
            assertEquals("v", client.read());
            client.writeRaw("set \"hello world\" 'it\\'s'\nget \"hello world\"\nEXISTS k missing k\n\r\nPING\n");
            assertEquals("+OK", client.read());
            assertEquals("it's", client.read());
            assertEquals(2L, client.read(), "EXISTS counts each key named that exists");
            assertEquals("+PONG", client.read(), "an empty line is skipped");
        }
    }

    @Test
    void shouldAnswerRespSplitAtEveryByte() throws Exception
    {
        final int port = startMapd(null);
        try (RespClient client = connect(port))
        {
            final ByteArrayOutputStream commands = new ByteArrayOutputStream();
            commands.writeBytes(RespClient.encode("SET", "split", "value\r\nwith CRLF"));
            commands.writeBytes(RespClient.encode("GET", "split"));
            commands.writeBytes(RespClient.encode("MSET", "a", "1", "b", "2"));
            commands.writeBytes(RespClient.encode("MGET", "a", "nothing", "b"));
            commands.writeBytes("GET a\r\n".getBytes(StandardCharsets.US_ASCII));
            commands.writeBytes(RespClient.encode("DEL", "a", "b", "a", "nothing"));
            for (final byte b : commands.toByteArray())
            {
                client.writeRaw(new byte[] {b});
            }
            assertEquals("+OK", client.read());
            assertEquals("value\r\nwith CRLF", client.read());
            assertEquals("+OK", client.read());
            assertEquals(Arrays.asList("1", null, "2"), client.read());
            assertEquals("1", client.read());
            assertEquals(2L, client.read(), "DEL counts the keys that existed, each once");
        }
    }

    @Test
    void shouldKeepTheConnectionUsableAfterAnUnknownCommand() throws Exception
    {
        final int port = startMapd(null);
        try (RespClient client = connect(port))
        {
            assertEquals("-ERR unknown command 'FLUSHALL', with args beginning with: 'a' 'b c' ",
                client.call("FLUSHALL", "a", "b c"));
            assertEquals("-ERR unknown command 'nosuch', with args beginning with: ", client.call("nosuch"));
            assertEquals("-ERR wrong number of arguments for 'get' command", client.call("GET"));
            assertEquals("+PONG", client.call("PING"));
            assertEquals("+OK", client.call("SET", "after", "error"));
            assertEquals("error", client.call("GET", "after"));
        }
    }

    @Test
    void shouldAnswerAPipelineInOrderAndReadItsOwnWrites() throws Exception
    {
        final int port = startMapd(null);
        final int rounds = 600;
        final int burst = 2_500;
        try (RespClient client = connect(port))
        {
            final ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
            // Writes of distinct keys need not wait for each other: more of them in flight than the ring holds
            // before it stops parsing, then reads of every one.
            for (int i = 0; i < burst; i++)
            {
                pipeline.writeBytes(RespClient.encode("SET", "burst:" + i, "b" + i));
            }
            for (int i = 0; i < burst; i++)
            {
                pipeline.writeBytes(RespClient.encode("GET", "burst:" + i));
            }
            for (int i = 0; i < rounds; i++)
            {
                final String key = "key:" + (i % 50);
                pipeline.writeBytes(RespClient.encode("SET", key, "v" + i));
                pipeline.writeBytes(RespClient.encode("GET", key));
                pipeline.writeBytes(RespClient.encode("PING", "p" + i));
                if (i % 7 == 0)
                {
                    pipeline.writeBytes(RespClient.encode("DEL", key));
                    pipeline.writeBytes(RespClient.encode("EXISTS", key));
                    pipeline.writeBytes(RespClient.encode("GET", key));
                }
            }
            // One write: far more commands than the ring holds before it stops parsing.
            client.writeRaw(pipeline.toByteArray());
            for (int i = 0; i < burst; i++)
            {
                assertEquals("+OK", client.read(), "SET burst:" + i);
            }
            for (int i = 0; i < burst; i++)
            {
                assertEquals("b" + i, client.read(), "GET burst:" + i);
            }
            for (int i = 0; i < rounds; i++)
            {
                assertEquals("+OK", client.read(), "SET " + i);
                assertEquals("v" + i, client.read(), "GET after SET " + i + " in the same pipeline");
                assertEquals("p" + i, client.read(), "PING " + i);
                if (i % 7 == 0)
                {
                    assertEquals(1L, client.read(), "DEL after SET " + i);
                    assertEquals(0L, client.read(), "EXISTS after DEL " + i);
                    assertEquals(null, client.read(), "GET after DEL " + i);
                }
            }
            assertEquals("+PONG", client.call("PING"));
        }
    }

    @Test
    void shouldServeLargeValuesAndCountThemInInfo() throws Exception
    {
        final int port = startMapd(null);
        try (RespClient client = connect(port))
        {
            final String big = "x".repeat(300_000) + "end";
            assertEquals("+OK", client.call("SETSAFE", "big", big));
            assertEquals(big, client.call("GET", "big"));
            assertEquals(Arrays.asList(big, null), client.call("MGET", "big", "none"));
            assertEquals("+OK", client.call("SET", "empty", ""));
            assertEquals("", client.call("GET", "empty"));
            assertEquals(2L, client.call("DBSIZE"));
            final String keyspace = (String)client.call("INFO", "keyspace");
            assertTrue(keyspace.contains("db0:keys=2,expires=0,avg_ttl=0"), keyspace);
            final String all = (String)client.call("INFO");
            assertTrue(all.contains("# Server\r\nredis_version:") && all.contains("tcp_port:" + port) &&
                all.contains("# Clients\r\nconnected_clients:1") && all.contains("# Stats") &&
                all.contains("# MetroDB\r\nrole:mapd"), all);
            assertEquals("", client.call("INFO", "nosuchsection"));
            final String atLimit = "y".repeat(TestCluster.MAX_VALUE);
            assertEquals("+OK", client.call("SET", "k", atLimit), "a value at the limit is accepted");
            assertEquals(atLimit, client.call("GET", "k"));
        }
    }

    @Test
    void shouldRefuseABulkOverTheValueLimitBeforeItArrivesAndClose() throws Exception
    {
        final int port = startMapd(null);
        try (RespClient client = connect(port))
        {
            assertEquals("+OK", client.call("SET", "k", "v"));
            client.writeRaw("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + (TestCluster.MAX_VALUE + 1) + "\r\n");
            assertEquals("-ERR Protocol error: invalid bulk length", client.read());
            assertTrue(client.isClosedByServer());
        }
        try (RespClient client = connect(port))
        {
            client.writeRaw("*2000000\r\n");
            assertEquals("-ERR Protocol error: invalid multibulk length", client.read());
            assertTrue(client.isClosedByServer());
        }
        try (RespClient client = connect(port))
        {
            client.writeRaw("GET " + "k".repeat(70_000));
            assertEquals("-ERR Protocol error: too big inline request", client.read());
            assertTrue(client.isClosedByServer());
        }
        try (RespClient client = connect(port))
        {
            // What a browser sends when a page posts to the port: closed at once, as redis-server does.
            client.writeRaw("POST / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n");
            assertTrue(client.isClosedByServer());
        }
        try (RespClient client = connect(port))
        {
            assertEquals("v", client.call("GET", "k"), "the mapd still serves");
            assertTrue(((String)client.call("GET", "")).startsWith("-ERR invalid key"));
            assertTrue(((String)client.call("GET", "k".repeat(65_536))).startsWith("-ERR invalid key"));
            assertEquals("+OK", client.call("SET", "k".repeat(65_535), "longest key"));
        }
    }

    @Test
    void shouldHonourSafeAndRefuseSetOptionsItCannotKeep() throws Exception
    {
        final int port = startMapd(null);
        try (RespClient client = connect(port))
        {
            assertEquals("+OK", client.call("SET", "k", "durable", "SAFE"));
            assertEquals("+OK", client.call("SETSAFE", "k2", "durable too"));
            assertEquals("+OK", client.call("SET", "k3", "v", "KEEPTTL"));
            for (final String option : new String[] {"NX", "XX", "GET", "EX", "PX"})
            {
                assertEquals("-ERR SET option '" + option + "' is not supported by MetroDB",
                    client.call("SET", "k", "v", option.toLowerCase(), "10"));
            }
            assertEquals("-ERR syntax error", client.call("SET", "k", "v", "BOGUS"));
            assertEquals("durable", client.call("GET", "k"), "a refused SET writes nothing");
            assertEquals(Arrays.asList("durable", "durable too", "v"), client.call("MGET", "k", "k2", "k3"));
        }
        try (MapdClient binary = new MapdClient(cluster.mapd().port()))
        {
            assertEquals(StatusCodes.OK, binary.get("k2").status());
        }
        assertEquals(2, cluster.mapd().node().counters().setSafes.get(), "SET ... SAFE and SETSAFE are the binary SETSAFE");
    }

    @Test
    void shouldAnswerServerCommandsAsRedisClientsExpect() throws Exception
    {
        final int port = startMapd(null);
        try (RespClient client = connect(port))
        {
            assertEquals("hi there", client.call("PING", "hi there"));
            assertEquals("echo", client.call("ECHO", "echo"));
            assertEquals("+OK", client.call("SELECT", "0"));
            assertEquals("-ERR DB index is out of range", client.call("SELECT", "1"));
            assertEquals((long)19, client.call("COMMAND", "COUNT"));
            assertEquals(List.of(), client.call("COMMAND", "DOCS"));
            final List<?> commands = (List<?>)client.call("COMMAND");
            assertEquals(19, commands.size());
            assertEquals(Arrays.asList("get", 2L, List.of("+readonly", "+fast"), 1L, 1L, 1L), commands.get(0));
            assertEquals(Arrays.asList("save", "", "appendonly", "no"), client.call("CONFIG", "GET", "save",
                "appendonly"));
            assertEquals(Arrays.asList("appendonly", "no"), client.call("CONFIG", "GET", "append*"));
            assertEquals(List.of(), client.call("CONFIG", "GET", "nosuch"));
            assertTrue(((String)client.call("CONFIG", "SET", "save", "")).startsWith("-ERR"));
            assertEquals(null, client.call("CLIENT", "GETNAME"));
            assertEquals("+OK", client.call("CLIENT", "SETNAME", "tester"));
            assertEquals("tester", client.call("CLIENT", "GETNAME"));
            assertEquals("+OK", client.call("CLIENT", "SETINFO", "LIB-NAME", "raw"));
            assertInstanceOf(Long.class, client.call("CLIENT", "ID"));
            assertEquals("-NOPROTO unsupported protocol version", client.call("HELLO", "3"));
            final List<?> hello = (List<?>)client.call("HELLO", "2");
            assertEquals("proto", hello.get(4));
            assertEquals(2L, hello.get(5));
            assertEquals("+OK", client.call("QUIT"));
            assertTrue(client.isClosedByServer());
        }
    }

    @Test
    void shouldRequireTheAuthTokenWhenTheMapdHasOne() throws Exception
    {
        final int port = startMapd("s3cret");
        try (RespClient client = connect(port))
        {
            assertEquals("-NOAUTH Authentication required.", client.call("GET", "k"));
            assertEquals("-NOAUTH Authentication required.", client.call("PING"));
            assertEquals("-WRONGPASS invalid username-password pair or user is disabled.",
                client.call("AUTH", "wrong"));
            assertEquals("-WRONGPASS invalid username-password pair or user is disabled.",
                client.call("AUTH", "admin", "s3cret"));
            assertEquals("-NOAUTH Authentication required.", client.call("SET", "k", "v"));
            assertEquals("+OK", client.call("AUTH", "s3cret"));
            assertEquals("+OK", client.call("SET", "k", "v"));
            assertEquals("v", client.call("GET", "k"));
        }
        try (RespClient client = connect(port))
        {
            assertTrue(((String)client.call("HELLO", "2")).startsWith("-NOAUTH"));
            assertInstanceOf(List.class, client.call("HELLO", "2", "AUTH", "default", "s3cret", "SETNAME", "x"));
            assertEquals("x", client.call("CLIENT", "GETNAME"));
            assertEquals("v", client.call("GET", "k"));
        }
    }

    @Test
    void shouldServeBinaryAndRedisClientsOnTheSamePort() throws Exception
    {
        final int port = startMapd(null);
        try (RespClient redis = connect(port); MapdClient binary = new MapdClient(port))
        {
            assertEquals("+OK", redis.call("SET", "from:redis", "r"));
            assertEquals(StatusCodes.OK, binary.set("from:binary", bytes("b")).status());
            assertArrayEquals(bytes("r"), binary.get("from:redis").value());
            assertEquals("b", redis.call("GET", "from:binary"));
            assertEquals(StatusCodes.OK, binary.del("from:redis").status());
            assertEquals(0L, redis.call("EXISTS", "from:redis"));
        }
    }

    @Test
    void shouldCountOnlyKeysThatExistedOnDelAndServeManyKeysAtOnce() throws Exception
    {
        final int port = startMapd(null);
        try (RespClient client = connect(port))
        {
            final List<String> mset = new ArrayList<>(List.of("MSET"));
            final List<String> mget = new ArrayList<>(List.of("MGET"));
            final List<Object> expected = new ArrayList<>();
            for (int i = 0; i < 2_000; i++)
            {
                mset.add("many:" + i);
                mset.add("value " + i);
                mget.add("many:" + i);
                mget.add("absent:" + i);
                expected.add("value " + i);
                expected.add(null);
            }
            assertEquals("+OK", client.call(mset.toArray(new String[0])));
            assertEquals(expected, client.call(mget.toArray(new String[0])));
            assertEquals(2L, client.call("DEL", "many:1", "many:1", "absent:1", "many:2"));
            assertEquals(0L, client.call("DEL", "many:1", "many:2"));
            assertEquals("-ERR wrong number of arguments for 'mset' command", client.call("MSET", "a", "1", "b"));
        }
    }
}
