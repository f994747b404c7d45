package io.metrodb.server;

import io.metrodb.protocol.netty.SystemdNotify;

import java.util.concurrent.CountDownLatch;

/**
 * Keeps a daemon running until SIGTERM or SIGINT, then closes it cleanly before the JVM exits. Under systemd
 * ({@code Type=notify}) it tells systemd {@code READY=1} once called (the daemon listens) and {@code STOPPING=1} when
 * the stop starts ({@link SystemdNotify}; nothing without {@code $NOTIFY_SOCKET}).
 */
public final class ServerRunner
{
    private ServerRunner()
    {
    }

    /**
     * @param name   daemon name for the messages.
     * @param server what to close on the signal, already listening.
     * @return the exit code, 0 after a clean stop.
     * @throws InterruptedException when the waiting thread is interrupted.
     */
    public static int runUntilSignalled(final String name, final AutoCloseable server) throws InterruptedException
    {
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            SystemdNotify.stopping();
            System.out.println(name + " stopping");
            try
            {
                server.close();
                System.out.println(name + " stopped");
            }
            catch (final Exception e)
            {
                System.err.println(name + " failed to stop cleanly: " + e);
            }
            finally
            {
                stopped.countDown();
            }
        }, name + "-shutdown"));
        SystemdNotify.ready();
        stopped.await();
        return 0;
    }
}
