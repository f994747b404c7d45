package io.metrodb.protocol;

/**
 * Bits of the header's flags byte. Senders set undefined bits to zero; receivers ignore them, so a later
 * version can define more without breaking older peers.
 */
public final class FrameFlags
{
    /** The frame answers the request with the same request id. */
    public static final byte RESPONSE = 0x01;
    /** APPEND: acknowledge only once the entry is forced to disk. DEL: delete with SETSAFE durability. */
    public static final byte DURABLE = 0x02;
    /** More response frames follow for the same request id (SYNC streams). */
    public static final byte MORE = 0x04;

    private FrameFlags()
    {
    }
}
