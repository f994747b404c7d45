package io.metrodb.protocol.netty;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.GoldenVectors;
import io.metrodb.protocol.Hex;
import io.metrodb.protocol.Preface;
import io.metrodb.protocol.ProtocolException;
import io.metrodb.protocol.testing.TestSeed;
import io.metrodb.protocol.validation.FrameValidator;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Feeds random and mutated byte streams through {@link FrameDecoder} in an {@link EmbeddedChannel}. Every
 * input must yield frames, wait for more bytes, or raise a {@link ProtocolException}; nothing else may be
 * thrown, no buffer may be allocated beyond what the input itself needs, every decoded frame must pass
 * through {@link FrameValidator} without an exception, and every buffer must be released.
 * Reproduce a failure with {@code -Dfuzz.seed=<seed printed>}.
 */
class FrameDecoderFuzzTest
{
    private static final int INPUTS = Integer.getInteger("fuzz.inputs", 100_000);
    private static final int MAX_FRAME = 1 << 20;

    @RegisterExtension
    final TestSeed testSeed = new TestSeed("fuzz.seed");

    /** Records the largest buffer handed out, to prove nothing is sized by a declared length. */
    private static final class TrackingAllocator extends AbstractByteBufAllocator
    {
        private final List<ByteBuf> allocated = new ArrayList<>();

        TrackingAllocator()
        {
            super(false);
        }

        @Override
        protected ByteBuf newHeapBuffer(final int initialCapacity, final int maxCapacity)
        {
            return track(UnpooledByteBufAllocator.DEFAULT.heapBuffer(initialCapacity, maxCapacity));
        }

        @Override
        protected ByteBuf newDirectBuffer(final int initialCapacity, final int maxCapacity)
        {
            return track(UnpooledByteBufAllocator.DEFAULT.heapBuffer(initialCapacity, maxCapacity));
        }

        private ByteBuf track(final ByteBuf buf)
        {
            allocated.add(buf);
            return buf;
        }

        @Override
        public boolean isDirectBufferPooled()
        {
            return false;
        }

        int largestCapacity()
        {
            int largest = 0;
            for (final ByteBuf buf : allocated)
            {
                largest = Math.max(largest, buf.capacity());
            }
            return largest;
        }

        void reset()
        {
            allocated.clear();
        }
    }

    @Test
    void shouldSurviveRandomAndMutatedFrames()
    {
        final long seed = testSeed.value();
        System.out.println("FrameDecoderFuzzTest inputs=" + INPUTS);
        final SplittableRandom random = testSeed.random();
        final byte[][] corpus = corpus();
        final TrackingAllocator allocator = new TrackingAllocator();
        int frames = 0;
        int protocolErrors = 0;
        int waiting = 0;

        for (int i = 0; i < INPUTS; i++)
        {
            final boolean expectPreface = random.nextInt(4) == 0;
            final byte[] input = generate(random, corpus, expectPreface);
            final Outcome outcome = run(input, expectPreface, random, allocator, seed, i);
            frames += outcome.frames;
            protocolErrors += outcome.protocolError ? 1 : 0;
            waiting += outcome.waiting ? 1 : 0;
        }

        System.out.println("FrameDecoderFuzzTest frames=" + frames + " protocolErrors=" + protocolErrors +
            " waitingForMore=" + waiting);
        assertTrue(frames > INPUTS / 10, "the generator should produce many valid frames");
        assertTrue(protocolErrors > INPUTS / 10, "the generator should produce many broken streams");
    }

    private record Outcome(int frames, boolean protocolError, boolean waiting)
    {
    }

    private static Outcome run(
        final byte[] input,
        final boolean expectPreface,
        final SplittableRandom random,
        final TrackingAllocator allocator,
        final long seed,
        final int index)
    {
        allocator.reset();
        final EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAllocator(allocator);
        channel.pipeline().addLast(new FrameDecoder(MAX_FRAME, expectPreface));

        final List<ByteBuf> chunks = new ArrayList<>();
        int frames = 0;
        boolean protocolError = false;
        try
        {
            int position = 0;
            while (position < input.length && !protocolError)
            {
                final int length = Math.min(input.length - position, 1 + random.nextInt(Math.max(1, input.length)));
                final ByteBuf chunk = Unpooled.copiedBuffer(input, position, length);
                chunks.add(chunk);
                position += length;
                try
                {
                    channel.writeInbound(chunk);
                }
                catch (final DecoderException e)
                {
                    if (!(e.getCause() instanceof ProtocolException))
                    {
                        throw e;
                    }
                    protocolError = true;
                }
                frames += drainFrames(channel);
                final int largest = allocator.largestCapacity();
                if (largest > 2 * input.length + 256)
                {
                    fail("allocated " + largest + " bytes for an input of " + input.length + failure(seed, index, input));
                }
            }
            final boolean waiting = !protocolError && channel.inboundMessages().isEmpty() && frames == 0;
            channel.finishAndReleaseAll();
            for (final ByteBuf chunk : chunks)
            {
                assertEquals(0, chunk.refCnt(), "input buffer leaked" + failure(seed, index, input));
            }
            return new Outcome(frames, protocolError, waiting);
        }
        catch (final RuntimeException | AssertionError e)
        {
            throw new AssertionError("unexpected " + e + failure(seed, index, input), e);
        }
    }

