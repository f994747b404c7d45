package io.metrodb.tools.cli;

import io.metrodb.tools.testing.ToolsCluster;

import java.nio.file.Path;

/**
 * The tools' test cluster with a small value limit, so a test can go over it cheaply.
 */
final class CliCluster extends ToolsCluster
{
    static final int MAX_VALUE = 4 << 20;

    CliCluster(final Path root) throws Exception
    {
        super(root, MAX_VALUE);
    }
}
