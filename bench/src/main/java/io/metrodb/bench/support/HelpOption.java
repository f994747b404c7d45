package io.metrodb.bench.support;

import picocli.CommandLine.Option;

/**
 * The {@code -h/--help} option every harness has (a picocli mixin; harnesses have no version to print).
 */
public final class HelpOption
{
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;
}