    private static int drainFrames(final EmbeddedChannel channel)
    {
        int frames = 0;
        ByteBuf frame;
        while ((frame = channel.readInbound()) != null)
        {
            try
            {
                final int at = frame.readerIndex();
                assertEquals(frame.readableBytes(), FrameHeader.frameLength(frame, at));
                assertTrue(frame.readableBytes() >= FrameHeader.HEADER_LENGTH && frame.readableBytes() <= MAX_FRAME);
                FrameValidator.validateRequest(frame, at, MAX_FRAME);
                FrameValidator.isValidResponse(frame, at);
                frames++;
            }
            finally
            {
                frame.release();
            }
        }
        return frames;
    }

    private static String failure(final long seed, final int index, final byte[] input)
    {
        return " (seed=" + seed + ", input #" + index + ": " + Hex.format(Unpooled.wrappedBuffer(input)) + ")";
    }

    private static byte[][] corpus()
    {
        final List<byte[]> corpus = new ArrayList<>();
        for (final GoldenVectors.Example example : GoldenVectors.all())
        {
            if (example.isFrame())
            {
                final ByteBuf buf = example.encode();
                corpus.add(ByteBufUtil.getBytes(buf));
                buf.release();
            }
        }
        return corpus.toArray(new byte[0][]);
    }

    private static byte[] generate(final SplittableRandom random, final byte[][] corpus, final boolean preface)
    {
        final ByteBuf out = Unpooled.buffer();
        if (preface)
        {
            Preface.write(out);
        }
        final int kind = random.nextInt(10);
        if (kind == 0)
        {
            final byte[] noise = new byte[random.nextInt(64)];
            random.nextBytes(noise);
            out.writeBytes(noise);
        }
        else
        {
            final int frames = 1 + random.nextInt(4);
            for (int i = 0; i < frames; i++)
            {
                out.writeBytes(corpus[random.nextInt(corpus.length)]);
            }
        }

        final byte[] bytes = ByteBufUtil.getBytes(out);
        out.release();
        return kind < 3 ? bytes : mutate(random, bytes);
    }

    private static byte[] mutate(final SplittableRandom random, final byte[] bytes)
    {
        final int mutations = random.nextInt(4);
        byte[] result = bytes;
        for (int m = 0; m < mutations && result.length > 0; m++)
        {
            final int at = random.nextInt(result.length);
            switch (random.nextInt(6))
            {
                case 0 -> result[at] ^= (byte)(1 << random.nextInt(8));
                case 1 -> result[at] = (byte)random.nextInt(256);
                case 2 -> result = java.util.Arrays.copyOf(result, at);
                case 3 ->
                {
                    // A length field somewhere: small, exact-limit, over-limit or random.
                    final int length = switch (random.nextInt(4))
                    {
                        case 0 -> random.nextInt(32);
                        case 1 -> MAX_FRAME;
                        case 2 -> MAX_FRAME + 1 + random.nextInt(1000);
                        default -> random.nextInt();
                    };
                    if (at + 4 <= result.length)
                    {
                        Unpooled.wrappedBuffer(result).setInt(at, length);
                    }
                }
                case 4 ->
                {
                    final byte[] extra = new byte[1 + random.nextInt(16)];
                    random.nextBytes(extra);
                    final byte[] grown = new byte[result.length + extra.length];
                    System.arraycopy(result, 0, grown, 0, at);
                    System.arraycopy(extra, 0, grown, at, extra.length);
                    System.arraycopy(result, at, grown, at + extra.length, result.length - at);
                    result = grown;
                }
                default ->
                {
                    // Shrink or grow a payload length field inside the frame (offset 16..24).
                    if (result.length > 24)
                    {
                        final int field = 16 + random.nextInt(8);
                        result[field] = (byte)(result[field] + (random.nextBoolean() ? 1 : -1));
                    }
                }
            }
        }
        return result;
    }
}
