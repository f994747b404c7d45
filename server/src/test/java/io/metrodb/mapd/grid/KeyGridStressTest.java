package io.metrodb.mapd.grid;

import io.metrodb.protocol.testing.TestSeed;
import io.metrodb.server.FrameView;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One writer updates a fixed key set and inserts new keys (forcing resizes from a tiny index) while three readers
 * check that every entry they see is internally consistent: the writer derives every field from the version, so a
 * torn read shows as a mismatch. Bounded by write count, not time; replay a seed with -Dgrid.stress.seed=<seed>.
 */
class KeyGridStressTest
{
    private static final int FIXED_KEYS = 1024;
    private static final int WRITES = 2_000_000;
    private static final int INSERT_EVERY = 16;
    private static final int READERS = 3;
    private static final int KEY_LENGTH = 16;
    private static final long NEW_KEY_PREFIX = 0x4E45_5700_0000_0000L;

    @RegisterExtension
    final TestSeed testSeed = new TestSeed("grid.stress.seed");

    @Test
    @Timeout(60)
    void shouldNeverShowTornEntryOrLoseKeyToReaders() throws InterruptedException
    {
        final long seed = testSeed.value();

        final KeyGrid grid = new KeyGrid(2, 16, 1 << 10, KeyArena.MIN_CHUNK_BYTES, true);
        final AtomicLong insertedCount = new AtomicLong();
        final AtomicReference<String> failure = new AtomicReference<>();
        final CountDownLatch preloaded = new CountDownLatch(1);
        final long[] readCounts = new long[READERS];
        final AtomicLong done = new AtomicLong();

        final Thread writer = new Thread(
            () -> write(grid, new SplittableRandom(seed), insertedCount, preloaded, failure, done), "grid-writer");
        final Thread[] readers = new Thread[READERS];
        for (int r = 0; r < READERS; r++)
        {
            final int readerId = r;
            final SplittableRandom random = new SplittableRandom(seed + 1 + r);
            readers[r] = new Thread(
                () -> readCounts[readerId] = read(readerId, grid, random, insertedCount, done, failure),
                "grid-reader-" + r);
        }

        writer.start();
        preloaded.await();
        for (final Thread reader : readers)
        {
            reader.start();
        }
        writer.join();
        for (final Thread reader : readers)
        {
            reader.join();
        }

        try
        {
            assertNull(failure.get(), testSeed.describe());
            assertEquals(FIXED_KEYS + WRITES / INSERT_EVERY, grid.size());
            assertTrue(grid.capacity() >= 1 << 17, "index grew from 16 slots: " + grid.capacity());
            for (int r = 0; r < READERS; r++)
            {
                assertTrue(readCounts[r] > 0, "reader " + r + " read nothing");
            }
            System.out.printf("KeyGridStressTest writes=%d size=%d capacity=%d reads=%d/%d/%d%n",
                WRITES, grid.size(), grid.capacity(), readCounts[0], readCounts[1], readCounts[2]);
        }
        finally
        {
            // The joins above order the hand-off from the writer thread.
            grid.claimWriter();
            grid.close();
        }
    }

    private static void write(
        final KeyGrid grid,
        final SplittableRandom random,
        final AtomicLong insertedCount,
        final CountDownLatch preloaded,
        final AtomicReference<String> failure,
        final AtomicLong done)
    {
        final UnsafeBuffer key = new UnsafeBuffer(new byte[KEY_LENGTH]);
        final long[] replicas = new long[2];
        long version = 1;
        try
        {
            for (int i = 0; i < FIXED_KEYS; i++)
            {
                fixedKey(key, i);
                applyDerived(grid, key, version++, replicas);
            }
            preloaded.countDown();

            for (int w = 1; w <= WRITES; w++)
            {
                if (w % INSERT_EVERY == 0)
                {
                    final long inserted = insertedCount.get();
                    newKey(key, inserted);
                    applyDerived(grid, key, version++, replicas);
                    insertedCount.setRelease(inserted + 1);
                }
                else
                {
                    fixedKey(key, random.nextInt(FIXED_KEYS));
                    applyDerived(grid, key, version++, replicas);
                }
            }
        }
        catch (final Throwable ex)
        {
            failure.compareAndSet(null, "writer: " + ex);
            preloaded.countDown();
        }
        finally
        {
            done.set(1);
        }
    }

