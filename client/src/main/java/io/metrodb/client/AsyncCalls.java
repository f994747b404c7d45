package io.metrodb.client;

import io.metrodb.protocol.FrameFlags;
import io.metrodb.protocol.Opcodes;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The asynchronous calls of {@link MetroClient} on {@code byte[]} keys and values: each form that returns a
 * {@link CompletableFuture}, and the callback path that takes a {@link ReplyHandler} and allocates no future.
 * All of them hand the call to the {@link ClientCore}.
 */
abstract class AsyncCalls
{
    final ClientCore core;

    AsyncCalls(final ClientCore core)
    {
        this.core = core;
    }

    /**
     * Reads a key asynchronously.
     *
     * @param key the key, 1..65535 bytes.
     * @return completes with the value, with {@code null} when the key does not exist, or exceptionally with a
     * {@link MetroException}.
     */
    @SuppressWarnings("unchecked")
    public CompletableFuture<byte[]> getAsync(final byte[] key)
    {
        return (CompletableFuture<byte[]>)(CompletableFuture<?>)core.submit(Opcodes.GET, (byte)0, key, null);
    }

    /**
     * Writes a value asynchronously.
     *
     * @param key   the key, 1..65535 bytes.
     * @param value the value (may be empty).
     * @return completes with the version written, or exceptionally with a {@link MetroException}.
     */
    public CompletableFuture<WriteResult> setAsync(final byte[] key, final byte[] value)
    {
        return write(Opcodes.SET, key, value);
    }

    /**
     * Writes a value durably, asynchronously (see {@link #setSafe(byte[], byte[])}).
     *
     * @param key   the key, 1..65535 bytes.
     * @param value the value (may be empty).
     * @return completes with the version written.
     */
    public CompletableFuture<WriteResult> setSafeAsync(final byte[] key, final byte[] value)
    {
        return write(Opcodes.SETSAFE, key, value);
    }

    /**
     * Deletes a key asynchronously.
     *
     * @param key the key, 1..65535 bytes.
     * @return completes with true when a live value was deleted, false when the key did not exist.
     */
    @SuppressWarnings("unchecked")
    public CompletableFuture<Boolean> deleteAsync(final byte[] key)
    {
        return (CompletableFuture<Boolean>)(CompletableFuture<?>)core.submit(Opcodes.DEL, (byte)0, key, null);
    }

    /**
     * Tells asynchronously whether a key has a live value.
     *
     * @param key the key, 1..65535 bytes.
     * @return completes with true when the key exists, false otherwise.
     */
    @SuppressWarnings("unchecked")
    public CompletableFuture<Boolean> existsAsync(final byte[] key)
    {
        return (CompletableFuture<Boolean>)(CompletableFuture<?>)core.submit(Opcodes.EXISTS, (byte)0, key, null);
    }

    /**
     * Reads many keys, pipelined, asynchronously. Under {@link OverflowPolicy#FAIL_FAST} the whole batch must fit
     * in the free in-flight capacity, else it fails with {@link MetroOverloadedException} and nothing is sent.
     *
     * @param keys the keys, each 1..65535 bytes.
     * @return completes with the values in the order of {@code keys} ({@code null} for missing keys), or
     * exceptionally with the first failure.
     */
    @SuppressWarnings("unchecked")
    public CompletableFuture<List<byte[]>> getAllAsync(final List<byte[]> keys)
    {
        final CompletableFuture<Object>[] futures = core.batch(Opcodes.GET, keys, null);
        return CompletableFuture.allOf(futures).thenApply(ignored ->
        {
            final List<byte[]> values = new ArrayList<>(futures.length);
            for (final CompletableFuture<Object> future : futures)
            {
                values.add((byte[])future.join());
            }
            return values;
        });
    }

    /**
     * Writes many values (SET), pipelined, asynchronously (batch capacity as for {@link #getAllAsync(List)}).
     *
     * @param keys   the keys, each 1..65535 bytes.
     * @param values the values, as many as keys.
     * @return completes with the results in the order of {@code keys}, or exceptionally with the first failure
     * (other writes of the batch may have succeeded).
     */
    public CompletableFuture<List<WriteResult>> setAllAsync(final List<byte[]> keys, final List<byte[]> values)
    {
        if (keys.size() != values.size())
        {
            throw new IllegalArgumentException(keys.size() + " keys but " + values.size() + " values");
        }
        final CompletableFuture<Object>[] futures = core.batch(Opcodes.SET, keys, values);
        return CompletableFuture.allOf(futures).thenApply(ignored ->
        {
            final List<WriteResult> results = new ArrayList<>(futures.length);
            for (final CompletableFuture<Object> future : futures)
            {
                results.add((WriteResult)future.join());
            }
            return results;
        });
    }

