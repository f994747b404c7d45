package io.metrodb.gateway;

import io.metrodb.tools.testing.ToolsCluster;

import java.nio.file.Path;

/**
 * The tools' test cluster with a value limit large enough for the gateway's 10 MiB round trips.
 */
final class GatewayCluster extends ToolsCluster
{
    static final int MAX_VALUE = 16 << 20;

    GatewayCluster(final Path root) throws Exception
    {
        super(root, MAX_VALUE);
    }
}
