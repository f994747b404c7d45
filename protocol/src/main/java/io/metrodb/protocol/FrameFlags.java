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
    /**
     * In a response: more response frames follow for the same request id (SYNC streams, the offset of an
     * offset-first APPEND). In a DURABLE APPEND request: answer the offset at once (flagged MORE), then again
     * once the entry is forced, so the requester's own work overlaps the force.
     */
    public static final byte MORE = 0x04;

    private FrameFlags()
    {
    }
}
