package io.metrodb.log;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The native calls on the running JVM: bound where the JDK allows (17 with the incubator module, 22 and later), and
 * every failure carries its error number, captured with the call.
 */
class LibcTest
{
    private static final int O_RDONLY = 0;
    private static final int O_RDWR = 02;
    private static final int O_CREAT = 0100;

    @TempDir
    Path dir;

    private static Libc libc;

    @BeforeAll
    static void bind()
    {
        final int feature = Runtime.version().feature();
        if (feature == 17 || feature >= 22)
        {
            libc = NativeLibc.get();
            assertNotNull(libc, "Java " + feature + " should bind the native calls: " + NativeLibc.description());
        }
        Assumptions.assumeTrue(null != libc, "Java " + feature + " has no native binding: " + NativeLibc.description());
    }

    @Test
    void shouldReportTheErrnoOfAFailedOpen()
    {
        assertEquals(-Errno.ENOENT, libc.open(dir.resolve("missing/file"), O_RDONLY, 0));
    }

    @Test
    void shouldOpenAndWriteBackARealFile() throws IOException
    {
        final Path file = dir.resolve("f");
        final int fd = libc.open(file, O_RDWR | O_CREAT, 0644);
        assertTrue(fd >= 0, "open: " + Errno.describe(-fd));
        try
        {
            assertEquals(0, libc.posixFallocate(fd, 0, 1 << 20));
            assertEquals(1 << 20, Files.size(file));
            assertEquals(0, libc.syncFileRange(fd, 0, 1 << 20, 2));
        }
        finally
        {
            libc.close(fd);
        }
    }

    @Test
    void shouldReportTheErrnoOfAFailedSyncFileRange()
    {
        assertEquals(-Errno.EBADF, libc.syncFileRange(-1, 0, 4096, 2));
    }

    @Test
    void shouldReportTheErrnoOfAFailedMadvise()
    {
        assertEquals(-Errno.EINVAL, libc.madvise(1, 4096, 4), "an unaligned address");
    }

    @Test
    void shouldDropTheMappingsOfASharedFileMappingAndKeepItsContents() throws IOException
    {
        final Path file = dir.resolve("m");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE))
        {
            final MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, 2 * 4096);
            mapped.put(4096, (byte)42);
            final long address = new org.agrona.concurrent.UnsafeBuffer(mapped).addressOffset();
            assertEquals(0, libc.madvise(address, 2 * 4096, 4));
            assertEquals(42, mapped.get(4096), "MADV_DONTNEED keeps a shared file mapping's contents");
        }
    }

    @Test
    void shouldReportErrorsOfPosixFallocateByName()
    {
        final NativeFallocate fallocate = new NativeFallocate(libc);
        final IOException tooLarge = assertThrows(IOException.class,
            () -> fallocate.allocate(dir.resolve("huge"), Long.MAX_VALUE / 2));
        assertTrue(tooLarge.getMessage().contains("EFBIG") || tooLarge.getMessage().contains("No space left"),
            tooLarge.getMessage());
        final IOException noDirectory = assertThrows(IOException.class,
            () -> fallocate.allocate(dir.resolve("missing/segment"), 4096));
        assertTrue(noDirectory.getMessage().contains("ENOENT"), noDirectory.getMessage());
    }

    /**
     * A real full device: a 1 MiB tmpfs, which needs root (CI runs as root; elsewhere the test is skipped).
     */
    @Test
    void shouldReportNoSpaceWhenTheDeviceIsFull() throws Exception
    {
        final Path mount = Files.createDirectory(dir.resolve("tiny"));
        Assumptions.assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount.toString()),
            "needs root to mount a 1 MiB tmpfs");
        try
        {
            final IOException full = assertThrows(IOException.class,
                () -> new NativeFallocate(libc).allocate(mount.resolve("segment"), 4L << 20));
            assertTrue(full.getMessage().startsWith("No space left on device (ENOSPC (28))"), full.getMessage());
        }
        finally
        {
            assertTrue(run("umount", mount.toString()), "umount " + mount);
        }
    }

    private static boolean run(final String... command) throws Exception
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            return false;
        }
        return process.exitValue() == 0;
    }
}
