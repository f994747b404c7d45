package io.metrodb.protocol;

import io.metrodb.protocol.testing.TestSeed;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.util.SplittableRandom;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Helpers for flyweight tests. Frames are handed to validators the way {@code FrameDecoder} delivers them:
 * a buffer holding exactly one frame whose length field matches, with no capacity beyond it, so any read
 * outside the frame throws.
 */
public final class FrameFixtures
{
    public static final int PREFIX = 3;
    private static final int MUTATIONS = 2_000;

    private FrameFixtures()
    {
    }

    /**
     * @return a buffer with {@link #PREFIX} junk bytes before where the caller encodes its frame, so
     * accessors are checked with a frame index other than 0.
     */
    public static ByteBuf prefixedBuffer()
    {
        final ByteBuf buf = Unpooled.buffer();
        buf.writeBytes(new byte[] {(byte)0xAA, (byte)0xBB, (byte)0xCC});
        return buf;
    }

    /**
     * Checks the header of the frame at {@code frame} and that it ends at the writer index.
     */
    public static void assertHeader(
        final ByteBuf buf, final int frame, final byte opcode, final byte flags, final short status,
        final long requestId)
    {
        assertEquals(buf.writerIndex() - frame, FrameHeader.frameLength(buf, frame), "frame length");
        assertEquals(opcode, FrameHeader.opcode(buf, frame), "opcode");
        assertEquals(flags, FrameHeader.flags(buf, frame), "flags");
        assertEquals(status, FrameHeader.status(buf, frame), "status");
        assertEquals(requestId, FrameHeader.requestId(buf, frame), "request id");
    }

    /**
     * @param frame a buffer holding one frame at index 0.
     * @return an exact-capacity copy cut or zero-padded to {@code frameLength} bytes, length field rewritten.
     */
    public static ByteBuf resized(final ByteBuf frame, final int frameLength)
    {
        final ByteBuf copy = Unpooled.buffer(frameLength, frameLength);
        copy.writeBytes(frame, 0, Math.min(frameLength, frame.writerIndex()));
        copy.writeZero(frameLength - copy.writerIndex());
        copy.setInt(FrameHeader.LENGTH_OFFSET, frameLength);
        return copy;
    }

    /**
     * Asserts {@code accepts} rejects, without throwing, every cut of a valid frame down to a bare header,
     * and the frame grown by a byte.
     */
    public static void assertRejectsTruncations(final ByteBuf frame, final Predicate<ByteBuf> accepts)
    {
        final ByteBuf whole = resized(frame, frame.writerIndex());
        try
        {
            assertEquals(true, accepts.test(whole), "the untouched frame must be valid");
        }
        finally
        {
            whole.release();
        }
        for (int length = FrameHeader.HEADER_LENGTH; length <= frame.writerIndex() + 1; length++)
        {
            if (length == frame.writerIndex())
            {
                continue;
            }
            final ByteBuf cut = resized(frame, length);
            try
            {
                assertFalse(accepts.test(cut), "accepted the frame resized to " + length + " bytes");
            }
            finally
            {
                cut.release();
            }
        }
    }

    /**
     * Asserts {@code accepts} never throws on random cuts and byte mutations of a valid frame.
     */
    public static void assertNeverThrows(final ByteBuf frame, final Predicate<ByteBuf> accepts)
    {
        final TestSeed seed = TestSeed.resolve("fixtures.seed", "FrameFixtures.assertNeverThrows");
        final SplittableRandom random = seed.random();
        for (int i = 0; i < MUTATIONS; i++)
        {
            final int length = FrameHeader.HEADER_LENGTH +
                random.nextInt(frame.writerIndex() + 64 - FrameHeader.HEADER_LENGTH);
            final ByteBuf mutated = resized(frame, length);
            try
            {
                final int payloadLength = length - FrameHeader.HEADER_LENGTH;
                for (int flips = random.nextInt(5); flips > 0 && payloadLength > 0; flips--)
                {
                    final int pick = random.nextInt(4);
                    final int value = pick == 0 ? 0 : pick == 1 ? 0xFF : pick == 2 ? 1 : random.nextInt(256);
                    mutated.setByte(FrameHeader.HEADER_LENGTH + random.nextInt(payloadLength), value);
                }
                assertDoesNotThrow(() -> accepts.test(mutated), seed.describe() + ", iteration " + i);
            }
            finally
            {
                mutated.release();
            }
        }
    }
}
