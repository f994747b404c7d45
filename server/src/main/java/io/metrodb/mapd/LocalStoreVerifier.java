package io.metrodb.mapd;

import io.metrodb.server.NodeIdFile;
import io.metrodb.server.StoreIdFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Verifies that the store a logd announced in INFO ({@code data_dir}, {@code store_id}, {@code node_id},
 * {@code segment_length}) is on this host's file system, readable here: the directory exists and holds the
 * announced store id ({@code store.id}) and the node id the logd gave in HELLO ({@code node.id}). Two tiny file
 * reads, once per (re)connect. Reused; data-path thread only.
 */
final class LocalStoreVerifier
{
    private String refusal;
    private Path dir;
    private int segmentLength;

    /**
     * @param nodeId the node id the logd gave in HELLO.
     * @param info   the text of its INFO answer.
     * @return true when its store is here ({@link #dir}, {@link #segmentLength}); else see {@link #refusal}.
     */
    boolean verify(final int nodeId, final String info)
    {
        refusal = null;
        dir = null;
        String dataDir = null;
        String storeId = null;
        String announcedNodeId = null;
        String announcedSegmentLength = null;
        for (final String line : info.split("\n"))
        {
            final int colon = line.indexOf(':');
            if (colon > 0)
            {
                final String name = line.substring(0, colon);
                final String value = line.substring(colon + 1).trim();
                switch (name)
                {
                    case "data_dir" -> dataDir = value;
                    case "store_id" -> storeId = value;
                    case "node_id" -> announcedNodeId = value;
                    case "segment_length" -> announcedSegmentLength = value;
                    default ->
                    {
                    }
                }
            }
        }
        if (dataDir == null || storeId == null || announcedNodeId == null || announcedSegmentLength == null)
        {
            return refuse("its INFO does not say where its store is (an older logd?)");
        }
        final long id = StoreIdFile.parse(storeId);
        final int length;
        try
        {
            length = Integer.parseInt(announcedSegmentLength);
            if (Integer.parseInt(announcedNodeId) != nodeId)
            {
                return refuse("its INFO node id " + announcedNodeId + " is not its HELLO's " + nodeId);
            }
        }
        catch (final NumberFormatException e)
        {
            return refuse("its INFO is malformed");
        }
        if (id == StoreIdFile.NONE || length < 4096 || Integer.bitCount(length) != 1)
        {
            return refuse("its INFO is malformed");
        }
        final Path path;
        try
        {
            path = Path.of(dataDir);
        }
        catch (final InvalidPathException e)
        {
            return refuse("its data directory " + dataDir + " is not a path here");
        }
        try
        {
            if (!path.isAbsolute() || !Files.isDirectory(path))
            {
                return refuse("its data directory " + dataDir + " is not on this host");
            }
            final long storedId = StoreIdFile.read(path);
            if (storedId != id)
            {
                return refuse(path + " holds store id " + StoreIdFile.format(storedId) + ", not the logd's " +
                    storeId + " (another host's or another store)");
            }
            final int storedNodeId = NodeIdFile.read(path);
            if (storedNodeId != nodeId)
            {
                return refuse(path + " holds node id " + storedNodeId + ", not the logd's " + nodeId);
            }
        }
        catch (final IOException | RuntimeException e)
        {
            return refuse("cannot read its data directory " + dataDir + " (" + e + ")");
        }
        dir = path;
        segmentLength = length;
        return true;
    }

    /**
     * @return the logd's store directory, after a successful {@link #verify}.
     */
    Path dir()
    {
        return dir;
    }

    /**
     * @return the logd's segment length, after a successful {@link #verify}.
     */
    int segmentLength()
    {
        return segmentLength;
    }

    /**
     * @return why the last {@link #verify} failed: the logd is then read over the network.
     */
    String refusal()
    {
        return refusal;
    }

    private boolean refuse(final String why)
    {
        refusal = why;
        return false;
    }
}
