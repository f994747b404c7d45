package io.metrodb.log;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@link Libc} through the final foreign function API of Java 22 and later ({@code java.lang.foreign}), with errno
 * captured by the linker as part of each call.
 * <p>
 * The build targets Java 17, whose class library has no {@code java.lang.foreign}, so this class reaches the API
 * by reflection once, when it binds, and keeps plain {@link MethodHandle}s whose {@code MemorySegment} parameters
 * are typed {@code Object}. A call is then an ordinary {@code invokeExact}, as fast as compiled code against the
 * API. Native memory comes from direct {@link ByteBuffer}s wrapped by {@code MemorySegment.ofBuffer} (which takes
 * the buffer from its position to its limit), so no {@code Arena} is needed either.
 */
final class ForeignLibc implements Libc
{
    private static final String PACKAGE = "java.lang.foreign.";

    private final MethodHandle open;
    private final PlainLibcCalls plain;
    private final MethodHandle syncFileRange;
    private final MethodHandle madvise;
    private final MethodHandle segmentOfBuffer;
    private final int errnoOffset;
    private final ThreadLocal<CallState> callState;

    /**
     * The linker writes errno into a native segment each thread passes to its calls; this is that segment, and
     * the buffer it wraps to read errno back.
     */
    private static final class CallState
    {
        final ByteBuffer buffer;
        final Object segment;

        CallState(final ByteBuffer buffer, final Object segment)
        {
            this.buffer = buffer;
            this.segment = segment;
        }
    }

    private ForeignLibc(final Api api) throws Throwable
    {
        final Object captureErrno = api.option("captureCallState", new Class<?>[] {String[].class},
            (Object)new String[] {"errno"});
        final Object variadicFromMode = api.option("firstVariadicArg", new Class<?>[] {int.class}, 2);
        final Object captureLayout = api.optionClass.getMethod("captureStateLayout").invoke(null);
        final Object errnoPath = api.pathElementArray("errno");
        errnoOffset = Math.toIntExact((long)api.layoutClass.getMethod("byteOffset", errnoPath.getClass())
            .invoke(captureLayout, errnoPath));
        final int captureLength = Math.toIntExact((long)api.layoutClass.getMethod("byteSize").invoke(captureLayout));

        segmentOfBuffer = api.lookup.findStatic(api.segmentClass, "ofBuffer",
            MethodType.methodType(api.segmentClass, java.nio.Buffer.class))
            .asType(MethodType.methodType(Object.class, ByteBuffer.class));
        final MethodHandle segmentOfAddress = api.lookup.findStatic(api.segmentClass, "ofAddress",
            MethodType.methodType(api.segmentClass, long.class));

        final Object i32 = api.valueLayout("JAVA_INT");
        final Object i64 = api.valueLayout("JAVA_LONG");
        final Object pointer = api.valueLayout("ADDRESS");

        open = api.downcall("open", new Object[] {i32, pointer, i32, i32}, captureErrno, variadicFromMode)
            .asType(MethodType.methodType(int.class, Object.class, Object.class, int.class, int.class));
        plain = new PlainLibcCalls(
            api.downcall("close", new Object[] {i32, i32}),
            api.downcall("posix_fallocate", new Object[] {i32, i32, i64, i64}),
            "java.lang.foreign");
        syncFileRange = api.downcall("sync_file_range", new Object[] {i32, i32, i64, i64, i32}, captureErrno)
            .asType(MethodType.methodType(int.class, Object.class, int.class, long.class, long.class, int.class));
        madvise = MethodHandles.filterArguments(
            api.downcall("madvise", new Object[] {i32, pointer, i64, i32}, captureErrno), 1, segmentOfAddress)
            .asType(MethodType.methodType(int.class, Object.class, long.class, long.class, int.class));

        callState = ThreadLocal.withInitial(() -> newCallState(captureLength));
    }

    /**
     * @throws Throwable when the JVM has no {@code java.lang.foreign} or refuses native access.
     */
    static ForeignLibc bind() throws Throwable
    {
        return new ForeignLibc(new Api());
    }

    private CallState newCallState(final int captureLength)
    {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(Math.max(captureLength, Long.BYTES))
            .order(ByteOrder.nativeOrder());
        try
        {
            return new CallState(buffer, (Object)segmentOfBuffer.invokeExact(buffer));
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("cannot wrap a direct buffer as a memory segment", t);
        }
    }

