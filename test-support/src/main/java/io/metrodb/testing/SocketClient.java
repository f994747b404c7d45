package io.metrodb.testing;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.HelloRequest;
import io.metrodb.protocol.Preface;
import io.metrodb.protocol.ProtocolVersion;
import io.metrodb.protocol.Roles;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * A deliberately plain blocking client for integration tests: real socket, frames built with the
 * protocol's encoders, pipelining by writing many requests before reading. Reads time out rather than hang.
 */
public final class SocketClient implements AutoCloseable
{
    public static final int READ_TIMEOUT_MS = 10_000;

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    private ByteBuf lastHello;

    private SocketClient(final Socket socket) throws IOException
    {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new DataInputStream(socket.getInputStream());
    }

    /**
     * Connects and sends the preface, without HELLO.
     */
    public static SocketClient connect(final String host, final int port) throws IOException
    {
        final Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(READ_TIMEOUT_MS);
        socket.connect(new InetSocketAddress(host, port), READ_TIMEOUT_MS);
        final SocketClient client = new SocketClient(socket);
        final ByteBuf preface = Unpooled.buffer(Preface.LENGTH);
        Preface.write(preface);
        client.writeRaw(preface);
        return client;
    }

    /**
     * Connects, sends the preface and HELLO, and returns once the server answered it.
     *
     * @param token auth token or null.
     * @return the connected client; the HELLO answer is available from {@link #lastHello()}.
     */
    public static SocketClient connectWithHello(final String host, final int port, final String token)
        throws IOException
    {
        final SocketClient client = connect(host, port);
        client.send(buf -> HelloRequest.encode(buf, 0, ProtocolVersion.MIN_SUPPORTED, ProtocolVersion.CURRENT,
            Roles.CLIENT, 0, token == null ? null : token.getBytes(StandardCharsets.UTF_8)));
        client.lastHello = client.readFrame();
        return client;
    }

    /**
     * @return the HELLO response frame read by {@link #connectWithHello}; the caller releases it.
     */
    public ByteBuf lastHello()
    {
        return lastHello;
    }

    /**
     * Encodes a frame (or several) with {@code encoder} and writes it.
     */
    public void send(final Consumer<ByteBuf> encoder) throws IOException
    {
        final ByteBuf buf = Unpooled.buffer();
        encoder.accept(buf);
        writeRaw(buf);
    }

    /**
     * Writes bytes as they are, then releases them.
     */
    public void writeRaw(final ByteBuf bytes) throws IOException
    {
        try
        {
            bytes.readBytes(out, bytes.readableBytes());
            out.flush();
        }
        finally
        {
            bytes.release();
        }
    }

    public void writeRaw(final byte[] bytes) throws IOException
    {
        out.write(bytes);
        out.flush();
    }

    /**
     * Reads one whole frame; the caller releases it. The frame starts at reader index 0.
     *
     * @throws EOFException when the server closed the connection.
     */
    public ByteBuf readFrame() throws IOException
    {
        final int length = in.readInt();
        if (length < FrameHeader.HEADER_LENGTH || length > (256 << 20))
        {
            throw new IOException("bad frame length from server: " + length);
        }
        final byte[] frame = new byte[length];
        frame[0] = (byte)(length >>> 24);
        frame[1] = (byte)(length >>> 16);
        frame[2] = (byte)(length >>> 8);
        frame[3] = (byte)length;
        in.readFully(frame, 4, length - 4);
        return Unpooled.wrappedBuffer(frame);
    }

    /**
     * @return true when the server closed the connection (EOF or reset) within the read timeout.
     */
    public boolean isClosedByServer() throws IOException
    {
        try
        {
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

    @Override
    public void close() throws IOException
    {
        socket.close();
    }
}
