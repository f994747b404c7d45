package io.metrodb.gateway;

import io.metrodb.protocol.ErrorPayload;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.HelloRequest;
import io.metrodb.protocol.Info;
import io.metrodb.protocol.Opcodes;
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
import java.util.function.Consumer;

/**
 * One short-lived binary-protocol connection to a daemon for what the SDK does not offer: PING (for
 * {@code /healthz}), INFO (the mapds' counters in {@code /metrics}) and mond's CLUSTER_VIEW (for {@code /cluster}).
 * Blocking, with a timeout on connect and on every read: it runs on the gateway's admin thread, never on an event
 * loop, and only per scrape or probe, so a plain socket is enough.
 */
final class NodeProbe implements AutoCloseable
{
    private static final int MAX_FRAME = 64 << 20;

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    private long nextId = 1;

    private NodeProbe(final Socket socket) throws IOException
    {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new DataInputStream(socket.getInputStream());
    }

    /**
     * Connects, sends the preface and HELLO (role gateway) and waits for the answer.
     *
     * @param address   the daemon.
     * @param token     the cluster's auth token, or null.
     * @param timeoutMs bound on connecting and on each read.
     * @return a connection past the handshake.
     * @throws IOException when the daemon cannot be reached, times out or refuses HELLO.
     */
    static NodeProbe open(final InetSocketAddress address, final String token, final int timeoutMs)
        throws IOException
    {
        final Socket socket = new Socket();
        try
        {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(timeoutMs);
            socket.connect(address, timeoutMs);
            final NodeProbe probe = new NodeProbe(socket);
            probe.send(buf ->
            {
                Preface.write(buf);
                HelloRequest.encode(buf, 0, ProtocolVersion.MIN_SUPPORTED, ProtocolVersion.CURRENT, Roles.GATEWAY,
                    0, token == null ? null : token.getBytes(StandardCharsets.UTF_8));
            });
            probe.readOk(Opcodes.HELLO).release();
            return probe;
        }
        catch (final IOException | RuntimeException e)
        {
            socket.close();
            throw e;
        }
    }

    /**
     * @return true when the daemon answered PING.
     */
    boolean ping() throws IOException
    {
        final long nonce = System.nanoTime();
        final long id = nextId++;
        send(buf -> Ping.encodeRequest(buf, id, nonce));
        final ByteBuf frame = readOk(Opcodes.PING);
        try
        {
            return Ping.nonce(frame, 0) == nonce;
        }
        finally
        {
            frame.release();
        }
    }

    /**
     * @return the daemon's INFO text (every section).
     */
    String info() throws IOException
    {
        final long id = nextId++;
        send(buf -> Info.encodeRequest(buf, id, ""));
        final ByteBuf frame = readOk(Opcodes.INFO);
        try
        {
            if (!Info.isValidResponse(frame, 0))
            {
                throw new IOException("malformed INFO answer");
            }
            return Info.text(frame, 0);
        }
        finally
        {
            frame.release();
        }
    }

    /**
     * Asks mond for its view.
     *
     * @return the CLUSTER_VIEW response frame, starting at index 0; the caller releases it.
     */
    ByteBuf clusterView() throws IOException
    {
        final long id = nextId++;
        send(buf -> ClusterView.encodeQuery(buf, id));
        final ByteBuf frame = readOk(Opcodes.CLUSTER_VIEW);
        if (!ClusterView.isValidView(frame, 0))
        {
            frame.release();
            throw new IOException("malformed CLUSTER_VIEW answer");
        }
        return frame;
    }

    private void send(final Consumer<ByteBuf> encoder) throws IOException
    {
        final ByteBuf buf = Unpooled.buffer(256);
        try
        {
            encoder.accept(buf);
            buf.readBytes(out, buf.readableBytes());
            out.flush();
        }
        finally
        {
            buf.release();
        }
    }

    private ByteBuf readOk(final byte opcode) throws IOException
    {
        final int length = in.readInt();
        if (length < FrameHeader.HEADER_LENGTH || length > MAX_FRAME)
        {
            throw new IOException("bad frame length " + length);
        }
        final byte[] bytes = new byte[length];
        bytes[0] = (byte)(length >>> 24);
        bytes[1] = (byte)(length >>> 16);
        bytes[2] = (byte)(length >>> 8);
        bytes[3] = (byte)length;
        in.readFully(bytes, 4, length - 4);
        final ByteBuf frame = Unpooled.wrappedBuffer(bytes);
        final short status = FrameHeader.status(frame, 0);
        if (status != StatusCodes.OK || FrameHeader.opcode(frame, 0) != opcode)
        {
            final String message = status != StatusCodes.OK && ErrorPayload.isValid(frame, 0) ?
                ": " + ErrorPayload.message(frame, 0) : "";
            frame.release();
            throw new IOException("answered " + StatusCodes.name(status) + message);
        }
        return frame;
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }
}
