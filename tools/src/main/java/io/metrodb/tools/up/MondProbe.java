package io.metrodb.tools.up;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.HelloRequest;
import io.metrodb.protocol.Info;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.Preface;
import io.metrodb.protocol.ProtocolVersion;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * Asks mond, over the binary protocol, how many of the nodes it watches are UP: one blocking INFO on a fresh
 * connection (preface, HELLO, INFO), its {@code nodes:} and {@code nodes_up:} lines.
 */
public final class MondProbe
{
    private static final int MAX_FRAME_LENGTH = 16 << 20;
    private static final long INFO_REQUEST_ID = 1;

    /**
     * Nodes mond watches, and how many it sees UP.
     *
     * @param nodes the logds and mapds mond watches
     * @param up    how many of them are UP
     */
    public record Health(int nodes, int up)
    {
    }

    private MondProbe()
    {
    }

    /**
     * @param host      mond's host
     * @param port      mond's port
     * @param timeoutMs connect and read timeout
     * @return what mond's INFO says.
     * @throws IOException when mond cannot be reached or answers something else.
     */
    public static Health health(final String host, final int port, final int timeoutMs) throws IOException
    {
        final String info = info(host, port, timeoutMs);
        return new Health(field(info, "nodes"), field(info, "nodes_up"));
    }

    /**
     * @return mond's INFO text (all sections).
     */
    public static String info(final String host, final int port, final int timeoutMs) throws IOException
    {
        try (Socket socket = new Socket())
        {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(timeoutMs);
            socket.connect(new InetSocketAddress(host, port), timeoutMs);
            final OutputStream out = socket.getOutputStream();
            final DataInputStream in = new DataInputStream(socket.getInputStream());
            final ByteBuf request = Unpooled.buffer(128);
            try
            {
                Preface.write(request);
                HelloRequest.encode(request, 0, ProtocolVersion.MIN_SUPPORTED, ProtocolVersion.CURRENT, Roles.CLIENT,
                    0, null);
                Info.encodeRequest(request, INFO_REQUEST_ID, "");
                request.readBytes(out, request.readableBytes());
                out.flush();
            }
            finally
            {
                request.release();
            }
            while (true)
            {
                final ByteBuf frame = readFrame(in);
                try
                {
                    final short status = FrameHeader.status(frame, 0);
                    if (FrameHeader.opcode(frame, 0) == Opcodes.HELLO)
                    {
                        if (status != StatusCodes.OK)
                        {
                            throw new IOException("mond refused HELLO: " + StatusCodes.name(status));
                        }
                        continue;
                    }
                    if (FrameHeader.opcode(frame, 0) != Opcodes.INFO || status != StatusCodes.OK ||
                        !Info.isValidResponse(frame, 0))
                    {
                        throw new IOException("mond answered INFO with " + Opcodes.name(FrameHeader.opcode(frame, 0)) +
                            " " + StatusCodes.name(status));
                    }
                    return Info.text(frame, 0);
                }
                finally
                {
                    frame.release();
                }
            }
        }
    }

    private static ByteBuf readFrame(final DataInputStream in) throws IOException
    {
        final int length = in.readInt();
        if (length < FrameHeader.HEADER_LENGTH || length > MAX_FRAME_LENGTH)
        {
            throw new IOException("bad frame length from mond: " + length);
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
     * @return the integer value of the line {@code name:value}.
     * @throws IOException when there is no such line.
     */
    static int field(final String info, final String name) throws IOException
    {
        final String prefix = name + ":";
        for (final String line : info.split("\n"))
        {
            if (line.startsWith(prefix))
            {
                try
                {
                    return Integer.parseInt(line.substring(prefix.length()).trim());
                }
                catch (final NumberFormatException e)
                {
                    throw new IOException("mond's INFO has a bad " + name + " line: " + line, e);
                }
            }
        }
        throw new IOException("mond's INFO has no " + name + " line");
    }
}
