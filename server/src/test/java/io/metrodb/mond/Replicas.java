package io.metrodb.mond;

import io.metrodb.log.RecordHeader;
import io.metrodb.mapd.GridDump;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.logd.OffsetPayload;
import io.metrodb.protocol.logd.ReadResponse;
import io.metrodb.protocol.mapd.Change;
import io.metrodb.protocol.mapd.ValueRecord;
import io.metrodb.testing.SocketClient;
import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a mapd's grid says about each key (over DUMP), and what the logds really hold at those replicas
 * (over READ, straight from each logd): the ground truth for repair tests.
 */
final class Replicas
{
    /** A replica: which logd, which offset. */
    record Replica(int logdId, long offset)
    {
    }

    /** A grid entry, copied out of a DUMP. */
    record Entry(String key, long version, int versionNode, int flags, int valueLength, int checksum,
        List<Replica> replicas)
    {
    }

    private Replicas()
    {
    }

    static TreeMap<String, Entry> dump(final int mapdPort) throws IOException
    {
        final TreeMap<String, Entry> entries = new TreeMap<>();
        GridDump.forEachChange(mapdPort, (frame, change) ->
        {
            final List<Replica> replicas = new ArrayList<>();
            for (int r = 0; r < Change.replicaCount(frame, change); r++)
            {
                replicas.add(new Replica(Change.replicaLogdId(frame, change, r), Change.replicaOffset(frame, change, r)));
            }
            final String key = GridDump.key(frame, change);
            entries.put(key, new Entry(key, Change.version(frame, change), Change.versionNode(frame, change),
                Change.flags(frame, change), Change.valueLength(frame, change), Change.checksum(frame, change),
                replicas));
        });
        return entries;
    }

    /**
     * Reads every replica of every key the mapd lists straight from its logd and checks it is the grid's record.
     *
     * @param logdPorts port of each live logd by node id (replicas elsewhere count as bad).
     * @param rf        replicas each key must have, on distinct logds, all good.
     * @return one line per key that falls short (empty when every key is at RF with good replicas).
     */
    static List<String> problems(final int mapdPort, final Map<Integer, Integer> logdPorts, final int rf)
        throws IOException
    {
        final Map<Integer, SocketClient> clients = new HashMap<>();
        final List<String> problems = new ArrayList<>();
        try
        {
            for (final Entry entry : dump(mapdPort).values())
            {
                final Set<Integer> goodLogds = new HashSet<>();
                final List<String> bad = new ArrayList<>();
                for (final Replica replica : entry.replicas())
                {
                    final Integer port = logdPorts.get(replica.logdId());
                    final String verdict = port == null ? "no such logd" :
                        check(clients.computeIfAbsent(replica.logdId(), id -> connect(port)), entry, replica);
                    if (verdict == null)
                    {
                        goodLogds.add(replica.logdId());
                    }
                    else
                    {
                        bad.add(replica + ": " + verdict);
                    }
                }
                if (goodLogds.size() < rf || entry.replicas().size() != rf)
                {
                    problems.add(entry.key() + " has " + goodLogds.size() + " good replicas of " +
                        entry.replicas().size() + " " + bad);
                }
            }
        }
        finally
        {
            for (final SocketClient client : clients.values())
            {
                client.close();
            }
        }
        return problems;
    }

    private static SocketClient connect(final int port)
    {
        try
        {
            final SocketClient client = SocketClient.connectWithHello(MondTestClient.HOST, port, null);
            client.lastHello().release();
            return client;
        }
        catch (final IOException e)
        {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * @return null when the logd holds exactly the grid's record at that offset, else what is wrong.
     */
    private static String check(final SocketClient logd, final Entry entry, final Replica replica) throws IOException
    {
        logd.send(out -> OffsetPayload.encodeReadRequest(out, 1, replica.offset()));
        final ByteBuf frame = logd.readFrame();
        try
        {
            final short status = FrameHeader.status(frame, 0);
            if (status != StatusCodes.OK)
            {
                return StatusCodes.name(status);
            }
            final int at = ReadResponse.entryIndex(0);
            final int length = ReadResponse.entryLength(frame, 0);
            if (ValueRecord.validate(frame, at, length) != StatusCodes.OK)
            {
                return "not a valid value record";
            }
            final byte[] key = new byte[ValueRecord.keyLength(frame, at)];
            frame.getBytes(at + ValueRecord.KEY_OFFSET, key);
            if (!Arrays.equals(key, entry.key().getBytes(StandardCharsets.UTF_8)) ||
                ValueRecord.version(frame, at) != entry.version() ||
                ValueRecord.versionNode(frame, at) != entry.versionNode() ||
                ValueRecord.valueLength(frame, at) != entry.valueLength() ||
                frame.getInt(at + ValueRecord.CHECKSUM_OFFSET) != entry.checksum())
            {
                return "another record";
            }
            return null;
        }
        finally
        {
            frame.release();
        }
    }

    /**
     * Flips one byte of a replica's value in the logd's segment file (the mapping shares the page, so the logd
     * reads the flipped byte at once). Segment {@code offset / segmentLength}, named as
     * {@code io.metrodb.log.SegmentFiles} names them.
     */
    static void flipValueByte(final Path logdDir, final int segmentLength, final Entry entry, final Replica replica)
        throws IOException
    {
        assertTrue(entry.valueLength() > 0, "a value to flip in " + entry.key());
        final long segment = replica.offset() / segmentLength;
        final long position = replica.offset() % segmentLength;
        final Path file = logdDir.resolve(String.format("%010d.seg", segment));
        final long at = position + RecordHeader.HEADER_LENGTH + ValueRecord.HEADER_LENGTH +
            entry.key().getBytes(StandardCharsets.UTF_8).length + entry.valueLength() / 2;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final ByteBuffer one = ByteBuffer.allocate(1);
            assertEquals(1, channel.read(one, at));
            channel.write(ByteBuffer.wrap(new byte[] {(byte)(one.get(0) ^ 0x5a)}), at);
        }
    }
}
