package io.metrodb.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The points of an {@code .hgrm} file (HdrHistogram's {@code outputPercentileDistribution}): latency, and the
 * percentile as a fraction, in file order, the last one (percentile 1, "1/(1-Percentile)" infinite) included.
 */
final class PercentileCurve
{
    final String label;
    final double[] values;
    final double[] percentiles;

    PercentileCurve(final String label, final double[] values, final double[] percentiles)
    {
        this.label = label;
        this.values = values;
        this.percentiles = percentiles;
    }

    /**
     * @param label the run's name in the plot.
     * @param file  an .hgrm file.
     * @return its points.
     * @throws IOException when it cannot be read, or holds no point.
     */
    static PercentileCurve read(final String label, final Path file) throws IOException
    {
        final List<double[]> points = new ArrayList<>();
        for (final String line : Files.readAllLines(file))
        {
            final String trimmed = line.trim();
            if (trimmed.isEmpty() || trimmed.startsWith("#") || trimmed.startsWith("Value"))
            {
                continue;
            }
            final String[] fields = trimmed.split("\\s+");
            if (fields.length != 4)
            {
                continue;
            }
            try
            {
                points.add(new double[] {Double.parseDouble(fields[0]), Double.parseDouble(fields[1])});
            }
            catch (final NumberFormatException e)
            {
                throw new IOException(file + ": not an .hgrm line: " + line, e);
            }
        }
        if (points.isEmpty())
        {
            throw new IOException(file + ": no percentile lines (not an .hgrm file?)");
        }
        final double[] values = new double[points.size()];
        final double[] percentiles = new double[points.size()];
        for (int i = 0; i < values.length; i++)
        {
            values[i] = points.get(i)[0];
            percentiles[i] = points.get(i)[1];
        }
        return new PercentileCurve(label, values, percentiles);
    }
}
