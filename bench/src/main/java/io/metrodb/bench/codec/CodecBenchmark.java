package io.metrodb.bench.codec;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.EntryResponse;
import io.metrodb.protocol.mapd.SetRequest;
import io.metrodb.protocol.netty.FrameDecoder;
import io.metrodb.protocol.validation.FrameValidator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.FastThreadLocalThread;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * Encode and decode of a SET request and a GET response (16-byte key, 100-byte value) with the mapd
 * flyweights, the Netty {@link FrameDecoder} splitting pipelined SET frames, and a plain copy of a SET
 * frame's bytes as the floor an encoder cannot beat. All buffers are pooled direct buffers, as on the wire.
 * <p>
 * The fork runs the JMH workers on {@link FastThreadLocalExecutor} threads, as Netty runs our handlers on
 * its event loop threads; Netty 4.2 recycles the decoder's retained slices only on such threads.
 * <p>
 * Run: {@code java -jar bench/target/benchmarks.jar CodecBenchmark -prof gc}; see docs/BENCHMARKS.md.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    "-Dio.netty.leakDetection.level=disabled",
    "-Djmh.executor=CUSTOM",
    "-Djmh.executor.class=io.metrodb.bench.codec.FastThreadLocalExecutor"})
public class CodecBenchmark
{
    static final int KEY_LENGTH = 16;
    static final int VALUE_LENGTH = 100;
    static final int SET_FRAME_LENGTH = FrameHeader.HEADER_LENGTH + SetRequest.KEY_OFFSET + KEY_LENGTH + VALUE_LENGTH;
    static final int GET_FRAME_LENGTH = FrameHeader.HEADER_LENGTH + EntryResponse.VALUE_OFFSET + VALUE_LENGTH;
    static final int PIPELINED_FRAMES = 16;
    static final int MAX_VALUE_LENGTH = ProtocolLimits.DEFAULT_MAX_VALUE_LENGTH;
    static final int MAX_FRAME_LENGTH = ProtocolLimits.DEFAULT_MAX_FRAME_LENGTH;
    static final long VERSION = 0x019ACE6F6C000001L;
    static final int VERSION_NODE = 3;

    private final PooledByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;

    private ByteBuf key;
    private ByteBuf value;
    private ByteBuf out;
    private ByteBuf setFrame;
    private ByteBuf getFrame;
    private ByteBuf pipelinedSets;
    private EmbeddedChannel channel;
    private FrameSink sink;
    private Object[] inbound;
    /** A field, not a constant 0, so the JIT cannot fold the flyweights' offsets. */
    private int frame;
    private long requestId;

    @Setup(Level.Trial)
    public void setup()
    {
        key = alloc.directBuffer(KEY_LENGTH);
        for (int i = 0; i < KEY_LENGTH; i++)
        {
            key.writeByte('k' + (i % 10));
        }
        value = alloc.directBuffer(VALUE_LENGTH);
        for (int i = 0; i < VALUE_LENGTH; i++)
        {
            value.writeByte(i);
        }
        out = alloc.directBuffer(256);

        setFrame = alloc.directBuffer(SET_FRAME_LENGTH);
        SetRequest.encode(setFrame, 1, Opcodes.SET, key, 0, KEY_LENGTH, value, 0, VALUE_LENGTH);
        getFrame = alloc.directBuffer(GET_FRAME_LENGTH);
        EntryResponse.encodeGetHeader(getFrame, 1, VERSION, VERSION_NODE, VALUE_LENGTH);
        getFrame.writeBytes(value, 0, VALUE_LENGTH);
        check(setFrame.readableBytes() == SET_FRAME_LENGTH, "SET frame length");
        check(FrameValidator.validateRequest(setFrame, 0, MAX_VALUE_LENGTH) == StatusCodes.OK, "SET frame valid");
        check(getFrame.readableBytes() == GET_FRAME_LENGTH, "GET frame length");
        check(FrameValidator.isValidResponse(getFrame, 0), "GET frame valid");

        pipelinedSets = alloc.directBuffer(PIPELINED_FRAMES * SET_FRAME_LENGTH);
        for (int i = 1; i <= PIPELINED_FRAMES; i++)
        {
            SetRequest.encode(pipelinedSets, i, Opcodes.SET, key, 0, KEY_LENGTH, value, 0, VALUE_LENGTH);
        }

        // Preallocated: writeInbound(Object...) would otherwise allocate its varargs array on every read.
        inbound = new Object[] {pipelinedSets};
        if (!FastThreadLocalThread.currentThreadWillCleanupFastThreadLocals())
        {
            System.out.println("WARNING: not on a FastThreadLocalThread (were the @Fork jvmArgsAppend overridden?);" +
                " Netty will not recycle the decoder's slices, so frameDecoderSetRequest allocates per frame");
        }
        sink = new FrameSink();
        channel = new EmbeddedChannel();
        channel.config().setAllocator(alloc);
        channel.pipeline().addLast(new FrameDecoder(MAX_FRAME_LENGTH, false), sink);
        frameDecoderSetRequest();
        check(sink.frames == PIPELINED_FRAMES, "decoder emitted " + sink.frames + " frames");
        check(pipelinedSets.refCnt() == 1, "pipelined buffer refCnt " + pipelinedSets.refCnt());
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        channel.finishAndReleaseAll();
        key.release();
        value.release();
        out.release();
        setFrame.release();
        getFrame.release();
        pipelinedSets.release();
    }

