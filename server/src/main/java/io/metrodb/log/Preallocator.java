package io.metrodb.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.BooleanSupplier;

/**
 * Allocates a segment file's blocks for real before it is mapped: with {@code posix_fallocate} where
 * {@link NativeLibc} binds it (no data written), else by writing zeros. Either way the file is forced, and a
 * full disk is an {@link IOException} here rather than a SIGBUS during an append.
 */
public final class Preallocator
{
    /**
     * Zeros are written a page at a time: the page cache keeps the granularity of the writes that filled it
     * (large folios on recent kernels), and a force after a 4 KiB append to a segment zero-filled in 1 MiB
     * writes wrote back the whole 1 MiB (measured with MsyncProbe, docs/BENCHMARKS.md).
     */
    static final int ZERO_CHUNK_LENGTH = 4096;

    private static final NativeFallocate NATIVE = loadNative();

    private Preallocator()
    {
    }

    private static NativeFallocate loadNative()
    {
        final Libc libc = NativeLibc.get();
        return null == libc || Boolean.getBoolean("metrodb.noFallocate") ? null : new NativeFallocate(libc);
    }

    /**
     * @return "fallocate" or "zero-fill": how segments are being allocated.
     */
    static String method()
    {
        return NATIVE != null ? "fallocate" : "zero-fill";
    }

    /**
     * @return how segments are allocated and through which native API, or why none: for the start-up line.
     */
    public static String describe()
    {
        return method() + " (native calls: " + NativeLibc.description() + ")";
    }

    /**
     * Creates {@code file} with {@code length} allocated bytes of zeros, forced to disk.
     */
    static void allocate(final Path file, final long length) throws IOException
    {
        if (NATIVE != null)
        {
            NATIVE.allocate(file, length);
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
            {
                channel.force(true);
            }
            return;
        }
        writeZeros(file, length);
    }

    /**
     * @return true when {@link #prefillPageCache} would prefill with writes of {@code writeLength}.
     */
    static boolean prefills(final int writeLength)
    {
        return NATIVE != null && writeLength > 0;
    }

    /**
     * Put an allocated, forced file of zeros into the page cache in folios of {@code writeLength}: writes its
     * zeros again in writes of that size and does not force them. Only after {@code posix_fallocate}, whose
     * blocks are not in the page cache yet; the zero-fill fallback already left 4 KiB folios.
     * <p>
     * The pages stay dirty until appends overwrite them and a force writes them once, with the data. A force of
     * a few appended bytes then writes back one folio of {@code writeLength} rather than the up-to-2 MiB folio
     * that read-ahead on a mapping fault builds. The kernel writes back dirty pages older than
     * {@code vm.dirty_expire_centisecs} (30 s) by itself, so zeros that wait longer than that for their data
     * (a log appending under ~4 MB/s) are written twice.
     * <p>
     * Checks {@code stop} before each write and returns early once it says so: an appender waiting for the
     * segment should not wait for its prefill. The rest of the file is then left to the mapping's faults.
     *
     * @return bytes prefilled from the start of the file: {@code length}, less when stopped, 0 when not done.
     */
    static long prefillPageCache(final Path file, final long length, final int writeLength, final BooleanSupplier stop)
        throws IOException
    {
        if (!prefills(writeLength))
        {
            return 0;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            final ByteBuffer zeros = ByteBuffer.allocateDirect((int)Math.min(writeLength, length));
            long position = 0;
            while (position < length && !stop.getAsBoolean())
            {
                zeros.clear().limit((int)Math.min(zeros.capacity(), length - position));
                while (zeros.hasRemaining())
                {
                    position += channel.write(zeros, position);
                }
            }
            return position;
        }
    }

    static void writeZeros(final Path file, final long length) throws IOException
    {
        try (FileChannel channel = FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING))
        {
            final ByteBuffer zeros = ByteBuffer.allocateDirect((int)Math.min(ZERO_CHUNK_LENGTH, length));
            long position = 0;
            while (position < length)
            {
                zeros.clear().limit((int)Math.min(zeros.capacity(), length - position));
                while (zeros.hasRemaining())
                {
                    position += channel.write(zeros, position);
                }
            }
            channel.force(true);
        }
    }
}
