package io.metrodb.mond;

import org.junit.jupiter.api.AfterEach;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Fixtures shared by {@link ViewPublisherEpochTest} and {@link ViewPublisherPushTest}: fake mapds and logds, a fake clock. */
abstract class ViewPublisherTestBase
{
    static final long START_WALL_MS = 1_750_000_000_000L;
    static final long INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(MondConfig.DEFAULT_HEARTBEAT_INTERVAL_MS);

    final List<FakeNode> mapds = new ArrayList<>();
    final List<FakeNode> logds = new ArrayList<>();
    AgentHarness harness;
    long now;

    @AfterEach
    void stop()
    {
        if (harness != null)
        {
            harness.close();
        }
        for (final FakeNode node : mapds)
        {
            node.close();
        }
        for (final FakeNode node : logds)
        {
            node.close();
        }
    }
}
