package io.metrodb.log;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PreallocatorTest
{
    private static final long LENGTH = 8L << 20;

    @TempDir
    Path dir;

    /** Bytes the file system actually holds for the file (not sparse when equal to its length). */
    private static long allocatedBytes(final Path file) throws Exception
    {
        final Process stat = new ProcessBuilder("stat", "-c", "%b %B", file.toString()).start();
        final String[] parts = new String(stat.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim().split(" ");
        assertEquals(0, stat.waitFor());
        return Long.parseLong(parts[0]) * Long.parseLong(parts[1]);
    }

    private static void assertAllZeros(final Path file) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
            long total = 0;
            int n;
            while ((n = channel.read(buffer)) > 0)
            {
                for (int i = 0; i < n; i++)
                {
                    assertEquals(0, buffer.get(i), "byte " + (total + i));
                }
                total += n;
                buffer.clear();
            }
            assertEquals(LENGTH, total);
        }
    }

    @Test
    void shouldUseFallocateWhereTheJvmHasAForeignFunctionApi()
    {
        final int feature = Runtime.version().feature();
        final String expected = feature == 17 || feature >= 22 ? "fallocate" : "zero-fill";
        assertEquals(expected, Preallocator.method(), "Java " + feature + ", native calls: " +
            NativeLibc.description() + " (the test JVM gets the options of io.metrodb.server.DaemonJvmOptions)");
    }

    @Test
    void shouldAllocateEveryBlockOfZerosWithFallocate() throws Exception
    {
        final Path file = dir.resolve("a.seg");
        Preallocator.allocate(file, LENGTH);
        assertEquals(LENGTH, Files.size(file));
        assertTrue(allocatedBytes(file) >= LENGTH, "not sparse: " + allocatedBytes(file));
        assertAllZeros(file);
    }

    @Test
    void shouldAllocateEveryBlockOfZerosByWriting() throws Exception
    {
        final Path file = dir.resolve("b.seg");
        Preallocator.writeZeros(file, LENGTH);
        assertEquals(LENGTH, Files.size(file));
        assertTrue(allocatedBytes(file) >= LENGTH, "not sparse: " + allocatedBytes(file));
        assertAllZeros(file);
    }

    @Test
    void shouldTruncateAnOldFileBeforeAllocating() throws Exception
    {
        final Path file = dir.resolve("c.seg");
        Files.write(file, new byte[] {1, 2, 3});
        Preallocator.allocate(file, LENGTH);
        assertAllZeros(file);
    }

    @Test
    void shouldPrefillThePageCacheWithoutChangingTheZeros() throws Exception
    {
        final Path file = dir.resolve("d.seg");
        Preallocator.allocate(file, LENGTH);
        assertEquals(LENGTH, Preallocator.prefillPageCache(file, LENGTH, 64 * 1024, () -> false));
        assertEquals(LENGTH, Files.size(file));
        assertTrue(allocatedBytes(file) >= LENGTH, "not sparse: " + allocatedBytes(file));
        assertAllZeros(file);
    }

    @Test
    void shouldNotPrefillWhenTurnedOff() throws Exception
    {
        final Path file = dir.resolve("e.seg");
        Preallocator.allocate(file, LENGTH);
        assertEquals(0, Preallocator.prefillPageCache(file, LENGTH, 0, () -> false));
        assertAllZeros(file);
    }

    @Test
    void shouldStopPrefillingWhenAskedBetweenWrites() throws Exception
    {
        final Path file = dir.resolve("f.seg");
        Preallocator.allocate(file, LENGTH);
        final int[] checks = {0};
        assertEquals(3 * 4096, Preallocator.prefillPageCache(file, LENGTH, 4096, () -> ++checks[0] > 3));
        assertEquals(LENGTH, Files.size(file));
        assertAllZeros(file);
    }
}
