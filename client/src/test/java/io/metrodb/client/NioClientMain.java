package io.metrodb.client;

import io.metrodb.protocol.netty.Transports;

/**
 * Run in a child JVM by {@link WithoutNativeTransportIT}: a round trip through the SDK, then the transport it
 * used, printed as {@code transport=NAME value=VALUE}.
 */
public final class NioClientMain
{
    private NioClientMain()
    {
    }

    public static void main(final String[] args)
    {
        try (MetroClient client = MetroClient.builder(args[0]).requestTimeoutMs(10_000).build())
        {
            client.set("nio:key", "through " + Transports.name());
            System.out.println("transport=" + Transports.name() + " value=" + client.get("nio:key"));
        }
    }
}
