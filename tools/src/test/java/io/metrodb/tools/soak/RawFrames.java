package io.metrodb.tools.soak;

import io.metrodb.protocol.ErrorPayload;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.HelloRequest;
import io.metrodb.protocol.Preface;
import io.metrodb.protocol.ProtocolVersion;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.testing.SocketClient;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * What the soak test's connections say, over test-support's {@link SocketClient}: a client's HELLO, and the status,
 * request id and error message of an answer. A bare socket for the churned connections that send nothing or a cut
 * HELLO.
 */
final class RawFrames
{
    static final String HOST = "127.0.0.1";
    /** A client's preface and HELLO, as bytes: a churned connection sends part of them. */
    static final byte[] HELLO = helloBytes();

    private RawFrames()
    {
    }

    /**
     * @return a connection that sent the preface and HELLO; its answer is still to be read.
     */
    static SocketClient helloSent(final int port) throws IOException
    {
        final SocketClient client = SocketClient.connect(HOST, port);
        client.send(RawFrames::hello);
        return client;
    }

    /**
     * @return a connected socket that sent nothing.
     */
    static Socket bare(final int port) throws IOException
    {
        final Socket socket = new Socket();
        try
        {
            socket.connect(new InetSocketAddress(HOST, port), SocketClient.READ_TIMEOUT_MS);
            return socket;
        }
        catch (final IOException e)
        {
            socket.close();
            throw e;
        }
    }

    static short status(final ByteBuf frame)
    {
        return FrameHeader.status(frame, 0);
    }

    static long requestId(final ByteBuf frame)
    {
        return FrameHeader.requestId(frame, 0);
    }

    static String message(final ByteBuf frame)
    {
        return StatusCodes.isError(FrameHeader.status(frame, 0)) && ErrorPayload.isValid(frame, 0) ?
            ErrorPayload.message(frame, 0) : "";
    }

    private static void hello(final ByteBuf out)
    {
        HelloRequest.encode(out, 0, ProtocolVersion.MIN_SUPPORTED, ProtocolVersion.CURRENT, Roles.CLIENT, 0, null);
    }

    private static byte[] helloBytes()
    {
        final ByteBuf buf = Unpooled.buffer();
        Preface.write(buf);
        hello(buf);
        final byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        return bytes;
    }
}
