package io.metrodb.protocol.netty;

import io.netty.channel.Channel;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;

/**
 * Whether a server reads a connection, decided by several independent reasons to stop (its replies pile up, its
 * handler has too many requests in flight, ...): the connection is read only while no reason holds. Each
 * handler closes and opens the gate for its own reason instead of setting {@code autoRead} itself, so one cannot
 * undo another's pause. Event-loop thread only; called on pause and resume, not per request.
 */
public final class ReadGate
{
    /** The connection's outbound buffer is above its high-water mark: the peer does not read its replies. */
    public static final int NOT_WRITABLE = 1;
    /** The request handler has as many requests in flight as it takes. */
    public static final int IN_FLIGHT = 2;
    /** A text-protocol handler waits for replies before it parses on. */
    public static final int TEXT_PROTOCOL = 4;

    private static final AttributeKey<ReadGate> KEY = AttributeKey.valueOf(ReadGate.class, "gate");

    private int closedFor;

    private ReadGate()
    {
    }

    /**
     * Stops reading {@code channel} for {@code reason} (until {@link #open} for the same reason).
     */
    public static void close(final Channel channel, final int reason)
    {
        final ReadGate gate = of(channel);
        gate.closedFor |= reason;
        channel.config().setAutoRead(false);
    }

    /**
     * Lifts {@code reason}; reads resume once no other reason holds.
     */
    public static void open(final Channel channel, final int reason)
    {
        final ReadGate gate = of(channel);
        gate.closedFor &= ~reason;
        if (gate.closedFor == 0)
        {
            channel.config().setAutoRead(true);
        }
    }

    /**
     * @return true when {@code reason} holds on {@code channel}.
     */
    public static boolean isClosedFor(final Channel channel, final int reason)
    {
        return (of(channel).closedFor & reason) != 0;
    }

    private static ReadGate of(final Channel channel)
    {
        final Attribute<ReadGate> attribute = channel.attr(KEY);
        ReadGate gate = attribute.get();
        if (gate == null)
        {
            gate = new ReadGate();
            attribute.set(gate);
        }
        return gate;
    }
}
