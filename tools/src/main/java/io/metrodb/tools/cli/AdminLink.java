package io.metrodb.tools.cli;

import io.metrodb.client.MetroException;
import io.metrodb.protocol.ErrorPayload;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.HelloRequest;
import io.metrodb.protocol.HelloResponse;
import io.metrodb.protocol.Info;
import io.metrodb.protocol.Ping;
import io.metrodb.protocol.Preface;
import io.metrodb.protocol.ProtocolVersion;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mond.ClusterView;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One plain blocking connection to a node for what the SDK does not offer: PING, INFO and the CLUSTER_VIEW query
 * (a mapd answers with the view mond pushed to it, mond with its own). Opened on first use, reopened after an
 * error; not thread-safe.
 */
final class AdminLink implements AutoCloseable
{
    /** INFO texts and views are small; a longer frame is a protocol error, not something to allocate. */
    private static final int MAX_FRAME_LENGTH = 16 * 1024 * 1024;

    private final InetSocketAddress address;
    private final byte[] token;
    private final int timeoutMs;
    private Socket socket;
    private DataInputStream in;
    private OutputStream out;
    private int maxFrameLength;
    private long nextRequestId = 1;

    /**
     * @param address   the node.
     * @param token     the cluster's auth token, or null.
     * @param timeoutMs connect and read timeout.
     */
    AdminLink(final InetSocketAddress address, final String token, final int timeoutMs)
    {
        this.address = address;
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
        this.timeoutMs = timeoutMs;
    }

    InetSocketAddress address()
    {
        return address;
    }

    /**
     * @return the node's frame limit, as its HELLO answer said.
     */
    int maxFrameLength() throws IOException
    {
        connect();
        return maxFrameLength;
    }

    /**
     * @return the round trip of one PING, in nanoseconds.
     */
    long ping() throws IOException
    {
        connect();
        final long startNs = System.nanoTime();
        final ByteBuf request = Unpooled.buffer(FrameHeader.HEADER_LENGTH + Ping.LENGTH);
        Ping.encodeRequest(request, nextRequestId++, startNs);
        final ByteBuf reply = call(request);
        final long rttNs = System.nanoTime() - startNs;
        try
        {
            if (Ping.validate(reply, 0) != StatusCodes.OK || Ping.nonce(reply, 0) != startNs)
            {
                failAndClose("PING answered with a wrong nonce");
            }
            return rttNs;
        }
        finally
        {
            reply.release();
        }
    }

    /**
     * @param section the section to ask for, empty for all.
     * @return the node's {@code name:value} lines.
     */
    String info(final String section) throws IOException
    {
        connect();
        final ByteBuf request = Unpooled.buffer();
        Info.encodeRequest(request, nextRequestId++, section);
        final ByteBuf reply = call(request);
        try
        {
            if (!Info.isValidResponse(reply, 0))
            {
                failAndClose("malformed INFO answer");
            }
            return Info.text(reply, 0);
        }
        finally
        {
            reply.release();
        }
    }

    /**
     * @return the CLUSTER_VIEW answer frame (at index 0), checked to be a well-formed view; the caller releases it.
     */
    ByteBuf clusterView() throws IOException
    {
        connect();
        final ByteBuf request = Unpooled.buffer(FrameHeader.HEADER_LENGTH);
        ClusterView.encodeQuery(request, nextRequestId++);
        final ByteBuf reply = call(request);
        if (!ClusterView.isValidView(reply, 0))
        {
            reply.release();
            failAndClose("malformed CLUSTER_VIEW answer");
        }
        return reply;
    }

    private void connect() throws IOException
    {
        if (socket != null)
        {
            return;
        }
        final Socket s = new Socket();
        socket = s;
        try
        {
            try
            {
                s.connect(address, timeoutMs);
            }
            catch (final IOException e)
            {
                throw new IOException("cannot reach " + address.getHostString() + ":" + address.getPort() + ": " +
                    e.getMessage(), e);
            }
            s.setTcpNoDelay(true);
            s.setSoTimeout(timeoutMs);
            in = new DataInputStream(s.getInputStream());
            out = s.getOutputStream();
            final ByteBuf hello = Unpooled.buffer();
            Preface.write(hello);
            HelloRequest.encode(hello, nextRequestId++, ProtocolVersion.MIN_SUPPORTED, ProtocolVersion.CURRENT,
                Roles.CLIENT, 0, token);
            final ByteBuf reply = call(hello);
            try
            {
                if (!HelloResponse.isValid(reply, 0))
                {
                    failAndClose("malformed HELLO answer");
                }
                maxFrameLength = HelloResponse.maxFrameLength(reply, 0);
            }
            finally
            {
                reply.release();
            }
        }
        catch (final IOException | RuntimeException e)
        {
            close();
            throw e;
        }
    }

    private ByteBuf call(final ByteBuf request) throws IOException
    {
        try
        {
            out.write(request.array(), request.arrayOffset() + request.readerIndex(), request.readableBytes());
            out.flush();
        }
        catch (final IOException e)
        {
            close();
            throw e;
        }
        finally
        {
            request.release();
        }
        final ByteBuf reply;
        try
        {
            reply = readFrame();
        }
        catch (final IOException e)
        {
            close();
            throw e;
        }
        final short status = FrameHeader.status(reply, 0);
        if (status != StatusCodes.OK)
        {
            final String message = ErrorPayload.isValid(reply, 0) ? ErrorPayload.message(reply, 0) : "";
            reply.release();
            close();
            throw new MetroException(status, message.isEmpty() ? StatusCodes.name(status) : message);
        }
        return reply;
    }

    private ByteBuf readFrame() throws IOException
    {
        final int length = in.readInt();
        if (length < FrameHeader.HEADER_LENGTH || length > MAX_FRAME_LENGTH)
        {
            throw new IOException("bad frame length " + length + " from " + address);
        }
        final byte[] frame = new byte[length];
        frame[0] = (byte)(length >>> 24);
        frame[1] = (byte)(length >>> 16);
        frame[2] = (byte)(length >>> 8);
        frame[3] = (byte)length;
        in.readFully(frame, 4, length - 4);
        return Unpooled.wrappedBuffer(frame);
    }

    private void failAndClose(final String message) throws IOException
    {
        close();
        throw new IOException(message + " from " + address);
    }

    @Override
    public void close()
    {
        if (socket != null)
        {
            try
            {
                socket.close();
            }
            catch (final IOException ignored)
            {
                // closing anyway
            }
            socket = null;
            in = null;
            out = null;
        }
    }
}
