package io.metrodb.protocol.mapd;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class KeysTest
{
    private static final byte[] KEY = "k".getBytes(StandardCharsets.US_ASCII);

    @Test
    void shouldJudgeTheKeyOfEveryKeyedRequestAlike()
    {
        final ByteBuf get = Unpooled.buffer();
        final ByteBuf set = Unpooled.buffer();
        final ByteBuf repair = Unpooled.buffer();
        try
        {
            KeyRequest.encode(get, 1L, Opcodes.GET, (byte)0, KEY);
            SetRequest.encode(set, 2L, Opcodes.SET, KEY, new byte[3]);
            new RepairRequestFlyweight().wrapForAppend(repair, 3L, KEY.length, 0)
                .version(9L).versionNode(1).key(KEY).badReplicas(0, null, null)
                .commit();
            assertKeyRules(get, KeyRequest.KEY_LENGTH_OFFSET, KeyRequest.KEY_OFFSET);
            assertKeyRules(set, SetRequest.KEY_LENGTH_OFFSET, SetRequest.KEY_OFFSET);
            assertKeyRules(repair, RepairRequest.KEY_LENGTH_OFFSET, RepairRequest.KEY_OFFSET);

            setKeyLength(get, KeyRequest.KEY_LENGTH_OFFSET, 0);
            setKeyLength(set, SetRequest.KEY_LENGTH_OFFSET, 0);
            setKeyLength(repair, RepairRequest.KEY_LENGTH_OFFSET, 0);
            assertEquals(StatusCodes.INVALID_KEY, KeyRequest.validate(get, 0));
            assertEquals(StatusCodes.INVALID_KEY, SetRequest.validate(set, 0, 1024));
            assertEquals(StatusCodes.INVALID_KEY, RepairRequest.validate(repair, 0));
        }
        finally
        {
            get.release();
            set.release();
            repair.release();
        }
    }

    @Test
    void shouldRefuseToEncodeAKeyLengthTheFieldCannotHold()
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> Keys.checkLength(0x1_0000));
        assertEquals("key length must be in 0..65535, was 65536", ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Keys.checkLength(-1));
        Keys.checkLength(0);
        Keys.checkLength(0xFFFF);
    }

    private static void assertKeyRules(final ByteBuf frame, final int keyLengthOffset, final int keyOffset)
    {
        assertEquals(StatusCodes.OK, Keys.validate(frame, 0, keyLengthOffset, keyOffset));
        final int payloadLength = FrameHeader.payloadLength(frame, 0);
        setPayloadLength(frame, keyOffset - 1);
        assertEquals(StatusCodes.BAD_REQUEST, Keys.validate(frame, 0, keyLengthOffset, keyOffset), "too short");
        setPayloadLength(frame, payloadLength);
        setKeyLength(frame, keyLengthOffset, 0);
        assertEquals(StatusCodes.INVALID_KEY, Keys.validate(frame, 0, keyLengthOffset, keyOffset), "empty key");
        setKeyLength(frame, keyLengthOffset, KEY.length);
    }

    private static void setKeyLength(final ByteBuf frame, final int keyLengthOffset, final int keyLength)
    {
        frame.setShort(FrameHeader.payloadIndex(0) + keyLengthOffset, keyLength);
    }

    private static void setPayloadLength(final ByteBuf frame, final int payloadLength)
    {
        frame.setInt(FrameHeader.LENGTH_OFFSET, FrameHeader.HEADER_LENGTH + payloadLength);
    }
}
