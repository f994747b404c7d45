package io.metrodb.server;

import io.metrodb.protocol.Roles;
import io.metrodb.protocol.netty.HandshakeResult;
import io.metrodb.protocol.netty.PeerConnection;

import java.net.InetSocketAddress;

/**
 * The event lines of one outgoing link that reconnects by itself with backoff (a mapd's link to a logd or to a
 * peer mapd, mond's link to a node): one line when it is lost, at most one per {@link #REPEAT_NS} while it stays
 * down (however fast the reconnect loop spins), and one when it is back ("reconnected ... after 3.2 s"). A link
 * that has never been up says nothing for its first {@link #STARTUP_GRACE_NS} (the daemons of a cluster start
 * together and find each other within a second or so), then logs as one that is down.
 * <p>
 * It is the link's {@link PeerConnection.StateListener}: the code that creates the connection passes it in place of
 * its own listener, which it then calls after logging; the owner only names the link. A handshake with a node of
 * another role than the one expected is not "up" (the owner ignores that node), and the loss of a connection closed
 * for good ({@link PeerConnection#close()}) is no event.
 * <p>
 * One instance per link, called on that link's event loop only; nothing here runs per request.
 */
public final class LinkLog implements PeerConnection.StateListener
{
    /** While a link stays down, at most one line per this. */
    public static final long REPEAT_NS = 30_000_000_000L;
    /** A link never up yet is not reported before this. */
    public static final long STARTUP_GRACE_NS = 5_000_000_000L;

    private final String owner;
    private final String peer;
    private final byte role;
    private final PeerConnection.StateListener next;
    private boolean up;
    private boolean everUp;
    private boolean downLogged;
    private long downSinceNs;
    private long lastLoggedNs;
    private long failedAttempts;

    /**
     * @param owner   this side, as the lines name it ("mapd 11", "mond").
     * @param peer    the other side ("logd", "peer mapd") without its address.
     * @param role    the role the other side must answer HELLO with ({@link Roles}) for the link to be up.
     * @param address the other side's address.
     * @param next    the owner's listener, told every change after it is logged.
     */
    public LinkLog(
        final String owner,
        final String peer,
        final byte role,
        final InetSocketAddress address,
        final PeerConnection.StateListener next)
    {
        this.owner = owner;
        this.peer = peer + " " + address.getHostString() + ":" + address.getPort();
        this.role = role;
        this.next = next;
        this.downSinceNs = System.nanoTime();
    }

    @Override
    public void onReady(final PeerConnection connection, final HandshakeResult hello)
    {
        if (hello.role() == role)
        {
            up(" (" + Roles.name(role) + " " + hello.nodeId() + ")");
        }
        next.onReady(connection, hello);
    }

    @Override
    public void onLost(final PeerConnection connection)
    {
        if (!connection.isClosed())
        {
            lost();
        }
        next.onLost(connection);
    }

    @Override
    public void onHandshakeFailed(final PeerConnection connection, final Throwable cause)
    {
        failed(cause);
        next.onHandshakeFailed(connection, cause);
    }

    @Override
    public void onConnectFailed(final PeerConnection connection, final Throwable cause)
    {
        failed(cause);
        next.onConnectFailed(connection, cause);
    }

    /**
     * The link is up (handshake done).
     *
     * @param detail what the other side said it is, e.g. " (logd 101)".
     */
    private void up(final String detail)
    {
        if (up)
        {
            return;
        }
        if (downLogged)
        {
            EventLog.info(owner + ": " + (everUp ? "reconnected to " : "connected to ") + peer + detail + " after " +
                EventLog.seconds(System.nanoTime() - downSinceNs) + " down (" + failedAttempts + " failed attempts)");
        }
        up = true;
        everUp = true;
        downLogged = false;
        failedAttempts = 0;
    }

    /**
     * The link was up and is lost; the reconnect loop starts.
     */
    private void lost()
    {
        if (!up)
        {
            return;
        }
        up = false;
        downSinceNs = System.nanoTime();
        lastLoggedNs = downSinceNs;
        downLogged = true;
        failedAttempts = 0;
        EventLog.warn(owner + ": lost the link to " + peer + "; reconnecting");
    }

    /**
     * A connection attempt (or its handshake) failed; it will be retried.
     */
    private void failed(final Throwable cause)
    {
        if (up)
        {
            return;
        }
        failedAttempts++;
        final long nowNs = System.nanoTime();
        if (!downLogged ? nowNs - downSinceNs >= STARTUP_GRACE_NS : nowNs - lastLoggedNs >= REPEAT_NS)
        {
            downLogged = true;
            lastLoggedNs = nowNs;
            EventLog.warn(owner + ": " + peer + " still unreachable after " +
                EventLog.seconds(nowNs - downSinceNs) + " (" + failedAttempts + " failed attempts, last: " +
                describe(cause) + "); retrying");
        }
    }

    /**
     * @return true while the link is up.
     */
    public boolean isUp()
    {
        return up;
    }

    /**
     * @return connection attempts failed since the link was last up.
     */
    public long failedAttempts()
    {
        return failedAttempts;
    }

    private static String describe(final Throwable cause)
    {
        if (cause == null)
        {
            return "unknown";
        }
        final String message = cause.getMessage();
        return message == null ? cause.getClass().getSimpleName() : message;
    }
}
