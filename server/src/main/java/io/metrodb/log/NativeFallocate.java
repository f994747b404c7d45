package io.metrodb.log;

import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code posix_fallocate(3)}: reserves a file's blocks without writing them, so a segment is allocated for real (a
 * full disk fails here, never as a SIGBUS later) at no write bandwidth. Available where {@link NativeLibc} has a
 * binding; {@link Preallocator} writes zeros otherwise.
 */
final class NativeFallocate
{
    private static final int O_RDWR = 02;
    private static final int O_CREAT = 0100;
    private static final int O_TRUNC = 01000;
    private static final int O_CLOEXEC = 02000000;

    private final Libc libc;

    NativeFallocate(final Libc libc)
    {
        this.libc = libc;
    }

    /**
     * Creates (or truncates) {@code file} and reserves {@code length} bytes of zeros for it.
     *
     * @throws IOException "No space left on device" when the device or quota is full, else with the error name.
     */
    void allocate(final Path file, final long length) throws IOException
    {
        final int fd = libc.open(file, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
        {
            throw new IOException("cannot open " + file + " to preallocate it: " + Errno.describe(-fd));
        }
        final int error;
        try
        {
            error = libc.posixFallocate(fd, 0L, length);
        }
        finally
        {
            libc.close(fd);
        }
        if (error == Errno.ENOSPC || error == Errno.EDQUOT)
        {
            throw new IOException("No space left on device (" + Errno.describe(error) + "): preallocating " +
                length + " bytes for " + file);
        }
        if (error != 0)
        {
            throw new IOException("posix_fallocate of " + length + " bytes for " + file + " failed: " +
                Errno.describe(error));
        }
    }
}
