package io.metrodb.client;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The {@code String} (UTF-8) and {@link ByteBuffer} forms of {@link MetroClient}'s calls: each converts and calls
 * the {@code byte[]} form.
 */
abstract class AdapterCalls extends BlockingCalls
{
    AdapterCalls(final ClientCore core)
    {
        super(core);
    }

    /**
     * Reads a key as UTF-8 text.
     *
     * @param key the key (UTF-8 encoded).
     * @return the value decoded as UTF-8, or {@code null} when the key does not exist.
     * @throws MetroException when the read failed.
     */
    public String get(final String key)
    {
        return text(get(utf8(key)));
    }

    /**
     * Reads a key as UTF-8 text, asynchronously.
     *
     * @param key the key (UTF-8 encoded).
     * @return completes with the value decoded as UTF-8, or with {@code null} when the key does not exist.
     */
    public CompletableFuture<String> getAsync(final String key)
    {
        return getAsync(utf8(key)).thenApply(AdapterCalls::text);
    }

    /**
     * Reads a key given as a buffer (its remaining bytes; its position is not changed).
     *
     * @param key the key.
     * @return the value wrapped in a heap buffer, or {@code null} when the key does not exist.
     * @throws MetroException when the read failed.
     */
    public ByteBuffer get(final ByteBuffer key)
    {
        return wrap(get(bytes(key)));
    }

    /**
     * Reads a key given as a buffer, asynchronously.
     *
     * @param key the key (its remaining bytes).
     * @return completes with the value wrapped in a heap buffer, or with {@code null} when the key does not exist.
     */
    public CompletableFuture<ByteBuffer> getAsync(final ByteBuffer key)
    {
        return getAsync(bytes(key)).thenApply(AdapterCalls::wrap);
    }

    /**
     * Writes a UTF-8 text value.
     *
     * @param key   the key (UTF-8 encoded).
     * @param value the value (UTF-8 encoded).
     * @return the version written.
     * @throws MetroException when the write failed.
     */
    public WriteResult set(final String key, final String value)
    {
        return set(utf8(key), utf8(value));
    }

    /**
     * Writes a UTF-8 text value asynchronously.
     *
     * @param key   the key (UTF-8 encoded).
     * @param value the value (UTF-8 encoded).
     * @return completes with the version written.
     */
    public CompletableFuture<WriteResult> setAsync(final String key, final String value)
    {
        return setAsync(utf8(key), utf8(value));
    }

    /**
     * Writes a value given as buffers (their remaining bytes, copied; positions unchanged).
     *
     * @param key   the key.
     * @param value the value.
     * @return the version written.
     * @throws MetroException when the write failed.
     */
    public WriteResult set(final ByteBuffer key, final ByteBuffer value)
    {
        return set(bytes(key), bytes(value));
    }

    /**
     * Writes a value given as buffers, asynchronously.
     *
     * @param key   the key (remaining bytes).
     * @param value the value (remaining bytes).
     * @return completes with the version written.
     */
    public CompletableFuture<WriteResult> setAsync(final ByteBuffer key, final ByteBuffer value)
    {
        return setAsync(bytes(key), bytes(value));
    }

    /**
     * Writes a UTF-8 text value durably.
     *
     * @param key   the key (UTF-8 encoded).
     * @param value the value (UTF-8 encoded).
     * @return the version written.
     * @throws MetroException when the write failed.
     */
    public WriteResult setSafe(final String key, final String value)
    {
        return setSafe(utf8(key), utf8(value));
    }

    /**
     * Writes a UTF-8 text value durably, asynchronously.
     *
     * @param key   the key (UTF-8 encoded).
     * @param value the value (UTF-8 encoded).
     * @return completes with the version written.
     */
    public CompletableFuture<WriteResult> setSafeAsync(final String key, final String value)
    {
        return setSafeAsync(utf8(key), utf8(value));
    }

