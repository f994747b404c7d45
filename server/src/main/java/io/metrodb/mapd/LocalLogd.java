package io.metrodb.mapd;

import io.metrodb.protocol.netty.HandshakeResult;
import io.metrodb.protocol.netty.PeerConnection;
import org.agrona.CloseHelper;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A logd verified to be on this host ({@link LocalStoreVerifier}), for {@link LocalReads}: its segment files,
 * opened on first use, and the connection it was verified on. Data-path thread only.
 */
final class LocalLogd
{
    final int nodeId;
    final PeerConnection connection;
    final long connects;
    final Path dir;
    final int segmentLength;
    final int segmentShift;
    FileChannel[] segments = new FileChannel[8];
    long served;

    LocalLogd(final int nodeId, final PeerConnection connection, final Path dir, final int segmentLength)
    {
        this.nodeId = nodeId;
        this.connection = connection;
        this.connects = connection.connects();
        this.dir = dir;
        this.segmentLength = segmentLength;
        this.segmentShift = Integer.numberOfTrailingZeros(segmentLength);
    }

    /**
     * @return true while the connection it was verified on is still the logd's current one.
     */
    boolean isCurrent()
    {
        final HandshakeResult hello = connection.hello();
        return connection.isReady() && connection.connects() == connects && hello != null &&
            hello.nodeId() == nodeId;
    }

    /**
     * @return the segment file's channel, opened now if needed, or null when it cannot be opened.
     */
    FileChannel channel(final int segment)
    {
        if (segment >= segments.length)
        {
            segments = Arrays.copyOf(segments, Math.max(segment + 1, segments.length * 2));
        }
        FileChannel channel = segments[segment];
        if (channel == null || !channel.isOpen())
        {
            try
            {
                channel = FileChannel.open(dir.resolve(String.format("%010d.seg", segment)), StandardOpenOption.READ);
            }
            catch (final IOException | RuntimeException e)
            {
                return null;
            }
            segments[segment] = channel;
        }
        return channel;
    }

    /**
     * Closes a segment file that failed a read; it is opened again on next use.
     */
    void closeSegment(final int segment)
    {
        CloseHelper.quietClose(segments[segment]);
        segments[segment] = null;
    }

    void close()
    {
        for (int i = 0; i < segments.length; i++)
        {
            CloseHelper.quietClose(segments[i]);
            segments[i] = null;
        }
    }
}