    @Override
    public int open(final Path file, final int flags, final int mode)
    {
        final byte[] name = file.toString().getBytes(StandardCharsets.UTF_8);
        final ByteBuffer path = ByteBuffer.allocateDirect(name.length + 1).put(name).put((byte)0).flip();
        final CallState state = callState.get();
        try
        {
            final int fd = (int)open.invokeExact(state.segment, (Object)segmentOfBuffer.invokeExact(path), flags, mode);
            return fd >= 0 ? fd : -errno(state);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("open through java.lang.foreign failed", t);
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
        final CallState state = callState.get();
        try
        {
            return 0 == (int)syncFileRange.invokeExact(state.segment, fd, offset, length, flags) ? 0 : -errno(state);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("sync_file_range through java.lang.foreign failed", t);
        }
    }

    @Override
    public int madvise(final long address, final long length, final int advice)
    {
        final CallState state = callState.get();
        try
        {
            return 0 == (int)madvise.invokeExact(state.segment, address, length, advice) ? 0 : -errno(state);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("madvise through java.lang.foreign failed", t);
        }
    }

    private int errno(final CallState state)
    {
        return state.buffer.getInt(errnoOffset);
    }

    /**
     * The reflective view of {@code java.lang.foreign} used while binding.
     */
    private static final class Api
    {
        final MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        final Class<?> linkerClass = Class.forName(PACKAGE + "Linker");
        final Class<?> optionClass = Class.forName(PACKAGE + "Linker$Option");
        final Class<?> layoutClass = Class.forName(PACKAGE + "MemoryLayout");
        final Class<?> pathElementClass = Class.forName(PACKAGE + "MemoryLayout$PathElement");
        final Class<?> valueLayoutClass = Class.forName(PACKAGE + "ValueLayout");
        final Class<?> descriptorClass = Class.forName(PACKAGE + "FunctionDescriptor");
        final Class<?> segmentClass = Class.forName(PACKAGE + "MemorySegment");
        final Class<?> symbolLookupClass = Class.forName(PACKAGE + "SymbolLookup");
        final Object linker = linkerClass.getMethod("nativeLinker").invoke(null);
        final Object libc = linkerClass.getMethod("defaultLookup").invoke(linker);

        Api() throws ReflectiveOperationException
        {
        }

        Object valueLayout(final String name) throws ReflectiveOperationException
        {
            return valueLayoutClass.getField(name).get(null);
        }

        Object option(final String factory, final Class<?>[] parameterTypes, final Object argument)
            throws ReflectiveOperationException
        {
            return optionClass.getMethod(factory, parameterTypes).invoke(null, argument);
        }

        Object pathElementArray(final String groupElement) throws ReflectiveOperationException
        {
            final Object array = Array.newInstance(pathElementClass, 1);
            Array.set(array, 0, pathElementClass.getMethod("groupElement", String.class).invoke(null, groupElement));
            return array;
        }

        /**
         * @param layouts the result's layout, then each argument's.
         */
        MethodHandle downcall(final String name, final Object[] layouts, final Object... options)
            throws ReflectiveOperationException
        {
            final Optional<?> symbol = (Optional<?>)symbolLookupClass.getMethod("find", String.class).invoke(libc, name);
            if (symbol.isEmpty())
            {
                throw new UnsupportedOperationException(name + " not found in libc");
            }
            final Object arguments = Array.newInstance(layoutClass, layouts.length - 1);
            for (int i = 1; i < layouts.length; i++)
            {
                Array.set(arguments, i - 1, layouts[i]);
            }
            final Method of = descriptorClass.getMethod("of", layoutClass, arguments.getClass());
            final Object descriptor = of.invoke(null, layouts[0], arguments);
            final Object optionArray = Array.newInstance(optionClass, options.length);
            for (int i = 0; i < options.length; i++)
            {
                Array.set(optionArray, i, options[i]);
            }
            return (MethodHandle)linkerClass.getMethod("downcallHandle", segmentClass, descriptorClass,
                optionArray.getClass()).invoke(linker, symbol.get(), descriptor, optionArray);
        }
    }
}
