package io.metrodb.tools.soak;

import io.metrodb.protocol.ErrorPayload;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.HelloRequest;
import io.metrodb.protocol.Preface;
import io.metrodb.protocol.ProtocolVersion;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.function.Consumer;

/**
 * Frames on plain blocking sockets, as the soak test's connections speak them: a client's HELLO, one frame read
 * whole, the status, request id and error message of an answer.
 */
final class RawFrames
{
    static final String HOST = "127.0.0.1";
    static final int SOCKET_TIMEOUT_MS = 30_000;
    /** A client's preface and HELLO. */
    static final byte[] HELLO = hello();

    private RawFrames()
    {
    }

    static Socket connect(final int port) throws IOException
    {
        final Socket socket = new Socket();
        try
        {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(SOCKET_TIMEOUT_MS);
            socket.connect(new InetSocketAddress(HOST, port), SOCKET_TIMEOUT_MS);
            return socket;
        }
        catch (final IOException e)
        {
            socket.close();
            throw e;
        }
    }

    /**
     * @return one whole frame, header included.
     * @throws EOFException when the daemon closed the connection.
     */
    static byte[] readFrame(final InputStream in) throws IOException
    {
        final DataInputStream data = new DataInputStream(in);
        final int length = data.readInt();
        if (length < FrameHeader.HEADER_LENGTH || length > (1 << 20))
        {
            throw new IOException("bad frame length from the daemon: " + length);
        }
        final byte[] frame = new byte[length];
        frame[0] = (byte)(length >>> 24);
        frame[1] = (byte)(length >>> 16);
        frame[2] = (byte)(length >>> 8);
        frame[3] = (byte)length;
        data.readFully(frame, 4, length - 4);
        return frame;
    }

    static boolean closedByServer(final Socket socket) throws IOException
    {
        try
        {
            final InputStream in = socket.getInputStream();
            while (true)
            {
                if (in.read() < 0)
                {
                    return true;
                }
            }
        }
        catch (final SocketTimeoutException e)
        {
            return false;
        }
        catch (final IOException e)
        {
            return true;
        }
    }

    static short status(final byte[] frame)
    {
        return FrameHeader.status(Unpooled.wrappedBuffer(frame), 0);
    }

    static long requestId(final byte[] frame)
    {
        return FrameHeader.requestId(Unpooled.wrappedBuffer(frame), 0);
    }

    static String message(final byte[] frame)
    {
        final ByteBuf buf = Unpooled.wrappedBuffer(frame);
        return StatusCodes.isError(FrameHeader.status(buf, 0)) && ErrorPayload.isValid(buf, 0) ?
            ErrorPayload.message(buf, 0) : "";
    }

    static byte[] encode(final Consumer<ByteBuf> encoder)
    {
        final ByteBuf buf = Unpooled.buffer();
        try
        {
            encoder.accept(buf);
            final byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            return bytes;
        }
        finally
        {
            buf.release();
        }
    }

    static byte[] hello()
    {
        return encode(buf ->
        {
            Preface.write(buf);
            HelloRequest.encode(buf, 0, ProtocolVersion.MIN_SUPPORTED, ProtocolVersion.CURRENT, Roles.CLIENT, 0,
                null);
        });
    }
}
