package io.metrodb.bench.support;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * CPU time (user + system, every thread) this JVM has used, for "cores busy" figures over a window.
 */
public final class ProcessCpu
{
    private ProcessCpu()
    {
    }

    /**
     * @return this process's CPU time in ns, or 0 when the JVM does not report it.
     */
    public static long nanos()
    {
        final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean)
        {
            return ((com.sun.management.OperatingSystemMXBean)os).getProcessCpuTime();
        }
        return 0;
    }
}
