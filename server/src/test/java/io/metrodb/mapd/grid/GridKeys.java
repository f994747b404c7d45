package io.metrodb.mapd.grid;

import io.metrodb.server.FrameView;
import io.netty.buffer.ByteBuf;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Test shorthands for a {@link KeyGrid} keyed by a whole {@code byte[]} (wrapped in an {@link UnsafeBuffer}) or a
 * Netty buffer (viewed through a {@link FrameView}, as the server's edge does), and for a change given field by
 * field (filled into a {@link GridWrite}). Allocates per call: tests only.
 */
public final class GridKeys
{
    private GridKeys()
    {
    }

    public static DirectBuffer buffer(final byte[] key)
    {
        return new UnsafeBuffer(key);
    }

    public static boolean get(final KeyGrid grid, final byte[] key, final GridEntry into)
    {
        return grid.get(buffer(key), 0, key.length, into);
    }

    public static int apply(
        final KeyGrid grid,
        final byte[] key,
        final long version,
        final int versionNode,
        final int flags,
        final int valueLength,
        final int checksum,
        final int replicaCount,
        final long[] replicas)
    {
        return apply(grid, buffer(key), 0, key.length, version, versionNode, flags, valueLength, checksum,
            replicaCount, replicas);
    }

    public static boolean get(
        final KeyGrid grid, final ByteBuf key, final int index, final int length, final GridEntry into)
    {
        return grid.get(new FrameView().wrap(key), index, length, into);
    }

    public static int apply(
        final KeyGrid grid,
        final ByteBuf key,
        final int index,
        final int length,
        final long version,
        final int versionNode,
        final int flags,
        final int valueLength,
        final int checksum,
        final int replicaCount,
        final long[] replicas)
    {
        return apply(grid, new FrameView().wrap(key), index, length, version, versionNode, flags, valueLength,
            checksum, replicaCount, replicas);
    }

    public static int apply(
        final KeyGrid grid,
        final DirectBuffer key,
        final int index,
        final int length,
        final long version,
        final int versionNode,
        final int flags,
        final int valueLength,
        final int checksum,
        final int replicaCount,
        final long[] replicas)
    {
        return grid.apply(write(key, index, length, version, versionNode, flags, valueLength, checksum,
            replicaCount, replicas));
    }

    public static int applyRepair(
        final KeyGrid grid,
        final DirectBuffer key,
        final int index,
        final int length,
        final long version,
        final int versionNode,
        final int flags,
        final int valueLength,
        final int checksum,
        final int replicaCount,
        final long[] replicas)
    {
        return grid.applyRepair(write(key, index, length, version, versionNode, flags, valueLength, checksum,
            replicaCount, replicas));
    }

    public static int replaceReplicas(
        final KeyGrid grid,
        final byte[] key,
        final long expectedVersion,
        final int expectedNode,
        final int replicaCount,
        final long[] replicas)
    {
        return grid.replaceReplicas(buffer(key), 0, key.length, expectedVersion, expectedNode, replicaCount, replicas);
    }

    private static GridWrite write(
        final DirectBuffer key,
        final int index,
        final int length,
        final long version,
        final int versionNode,
        final int flags,
        final int valueLength,
        final int checksum,
        final int replicaCount,
        final long[] replicas)
    {
        return new GridWrite().key(key, index, length).version(version, versionNode).flags(flags)
            .value(valueLength, checksum).replicas(replicaCount, replicas);
    }
}
