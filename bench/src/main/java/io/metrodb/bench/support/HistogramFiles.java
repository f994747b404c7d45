package io.metrodb.bench.support;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a latency histogram recorded in ns as HdrHistogram's percentile distribution in us (an {@code .hgrm} file).
 */
public final class HistogramFiles
{
    private HistogramFiles()
    {
    }

    /**
     * @param file      where to write, replaced if it exists.
     * @param histogram values in ns.
     */
    public static void writePercentilesUs(final Path file, final Histogram histogram) throws IOException
    {
        try (PrintStream stream = new PrintStream(Files.newOutputStream(file), false, StandardCharsets.US_ASCII))
        {
            histogram.outputPercentileDistribution(stream, 1000.0);
        }
    }
}
