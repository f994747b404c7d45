package io.metrodb.client;

import io.metrodb.protocol.FrameFlags;
import io.metrodb.protocol.Opcodes;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The blocking calls of {@link MetroClient} on {@code byte[]}: each waits for its asynchronous form and turns a
 * failure back into the {@link MetroException} it was.
 */
abstract class BlockingCalls extends AsyncCalls
{
    BlockingCalls(final ClientCore core)
    {
        super(core);
    }

    /**
     * Reads a key.
     *
     * @param key the key, 1..65535 bytes.
     * @return its value, or {@code null} when the key does not exist (or was deleted).
     * @throws MetroException when the read failed.
     */
    public byte[] get(final byte[] key)
    {
        return await(getAsync(key));
    }

    /**
     * Writes a value; answered once it sits in RF logds' page caches.
     *
     * @param key   the key, 1..65535 bytes.
     * @param value the value (may be empty).
     * @return the version written and the replication it got.
     * @throws MetroException when the write failed ({@link NotEnoughReplicasException}: nothing changed).
     */
    public WriteResult set(final byte[] key, final byte[] value)
    {
        return await(setAsync(key, value));
    }

    /**
     * Writes a value durably: answered once every replica forced it to disk, the mapd forced its journal and
     * every live peer mapd acknowledged it.
     *
     * @param key   the key, 1..65535 bytes.
     * @param value the value (may be empty).
     * @return the version written, with the peers that acknowledged it.
     * @throws MetroException when the write failed.
     */
    public WriteResult setSafe(final byte[] key, final byte[] value)
    {
        return await(setSafeAsync(key, value));
    }

    /**
     * Deletes a key.
     *
     * @param key the key, 1..65535 bytes.
     * @return true when a live value was deleted, false when the key did not exist.
     * @throws MetroException when the delete failed.
     */
    public boolean delete(final byte[] key)
    {
        return await(deleteAsync(key));
    }

    /**
     * Deletes a key with SETSAFE durability (the tombstone is forced and acknowledged by live peers).
     *
     * @param key the key, 1..65535 bytes.
     * @return true when a live value was deleted, false when the key did not exist.
     * @throws MetroException when the delete failed.
     */
    @SuppressWarnings("unchecked")
    public boolean deleteSafe(final byte[] key)
    {
        return await((CompletableFuture<Boolean>)(CompletableFuture<?>)
            core.submit(Opcodes.DEL, FrameFlags.DURABLE, key, null));
    }

    /**
     * Tells whether a key has a live value, without transferring it.
     *
     * @param key the key, 1..65535 bytes.
     * @return true when the key exists.
     * @throws MetroException when the request failed.
     */
    public boolean exists(final byte[] key)
    {
        return await(existsAsync(key));
    }

    /**
     * Reads many keys, pipelined.
     *
     * @param keys the keys, each 1..65535 bytes.
     * @return the values in the order of {@code keys}, {@code null} for keys that do not exist.
     * @throws MetroException when any read failed.
     */
    public List<byte[]> getAll(final List<byte[]> keys)
    {
        return await(getAllAsync(keys));
    }

    /**
     * Writes many values (SET), pipelined.
     *
     * @param keys   the keys, each 1..65535 bytes.
     * @param values the values, as many as keys.
     * @return the results in the order of {@code keys}.
     * @throws MetroException when any write failed (others may have succeeded).
     */
    public List<WriteResult> setAll(final List<byte[]> keys, final List<byte[]> values)
    {
        return await(setAllAsync(keys, values));
    }

    static <T> T await(final CompletableFuture<T> future)
    {
        try
        {
            return future.get();
        }
        catch (final ExecutionException | CompletionException e)
        {
            final Throwable cause = e.getCause();
            if (cause instanceof MetroException)
            {
                throw (MetroException)cause;
            }
            throw new MetroException((short)0, String.valueOf(cause), cause);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new MetroException((short)0, "interrupted while waiting for the answer");
        }
    }
}
