package io.metrodb.log;

import java.lang.invoke.MethodHandle;

/**
 * The {@link Libc} calls that need no errno capture, the same on every binding: {@code close(int)int} and
 * {@code posix_fallocate(int, long, long)int} (which returns its error number).
 */
final class PlainLibcCalls
{
    private final MethodHandle close;
    private final MethodHandle posixFallocate;
    private final String api;

    /**
     * @param api named in the exception should a call fail in the linker itself.
     */
    PlainLibcCalls(final MethodHandle close, final MethodHandle posixFallocate, final String api)
    {
        this.close = close;
        this.posixFallocate = posixFallocate;
        this.api = api;
    }

    void close(final int fd)
    {
        try
        {
            final int ignored = (int)close.invokeExact(fd);
        }
        catch (final Throwable ignored)
        {
            // Nothing to do with a descriptor that would not close.
        }
    }

    int posixFallocate(final int fd, final long offset, final long length)
    {
        try
        {
            return (int)posixFallocate.invokeExact(fd, offset, length);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("posix_fallocate through " + api + " failed", t);
        }
    }
}
