package io.metrodb.mond;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.FrameValidator;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.EntryResponse;
import io.metrodb.protocol.mapd.KeyRequest;
import io.metrodb.protocol.mapd.SetRequest;
import io.metrodb.protocol.testing.SocketClient;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A blocking client of one mapd for these tests: pipelined batches of SETs or GETs over a real socket.
 */
final class KvClient implements AutoCloseable
{
    /** A reply: its status, and the value for a GET that found one. */
    record Reply(short status, byte[] value)
    {
    }

    private final SocketClient socket;
    private long nextId = 1;

    KvClient(final int port) throws IOException
    {
        socket = SocketClient.connectWithHello(MondTestClient.HOST, port, null);
        final ByteBuf hello = socket.lastHello();
        try
        {
            assertEquals(StatusCodes.OK, FrameHeader.status(hello, 0));
        }
        finally
        {
            hello.release();
        }
    }

    static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Pipelines a write of every entry; replies by key. */
    Map<String, Reply> setAll(final byte opcode, final Map<String, byte[]> entries) throws IOException
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

    /** Pipelines a GET of every key; replies by key. */
    Map<String, Reply> getAll(final List<String> keys) throws IOException
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
                final String key = keysById.get(FrameHeader.requestId(frame, 0));
                final short status = FrameValidator.isValidResponse(frame, 0) ? FrameHeader.status(frame, 0) :
                    StatusCodes.BAD_REQUEST;
                final byte[] value = status == StatusCodes.OK && FrameHeader.opcode(frame, 0) == Opcodes.GET ?
                    ByteBufUtil.getBytes(frame, EntryResponse.valueIndex(0), EntryResponse.valueLength(frame, 0)) :
                    null;
                replies.put(key, new Reply(status, value));
            }
            finally
            {
                frame.release();
            }
        }
        return replies;
    }

    /**
     * @return the keys whose reply is not OK, with their status, e.g. {@code [k7=0x0402]}.
     */
    static List<String> failures(final Map<String, Reply> replies)
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

    @Override
    public void close() throws IOException
    {
        socket.close();
    }
}
