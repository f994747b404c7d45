package io.metrodb.protocol.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The leak check sees a real leak: a buffer dropped without release is reported through the detector the extension
 * installed. (This test takes the report itself, so the extension does not fail the class for it.)
 */
class NettyLeakCheckTest
{
    @Test
    void shouldReportABufferGarbageCollectedWithoutRelease() throws Exception
    {
        Assumptions.assumeTrue(ResourceLeakDetector.getLevel() == ResourceLeakDetector.Level.PARANOID,
            "the test JVMs run Netty's leak detector on paranoid (root pom)");
        leakOne();
        final List<String> reported = new ArrayList<>();
        Await.until("the leak detector reports the dropped buffer", 30_000, () ->
        {
            reported.addAll(NettyLeakCheck.collectLeaks());
            return !reported.isEmpty();
        });
        assertTrue(reported.get(0).contains("leakOne"), "the report says where the buffer was touched: " + reported);
    }

    private static void leakOne()
    {
        final ByteBuf leaked = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        leaked.writeLong(42);
    }
}
