package io.metrodb.client;

import io.metrodb.protocol.StatusCodes;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * The error mapping: a reply status, or the state of the connections, to the typed {@link MetroException} a caller
 * sees.
 */
final class Failures
{
    private Failures()
    {
    }

    /**
     * @param status  a reply's status other than OK and NOT_FOUND.
     * @param message the reply's error message, may be empty.
     * @return the exception the caller sees for it.
     */
    static MetroException fromStatus(final short status, final String message)
    {
        final String text = StatusCodes.name(status) + (message.isEmpty() ? "" : ": " + message);
        return switch (status)
        {
            case StatusCodes.NOT_ENOUGH_REPLICAS -> new NotEnoughReplicasException(status, text);
            case StatusCodes.AUTH_REQUIRED, StatusCodes.AUTH_FAILED -> new MetroAuthException(status, text);
            case StatusCodes.TIMEOUT -> new MetroTimeoutException(status, text);
            case StatusCodes.UNAVAILABLE, StatusCodes.SHUTTING_DOWN -> new MetroUnavailableException(status, text);
            default -> new MetroProtocolException(status, text);
        };
    }

    /**
     * @return what a call made on, or caught by, a closed client fails with.
     */
    static MetroUnavailableException closed()
    {
        return new MetroUnavailableException(StatusCodes.UNAVAILABLE, "client is closed");
    }

    /**
     * What a call that found no mapd to take it fails with: the refusal of a HELLO when one was refused (a wrong
     * token before a version mismatch), else UNAVAILABLE.
     *
     * @param links            every connection of the client.
     * @param requestTimeoutMs the request timeout, for the message.
     * @param addresses        the mapds, for the message.
     * @return the failure.
     */
    static MetroException noMapd(
        final MetroLink[] links, final long requestTimeoutMs, final List<InetSocketAddress> addresses)
    {
        for (final MetroLink link : links)
        {
            if (link.refusal == StatusCodes.AUTH_FAILED)
            {
                return new MetroAuthException(StatusCodes.AUTH_FAILED, "mapd " + link.connection.address() +
                    " refused the auth token");
            }
        }
        for (final MetroLink link : links)
        {
            if (link.refusal == StatusCodes.UNSUPPORTED_VERSION)
            {
                return new MetroProtocolException(StatusCodes.UNSUPPORTED_VERSION, "mapd " +
                    link.connection.address() + " speaks no protocol version this client does");
            }
        }
        return new MetroUnavailableException(StatusCodes.UNAVAILABLE, "no mapd reachable within " +
            requestTimeoutMs + " ms among " + addresses);
    }
}
