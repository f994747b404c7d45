package io.metrodb.protocol.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain blocking Redis client for tests: writes raw bytes or RESP commands, reads RESP2 replies as Java values.
 * Replies: {@code +text} and {@code -text} as Strings with their first byte, integers as Long, bulk strings as
 * String (UTF-8; null for {@code $-1}), arrays as List. Reads time out rather than hang.
 */
public final class RespClient implements AutoCloseable
{
    public static final int READ_TIMEOUT_MS = 10_000;

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    public RespClient(final String host, final int port) throws IOException
    {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(READ_TIMEOUT_MS);
        socket.connect(new InetSocketAddress(host, port), READ_TIMEOUT_MS);
        out = socket.getOutputStream();
        in = new BufferedInputStream(socket.getInputStream());
    }

    /**
     * @return the RESP multibulk encoding of {@code args}.
     */
    public static byte[] encode(final String... args)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final byte[] header = ("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII);
        bytes.writeBytes(header);
        for (final String arg : args)
        {
            final byte[] value = arg.getBytes(StandardCharsets.UTF_8);
            bytes.writeBytes(("$" + value.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            bytes.writeBytes(value);
            bytes.writeBytes(new byte[] {'\r', '\n'});
        }
        return bytes.toByteArray();
    }

    public void writeRaw(final byte[] bytes) throws IOException
    {
        out.write(bytes);
        out.flush();
    }

    public void writeRaw(final String ascii) throws IOException
    {
        writeRaw(ascii.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Sends one command and reads its reply.
     */
    public Object call(final String... args) throws IOException
    {
        writeRaw(encode(args));
        return read();
    }

    /**
     * @return the next reply.
     */
    public Object read() throws IOException
    {
        final int type = in.read();
        if (type < 0)
        {
            throw new EOFException("connection closed");
        }
        final String line = readLine();
        switch (type)
        {
            case '+':
                return "+" + line;
            case '-':
                return "-" + line;
            case ':':
                return Long.parseLong(line);
            case '$':
            {
                final int length = Integer.parseInt(line);
                if (length < 0)
                {
                    return null;
                }
                final byte[] value = in.readNBytes(length + 2);
                if (value.length != length + 2 || value[length] != '\r' || value[length + 1] != '\n')
                {
                    throw new IOException("bulk of " + length + " bytes not followed by CRLF");
                }
                return new String(value, 0, length, StandardCharsets.UTF_8);
            }
            case '*':
            {
                final int count = Integer.parseInt(line);
                if (count < 0)
                {
                    return null;
                }
                final List<Object> items = new ArrayList<>(count);
                for (int i = 0; i < count; i++)
                {
                    items.add(read());
                }
                return items;
            }
            default:
                throw new IOException("not a RESP2 reply type: '" + (char)type + "' followed by " + line);
        }
    }

    /**
     * @return true once the server has closed the connection (reads until end of stream or the timeout).
     */
    public boolean isClosedByServer() throws IOException
    {
        try
        {
            return in.read() < 0;
        }
        catch (final java.net.SocketException e)
        {
            return true;
        }
    }

    private String readLine() throws IOException
    {
        final ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true)
        {
            final int b = in.read();
            if (b < 0)
            {
                throw new EOFException("connection closed mid-line");
            }
            if (b == '\r')
            {
                if (in.read() != '\n')
                {
                    throw new IOException("CR not followed by LF");
                }
                return line.toString(StandardCharsets.UTF_8);
            }
            line.write(b);
        }
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }
}
