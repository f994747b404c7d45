package io.metrodb.mapd;

import io.metrodb.protocol.ErrorPayload;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.EntryResponse;
import io.metrodb.protocol.mapd.KeyRequest;
import io.metrodb.protocol.mapd.SetRequest;
import io.metrodb.protocol.mapd.WriteResponse;
import io.metrodb.protocol.validation.FrameValidator;
import io.metrodb.testing.SocketClient;
import io.metrodb.testing.TestCluster;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Blocking test client for a mapd over a real socket, with pipelined batches.
 */
public final class MapdClient implements AutoCloseable
{
    private final SocketClient socket;
    private long nextId = 1;

    public MapdClient(final int port) throws IOException
    {
        socket = SocketClient.connectWithHello(TestCluster.HOST, port, null);
        final ByteBuf hello = socket.lastHello();
        assertEquals(StatusCodes.OK, FrameHeader.status(hello, 0));
        hello.release();
    }

    public static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A response, copied out of its frame. */
    public record Reply(short status, long version, int versionNode, byte[] value, String message, int peersAcked,
        int peersLive)
    {
        Reply(final short status, final long version, final int versionNode, final byte[] value, final String message)
        {
            this(status, version, versionNode, value, message, 0, 0);
        }
    }

    public Reply set(final String key, final byte[] value) throws IOException
    {
        return write(Opcodes.SET, key, value);
    }

    public Reply setSafe(final String key, final byte[] value) throws IOException
    {
        return write(Opcodes.SETSAFE, key, value);
    }

    public Reply write(final byte opcode, final String key, final byte[] value) throws IOException
    {
        final long id = nextId++;
        socket.send(out -> SetRequest.encode(out, id, opcode, bytes(key), value));
        return read(id);
    }

    public Reply get(final String key) throws IOException
    {
        return keyRequest(Opcodes.GET, key, (byte)0);
    }

    public Reply del(final String key) throws IOException
    {
        return keyRequest(Opcodes.DEL, key, (byte)0);
    }

    public Reply exists(final String key) throws IOException
    {
        return keyRequest(Opcodes.EXISTS, key, (byte)0);
    }

    public Reply keyRequest(final byte opcode, final String key, final byte flags) throws IOException
    {
        final long id = nextId++;
        socket.send(out -> KeyRequest.encode(out, id, opcode, flags, bytes(key)));
        return read(id);
    }

    /** Pipelines SETs (or SETSAFEs) of every entry and returns replies by key. */
    public Map<String, Reply> setAll(final byte opcode, final Map<String, byte[]> entries) throws IOException
    {
        final Map<Long, String> keysById = new HashMap<>();
        socket.send(out -> entries.forEach((key, value) ->
        {
            final long id = nextId++;
            keysById.put(id, key);
            SetRequest.encode(out, id, opcode, bytes(key), value);
        }));
        return readAll(keysById);
    }

    /** Pipelines GETs of every key and returns replies by key. */
    public Map<String, Reply> getAll(final Iterable<String> keys) throws IOException
    {
        final Map<Long, String> keysById = new HashMap<>();
        socket.send(out ->
        {
            for (final String key : keys)
            {
                final long id = nextId++;
                keysById.put(id, key);
                KeyRequest.encode(out, id, Opcodes.GET, (byte)0, bytes(key));
            }
        });
        return readAll(keysById);
    }

    private Map<String, Reply> readAll(final Map<Long, String> keysById) throws IOException
    {
        final Map<String, Reply> replies = new HashMap<>();
        for (int i = 0; i < keysById.size(); i++)
        {
            final ByteBuf frame = socket.readFrame();
            try
            {
                replies.put(keysById.get(FrameHeader.requestId(frame, 0)), decode(frame));
            }
            finally
            {
                frame.release();
            }
        }
        assertEquals(keysById.size(), replies.size(), "one reply per request");
        return replies;
    }

    private Reply read(final long id) throws IOException
    {
        final ByteBuf frame = socket.readFrame();
        try
        {
            assertEquals(id, FrameHeader.requestId(frame, 0));
            return decode(frame);
        }
        finally
        {
            frame.release();
        }
    }

    private static Reply decode(final ByteBuf frame)
    {
        assertTrue(FrameValidator.isValidResponse(frame, 0), "well-formed response");
        final short status = FrameHeader.status(frame, 0);
        if (StatusCodes.isError(status))
        {
            return new Reply(status, 0, 0, null, ErrorPayload.message(frame, 0));
        }
        if (status == StatusCodes.NOT_FOUND)
        {
            return new Reply(status, 0, 0, null, null);
        }
        return switch (FrameHeader.opcode(frame, 0))
        {
            case Opcodes.GET -> new Reply(status, EntryResponse.version(frame, 0), EntryResponse.versionNode(frame, 0),
                ByteBufUtil.getBytes(frame, EntryResponse.valueIndex(0), EntryResponse.valueLength(frame, 0)), null);
            case Opcodes.EXISTS -> new Reply(status, EntryResponse.version(frame, 0), EntryResponse.versionNode(frame, 0),
                null, null);
            default -> new Reply(status, WriteResponse.version(frame, 0), WriteResponse.versionNode(frame, 0), null, null,
                WriteResponse.peersAcked(frame, 0), WriteResponse.peersLive(frame, 0));
        };
    }

    /**
     * @return the keys whose reply is not OK, with their status, e.g. {@code [k7=NOT_ENOUGH_REPLICAS]}.
     */
    public static List<String> failures(final Map<String, Reply> replies)
    {
        final List<String> failed = new ArrayList<>();
        replies.forEach((key, reply) ->
        {
            if (reply.status() != StatusCodes.OK)
            {
                failed.add(key + "=" + StatusCodes.name(reply.status()));
            }
        });
        return failed;
    }

    SocketClient socket()
    {
        return socket;
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }
}
