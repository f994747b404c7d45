package io.metrodb.protocol.netty;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Socket;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Tells systemd a daemon's state, as {@code sd_notify(3)} does: one datagram such as {@code READY=1} to the unix
 * socket named by {@code $NOTIFY_SOCKET}, which systemd sets for a {@code Type=notify} unit. Without that variable
 * every call is a no-op, so the daemons call it unconditionally: {@link #ready()} once they listen,
 * {@link #stopping()} when SIGTERM starts their clean stop.
 * <p>
 * The address is a file system path ({@code /run/systemd/notify}) or an abstract-namespace name ({@code @name}, sent
 * as a leading NUL byte). Java 17 has no unix datagram socket of its own, so this uses Netty's native
 * {@link Socket} (the epoll library the server and the tools jar bundle); where that library does not load, it prints
 * why and returns false. It runs twice in a daemon's life and never throws: a failed notification is printed to
 * stderr (systemd then fails the start on its own timeout).
 */
public final class SystemdNotify
{
    /** The environment variable systemd sets to its notification socket. */
    public static final String NOTIFY_SOCKET_ENV = "NOTIFY_SOCKET";
    public static final String READY = "READY=1";
    public static final String STOPPING = "STOPPING=1";

    /** {@code sizeof(struct sockaddr_un.sun_path)} on Linux. */
    private static final int MAX_ADDRESS_LENGTH = 108;

    private SystemdNotify()
    {
    }

    /**
     * Sends {@code READY=1} to {@code $NOTIFY_SOCKET}, if set.
     *
     * @return true when systemd was told; false when there is no socket to tell or the send failed (printed).
     */
    public static boolean ready()
    {
        return notify(System.getenv(NOTIFY_SOCKET_ENV), READY);
    }

    /**
     * Sends {@code STOPPING=1} to {@code $NOTIFY_SOCKET}, if set.
     *
     * @return true when systemd was told; false when there is no socket to tell or the send failed (printed).
     */
    public static boolean stopping()
    {
        return notify(System.getenv(NOTIFY_SOCKET_ENV), STOPPING);
    }

    /**
     * @param socketAddress the value of {@code $NOTIFY_SOCKET}: a path, {@code @name}, or null/empty for none.
     * @param state         newline-separated assignments, e.g. {@code READY=1}.
     * @return true when the whole datagram was sent; false when {@code socketAddress} is null or empty (nothing to
     * do) or the send failed, with the reason printed to stderr.
     */
    public static boolean notify(final String socketAddress, final String state)
    {
        if (socketAddress == null || socketAddress.isEmpty())
        {
            return false;
        }
        try
        {
            send(addressBytes(socketAddress), state.getBytes(StandardCharsets.UTF_8));
            return true;
        }
        catch (final IOException | RuntimeException | LinkageError e)
        {
            System.err.println("metrodb: could not send " + state.replace('\n', ' ') + " to systemd at " +
                NOTIFY_SOCKET_ENV + "=" + socketAddress + ": " + e);
            return false;
        }
    }

    /**
     * @return the bytes of {@code sockaddr_un.sun_path} for a {@code $NOTIFY_SOCKET} value: the path's bytes, or for
     * {@code @name} a NUL byte then the name's bytes.
     * @throws IllegalArgumentException for an address this cannot send to (not a path nor {@code @name}, e.g.
     *                                  {@code vsock:...}, or longer than {@code sun_path}).
     */
    public static byte[] addressBytes(final String socketAddress)
    {
        final byte[] address;
        if (socketAddress.startsWith("/"))
        {
            address = socketAddress.getBytes(StandardCharsets.UTF_8);
        }
        else if (socketAddress.startsWith("@") && socketAddress.length() > 1)
        {
            final byte[] name = socketAddress.substring(1).getBytes(StandardCharsets.UTF_8);
            address = new byte[name.length + 1];
            System.arraycopy(name, 0, address, 1, name.length);
        }
        else
        {
            throw new IllegalArgumentException("not a unix socket path nor an @abstract name");
        }
        if (address.length >= MAX_ADDRESS_LENGTH)
        {
            throw new IllegalArgumentException("longer than a unix socket address (" + (MAX_ADDRESS_LENGTH - 1) +
                " bytes)");
        }
        return address;
    }

    private static void send(final byte[] address, final byte[] message) throws IOException
    {
        if (!Epoll.isAvailable())
        {
            throw new IOException("Netty's native epoll library did not load", Epoll.unavailabilityCause());
        }
        final ByteBuffer buffer = ByteBuffer.allocateDirect(message.length);
        buffer.put(message).flip();
        final Socket socket = Socket.newSocketDomainDgram();
        try
        {
            // The socket is non-blocking: 0 is EAGAIN, systemd's receive queue full.
            final int sent = socket.sendToDomainSocket(buffer, 0, message.length, address);
            if (sent != message.length)
            {
                throw new IOException("sent " + sent + " of " + message.length + " bytes");
            }
        }
        finally
        {
            socket.close();
        }
    }
}
