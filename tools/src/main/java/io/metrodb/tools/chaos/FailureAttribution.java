package io.metrodb.tools.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Which failed writes of a chaos run were in flight at a mapd that was killed, the only failures the run expects.
 */
final class FailureAttribution
{
    /** How long before a failed call began its mapd may have been killed (the client not yet aware). */
    private static final long KILL_NOTICE_NS = TimeUnit.SECONDS.toNanos(1);

    /**
     * @return the failures that are not a write in flight at a mapd that was killed: every one but an UNAVAILABLE
     *     (the connection lost with the write in flight) whose call was running when a mapd was killed, or began up
     *     to a second after (its connection dead, the client not yet aware). The writers' client connects to the
     *     mapds only, and chaos cuts no client link: a connection lost mid-call is a killed mapd's.
     */
    static List<Writers.Failure> notAtAKilledMapd(final List<Writers.Failure> failures, final List<Long> mapdKills)
    {
        final List<Writers.Failure> elsewhere = new ArrayList<>();
        for (final Writers.Failure failure : failures)
        {
            boolean atAKill = false;
            if ("UNAVAILABLE".equals(failure.status()))
            {
                for (final long killNs : mapdKills)
                {
                    atAKill |= killNs - failure.endNs() <= 0 && failure.startNs() - killNs <= KILL_NOTICE_NS;
                }
            }
            if (!atAKill)
            {
                elsewhere.add(failure);
            }
        }
        return elsewhere;
    }

    static String describe(final List<Writers.Failure> failures, final long startNs)
    {
        final List<String> shown = new ArrayList<>();
        for (final Writers.Failure failure : failures.subList(0, Math.min(10, failures.size())))
        {
            shown.add(String.format(Locale.ROOT, "%s %s, %.1f to %.1f s", failure.call(), failure.status(),
                (failure.startNs() - startNs) / 1e9, (failure.endNs() - startNs) / 1e9));
        }
        return String.join(", ", shown) + (failures.size() > shown.size() ? ", ..." : "");
    }

    private FailureAttribution()
    {
    }
}
