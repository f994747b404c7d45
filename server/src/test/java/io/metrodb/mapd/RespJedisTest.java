package io.metrodb.mapd;

import io.metrodb.testing.TestCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real Redis client from Maven Central, Jedis, against a real mapd (three logds, RF 2): GET, SET, DEL, EXISTS,
 * MGET, MSET, binary values, pipelines, errors, and AUTH with the mapd's token.
 */
class RespJedisTest
{
    @TempDir
    Path root;

    private TestCluster cluster;
    private int port;

    @BeforeEach
    void start() throws Exception
    {
        cluster = TestCluster.builder(root).logds(3).start();
        final MapdConfig base = cluster.mapdConfig("mapd", 1, 2);
        port = cluster.startMapd(new MapdConfig(base.host(), 0, base.dir(), 1, base.logds(), 2, TestCluster.MAX_VALUE,
            "jedis-token", 5_000, 0, 0), false).port();
    }

    @AfterEach
    void stop()
    {
        cluster.close();
    }

    private Jedis connect()
    {
        return new Jedis(new HostAndPort(TestCluster.HOST, port),
            DefaultJedisClientConfig.builder().password("jedis-token").timeoutMillis(10_000).build());
    }

    @Test
    void shouldRunTheBasicCommands()
    {
        try (Jedis jedis = connect())
        {
            assertEquals("PONG", jedis.ping());
            assertNull(jedis.get("user:1"));
            assertEquals("OK", jedis.set("user:1", "ada"));
            assertEquals("ada", jedis.get("user:1"));
            assertEquals("OK", jedis.set("user:1", "grace"));
            assertEquals("grace", jedis.get("user:1"));
            assertTrue(jedis.exists("user:1"));
            assertEquals(1, jedis.exists("user:1", "user:2"));
            assertEquals("OK", jedis.mset("user:2", "alan", "user:3", "edsger"));
            assertEquals(Arrays.asList("grace", "alan", null, "edsger"),
                jedis.mget("user:1", "user:2", "user:9", "user:3"));
            assertEquals(2, jedis.del("user:1", "user:2", "user:9"));
            assertEquals(Arrays.asList(null, null, "edsger"), jedis.mget("user:1", "user:2", "user:3"));
            assertEquals(1, jedis.dbSize());
            final byte[] binary = new byte[70_000];
            for (int i = 0; i < binary.length; i++)
            {
                binary[i] = (byte)(i * 31);
            }
            assertEquals("OK", jedis.set("bin".getBytes(StandardCharsets.UTF_8), binary));
            assertArrayEquals(binary, jedis.get("bin".getBytes(StandardCharsets.UTF_8)));
            assertTrue(jedis.info("keyspace").contains("db0:keys=2"));
        }
    }

    @Test
    void shouldRunPipelinesInOrder()
    {
        try (Jedis jedis = connect())
        {
            final Pipeline pipeline = jedis.pipelined();
            final List<Response<String>> sets = new ArrayList<>();
            final List<Response<String>> gets = new ArrayList<>();
            final List<Response<Long>> dels = new ArrayList<>();
            for (int i = 0; i < 2_000; i++)
            {
                sets.add(pipeline.set("p:" + i, "value-" + i));
                gets.add(pipeline.get("p:" + i));
                if (i % 3 == 0)
                {
                    dels.add(pipeline.del("p:" + i));
                }
            }
            final Response<List<String>> mget = pipeline.mget("p:1", "p:3", "p:4");
            pipeline.sync();
            for (int i = 0; i < 2_000; i++)
            {
                assertEquals("OK", sets.get(i).get(), "SET " + i);
                assertEquals("value-" + i, gets.get(i).get(), "GET " + i + " after its SET in the same pipeline");
            }
            for (final Response<Long> del : dels)
            {
                assertEquals(1L, del.get());
            }
            assertEquals(Arrays.asList("value-1", null, "value-4"), mget.get());
            assertEquals(2_000 - dels.size(), jedis.dbSize());
        }
    }

    @Test
    void shouldSurfaceErrorsAndStayUsable()
    {
        try (Jedis jedis = connect())
        {
            final JedisDataException unknown = assertThrows(JedisDataException.class, () -> jedis.incr("counter"));
            assertTrue(unknown.getMessage().startsWith("ERR unknown command 'INCR'"), unknown.getMessage());
            final JedisDataException option = assertThrows(JedisDataException.class, () -> jedis.setnx("k", "v"));
            assertTrue(option.getMessage().contains("unknown command 'SETNX'"), option.getMessage());
            assertEquals("OK", jedis.set("k", "v"));
            assertEquals("v", jedis.get("k"));
        }
        try (Jedis anonymous = new Jedis(new HostAndPort(TestCluster.HOST, port),
            DefaultJedisClientConfig.builder().timeoutMillis(10_000).build()))
        {
            final JedisDataException noAuth = assertThrows(JedisDataException.class, () -> anonymous.get("k"));
            assertTrue(noAuth.getMessage().startsWith("NOAUTH"), noAuth.getMessage());
        }
    }
}