    // ---------------------------------------------------------------------------------------------- callbacks

    /**
     * Reads a key; the outcome goes to {@code handler} ({@link ReplyHandler#onValue onValue},
     * {@link ReplyHandler#onNotFound onNotFound} or {@link ReplyHandler#onError onError}), with no future.
     *
     * @param key     the key, 1..65535 bytes (do not change it until the handler was told).
     * @param handler told the outcome, on the I/O thread; may be reused for call after call.
     */
    public void get(final byte[] key, final ReplyHandler handler)
    {
        core.submit(Opcodes.GET, (byte)0, key, null, handler);
    }

    /**
     * Writes a value as {@link MetroClient#set(byte[], byte[])}; the outcome goes to {@code handler}
     * ({@link ReplyHandler#onWritten onWritten} or {@link ReplyHandler#onError onError}), with no future.
     *
     * @param key     the key, 1..65535 bytes.
     * @param value   the value (may be empty); neither array may change until the handler was told.
     * @param handler told the outcome, on the I/O thread.
     */
    public void set(final byte[] key, final byte[] value, final ReplyHandler handler)
    {
        Objects.requireNonNull(value, "value");
        core.submit(Opcodes.SET, (byte)0, key, value, handler);
    }

    /**
     * Writes a value durably as {@link MetroClient#setSafe(byte[], byte[])}; the outcome goes to {@code handler}
     * ({@link ReplyHandler#onWritten onWritten} or {@link ReplyHandler#onError onError}), with no future.
     *
     * @param key     the key, 1..65535 bytes.
     * @param value   the value (may be empty); neither array may change until the handler was told.
     * @param handler told the outcome, on the I/O thread.
     */
    public void setSafe(final byte[] key, final byte[] value, final ReplyHandler handler)
    {
        Objects.requireNonNull(value, "value");
        core.submit(Opcodes.SETSAFE, (byte)0, key, value, handler);
    }

    /**
     * Deletes a key; the outcome goes to {@code handler} ({@link ReplyHandler#onFound onFound} when a live value
     * was deleted, {@link ReplyHandler#onNotFound onNotFound}, or {@link ReplyHandler#onError onError}).
     *
     * @param key     the key, 1..65535 bytes (do not change it until the handler was told).
     * @param handler told the outcome, on the I/O thread.
     */
    public void delete(final byte[] key, final ReplyHandler handler)
    {
        core.submit(Opcodes.DEL, (byte)0, key, null, handler);
    }

    /**
     * Deletes a key with SETSAFE durability, as {@link MetroClient#deleteSafe(byte[])}; the outcome goes to
     * {@code handler} as for {@link #delete(byte[], ReplyHandler)}.
     *
     * @param key     the key, 1..65535 bytes (do not change it until the handler was told).
     * @param handler told the outcome, on the I/O thread.
     */
    public void deleteSafe(final byte[] key, final ReplyHandler handler)
    {
        core.submit(Opcodes.DEL, FrameFlags.DURABLE, key, null, handler);
    }

    /**
     * Tells whether a key has a live value; the outcome goes to {@code handler} ({@link ReplyHandler#onFound
     * onFound}, {@link ReplyHandler#onNotFound onNotFound} or {@link ReplyHandler#onError onError}).
     *
     * @param key     the key, 1..65535 bytes (do not change it until the handler was told).
     * @param handler told the outcome, on the I/O thread.
     */
    public void exists(final byte[] key, final ReplyHandler handler)
    {
        core.submit(Opcodes.EXISTS, (byte)0, key, null, handler);
    }

    private CompletableFuture<WriteResult> write(final byte opcode, final byte[] key, final byte[] value)
    {
        Objects.requireNonNull(value, "value");
        @SuppressWarnings("unchecked")
        final CompletableFuture<WriteResult> future =
            (CompletableFuture<WriteResult>)(CompletableFuture<?>)core.submit(opcode, (byte)0, key, value);
        return future;
    }
}
