package io.metrodb.protocol.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Shrinks a failing sequence of operations for the report: drops one element at a time while the rest still
 * fails, until no single element can go.
 */
public final class Minimiser
{
    private Minimiser()
    {
    }

    /**
     * @param failing a sequence for which {@code fails} holds.
     * @param fails   replays a candidate from a fresh state; true when it still fails.
     * @return a sub-sequence, order kept, that still fails and from which no single element can be dropped.
     */
    public static <T> List<T> minimise(final List<T> failing, final Predicate<List<T>> fails)
    {
        final List<T> current = new ArrayList<>(failing);
        boolean dropped = true;
        while (dropped)
        {
            dropped = false;
            for (int i = current.size() - 1; i >= 0; i--)
            {
                final List<T> candidate = new ArrayList<>(current);
                candidate.remove(i);
                if (fails.test(candidate))
                {
                    current.remove(i);
                    dropped = true;
                }
            }
        }
        return current;
    }
}
