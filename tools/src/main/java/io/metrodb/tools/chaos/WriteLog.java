package io.metrodb.tools.chaos;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every write of a chaos run, per key, in the order it was made. Each key belongs to one writer, which writes it
 * by one blocking call at a time, so the order of a key's writes is the order its writer made them. Each value
 * names its write ({@link #value}), so a value read back says which write a mapd holds. A key's history is
 * appended to by its writer only; it is read once the writers stopped.
 */
final class WriteLog
{
    /**
     * One write.
     *
     * @param value   the value, unique to this write.
     * @param safe    SETSAFE (else SET).
     * @param failure null when the mapd answered OK; else why it failed (a status name, or the exception's class):
     *                such a write may or may not have been applied.
     */
    record Write(String value, boolean safe, String failure)
    {
        boolean acked()
        {
            return failure == null;
        }
    }

    private final Map<String, List<Write>> byKey = new TreeMap<>();

    /**
     * @return the history of a key, created empty on first use: for its writer to append to.
     */
    List<Write> history(final String key)
    {
        synchronized (byKey)
        {
            return byKey.computeIfAbsent(key, k -> new ArrayList<>());
        }
    }

    /**
     * @return every key written (or attempted), sorted.
     */
    List<String> keys()
    {
        synchronized (byKey)
        {
            final List<String> keys = new ArrayList<>();
            for (final Map.Entry<String, List<Write>> entry : byKey.entrySet())
            {
                if (!entry.getValue().isEmpty())
                {
                    keys.add(entry.getKey());
                }
            }
            return keys;
        }
    }

    /**
     * @return the writes of a key in order (empty if none).
     */
    List<Write> writes(final String key)
    {
        synchronized (byKey)
        {
            final List<Write> writes = byKey.get(key);
            return writes == null ? Collections.emptyList() : writes;
        }
    }

    /**
     * @return the value of the {@code seq}-th write of {@code writer} to {@code key}: it names all three.
     */
    static String value(final int writer, final long seq, final boolean safe, final String key)
    {
        return "w" + writer + "#" + seq + (safe ? " SETSAFE " : " SET ") + key;
    }
}
