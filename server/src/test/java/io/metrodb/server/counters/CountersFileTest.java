package io.metrodb.server.counters;

import org.agrona.concurrent.status.AtomicCounter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CountersFileTest
{
    @TempDir
    Path dir;

    @Test
    void shouldReadWhatTheDaemonWroteFromASecondMapping()
    {
        final long startMs = System.currentTimeMillis();
        try (CountersFile file = CountersFile.create(dir, "mapd", () -> startMs))
        {
            final AtomicCounter sets = file.newCounter("sets", 2);
            final AtomicCounter gets = file.newCounter("gets", 2);
            sets.incrementRelease();
            gets.getAndAddRelease(41);
            gets.incrementRelease();
            try (CountersFileReader reader = CountersFileReader.open(dir.resolve(CountersLayout.FILE_NAME)))
            {
                assertEquals("mapd", reader.kind());
                assertEquals(ProcessHandle.current().pid(), reader.pid());
                assertEquals(startMs, reader.startTimeMs());
                assertTrue(reader.isRunning());
                final Map<String, Long> values = new LinkedHashMap<>();
                reader.forEach((id, type, key, label) -> values.put(label, reader.value(id)));
                assertEquals(List.of("errors", "sets", "gets"), new ArrayList<>(values.keySet()), "in id order");
                assertEquals(0L, values.get("errors"));
                assertEquals(1L, values.get("sets"));
                assertEquals(42L, values.get("gets"));

                sets.incrementRelease();
                assertEquals(2, reader.value("sets", -1), "a live value, not a copy");
                assertEquals(-1, reader.value("nothing", -1));
            }
        }
        try (CountersFileReader reader = CountersFileReader.open(dir.resolve(CountersLayout.FILE_NAME)))
        {
            assertTrue(reader.isClosed());
            assertFalse(reader.isRunning(), "a stopped daemon reads as not running");
            assertEquals(2, reader.value("sets", -1), "the last values stay readable");
        }
    }

    @Test
    void shouldCountDistinctErrorsOnce()
    {
        try (CountersFile file = CountersFile.create(dir, "logd"))
        {
            for (int i = 0; i < 3; i++)
            {
                file.onError(failure("disk gone"));
            }
            file.onError(new IllegalArgumentException("other"));
            try (CountersFileReader reader = CountersFileReader.open(dir.resolve(CountersLayout.FILE_NAME)))
            {
                assertEquals(4, reader.value("errors", -1));
                final List<Integer> counts = new ArrayList<>();
                final List<String> traces = new ArrayList<>();
                final int distinct = reader.readErrors((count, firstMs, lastMs, trace) ->
                {
                    counts.add(count);
                    traces.add(trace);
                });
                assertEquals(2, distinct);
                assertEquals(List.of(3, 1), counts);
                assertTrue(traces.get(0).contains("disk gone"), traces.get(0));
            }
        }
    }

    @Test
    void shouldReplaceAStaleFile()
    {
        try (CountersFile first = CountersFile.create(dir, "mond"))
        {
            first.newCounter("old", 3).set(7);
        }
        try (CountersFile second = CountersFile.create(dir, "mond");
            CountersFileReader reader = CountersFileReader.open(dir.resolve(CountersLayout.FILE_NAME)))
        {
            assertEquals(-1, reader.value("old", -1));
            assertFalse(reader.isClosed());
        }
    }

    private static Exception failure(final String message)
    {
        return new IllegalStateException(message);
    }
}
