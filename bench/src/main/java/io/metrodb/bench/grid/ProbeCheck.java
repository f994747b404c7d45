package io.metrodb.bench.grid;

import java.util.Map;

/**
 * The map baselines put with a reused, mutable probe key; that is only sound if a put of an existing key keeps
 * the stored key object. Checked once per trial instead of assumed.
 */
final class ProbeCheck
{
    private ProbeCheck()
    {
    }

    static void verifyProbeNotRetained(final Map<BytesKey, KeyMeta> map, final BytesKey probe)
    {
        BenchKeys.key(probe.bytes, 0);
        probe.rehash();
        map.put(probe, map.get(probe));
        BenchKeys.key(probe.bytes, 1);
        probe.rehash();

        final byte[] first = new byte[BenchKeys.KEY_LENGTH];
        BenchKeys.key(first, 0);
        if (null == map.get(new BytesKey(first)))
        {
            throw new IllegalStateException(map.getClass().getSimpleName() + " retained the probe key on put");
        }
    }
}
