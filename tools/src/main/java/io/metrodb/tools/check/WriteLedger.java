package io.metrodb.tools.check;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every write the check made: each fresh key (written once, by SETSAFE or SET) with its value and whether the write
 * was acknowledged, and each shared ("hot") key with every value written to it. Values identify their write, so a
 * value read back says which write a mapd holds. Thread-safe: the writers record, the audit reads once they stopped.
 */
final class WriteLedger
{
    /**
     * One write of a fresh key.
     *
     * @param key      the key, written by this write only.
     * @param value    the value, unique to this write.
     * @param safe     SETSAFE (else SET).
     * @param acked    the mapd answered OK.
     */
    record Write(String key, String value, boolean safe, boolean acked)
    {
    }

    private final Map<String, Write> fresh = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> hot = new ConcurrentHashMap<>();

    /**
     * Records the outcome of a write of a fresh key.
     *
     * @throws IllegalStateException when the key was written before (a fresh key is written once).
     */
    void fresh(final String key, final String value, final boolean safe, final boolean acked)
    {
        if (fresh.putIfAbsent(key, new Write(key, value, safe, acked)) != null)
        {
            throw new IllegalStateException("fresh key " + key + " written twice");
        }
    }

    /**
     * Records a value written (or attempted: the outcome does not matter) to a shared key, before the write is sent.
     */
    void hot(final String key, final String value)
    {
        hot.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(value);
    }

    Write freshWrite(final String key)
    {
        return fresh.get(key);
    }

    Set<String> hotValues(final String key)
    {
        final Set<String> values = hot.get(key);
        return values == null ? Collections.emptySet() : values;
    }

    /**
     * @return every key written, fresh and shared, sorted.
     */
    List<String> keys()
    {
        final List<String> keys = new ArrayList<>(fresh.size() + hot.size());
        keys.addAll(fresh.keySet());
        keys.addAll(hot.keySet());
        Collections.sort(keys);
        return keys;
    }

    long count(final boolean safe, final boolean acked)
    {
        long count = 0;
        for (final Write write : fresh.values())
        {
            if (write.safe() == safe && write.acked() == acked)
            {
                count++;
            }
        }
        return count;
    }

    int hotKeys()
    {
        return hot.size();
    }
}
