package io.metrodb.logd;

import jdk.incubator.foreign.CLinker;
import jdk.incubator.foreign.FunctionDescriptor;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.nio.file.Path;

/**
 * {@code posix_fallocate(3)} through the JDK 17 foreign linker (incubator): reserves a file's blocks without
 * writing them, so a segment is allocated for real (a full disk fails here, never as a SIGBUS later) at no
 * write bandwidth. Used only when the JVM runs with {@code --add-modules jdk.incubator.foreign
 * --enable-native-access=ALL-UNNAMED}; {@link Preallocator} falls back to writing zeros otherwise.
 */
final class NativeFallocate
{
    private static final int O_RDWR = 02;
    private static final int O_CREAT = 0100;
    private static final int O_TRUNC = 01000;
    private static final int ENOSPC = 28;
    private static final int EDQUOT = 122;

    private final NativeLibc libc = new NativeLibc();
    private final MethodHandle fallocate = libc.bind("posix_fallocate",
        MethodType.methodType(int.class, int.class, long.class, long.class),
        FunctionDescriptor.of(CLinker.C_INT, CLinker.C_INT, CLinker.C_LONG, CLinker.C_LONG));

    /**
     * Creates (or truncates) {@code file} and reserves {@code length} bytes of zeros for it.
     *
     * @throws IOException "No space left on device" when the device is full, else with the error number.
     */
    void allocate(final Path file, final long length) throws IOException
    {
        try
        {
            final int fd = libc.open(file, O_RDWR | O_CREAT | O_TRUNC, 0644);
            if (fd < 0)
            {
                throw new IOException("cannot open " + file + " to preallocate it");
            }
            final int error;
            try
            {
                error = (int)fallocate.invokeExact(fd, 0L, length);
            }
            finally
            {
                libc.close(fd);
            }
            if (error == ENOSPC || error == EDQUOT)
            {
                throw new IOException("No space left on device: preallocating " + length + " bytes for " + file);
            }
            if (error != 0)
            {
                throw new IOException("posix_fallocate of " + file + " failed with errno " + error);
            }
        }
        catch (final IOException | RuntimeException | Error e)
        {
            throw e;
        }
        catch (final Throwable t)
        {
            throw new IOException("posix_fallocate of " + file + " failed", t);
        }
    }
}
