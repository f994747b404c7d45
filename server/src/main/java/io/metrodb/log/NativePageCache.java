package io.metrodb.log;

import java.nio.file.Path;

/**
 * Page-cache calls, available where {@link NativeLibc} has a binding ({@link #load()} returns null otherwise):
 * <ul>
 *     <li>{@code sync_file_range(2)} with {@code SYNC_FILE_RANGE_WRITE}: start writing a range's dirty pages back
 *     without waiting for them. Not a durability primitive (it neither waits, nor commits metadata, nor flushes
 *     the disk's cache); the msync that follows finds the pages written or in flight.</li>
 *     <li>{@code madvise(MADV_DONTNEED)} on a shared file mapping: drop this process's page-table entries for a
 *     range, moving their dirty bits to the page cache; the pages and their contents stay, and the next access
 *     faults them back in. Write-back must write-protect every writable entry of a page it cleans, one TLB
 *     flush (an IPI to every other core running the process) per page; dropping a whole range first costs one.
 *     </li>
 * </ul>
 */
final class NativePageCache
{
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 02000000;
    private static final int SYNC_FILE_RANGE_WRITE = 2;
    private static final int MADV_DONTNEED = 4;

    private final Libc libc;

    NativePageCache(final Libc libc)
    {
        this.libc = libc;
    }

    /**
     * @return the native calls, or null when this JVM has no binding for them (see {@link NativeLibc}).
     */
    static NativePageCache load()
    {
        final Libc libc = NativeLibc.get();
        return null == libc ? null : new NativePageCache(libc);
    }

    /**
     * @return a read-only descriptor for {@code file}, or {@code -errno}.
     */
    int open(final Path file)
    {
        return libc.open(file, O_RDONLY | O_CLOEXEC, 0);
    }

    /**
     * Start write-back of the dirty pages in {@code [offset, offset + length)} of {@code fd}.
     *
     * @return 0, or {@code -errno} when the call failed.
     */
    int startWriteBack(final int fd, final long offset, final long length)
    {
        return libc.syncFileRange(fd, offset, length, SYNC_FILE_RANGE_WRITE);
    }

    /**
     * Drop this process's mappings of {@code [address, address + length)}, page aligned, of a shared file mapping.
     *
     * @return 0, or {@code -errno} when the call failed.
     */
    int dropMappings(final long address, final long length)
    {
        return libc.madvise(address, length, MADV_DONTNEED);
    }

    void close(final int fd)
    {
        libc.close(fd);
    }
}
