package io.metrodb.tools.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A link between two hosts of a {@link NetnsNetwork}, cut in its router.
 */
final class NetnsLink implements Link
{
    private final NetnsNetwork network;
    private final String from;
    private final String to;

    NetnsLink(final NetnsNetwork network, final String from, final String to)
    {
        this.network = network;
        this.from = from;
        this.to = to;
    }

    @Override
    public String name()
    {
        return from + "->" + to;
    }

    @Override
    public void drop()
    {
        cut(true);
    }

    @Override
    public void stall()
    {
        cut(false);
    }

    @Override
    public void heal()
    {
        try
        {
            network.heal(from, to);
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot heal " + name(), e);
        }
    }

    private void cut(final boolean reset)
    {
        try
        {
            network.cut(from, to, reset);
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot cut " + name(), e);
        }
    }

    @Override
    public void close()
    {
        // The network's namespaces, closed by their owner, take the link's rules with them.
    }
}
