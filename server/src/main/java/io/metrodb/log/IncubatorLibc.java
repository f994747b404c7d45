package io.metrodb.log;

import jdk.incubator.foreign.CLinker;
import jdk.incubator.foreign.FunctionDescriptor;
import jdk.incubator.foreign.MemoryAccess;
import jdk.incubator.foreign.MemoryAddress;
import jdk.incubator.foreign.MemorySegment;
import jdk.incubator.foreign.ResourceScope;
import jdk.incubator.foreign.SymbolLookup;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.nio.file.Path;

/**
 * {@link Libc} through Java 17's incubating foreign linker. Loaded only on Java 17 with the module added (see
 * {@link NativeLibc}); compiled with {@code --add-modules jdk.incubator.foreign}, which every later javac accepts
 * with {@code --release 17}.
 * <p>
 * Only what a segment's creation needs ({@code open}, {@code posix_fallocate}, {@code close}) is bound up front: each
 * binding spins method handles for a few tens of milliseconds of CPU, which a daemon's start can do without. The
 * others are bound on first use.
 * <p>
 * The incubator cannot capture errno as part of a call, so it is read with {@code __errno_location()} right after
 * a call that failed, on the same thread: the JVM may in principle run libc code between the two, so an error
 * number read here is best effort (it is only ever reported, never acted on).
 */
final class IncubatorLibc implements Libc
{
    private final CLinker linker = CLinker.getInstance();
    private final SymbolLookup lookup = CLinker.systemLookup();
    private final MethodHandle open = bind("open",
        MethodType.methodType(int.class, MemoryAddress.class, int.class, int.class),
        FunctionDescriptor.of(CLinker.C_INT, CLinker.C_POINTER, CLinker.C_INT, CLinker.asVarArg(CLinker.C_INT)));
    private final PlainLibcCalls plain = new PlainLibcCalls(
        bind("close", MethodType.methodType(int.class, int.class), FunctionDescriptor.of(CLinker.C_INT, CLinker.C_INT)),
        bind("posix_fallocate", MethodType.methodType(int.class, int.class, long.class, long.class),
            FunctionDescriptor.of(CLinker.C_INT, CLinker.C_INT, CLinker.C_LONG, CLinker.C_LONG)),
        "jdk.incubator.foreign");
    // Bound on first use; a race binds twice, harmlessly.
    private volatile MethodHandle syncFileRange;
    private volatile MethodHandle madvise;
    private volatile MethodHandle errnoLocation;

    private MethodHandle bind(final String name, final MethodType type, final FunctionDescriptor descriptor)
    {
        return linker.downcallHandle(lookup.lookup(name).orElseThrow(), type, descriptor);
    }

    @Override
    public int open(final Path file, final int flags, final int mode)
    {
        try (ResourceScope scope = ResourceScope.newConfinedScope())
        {
            final MemorySegment path = CLinker.toCString(file.toString(), scope);
            final int fd = (int)open.invokeExact(path.address(), flags, mode);
            return fd >= 0 ? fd : -errno();
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("open through the foreign linker failed", t);
        }
    }

    @Override
    public void close(final int fd)
    {
        plain.close(fd);
    }

    @Override
    public int posixFallocate(final int fd, final long offset, final long length)
    {
        return plain.posixFallocate(fd, offset, length);
    }

    @Override
    public int syncFileRange(final int fd, final long offset, final long length, final int flags)
    {
        try
        {
            MethodHandle handle = syncFileRange;
            if (handle == null)
            {
                handle = bind("sync_file_range",
                    MethodType.methodType(int.class, int.class, long.class, long.class, int.class),
                    FunctionDescriptor.of(CLinker.C_INT, CLinker.C_INT, CLinker.C_LONG, CLinker.C_LONG, CLinker.C_INT));
                syncFileRange = handle;
            }
            return 0 == (int)handle.invokeExact(fd, offset, length, flags) ? 0 : -errno();
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("sync_file_range through the foreign linker failed", t);
        }
    }

    @Override
    public int madvise(final long address, final long length, final int advice)
    {
        try
        {
            MethodHandle handle = madvise;
            if (handle == null)
            {
                handle = bind("madvise",
                    MethodType.methodType(int.class, MemoryAddress.class, long.class, int.class),
                    FunctionDescriptor.of(CLinker.C_INT, CLinker.C_POINTER, CLinker.C_LONG, CLinker.C_INT));
                madvise = handle;
            }
            return 0 == (int)handle.invokeExact(MemoryAddress.ofLong(address), length, advice) ? 0 : -errno();
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("madvise through the foreign linker failed", t);
        }
    }

    private int errno() throws Throwable
    {
        MethodHandle handle = errnoLocation;
        if (handle == null)
        {
            handle = bind("__errno_location", MethodType.methodType(MemoryAddress.class),
                FunctionDescriptor.of(CLinker.C_POINTER));
            errnoLocation = handle;
        }
        final MemoryAddress location = (MemoryAddress)handle.invokeExact();
        return MemoryAccess.getInt(location.asSegment(Integer.BYTES, ResourceScope.globalScope()));
    }
}