    /** The memcpy floor: the bytes of one SET frame copied between two direct buffers. */
    @Benchmark
    public ByteBuf copyReference()
    {
        out.clear();
        return out.writeBytes(setFrame, 0, SET_FRAME_LENGTH);
    }

    /** The client's hot path: a SET frame from a key and value held in buffers. */
    @Benchmark
    public ByteBuf encodeSetRequest()
    {
        out.clear();
        SetRequest.encode(out, ++requestId, Opcodes.SET, key, 0, KEY_LENGTH, value, 0, VALUE_LENGTH);
        return out;
    }

    /** What a server does per SET frame before it touches the key and value bytes. */
    @Benchmark
    public void decodeSetRequest(final Blackhole bh)
    {
        final ByteBuf buf = setFrame;
        final int frame = this.frame;
        bh.consume(FrameHeader.frameLength(buf, frame));
        bh.consume(FrameHeader.opcode(buf, frame));
        bh.consume(FrameHeader.requestId(buf, frame));
        bh.consume(FrameValidator.validateRequest(buf, frame, MAX_VALUE_LENGTH));
        bh.consume(SetRequest.keyIndex(frame));
        bh.consume(SetRequest.keyLength(buf, frame));
        bh.consume(SetRequest.valueIndex(buf, frame));
        bh.consume(SetRequest.valueLength(buf, frame));
    }

    /** A mapd answering a GET: the fixed fields, then the value bytes. */
    @Benchmark
    public ByteBuf encodeGetResponse()
    {
        out.clear();
        EntryResponse.encodeGetHeader(out, ++requestId, VERSION, VERSION_NODE, VALUE_LENGTH);
        return out.writeBytes(value, 0, VALUE_LENGTH);
    }

    /** What a client does per GET response before it touches the value bytes. */
    @Benchmark
    public void decodeGetResponse(final Blackhole bh)
    {
        final ByteBuf buf = getFrame;
        final int frame = this.frame;
        bh.consume(FrameHeader.requestId(buf, frame));
        bh.consume(FrameValidator.isValidResponse(buf, frame));
        bh.consume(FrameHeader.status(buf, frame));
        bh.consume(EntryResponse.version(buf, frame));
        bh.consume(EntryResponse.versionNode(buf, frame));
        bh.consume(EntryResponse.valueIndex(frame));
        bh.consume(EntryResponse.valueLength(buf, frame));
    }

    /**
     * The Netty read path: one read of {@value #PIPELINED_FRAMES} pipelined SET frames through
     * {@link FrameDecoder}; the sink reads each emitted slice and releases it. Reported per frame.
     */
    @Benchmark
    @OperationsPerInvocation(PIPELINED_FRAMES)
    public long frameDecoderSetRequest()
    {
        // The decoder releases its input once drained, so hand it one extra reference per read.
        pipelinedSets.retain().readerIndex(0);
        channel.writeInbound(inbound);
        return sink.requestIdSum;
    }

    private static void check(final boolean condition, final String what)
    {
        if (!condition)
        {
            throw new IllegalStateException("benchmark setup failed: " + what);
        }
    }

    /** Last handler: reads each frame's header as a server's dispatcher would, then releases it. */
    static final class FrameSink extends ChannelInboundHandlerAdapter
    {
        long frames;
        long requestIdSum;

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            final ByteBuf frame = (ByteBuf)msg;
            final int index = frame.readerIndex();
            requestIdSum += FrameHeader.requestId(frame, index) + FrameHeader.opcode(frame, index);
            frames++;
            frame.release();
        }
    }
}
