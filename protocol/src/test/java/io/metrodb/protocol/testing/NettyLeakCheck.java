package io.metrodb.protocol.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fails a test class when Netty's leak detector reports a leaked buffer, instead of leaving the report to scroll
 * past in the log. Registered for every test class of every module through the protocol test-jar's
 * {@code META-INF/services} and {@code junit.jupiter.extensions.autodetection.enabled} (root pom).
 * <p>
 * The detector learns of a leak only once the garbage collector has found the buffer unreachable, and reports it
 * on a later allocation; so after each class this collects garbage and allocates until Netty has had its chance.
 * A leak found then may come from an earlier class still (whatever was not yet collected): the report carries
 * the buffer's access records, which say where it was allocated and last touched.
 */
public final class NettyLeakCheck implements AfterAllCallback
{
    private static final Queue<String> LEAKS = new ConcurrentLinkedQueue<>();
    private static final int COLLECTIONS = 3;

    static
    {
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
    }

    @Override
    public void afterAll(final ExtensionContext context)
    {
        final List<String> leaks = collectLeaks();
        if (!leaks.isEmpty())
        {
            fail("Netty reported " + leaks.size() + " leaked buffer(s) by the end of " + context.getDisplayName() +
                " (possibly from an earlier class):\n" + String.join("\n\n", leaks));
        }
    }

    /**
     * Collects garbage, lets the detector look, and takes what it reported since the last call.
     */
    static List<String> collectLeaks()
    {
        if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.DISABLED)
        {
            for (int i = 0; i < COLLECTIONS && LEAKS.isEmpty(); i++)
            {
                System.gc();
                allocateAndRelease();
            }
        }
        final List<String> leaks = new ArrayList<>();
        for (String leak; (leak = LEAKS.poll()) != null; )
        {
            leaks.add(leak);
        }
        return leaks;
    }

    /**
     * Every tracked allocation makes the detector look at the buffers collected so far.
     */
    private static void allocateAndRelease()
    {
        final ByteBuf[] buffers = {
            PooledByteBufAllocator.DEFAULT.directBuffer(16),
            PooledByteBufAllocator.DEFAULT.heapBuffer(16),
            UnpooledByteBufAllocator.DEFAULT.directBuffer(16),
            UnpooledByteBufAllocator.DEFAULT.heapBuffer(16)};
        for (final ByteBuf buffer : buffers)
        {
            buffer.release();
        }
    }

    private static final class RecordingFactory extends ResourceLeakDetectorFactory
    {
        @Override
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(
            final Class<T> resource, final int samplingInterval, final long maxActive)
        {
            return new RecordingDetector<>(resource, samplingInterval);
        }

        @Override
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(final Class<T> resource, final int samplingInterval)
        {
            return new RecordingDetector<>(resource, samplingInterval);
        }
    }

    private static final class RecordingDetector<T> extends ResourceLeakDetector<T>
    {
        RecordingDetector(final Class<?> resource, final int samplingInterval)
        {
            super(resource, samplingInterval);
        }

        @Override
        protected void reportTracedLeak(final String resourceType, final String records)
        {
            LEAKS.add("LEAK: " + resourceType + ".release() was not called before it was garbage-collected." + records);
            super.reportTracedLeak(resourceType, records);
        }

        @Override
        protected void reportUntracedLeak(final String resourceType)
        {
            LEAKS.add("LEAK: " + resourceType + ".release() was not called before it was garbage-collected" +
                " (no access records: the leak detector level is below advanced)");
            super.reportUntracedLeak(resourceType);
        }
    }
}
