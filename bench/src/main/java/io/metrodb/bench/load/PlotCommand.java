package io.metrodb.bench.load;

import io.metrodb.bench.support.HelpOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code bin/metrodb-bench plot a.hgrm b.hgrm ... -o x.svg}: latency by percentile of several runs in one SVG.
 */
@Command(name = "plot", sortOptions = false,
    description = {"Draws .hgrm files (latency by percentile, one labelled line each) into one SVG.", ""},
    footer = {"", "Example: metrodb-bench plot metrodb=runs/m/get.hgrm redis=runs/r/get.hgrm -o get.svg"})
final class PlotCommand implements Callable<Integer>
{
    @Mixin
    private HelpOption help;

    @Parameters(arity = "1..*", paramLabel = "[LABEL=]FILE", description = "An .hgrm file, with its label " +
        "(default: its directory and name, e.g. m/get).")
    private List<String> files;

    @Option(names = {"-o", "--output"}, paramLabel = "SVG", required = true, description = "The SVG to write.")
    private Path output;

    @Option(names = "--title", paramLabel = "TEXT", description = "The title (default ${DEFAULT-VALUE}).",
        defaultValue = "Latency by percentile")
    private String title;

    @Option(names = "--unit", paramLabel = "UNIT", description = "The unit of the files' values (default " +
        "${DEFAULT-VALUE}: metrodb-bench writes us).", defaultValue = "us")
    private String unit;

    @Option(names = "--log-y", description = "A logarithmic latency axis (default linear from 0, as " +
        "HdrHistogram's plotter).")
    private boolean logY;

    @Override
    public Integer call() throws Exception
    {
        final List<PercentileCurve> curves = new ArrayList<>();
        for (final String argument : files)
        {
            final int equals = argument.indexOf('=');
            final Path file = Path.of(equals < 0 ? argument : argument.substring(equals + 1));
            curves.add(PercentileCurve.read(equals < 0 ? defaultLabel(file) : argument.substring(0, equals), file));
        }
        final Path parent = output.toAbsolutePath().getParent();
        if (parent != null)
        {
            Files.createDirectories(parent);
        }
        Files.writeString(output, SvgPlot.render(curves, title, unit, logY));
        System.out.println("wrote " + output + " (" + curves.size() + " runs)");
        return 0;
    }

    /**
     * @return e.g. {@code metrodb-20k/get} for {@code runs/metrodb-20k/get.hgrm}.
     */
    static String defaultLabel(final Path file)
    {
        final String name = file.getFileName().toString().replaceFirst("\\.hgrm$", "");
        final Path parent = file.toAbsolutePath().getParent();
        return parent == null || parent.getFileName() == null ? name : parent.getFileName() + "/" + name;
    }
}
