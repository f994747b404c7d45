package io.metrodb.mond;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link MondConfig} as a context builder: defaults in one place, fluent setters, one {@code conclude()} that names
 * every bad value, and the {@code with*} copies that leave the original alone.
 */
class MondConfigTest
{
    private static final List<InetSocketAddress> MAPDS = List.of(InetSocketAddress.createUnresolved("127.0.0.1", 7550));
    private static final List<InetSocketAddress> LOGDS = List.of(InetSocketAddress.createUnresolved("127.0.0.1", 7558));

    @Test
    void shouldStartEverySettingAtItsDefault()
    {
        final MondConfig config = new MondConfig().mapds(MAPDS).logds(LOGDS).conclude();
        assertEquals(MondConfig.DEFAULT_HOST, config.host());
        assertEquals(MondConfig.DEFAULT_PORT, config.port());
        assertEquals(0, config.nodeId());
        assertEquals(MondConfig.DEFAULT_HEARTBEAT_INTERVAL_MS, config.heartbeatIntervalMs());
        assertEquals(MondConfig.DEFAULT_DOWN_AFTER, config.downAfter());
        assertEquals(MondConfig.DEFAULT_PROBE_KEYS_PER_SEC, config.probeKeysPerSec());
        assertEquals(MondConfig.DEFAULT_SCRUB_KEYS_PER_SEC, config.scrubKeysPerSec());
        assertEquals(MondConfig.DEFAULT_REPAIRS_PER_SEC, config.repairsPerSec());
        assertEquals(MondConfig.DEFAULT_REPAIR_GRACE_MS, config.repairGraceMs());
        assertEquals(MondConfig.DEFAULT_MAX_PENDING_REPAIRS, config.maxPendingRepairs());
        assertEquals(MondConfig.DEFAULT_REQUEST_TIMEOUT_MS, config.requestTimeoutMs());
        assertEquals(MondConfig.DEFAULT_SCRUB_PASS_MIN_MS, config.scrubPassMinMs());
        assertEquals(0, MondConfig.defaults(MAPDS, LOGDS).port(), "defaults() binds an ephemeral port");
    }

    @Test
    void shouldNameEveryBadValueAtOnce()
    {
        final IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> new MondConfig()
            .mapds(MAPDS).logds(MAPDS).heartbeatIntervalMs(1).downAfter(0).repairsPerSec(0).repairGraceMs(-1)
            .conclude());
        final String message = bad.getMessage();
        assertTrue(message.contains("127.0.0.1:7550 is listed twice in --mapds/--logds"), message);
        assertTrue(message.contains("--heartbeat-ms must be in 10..60000, was 1"), message);
        assertTrue(message.contains("--down-after must be in 1..1000, was 0"), message);
        assertTrue(message.contains("--repairs-per-sec must be in 1..1000000, was 0"), message);
        assertTrue(message.contains("--repair-grace-ms must be >= 0, was -1"), message);

        final IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
            () -> new MondConfig().conclude());
        assertTrue(none.getMessage().contains("--mapds and --logds must each list at least one address"),
            none.getMessage());
    }

    @Test
    void shouldLeaveTheOriginalUnchangedInWithCopies()
    {
        final MondConfig config = MondConfig.defaults(MAPDS, LOGDS);
        final MondConfig copy = config.withPort(7777).withRepairGraceMs(5).withRates(1, 2, 3).withScrubPassMinMs(9);
        assertEquals(0, config.port());
        assertEquals(MondConfig.DEFAULT_REPAIR_GRACE_MS, config.repairGraceMs());
        assertEquals(MondConfig.DEFAULT_PROBE_KEYS_PER_SEC, config.probeKeysPerSec());
        assertEquals(MondConfig.DEFAULT_SCRUB_PASS_MIN_MS, config.scrubPassMinMs());
        assertEquals(7777, copy.port());
        assertEquals(5, copy.repairGraceMs());
        assertEquals(1, copy.probeKeysPerSec());
        assertEquals(2, copy.scrubKeysPerSec());
        assertEquals(3, copy.repairsPerSec());
        assertEquals(9, copy.scrubPassMinMs());
        assertEquals(MAPDS, copy.mapds());
        assertEquals((MondConfig.DEFAULT_DOWN_AFTER + 1) * MondConfig.DEFAULT_HEARTBEAT_INTERVAL_MS,
            copy.maxDownDetectionMs());
    }
}
