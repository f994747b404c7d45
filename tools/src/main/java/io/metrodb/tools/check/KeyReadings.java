package io.metrodb.tools.check;

import io.metrodb.client.MetroClient;
import io.metrodb.client.MetroException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * What one mapd answers for every key a check wrote: the reads behind the multi-host check's {@link Audit} and the
 * chaos checker's verdict.
 */
public final class KeyReadings
{
    /** GETs in flight at once while reading a mapd's keys. */
    static final int BATCH = 256;

    private KeyReadings()
    {
    }

    /**
     * One mapd's answer for one key: a value, none ({@link #ABSENT}), or an error.
     */
    public record Reading(String value, String error)
    {
        public static final Reading ABSENT = new Reading(null, null);

        public static Reading of(final String value)
        {
            return value == null ? ABSENT : new Reading(value, null);
        }

        public static Reading failed(final String error)
        {
            return new Reading(null, Objects.requireNonNull(error));
        }

        @Override
        public String toString()
        {
            return error != null ? "error(" + error + ")" : value == null ? "absent" : "'" + value + "'";
        }
    }

    /**
     * Reads every key through a client bound to one mapd, {@link #BATCH} at a time.
     *
     * @param client a client of the one mapd to read.
     * @param keys   the keys.
     * @return each key's reading; a failed GET is a reading of its status's name.
     */
    public static Map<String, Reading> readAll(final MetroClient client, final List<String> keys)
    {
        final Map<String, Reading> readings = new HashMap<>(keys.size() * 2);
        for (int from = 0; from < keys.size(); from += BATCH)
        {
            final List<String> batch = keys.subList(from, Math.min(keys.size(), from + BATCH));
            final List<CompletableFuture<String>> reads = new ArrayList<>(batch.size());
            for (final String key : batch)
            {
                reads.add(client.getAsync(key));
            }
            for (int i = 0; i < batch.size(); i++)
            {
                Reading reading;
                try
                {
                    reading = Reading.of(reads.get(i).join());
                }
                catch (final CompletionException e)
                {
                    final Throwable cause = e.getCause();
                    reading = Reading.failed(cause instanceof MetroException ?
                        ((MetroException)cause).statusName() : String.valueOf(cause));
                }
                readings.put(batch.get(i), reading);
            }
        }
        return readings;
    }
}
