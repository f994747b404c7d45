package io.metrodb.mapd;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link MapdConfig} as a context builder: defaults in one place, fluent setters, one {@code conclude()} that names
 * every bad value, and the {@code with*} copies that leave the original alone.
 */
class MapdConfigTest
{
    private static final List<InetSocketAddress> LOGDS = List.of(
        InetSocketAddress.createUnresolved("127.0.0.1", 7001), InetSocketAddress.createUnresolved("127.0.0.1", 7002));

    @Test
    void shouldStartEverySettingAtItsDefault()
    {
        final MapdConfig config = new MapdConfig().dir(Path.of("/tmp/m")).nodeId(3).logds(LOGDS).conclude();
        assertEquals(MapdConfig.DEFAULT_HOST, config.host());
        assertEquals(MapdConfig.DEFAULT_PORT, config.port());
        assertEquals(MapdConfig.DEFAULT_RF, config.rf());
        assertEquals(MapdConfig.DEFAULT_MAX_VALUE_LENGTH, config.maxValueLength());
        assertEquals(MapdConfig.DEFAULT_REQUEST_TIMEOUT_MS, config.requestTimeoutMs());
        assertEquals(MapdConfig.DEFAULT_LOGD_WAIT_MS, config.logdWaitMs());
        assertEquals(MapdConfig.DEFAULT_APPEND_TIMEOUT_MS, config.appendTimeoutMs());
        assertEquals(MapdConfig.DEFAULT_SNAPSHOT_INTERVAL_MS, config.snapshotIntervalMs());
        assertEquals(MapdConfig.DEFAULT_PEER_TIMEOUT_MS, config.peerTimeoutMs());
        assertEquals(MapdConfig.DEFAULT_SYNC_INTERVAL_MS, config.syncIntervalMs());
        assertEquals(MapdConfig.DEFAULT_BACKLOG, config.backlog());
        assertEquals(MapdConfig.DEFAULT_LOCAL_READS, config.localReads());
        assertEquals(List.of(), config.peers());
        assertEquals(0, config.expectedKeys());
        assertEquals(null, config.authToken());
    }

    @Test
    void shouldNameEveryBadValueAtOnce()
    {
        final IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> new MapdConfig()
            .port(70_000).nodeId(0).logds(LOGDS).rf(8).requestTimeoutMs(0).logdWaitMs(-1).appendTimeoutMs(0).backlog(3)
            .conclude());
        final String message = bad.getMessage();
        assertTrue(message.contains("--dir must be set"), message);
        assertTrue(message.contains("--port must be in 0..65535, was 70000"), message);
        assertTrue(message.contains("node id must be in 1..65535, was 0"), message);
        assertTrue(message.contains("--rf must be in 1..7, was 8"), message);
        assertTrue(message.contains("--request-timeout-ms must be >= 1"), message);
        assertTrue(message.contains("--logd-wait-ms must be >= 0"), message);
        assertTrue(message.contains("--append-timeout-ms must be >= 1"), message);
        assertTrue(message.contains("--backlog must be a power of two, was 3"), message);

        final IllegalArgumentException fewLogds = assertThrows(IllegalArgumentException.class,
            () -> new MapdConfig().dir(Path.of("/tmp/m")).nodeId(1).logds(LOGDS).rf(3).conclude());
        assertTrue(fewLogds.getMessage().contains("--rf 3 needs at least 3 logds in --logds, got 2"),
            fewLogds.getMessage());
    }

    @Test
    void shouldFreezeTheAddressListsWhenConcluded()
    {
        final List<InetSocketAddress> logds = new ArrayList<>(LOGDS);
        final MapdConfig config = new MapdConfig().dir(Path.of("/tmp/m")).nodeId(1).logds(logds).conclude();
        logds.clear();
        assertEquals(LOGDS, config.logds());
        assertThrows(UnsupportedOperationException.class, () -> config.logds().clear());
    }

    @Test
    void shouldLeaveTheOriginalUnchangedInWithCopies()
    {
        final MapdConfig config = new MapdConfig("127.0.0.1", 0, Path.of("/tmp/m"), 5, LOGDS, 2, 1024, null, 100,
            0, 10);
        final MapdConfig copy = config.logdWaitMs(0).appendTimeoutMs(300).withBacklog(1 << 10).withLocalReads(false).withPeers(LOGDS);
        assertNotSame(config, copy);
        assertEquals(MapdConfig.DEFAULT_BACKLOG, config.backlog());
        assertEquals(MapdConfig.DEFAULT_LOCAL_READS, config.localReads());
        assertEquals(List.of(), config.peers());
        assertEquals(1 << 10, copy.backlog());
        assertEquals(false, copy.localReads());
        assertEquals(LOGDS, copy.peers());
        assertEquals(5, copy.nodeId());
        assertEquals(1024, copy.maxValueLength());
        assertEquals(0, copy.logdWaitMs(), "carried into copies");
        assertEquals(300, copy.appendTimeoutMs(), "carried into copies");
        assertSame(config, config.conclude(), "conclude returns this");
    }
}
