package io.metrodb.server.counters;

import org.agrona.concurrent.status.AtomicCounter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

    @Test
    void shouldRefuseTheFileOfAnotherLiveDaemonAndTakeOverADeadOnes() throws Exception
    {
        final Path path = dir.resolve(CountersLayout.FILE_NAME);
        final long parent = ProcessHandle.current().parent().orElseThrow().pid();
        CountersFile.create(dir, "logd"); // left open: the file of a daemon that runs...
        writePid(path, parent); // ...as another live process, started before the file was
        final IllegalStateException refused =
            assertThrows(IllegalStateException.class, () -> CountersFile.create(dir, "logd"));
        assertTrue(refused.getMessage().contains("in use by running process " + parent), refused.getMessage());

        final Process exited = new ProcessBuilder("true").start();
        assertEquals(0, exited.waitFor());
        writePid(path, exited.pid());
        try (CountersFileReader reader = CountersFileReader.open(path))
        {
            assertFalse(reader.isClosed());
            assertFalse(reader.isRunning(), "a daemon that died without a clean stop");
        }
        try (CountersFile replaced = CountersFile.create(dir, "logd");
            CountersFileReader reader = CountersFileReader.open(path))
        {
            assertEquals(ProcessHandle.current().pid(), reader.pid());
        }
    }

    private static void writePid(final Path file, final long pid) throws Exception
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            final ByteBuffer bytes = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.nativeOrder()).putLong(0, pid);
            channel.write(bytes, CountersLayout.PID_OFFSET);
        }
    }

    private static Exception failure(final String message)
    {
        return new IllegalStateException(message);
    }
}
