package io.metrodb.tools.chaos;

import io.metrodb.protocol.fault.LinkProxy;

import java.io.IOException;

/**
 * A link through a {@link LinkProxy} on loopback, where network namespaces cannot be used: the mapd is given the
 * proxy's port instead of the logd's.
 */
final class ProxyLink implements Link
{
    private final LinkProxy proxy;

    ProxyLink(final String name, final String host, final int targetPort) throws IOException
    {
        this.proxy = new LinkProxy(name, host, targetPort);
    }

    /**
     * @return the port the mapd connects to.
     */
    int port()
    {
        return proxy.port();
    }

    @Override
    public String name()
    {
        return proxy.name();
    }

    @Override
    public void drop()
    {
        proxy.drop();
    }

    @Override
    public void stall()
    {
        proxy.stall();
    }

    @Override
    public void heal()
    {
        proxy.heal();
    }

    @Override
    public void close()
    {
        proxy.close();
    }
}
