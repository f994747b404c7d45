package io.metrodb.testing;

import java.nio.file.Path;

/**
 * What a {@link TestCluster} starts: {@link #start()} builds it.
 */
public final class TestClusterBuilder
{
    final Path root;
    int logdCount = 3;
    int mapdCount;
    int rf = TestCluster.DEFAULT_RF;
    int firstMapdId = TestCluster.FIRST_MAPD_ID;
    boolean logdsAsProcesses;
    String authToken;
    long requestTimeoutMs = 5_000;
    long peerTimeoutMs = 1_000;
    boolean awaitPeers;

    TestClusterBuilder(final Path root)
    {
        this.root = root;
    }

    public TestClusterBuilder logds(final int count)
    {
        logdCount = count;
        return this;
    }

    /** Peer mapds started with the cluster (default none: the test starts its own). */
    public TestClusterBuilder mapds(final int count)
    {
        mapdCount = count;
        return this;
    }

    public TestClusterBuilder rf(final int replicationFactor)
    {
        rf = replicationFactor;
        return this;
    }

    public TestClusterBuilder firstMapdId(final int id)
    {
        firstMapdId = id;
        return this;
    }

    /** Each logd in a JVM of its own (for SIGKILL); else in this JVM. */
    public TestClusterBuilder logdsAsProcesses(final boolean asProcesses)
    {
        logdsAsProcesses = asProcesses;
        return this;
    }

    /** The token every node requires and presents (in-process logds only), or null. */
    public TestClusterBuilder authToken(final String token)
    {
        authToken = token;
        return this;
    }

    public TestClusterBuilder requestTimeoutMs(final long timeoutMs)
    {
        requestTimeoutMs = timeoutMs;
        return this;
    }

    public TestClusterBuilder peerTimeoutMs(final long timeoutMs)
    {
        peerTimeoutMs = timeoutMs;
        return this;
    }

    /** Start returns once every mapd sees all its peers. */
    public TestClusterBuilder awaitPeers(final boolean await)
    {
        awaitPeers = await;
        return this;
    }

    public TestCluster start() throws Exception
    {
        return Ports.retryOnBindFailure(() ->
        {
            final TestCluster cluster = new TestCluster(this);
            try
            {
                cluster.startAll();
                return cluster;
            }
            catch (final Exception | Error e)
            {
                cluster.close();
                throw e;
            }
        });
    }
}
