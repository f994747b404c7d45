package io.metrodb.logd;

import jdk.incubator.foreign.CLinker;
import jdk.incubator.foreign.FunctionDescriptor;
import jdk.incubator.foreign.MemoryAddress;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.nio.file.Path;

/**
 * Page-cache calls through the JDK 17 foreign linker (incubator), available only with {@code --add-modules
 * jdk.incubator.foreign --enable-native-access=ALL-UNNAMED} ({@link #load()} returns null otherwise):
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

    private final NativeLibc libc = new NativeLibc();
    private final MethodHandle syncFileRange = libc.bind("sync_file_range",
        MethodType.methodType(int.class, int.class, long.class, long.class, int.class),
        FunctionDescriptor.of(CLinker.C_INT, CLinker.C_INT, CLinker.C_LONG, CLinker.C_LONG, CLinker.C_INT));
    private final MethodHandle madvise = libc.bind("madvise",
        MethodType.methodType(int.class, MemoryAddress.class, long.class, int.class),
        FunctionDescriptor.of(CLinker.C_INT, CLinker.C_POINTER, CLinker.C_LONG, CLinker.C_INT));

    private NativePageCache()
    {
    }

    /**
     * @return the native calls, or null when the foreign linker is not enabled or the platform lacks them.
     */
    static NativePageCache load()
    {
        try
        {
            return new NativePageCache();
        }
        catch (final Throwable unavailable)
        {
            return null;
        }
    }

    /**
     * @return a read-only descriptor for {@code file}, or -1.
     */
    int open(final Path file)
    {
        try
        {
            return libc.open(file, O_RDONLY | O_CLOEXEC, 0);
        }
        catch (final Throwable t)
        {
            return -1;
        }
    }

    /**
     * Start write-back of the dirty pages in {@code [offset, offset + length)} of {@code fd}.
     *
     * @return false when the call failed.
     */
    boolean startWriteBack(final int fd, final long offset, final long length)
    {
        try
        {
            return 0 == (int)syncFileRange.invokeExact(fd, offset, length, SYNC_FILE_RANGE_WRITE);
        }
        catch (final Throwable t)
        {
            return false;
        }
    }

    /**
     * Drop this process's mappings of {@code [address, address + length)}, page aligned, of a shared file mapping.
     *
     * @return false when the call failed.
     */
    boolean dropMappings(final long address, final long length)
    {
        try
        {
            return 0 == (int)madvise.invokeExact(MemoryAddress.ofLong(address), length, MADV_DONTNEED);
        }
        catch (final Throwable t)
        {
            return false;
        }
    }

    void close(final int fd)
    {
        libc.close(fd);
    }
}
