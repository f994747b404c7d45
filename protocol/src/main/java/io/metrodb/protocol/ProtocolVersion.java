package io.metrodb.protocol;

/**
 * Protocol versions this build speaks. HELLO negotiates the highest version both peers support.
 */
public final class ProtocolVersion
{
    public static final short MIN_SUPPORTED = 1;
    public static final short CURRENT = 1;

    private ProtocolVersion()
    {
    }

    /**
     * @param peerMin the lowest version the peer speaks.
     * @param peerMax the highest version the peer speaks.
     * @return the version both speak, or -1 when the ranges do not overlap.
     */
    public static int negotiate(final int peerMin, final int peerMax)
    {
        final int version = Math.min(peerMax, CURRENT);
        return version >= Math.max(peerMin, MIN_SUPPORTED) ? version : -1;
    }
}
