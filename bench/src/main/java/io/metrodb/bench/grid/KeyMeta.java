package io.metrodb.bench.grid;

/**
 * Immutable value for the on-heap map baselines: the grid entry's fields at RF 2. Immutable because concurrent
 * readers of a {@link java.util.concurrent.ConcurrentHashMap} need a new object per update to see consistent fields.
 */
final class KeyMeta
{
    final long version;
    final int versionNode;
    final int flags;
    final int valueLength;
    final int checksum;
    final long replica0;
    final long replica1;

    KeyMeta(
        final long version,
        final int versionNode,
        final int flags,
        final int valueLength,
        final int checksum,
        final long replica0,
        final long replica1)
    {
        this.version = version;
        this.versionNode = versionNode;
        this.flags = flags;
        this.valueLength = valueLength;
        this.checksum = checksum;
        this.replica0 = replica0;
        this.replica1 = replica1;
    }
}