    private static long read(
        final int readerId,
        final KeyGrid grid,
        final SplittableRandom random,
        final AtomicLong insertedCount,
        final AtomicLong done,
        final AtomicReference<String> failure)
    {
        // Readers use different key types: heap DirectBuffer, off-heap DirectBuffer, and a direct Netty ByteBuf.
        final UnsafeBuffer key = readerId == 1 ?
            new UnsafeBuffer(ByteBuffer.allocateDirect(KEY_LENGTH)) : new UnsafeBuffer(new byte[KEY_LENGTH]);
        final ByteBuf nettyKey = Unpooled.directBuffer(KEY_LENGTH, KEY_LENGTH);
        // Wrapped once, as the server's edge does; the view follows the buffer's memory.
        final DirectBuffer nettyKeyView = new FrameView().wrap(nettyKey);
        final GridEntry entry = new GridEntry();
        final long[] lastVersions = new long[FIXED_KEYS];
        long reads = 0;
        try
        {
            while (done.get() == 0 && failure.get() == null)
            {
                final int fixed = random.nextInt(FIXED_KEYS);
                fixedKey(key, fixed);
                if (!get(readerId, grid, key, nettyKey, nettyKeyView, entry))
                {
                    fail(failure, "reader " + readerId + ": fixed key " + fixed + " missing");
                    break;
                }
                if (!consistent(entry) || entry.version() < lastVersions[fixed])
                {
                    fail(failure, "reader " + readerId + ": torn or older entry " + entry + " after " +
                        lastVersions[fixed]);
                    break;
                }
                lastVersions[fixed] = entry.version();

                final long inserted = insertedCount.getAcquire();
                if (inserted > 0)
                {
                    final long newest = (reads & 1) == 0 ? inserted - 1 : random.nextLong(inserted);
                    newKey(key, newest);
                    if (!get(readerId, grid, key, nettyKey, nettyKeyView, entry) || !consistent(entry))
                    {
                        fail(failure, "reader " + readerId + ": new key " + newest + " of " + inserted +
                            " missing or torn " + entry);
                        break;
                    }
                }

                if (readerId == 2 && (reads & 1023) == 0)
                {
                    walk(grid, random.nextLong(grid.size()), failure);
                }
                reads++;
            }
        }
        catch (final Throwable ex)
        {
            fail(failure, "reader " + readerId + ": " + ex);
        }
        finally
        {
            nettyKey.release();
        }

        return reads;
    }

    private static boolean get(
        final int readerId,
        final KeyGrid grid,
        final UnsafeBuffer key,
        final ByteBuf nettyKey,
        final DirectBuffer nettyKeyView,
        final GridEntry entry)
    {
        if (readerId == 2)
        {
            nettyKey.setBytes(0, key.byteArray());
            return grid.get(nettyKeyView, 0, KEY_LENGTH, entry);
        }

        return grid.get(key, 0, KEY_LENGTH, entry);
    }

    private static void walk(final KeyGrid grid, final long cursor, final AtomicReference<String> failure)
    {
        grid.forEach(cursor, 256, (keyBuffer, keyIndex, keyLength, entry) ->
        {
            if (keyLength != KEY_LENGTH || !consistent(entry))
            {
                fail(failure, "walk: torn entry " + entry);
            }
        });
    }

    private static void applyDerived(
        final KeyGrid grid, final UnsafeBuffer key, final long version, final long[] replicas)
    {
        replicas[0] = GridReplica.pack((int)(version & 0xFFFF), version & GridReplica.MAX_OFFSET);
        replicas[1] = GridReplica.pack((int)((version >>> 3) & 0xFFFF), (version * 7) & GridReplica.MAX_OFFSET);
        final int result = GridKeys.apply(grid, 
            key, 0, KEY_LENGTH, version, (int)(version & 0xFFFF), 0, (int)version, ~(int)version, 2, replicas);
        if (result != KeyGrid.APPLIED)
        {
            throw new IllegalStateException("not applied: version " + version);
        }
    }

    private static boolean consistent(final GridEntry entry)
    {
        final long version = entry.version();
        return entry.valueLength() == (int)version &&
            entry.checksum() == ~(int)version &&
            entry.versionNode() == (int)(version & 0xFFFF) &&
            entry.flags() == 0 &&
            entry.replicaCount() == 2 &&
            entry.logdId(0) == (int)(version & 0xFFFF) &&
            entry.offset(0) == (version & GridReplica.MAX_OFFSET) &&
            entry.logdId(1) == (int)((version >>> 3) & 0xFFFF) &&
            entry.offset(1) == ((version * 7) & GridReplica.MAX_OFFSET);
    }

    private static void fixedKey(final UnsafeBuffer key, final long i)
    {
        key.putLong(0, 0x4649_5845_4400_0000L);
        key.putLong(8, i);
    }

    private static void newKey(final UnsafeBuffer key, final long i)
    {
        key.putLong(0, NEW_KEY_PREFIX);
        key.putLong(8, i);
    }

    private static void fail(final AtomicReference<String> failure, final String message)
    {
        failure.compareAndSet(null, message);
    }
}
