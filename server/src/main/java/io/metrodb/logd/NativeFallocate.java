package io.metrodb.logd;

import jdk.incubator.foreign.CLinker;
import jdk.incubator.foreign.FunctionDescriptor;
import jdk.incubator.foreign.MemoryAddress;
import jdk.incubator.foreign.MemorySegment;
import jdk.incubator.foreign.ResourceScope;
import jdk.incubator.foreign.SymbolLookup;

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

    private final MethodHandle open;
    private final MethodHandle fallocate;
    private final MethodHandle close;

    NativeFallocate()
    {
        final CLinker linker = CLinker.getInstance();
        final SymbolLookup libc = CLinker.systemLookup();
        open = linker.downcallHandle(libc.lookup("open").orElseThrow(),
            MethodType.methodType(int.class, MemoryAddress.class, int.class, int.class),
            FunctionDescriptor.of(CLinker.C_INT, CLinker.C_POINTER, CLinker.C_INT, CLinker.asVarArg(CLinker.C_INT)));
        fallocate = linker.downcallHandle(libc.lookup("posix_fallocate").orElseThrow(),
            MethodType.methodType(int.class, int.class, long.class, long.class),
            FunctionDescriptor.of(CLinker.C_INT, CLinker.C_INT, CLinker.C_LONG, CLinker.C_LONG));
        close = linker.downcallHandle(libc.lookup("close").orElseThrow(),
            MethodType.methodType(int.class, int.class),
            FunctionDescriptor.of(CLinker.C_INT, CLinker.C_INT));
    }

    /**
     * Creates (or truncates) {@code file} and reserves {@code length} bytes of zeros for it.
     *
     * @throws IOException "No space left on device" when the device is full, else with the error number.
     */
    void allocate(final Path file, final long length) throws IOException
    {
        try (ResourceScope scope = ResourceScope.newConfinedScope())
        {
            final MemorySegment path = CLinker.toCString(file.toString(), scope);
            final int fd = (int)open.invokeExact(path.address(), O_RDWR | O_CREAT | O_TRUNC, 0644);
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
                final int ignored = (int)close.invokeExact(fd);
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
