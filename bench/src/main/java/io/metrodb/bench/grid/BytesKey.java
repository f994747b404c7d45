package io.metrodb.bench.grid;

import java.util.Arrays;

/**
 * A byte-array key for the on-heap map baselines, with its hash cached. A mutable instance serves as the lookup
 * probe so the baselines allocate no key per operation either.
 */
final class BytesKey
{
    final byte[] bytes;
    private int hash;

    BytesKey(final byte[] bytes)
    {
        this.bytes = bytes;
        rehash();
    }

    void rehash()
    {
        final int h = Arrays.hashCode(bytes);
        hash = h ^ (h >>> 16);
    }

    public int hashCode()
    {
        return hash;
    }

    public boolean equals(final Object other)
    {
        return other instanceof BytesKey && Arrays.equals(bytes, ((BytesKey)other).bytes);
    }
}
