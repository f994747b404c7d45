package io.metrodb.protocol.mapd;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;

/**
 * The key rules of the mapd messages in one place: a key is {@link ProtocolLimits#MIN_KEY_LENGTH}..
 * {@link ProtocolLimits#MAX_KEY_LENGTH} bytes behind a u16 length field. Request validation ({@link #validate})
 * refuses a payload too short to hold the key's fields and an empty key; encoders ({@link #checkLength}) refuse a
 * length the u16 field cannot hold rather than truncate it, which would desynchronise the frame.
 */
public final class Keys
{
    private Keys()
    {
    }

    /**
     * Checks the key of a request frame: used by every request validator that carries a key.
     *
     * @param buf             buffer holding the frame.
     * @param frame           index of the frame header.
     * @param keyLengthOffset payload offset of the u16 key length.
     * @param keyOffset       payload offset of the key's first byte (the fixed fields end there).
     * @return {@link StatusCodes#OK}; {@link StatusCodes#BAD_REQUEST} when the payload ends before
     * {@code keyOffset}; {@link StatusCodes#INVALID_KEY} when the key is empty. The caller still checks that
     * the payload length matches the key length and its own fields.
     */
    public static short validate(final ByteBuf buf, final int frame, final int keyLengthOffset, final int keyOffset)
    {
        if (FrameHeader.payloadLength(buf, frame) < keyOffset)
        {
            return StatusCodes.BAD_REQUEST;
        }

        final int keyLength = buf.getUnsignedShort(FrameHeader.payloadIndex(frame) + keyLengthOffset);
        return keyLength < ProtocolLimits.MIN_KEY_LENGTH ? StatusCodes.INVALID_KEY : StatusCodes.OK;
    }

    /**
     * Encoder check: the key length fits the u16 field.
     *
     * @throws IllegalArgumentException when it does not.
     */
    static void checkLength(final int keyLength)
    {
        if (keyLength < 0 || keyLength > ProtocolLimits.MAX_KEY_LENGTH)
        {
            failOnLength(keyLength);
        }
    }

    private static void failOnLength(final int keyLength)
    {
        throw new IllegalArgumentException(
            "key length must be in 0.." + ProtocolLimits.MAX_KEY_LENGTH + ", was " + keyLength);
    }
}
