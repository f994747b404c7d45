package io.metrodb.testing;

import java.util.concurrent.locks.LockSupport;

/**
 * A child JVM's main for {@link ChildJvmTest}: prints its arguments and "ready", then waits to be killed.
 */
public final class Echo
{
    private Echo()
    {
    }

    public static void main(final String[] args)
    {
        System.out.println("args=" + String.join(",", args));
        System.out.println("ready");
        System.out.flush();
        while (true)
        {
            LockSupport.park();
        }
    }
}
