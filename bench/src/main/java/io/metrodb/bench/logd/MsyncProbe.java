package io.metrodb.bench.logd;

import io.metrodb.bench.support.HarnessCommand;
import io.metrodb.bench.support.HelpOption;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * What one small durable force costs depending on how the file was pre-filled: a 64 MiB file zero-filled with
 * 1 MiB writes (as {@code SegmentAllocator} does), with 4 KiB writes, or left sparse; then 500 times: write
 * 100 B through a shared mapping and msync the page(s) they touch, as the sync thread forces a small group.
 * Prints the bytes the process sent to storage per msync ({@code /proc/self/io write_bytes}) and the mean msync
 * time. On kernels whose page cache keeps large folios for ext4 files, the 1 MiB writes leave 1 MiB folios and
 * each msync writes a whole folio back.
 * <p>
 * Run: {@code java -cp bench/target/benchmarks.jar io.metrodb.bench.logd.MsyncProbe [dir]}
 */
@Command(
    name = "MsyncProbe",
    showDefaultValues = true,
    description = "What one small msync costs depending on how the file was pre-filled.")
public final class MsyncProbe implements Callable<Integer>
{
    private static final int FILE_LENGTH = 64 * 1024 * 1024;
    private static final int FORCES = 500;
    private static final int WRITE_LENGTH = 100;
    private static final int PAGE_LENGTH = 4096;

    @CommandLine.Mixin
    private HelpOption help;

    @Parameters(arity = "0..1", paramLabel = "DIR", description = "Where the probe files are made (and deleted).")
    private String baseDirectory = BenchFiles.DEFAULT_BASE_DIRECTORY;

    private MsyncProbe()
    {
    }

    public static void main(final String[] args)
    {
        HarnessCommand.run(new MsyncProbe(), args);
    }

    @Override
    public Integer call() throws IOException
    {
        final Path directory = BenchFiles.newRunDirectory(baseDirectory, "msync-");
        try
        {
            for (final int fillChunkLength : new int[]{1024 * 1024, PAGE_LENGTH, 0})
            {
                probe(directory.resolve("probe-" + fillChunkLength), fillChunkLength);
            }
        }
        finally
        {
            BenchFiles.deleteRecursively(directory);
        }
        return 0;
    }

    private static void probe(final Path file, final int fillChunkLength) throws IOException
    {
        try (FileChannel channel = FileChannel.open(
            file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            if (fillChunkLength > 0)
            {
                final ByteBuffer zeros = ByteBuffer.allocateDirect(fillChunkLength);
                long position = 0;
                while (position < FILE_LENGTH)
                {
                    zeros.clear();
                    while (zeros.hasRemaining())
                    {
                        position += channel.write(zeros, position);
                    }
                }
            }
            else
            {
                channel.write(ByteBuffer.wrap(new byte[1]), FILE_LENGTH - 1);
            }
            channel.force(true);

            final MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, FILE_LENGTH);
            final long writeBytesBefore = BenchFiles.processBytesWritten();
            final long startNs = System.nanoTime();
            for (int i = 0; i < FORCES; i++)
            {
                final int position = i * WRITE_LENGTH;
                for (int j = 0; j < WRITE_LENGTH; j++)
                {
                    mapped.put(position + j, (byte)1);
                }
                final int pageStart = position & -PAGE_LENGTH;
                mapped.force(pageStart, position + WRITE_LENGTH - pageStart);
            }
            final long elapsedNs = System.nanoTime() - startNs;
            final long writeBytes = BenchFiles.processBytesWritten() - writeBytesBefore;
            System.out.printf(Locale.ROOT, "MSYNC fill=%s: %d x (write %d B + msync): %.0f KiB sent to storage " +
                "per msync, %.0f us per msync%n", fillChunkLength > 0 ? fillChunkLength + "B-writes" : "sparse",
                FORCES, WRITE_LENGTH, writeBytes / 1024.0 / FORCES, elapsedNs / 1e3 / FORCES);
        }
        finally
        {
            Files.deleteIfExists(file);
        }
    }
}
