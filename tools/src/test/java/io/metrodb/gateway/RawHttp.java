package io.metrodb.gateway;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * HTTP/1.1 over a plain socket, for what {@link java.net.http.HttpClient} will not send: pipelined requests in one
 * write, malformed targets. Reads answers with a Content-Length (or none, for 204); reads time out rather than hang.
 */
final class RawHttp implements AutoCloseable
{
    /** One answer: status, headers (lower-case names) and body. */
    record Answer(int status, Map<String, String> headers, byte[] body)
    {
        String text()
        {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final Socket socket;
    private final DataInputStream in;

    RawHttp(final int port) throws IOException
    {
        socket = new Socket();
        socket.setSoTimeout(30_000);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 30_000);
        in = new DataInputStream(socket.getInputStream());
    }

    void write(final byte[] bytes) throws IOException
    {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    void write(final String text) throws IOException
    {
        write(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    Answer read() throws IOException
    {
        final String statusLine = line();
        if (!statusLine.startsWith("HTTP/1.1 "))
        {
            throw new IOException("bad status line: " + statusLine);
        }
        final int status = Integer.parseInt(statusLine.substring(9, 12));
        final Map<String, String> headers = new TreeMap<>();
        for (String line = line(); !line.isEmpty(); line = line())
        {
            final int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        final String length = headers.get("content-length");
        final byte[] body = new byte[length == null ? 0 : Integer.parseInt(length)];
        in.readFully(body);
        return new Answer(status, headers, body);
    }

    /**
     * @return true when the server closed the connection (EOF) within the read timeout.
     */
    boolean isClosedByServer() throws IOException
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

    private String line() throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        while (true)
        {
            final int b = in.read();
            if (b < 0)
            {
                throw new IOException("connection closed mid-answer after '" + bytes + "'");
            }
            if (b == '\n')
            {
                final String line = bytes.toString(StandardCharsets.ISO_8859_1);
                return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
            }
            bytes.write(b);
        }
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }
}
