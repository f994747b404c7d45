package io.metrodb.tools.chaos;

/**
 * One link of the cluster under chaos that can be cut: a mapd's connections to one logd.
 */
interface Link extends AutoCloseable
{
    /**
     * @return the link, for messages, e.g. {@code mapd1->logd2}.
     */
    String name();

    /** Cuts the link: its connections are closed and new ones refused until {@link #heal()}. */
    void drop();

    /** Cuts the link silently: nothing gets through in either direction, connections stay open. */
    void stall();

    /** Ends a {@link #drop()} or {@link #stall()}. */
    void heal();

    @Override
    void close();
}