    /**
     * Writes a value given as buffers durably.
     *
     * @param key   the key (remaining bytes).
     * @param value the value (remaining bytes).
     * @return the version written.
     * @throws MetroException when the write failed.
     */
    public WriteResult setSafe(final ByteBuffer key, final ByteBuffer value)
    {
        return setSafe(bytes(key), bytes(value));
    }

    /**
     * Deletes a key given as UTF-8 text.
     *
     * @param key the key (UTF-8 encoded).
     * @return true when a live value was deleted, false when the key did not exist.
     * @throws MetroException when the delete failed.
     */
    public boolean delete(final String key)
    {
        return delete(utf8(key));
    }

    /**
     * Deletes a key given as UTF-8 text, asynchronously.
     *
     * @param key the key (UTF-8 encoded).
     * @return completes with true when a live value was deleted, false when the key did not exist.
     */
    public CompletableFuture<Boolean> deleteAsync(final String key)
    {
        return deleteAsync(utf8(key));
    }

    /**
     * Tells whether a key given as UTF-8 text has a live value.
     *
     * @param key the key (UTF-8 encoded).
     * @return true when the key exists.
     * @throws MetroException when the request failed.
     */
    public boolean exists(final String key)
    {
        return exists(utf8(key));
    }

    /**
     * Tells asynchronously whether a key given as UTF-8 text has a live value.
     *
     * @param key the key (UTF-8 encoded).
     * @return completes with true when the key exists.
     */
    public CompletableFuture<Boolean> existsAsync(final String key)
    {
        return existsAsync(utf8(key));
    }

    /**
     * Reads many UTF-8 text keys, pipelined.
     *
     * @param keys the keys (UTF-8 encoded).
     * @return the keys that exist with their values, in the order of {@code keys}; missing keys are absent.
     * @throws MetroException when any read failed.
     */
    public Map<String, String> getAllStrings(final Collection<String> keys)
    {
        return await(getAllStringsAsync(keys));
    }

    /**
     * Reads many UTF-8 text keys, pipelined, asynchronously.
     *
     * @param keys the keys (UTF-8 encoded).
     * @return completes with the keys that exist and their values; missing keys are absent.
     */
    public CompletableFuture<Map<String, String>> getAllStringsAsync(final Collection<String> keys)
    {
        final List<String> ordered = List.copyOf(keys);
        final List<byte[]> raw = new ArrayList<>(ordered.size());
        for (final String key : ordered)
        {
            raw.add(utf8(key));
        }
        return getAllAsync(raw).thenApply(values ->
        {
            final Map<String, String> result = new LinkedHashMap<>();
            for (int i = 0; i < ordered.size(); i++)
            {
                if (values.get(i) != null)
                {
                    result.put(ordered.get(i), text(values.get(i)));
                }
            }
            return result;
        });
    }

    /**
     * Writes many UTF-8 text values (SET), pipelined.
     *
     * @param entries keys and values (UTF-8 encoded).
     * @throws MetroException when any write failed (others may have succeeded).
     */
    public void setAllStrings(final Map<String, String> entries)
    {
        await(setAllStringsAsync(entries));
    }

    /**
     * Writes many UTF-8 text values (SET), pipelined, asynchronously.
     *
     * @param entries keys and values (UTF-8 encoded).
     * @return completes when every write succeeded, or exceptionally with the first failure.
     */
    public CompletableFuture<Void> setAllStringsAsync(final Map<String, String> entries)
    {
        final List<byte[]> keys = new ArrayList<>(entries.size());
        final List<byte[]> values = new ArrayList<>(entries.size());
        entries.forEach((key, value) ->
        {
            keys.add(utf8(key));
            values.add(utf8(value));
        });
        return setAllAsync(keys, values).thenApply(results -> null);
    }

    static byte[] utf8(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(final byte[] bytes)
    {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    static byte[] bytes(final ByteBuffer buffer)
    {
        final byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    static ByteBuffer wrap(final byte[] bytes)
    {
        return bytes == null ? null : ByteBuffer.wrap(bytes);
    }
}
