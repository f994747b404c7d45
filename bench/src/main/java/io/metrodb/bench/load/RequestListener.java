package io.metrodb.bench.load;

/**
 * Told the outcome of each {@link Request} it owns.
 */
interface RequestListener
{
    /**
     * @param request the slot whose request completed.
     * @param outcome {@link Request#OK}, {@link Request#MISS} or {@link Request#ERROR}.
     */
    void completed(Request request, int outcome);
}
