package io.metrodb.audit;

/**
 * Where a log record lies on disk: bytes {@code [from, to)} of {@code file} (header and payload), and its payload.
 */
record RecordLocation(String file, long from, long to, byte[] payload)
{
}
