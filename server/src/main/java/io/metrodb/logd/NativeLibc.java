package io.metrodb.logd;

import jdk.incubator.foreign.CLinker;
import jdk.incubator.foreign.FunctionDescriptor;
import jdk.incubator.foreign.MemoryAddress;
import jdk.incubator.foreign.MemorySegment;
import jdk.incubator.foreign.ResourceScope;
import jdk.incubator.foreign.SymbolLookup;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.nio.file.Path;

/**
 * The libc calls {@link NativeFallocate} and {@link NativePageCache} share, through the JDK 17 foreign linker
 * (incubator): {@code open(2)} and {@code close(2)}, and a way to bind further functions. Constructing it throws
 * unless the JVM runs with {@code --add-modules jdk.incubator.foreign --enable-native-access=ALL-UNNAMED}.
 */
final class NativeLibc
{
    private final CLinker linker = CLinker.getInstance();
    private final SymbolLookup libc = CLinker.systemLookup();
    private final MethodHandle open = bind("open",
        MethodType.methodType(int.class, MemoryAddress.class, int.class, int.class),
        FunctionDescriptor.of(CLinker.C_INT, CLinker.C_POINTER, CLinker.C_INT, CLinker.asVarArg(CLinker.C_INT)));
    private final MethodHandle close = bind("close",
        MethodType.methodType(int.class, int.class),
        FunctionDescriptor.of(CLinker.C_INT, CLinker.C_INT));

    MethodHandle bind(final String name, final MethodType type, final FunctionDescriptor descriptor)
    {
        return linker.downcallHandle(libc.lookup(name).orElseThrow(), type, descriptor);
    }

    /**
     * @return a descriptor for {@code file}, or a negative number when {@code open} failed.
     */
    int open(final Path file, final int flags, final int mode) throws Throwable
    {
        try (ResourceScope scope = ResourceScope.newConfinedScope())
        {
            final MemorySegment path = CLinker.toCString(file.toString(), scope);
            return (int)open.invokeExact(path.address(), flags, mode);
        }
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
}
