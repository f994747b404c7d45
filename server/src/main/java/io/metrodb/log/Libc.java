package io.metrodb.log;

import java.nio.file.Path;

/**
 * The few libc calls logd makes beyond what the JDK offers, bound by {@link NativeLibc} to whichever foreign function
 * API the running JVM has. Failures are return values, not exceptions: the callers fall back (zero-fill, no
 * write-behind, mappings kept) and report the error number.
 */
interface Libc
{
    /**
     * {@code open(2)}.
     *
     * @return a file descriptor, or {@code -errno}.
     */
    int open(Path file, int flags, int mode);

    /**
     * {@code close(2)}, errors ignored: nothing can be done with a descriptor that would not close.
     */
    void close(int fd);

    /**
     * {@code posix_fallocate(3)}, which returns its error number rather than setting errno.
     *
     * @return 0, or an error number ({@link Errno#ENOSPC} when the device is full).
     */
    int posixFallocate(int fd, long offset, long length);

    /**
     * {@code sync_file_range(2)}.
     *
     * @return 0, or {@code -errno}.
     */
    int syncFileRange(int fd, long offset, long length, int flags);

    /**
     * {@code madvise(2)} on {@code [address, address + length)}.
     *
     * @return 0, or {@code -errno}.
     */
    int madvise(long address, long length, int advice);
}
