package io.metrodb.mapd.grid;

import org.agrona.UnsafeApi;

/**
 * Hashing and comparison of key bytes addressed as (base object, address): a {@code byte[]} with its array offset,
 * or {@code null} with an off-heap address, so one code path serves heap, direct and arena keys.
 * <p>
 * The hash is XXH64's short-input path (one lane over 8-byte words, then 4-byte and 1-byte tails) applied to all
 * lengths. Words are read in native order, so the hash is process-local: it is never persisted or sent.
 */
final class KeyBytes
{
    private static final long PRIME64_1 = 0x9E3779B185EBCA87L;
    private static final long PRIME64_2 = 0xC2B2AE3D27D4EB4FL;
    private static final long PRIME64_3 = 0x165667B19E3779F9L;
    private static final long PRIME64_4 = 0x85EBCA77C2B2AE63L;
    private static final long PRIME64_5 = 0x27D4EB2F165667C5L;
    private static final long SEED = 0x6D65_7472_6F64_6221L;

    private KeyBytes()
    {
    }

    /**
     * 64-bit hash of key bytes.
     *
     * @param base    byte array, or null for an off-heap address.
     * @param address array base offset plus index, or an off-heap address.
     * @param length  number of bytes.
     * @return the hash.
     */
    static long hash(final Object base, final long address, final int length)
    {
        long h = SEED + PRIME64_5 + length;
        long p = address;
        final long end = address + length;

        while (end - p >= Long.BYTES)
        {
            long k = UnsafeApi.getLongUnaligned(base, p) * PRIME64_2;
            k = Long.rotateLeft(k, 31) * PRIME64_1;
            h ^= k;
            h = Long.rotateLeft(h, 27) * PRIME64_1 + PRIME64_4;
            p += Long.BYTES;
        }

        if (end - p >= Integer.BYTES)
        {
            h ^= (UnsafeApi.getIntUnaligned(base, p) & 0xFFFF_FFFFL) * PRIME64_1;
            h = Long.rotateLeft(h, 23) * PRIME64_2 + PRIME64_3;
            p += Integer.BYTES;
        }

        while (p < end)
        {
            h ^= (UnsafeApi.getByte(base, p) & 0xFFL) * PRIME64_5;
            h = Long.rotateLeft(h, 11) * PRIME64_1;
            p++;
        }

        return mix(h);
    }

    /**
     * XXH64's avalanche: every input bit affects every output bit, also used to spread sampler seeds.
     *
     * @param value to mix.
     * @return the mixed value.
     */
    static long mix(final long value)
    {
        long h = value;
        h ^= h >>> 33;
        h *= PRIME64_2;
        h ^= h >>> 29;
        h *= PRIME64_3;
        h ^= h >>> 32;

        return h;
    }

    /**
     * Whether two byte ranges of the same length hold the same bytes.
     *
     * @param baseA    first byte array or null.
     * @param addressA first address.
     * @param baseB    second byte array or null.
     * @param addressB second address.
     * @param length   number of bytes in each.
     * @return true if equal.
     */
    static boolean equals(
        final Object baseA, final long addressA, final Object baseB, final long addressB, final int length)
    {
        int i = 0;
        for (final int wordLimit = length - Long.BYTES; i <= wordLimit; i += Long.BYTES)
        {
            if (UnsafeApi.getLongUnaligned(baseA, addressA + i) != UnsafeApi.getLongUnaligned(baseB, addressB + i))
            {
                return false;
            }
        }

        for (; i < length; i++)
        {
            if (UnsafeApi.getByte(baseA, addressA + i) != UnsafeApi.getByte(baseB, addressB + i))
            {
                return false;
            }
        }

        return true;
    }
}
