package io.metrodb.mapd.grid;

/**
 * Deterministic test keys: the bytes depend on the key id and position only, so a shorter key with the same id
 * is a prefix of a longer one, which exercises length checks in key comparison.
 */
final class TestKeys
{
    private TestKeys()
    {
    }

    static byte[] key(final long keyId, final int length)
    {
        final byte[] key = new byte[length];
        long word = 0;
        for (int i = 0; i < length; i++)
        {
            if ((i & 7) == 0)
            {
                word = KeyBytes.mix(keyId * 0x9E3779B97F4A7C15L + (i >>> 3) + 1);
            }
            key[i] = (byte)(word >>> ((i & 7) << 3));
        }

        return key;
    }
}
