package io.metrodb.bench.mapd;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.HelloRequest;
import io.metrodb.protocol.Info;
import io.metrodb.protocol.Preface;
import io.metrodb.protocol.ProtocolVersion;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * The mapds' own request timings (INFO {@code latency-reset}: time from the data-path thread reading a request to
 * its answer, and the stages of a write), read over one plain connection per mapd kept open for the run. Reading
 * them clears them, so a read at the start and one at the end of a measured period give that period's timings.
 */
final class ServerTimings implements AutoCloseable
{
    private static final String SECTION = "latency-reset";

    private final String[] addresses;
    private final Socket[] sockets;
    private long nextRequestId = 1;

    ServerTimings(final String[] addresses)
    {
        this.addresses = addresses;
        this.sockets = new Socket[addresses.length];
    }

    /**
     * @return per mapd, its address and the timing lines of its INFO (cleared by this read); a mapd that cannot be
     * asked gives one line saying why.
     */
    List<String> read()
    {
        final List<String> lines = new ArrayList<>();
        for (int i = 0; i < addresses.length; i++)
        {
            try
            {
                for (final String line : info(i).split("\n"))
                {
                    if (line.startsWith("latency_"))
                    {
                        lines.add(addresses[i] + " " + line);
                    }
                }
            }
            catch (final IOException | RuntimeException e)
            {
                lines.add(addresses[i] + " unavailable: " + e);
                closeQuietly(i);
            }
        }
        return lines;
    }

    private String info(final int index) throws IOException
    {
        if (sockets[index] == null)
        {
            final int colon = addresses[index].lastIndexOf(':');
            final Socket socket = new Socket(addresses[index].substring(0, colon),
                Integer.parseInt(addresses[index].substring(colon + 1)));
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(10_000);
            sockets[index] = socket;
            final ByteBuf hello = Unpooled.buffer();
            Preface.write(hello);
            HelloRequest.encode(hello, nextRequestId++, ProtocolVersion.MIN_SUPPORTED, ProtocolVersion.CURRENT,
                Roles.CLIENT, 0, null);
            send(socket, hello);
            final ByteBuf reply = readFrame(socket);
            if (FrameHeader.status(reply, 0) != StatusCodes.OK)
            {
                throw new IOException("HELLO refused: " + StatusCodes.name(FrameHeader.status(reply, 0)));
            }
        }
        final ByteBuf request = Unpooled.buffer();
        Info.encodeRequest(request, nextRequestId++, SECTION);
        send(sockets[index], request);
        return Info.text(readFrame(sockets[index]), 0);
    }

    private static void send(final Socket socket, final ByteBuf bytes) throws IOException
    {
        final OutputStream out = socket.getOutputStream();
        out.write(bytes.array(), bytes.arrayOffset() + bytes.readerIndex(), bytes.readableBytes());
        out.flush();
    }

    private static ByteBuf readFrame(final Socket socket) throws IOException
    {
        final DataInputStream in = new DataInputStream(socket.getInputStream());
        final int length = in.readInt();
        if (length < FrameHeader.HEADER_LENGTH || length > 16 * 1024 * 1024)
        {
            throw new IOException("bad frame length " + length);
        }
        final byte[] frame = new byte[length];
        frame[0] = (byte)(length >>> 24);
        frame[1] = (byte)(length >>> 16);
        frame[2] = (byte)(length >>> 8);
        frame[3] = (byte)length;
        in.readFully(frame, 4, length - 4);
        return Unpooled.wrappedBuffer(frame);
    }

    private void closeQuietly(final int index)
    {
        if (sockets[index] != null)
        {
            try
            {
                sockets[index].close();
            }
            catch (final IOException ignored)
            {
                // Closing anyway.
            }
            sockets[index] = null;
        }
    }

    @Override
    public void close()
    {
        for (int i = 0; i < sockets.length; i++)
        {
            closeQuietly(i);
        }
    }
}
