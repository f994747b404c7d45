package io.metrodb.logd;

import io.metrodb.log.LogResult;
import io.metrodb.log.LogScanHandler;
import io.metrodb.log.LogStats;
import io.metrodb.log.LogStore;
import io.metrodb.log.RecordView;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.logd.AppendRequest;
import io.metrodb.protocol.logd.OffsetPayload;
import io.metrodb.protocol.logd.ReadResponse;
import io.metrodb.protocol.logd.ScanRequest;
import io.metrodb.protocol.logd.ScanResponse;
import io.metrodb.protocol.logd.StatResponse;
import io.metrodb.protocol.netty.ErrorReplies;
import io.metrodb.protocol.validation.FrameValidator;
import io.metrodb.server.CommonReplies;
import io.metrodb.server.FrameView;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Serves logd's opcodes on one connection. Replies are written without flushing; the flush at the end of
 * each read batch (coalesced by the pipeline's flush consolidation) sends them together. Durable appends
 * are answered once their group commit is forced, in batches handed over by the sync thread
 * ({@link DurableReplies}). HEARTBEAT answers from the tail position alone, so a busy logd still answers mond at
 * once.
 */
public final class LogdRequestHandler extends ChannelInboundHandlerAdapter
{
    private final LogStore store;
    private final LogdCounters counters;
    private final RecordView view = new RecordView();
    /** The APPEND frame as the log's one buffer type: wrapped once per request, no copy. */
    private final FrameView frameView = new FrameView();
    private final DurableReplier durableReplier;
    private final int nodeId;
    private final String identity;
    private final AtomicBoolean stopping;
    private DurableReplies durableReplies;

    /**
     * @param nodeId   this logd's node id, as in its HELLO.
     * @param identity INFO's lines saying where the store lives: {@code node_id}, {@code data_dir},
     *                 {@code store_id}, {@code segment_length} (a same-host mapd reads the files with them).
     * @param stopping set once the logd is shutting down (HEARTBEAT then says so).
     */
    public LogdRequestHandler(
        final LogStore store,
        final LogdCounters counters,
        final DurableReplier durableReplier,
        final int nodeId,
        final String identity,
        final AtomicBoolean stopping)
    {
        this.store = store;
        this.counters = counters;
        this.durableReplier = durableReplier;
        this.nodeId = nodeId;
        this.identity = identity;
        this.stopping = stopping;
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        durableReplies = new DurableReplies(ctx, counters);
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        final ByteBuf frame = (ByteBuf)msg;
        try
        {
            onFrame(ctx, frame, frame.readerIndex());
        }
        finally
        {
            frame.release();
        }
    }

    @Override
    public void channelReadComplete(final ChannelHandlerContext ctx)
    {
        ctx.flush();
    }

    private void onFrame(final ChannelHandlerContext ctx, final ByteBuf frame, final int at)
    {
        final byte opcode = FrameHeader.opcode(frame, at);
        if (!servesOpcode(opcode))
        {
            counters.badRequests.increment();
            ErrorReplies.reply(ctx, frame, Opcodes.isKnown(opcode) ? StatusCodes.WRONG_ROLE : StatusCodes.UNKNOWN_OPCODE,
                Opcodes.isKnown(opcode) ? Opcodes.name(opcode) + " is not served by logd" : "unknown opcode");
            return;
        }
        final short valid = FrameValidator.validateRequest(frame, at, 0);
        if (valid != StatusCodes.OK)
        {
            counters.badRequests.increment();
            ErrorReplies.reply(ctx, frame, valid, "malformed " + Opcodes.name(opcode) + " request");
            return;
        }

        final long requestId = FrameHeader.requestId(frame, at);
        switch (opcode)
        {
            case Opcodes.APPEND -> onAppend(ctx, frame, at, requestId);
            case Opcodes.READ -> onRead(ctx, OffsetPayload.offset(frame, at), requestId);
            case Opcodes.STAT -> onStat(ctx, requestId);
            case Opcodes.SCAN -> onScan(ctx, frame, at, requestId);
            case Opcodes.PING -> CommonReplies.ping(ctx, frame, at, requestId);
            case Opcodes.INFO -> onInfo(ctx, requestId);
            case Opcodes.HEARTBEAT -> onHeartbeat(ctx, frame, at, requestId);
            default -> throw new IllegalStateException("unreachable: " + opcode);
        }
    }

    private static boolean servesOpcode(final byte opcode)
    {
        return switch (opcode)
        {
            case Opcodes.APPEND, Opcodes.READ, Opcodes.STAT, Opcodes.SCAN, Opcodes.PING, Opcodes.INFO,
                Opcodes.HEARTBEAT -> true;
            default -> false;
        };
    }

    private void onAppend(final ChannelHandlerContext ctx, final ByteBuf frame, final int at, final long requestId)
    {
        final int index = AppendRequest.entryIndex(at);
        final int length = AppendRequest.entryLength(frame, at);
        if (AppendRequest.isDurable(frame, at))
        {
            final long offset = store.appendDurable(
                frameView.wrap(frame), index, length, durableReplier, requestId, durableReplies);
            if (offset < 0)
            {
                replyAppendError(ctx, requestId, offset);
            }
            else if (AppendRequest.isOffsetFirst(frame, at))
            {
                // Written now, on this event loop; the forced answer is handed to the same loop later, so it
                // always follows this one.
                final ByteBuf out = ctx.alloc().ioBuffer(FrameHeader.HEADER_LENGTH + OffsetPayload.LENGTH);
                OffsetPayload.encodeAppendOffsetFirst(out, requestId, offset);
                ctx.write(out, ctx.voidPromise());
            }
        }
        else
        {
            final long offset = store.append(frameView.wrap(frame), index, length);
            if (offset < 0)
            {
                replyAppendError(ctx, requestId, offset);
            }
            else
            {
                final ByteBuf out = ctx.alloc().ioBuffer(FrameHeader.HEADER_LENGTH + OffsetPayload.LENGTH);
                OffsetPayload.encodeAppendResponse(out, requestId, offset);
                ctx.write(out, ctx.voidPromise());
            }
        }
    }

    private void replyAppendError(final ChannelHandlerContext ctx, final long requestId, final long result)
    {
        counters.appendErrors.increment();
        ErrorReplies.write(ctx, Opcodes.APPEND, requestId, LogdStatus.of(result), LogResult.describe(result));
    }

    private void onRead(final ChannelHandlerContext ctx, final long offset, final long requestId)
    {
        final int length = store.read(offset, view);
        if (length < 0)
        {
            counters.readErrors.increment();
            ErrorReplies.write(ctx, Opcodes.READ, requestId, LogdStatus.of(length),
                LogResult.describe(length) + " at offset " + offset);
            return;
        }
        final ByteBuf out = ctx.alloc().ioBuffer(FrameHeader.HEADER_LENGTH + ReadResponse.ENTRY_OFFSET + length);
        try
        {
            ReadResponse.encodeHeader(out, requestId, length);
            copy(view.buffer(), view.index(), out, length);
        }
        catch (final RuntimeException e)
        {
            out.release();
            throw e;
        }
        ctx.write(out, ctx.voidPromise());
    }

    private void onStat(final ChannelHandlerContext ctx, final long requestId)
    {
        final LogStats stats = store.stats();
        final ByteBuf out = ctx.alloc().ioBuffer(FrameHeader.HEADER_LENGTH + StatResponse.LENGTH);
        StatResponse.encode(out, requestId, stats.tailPosition(), stats.durablePosition(), (int)stats.segmentCount(),
            store.config().segmentLength(), stats.bytesOnDisk(), stats.appends(), stats.reads(), stats.forces(),
            stats.durableAcks(), stats.groupCommits());
        ctx.write(out, ctx.voidPromise());
    }

    private void onScan(final ChannelHandlerContext ctx, final ByteBuf frame, final int at, final long requestId)
    {
        final ScanReply scan = new ScanReply(ctx.alloc().ioBuffer(64 * 1024), ScanRequest.maxBytes(frame, at));
        ScanResponse.encodeHeader(scan.out, requestId, 0, 0, 0);
        final int maxRecords = Math.max(1, ScanRequest.maxRecords(frame, at));
        final long next = store.scan(ScanRequest.fromOffset(frame, at), maxRecords, scan);
        if (next < 0 || (scan.count == 0 && scan.invalidStatus != 0))
        {
            scan.out.release();
            counters.readErrors.increment();
            final short status = next < 0 ? LogdStatus.of(next) : scan.invalidStatus;
            ErrorReplies.write(ctx, Opcodes.SCAN, requestId, status, next < 0 ? LogResult.describe(next) :
                "invalid record at offset " + scan.invalidOffset);
            return;
        }
        final ByteBuf out = scan.out;
        final int payload = FrameHeader.payloadIndex(0);
        out.setInt(FrameHeader.LENGTH_OFFSET, out.writerIndex());
        out.setLong(payload + ScanResponse.NEXT_OFFSET_OFFSET, next);
        out.setInt(payload + ScanResponse.COUNT_OFFSET, scan.count);
        ctx.write(out, ctx.voidPromise());
    }

    private void onHeartbeat(final ChannelHandlerContext ctx, final ByteBuf frame, final int at, final long requestId)
    {
        counters.heartbeats.increment();
        CommonReplies.heartbeat(ctx, frame, at, requestId, Roles.LOGD, CommonReplies.servingState(stopping.get()),
            nodeId, store.tailPosition(), 0);
    }

    private void onInfo(final ChannelHandlerContext ctx, final long requestId)
    {
        final StringBuilder text = new StringBuilder(1024);
        text.append("role:logd\n").append(identity);
        CommonReplies.appendCounters(text, "", store.stats()::forEach);
        CommonReplies.appendCounters(text, "", counters::forEach);
        CommonReplies.info(ctx, requestId, text);
    }

    static void copy(final DirectBuffer src, final int index, final ByteBuf out, final int length)
    {
        out.ensureWritable(length);
        if (out.hasMemoryAddress() && src.addressOffset() != 0 && src.byteArray() == null)
        {
            // Agrona's Unsafe, which every MetroDB JVM has: Netty's own copy needs sun.misc.Unsafe, which Netty does not
            // use from Java 24 on (its copyMemory then throws).
            UnsafeApi.copyMemory(src.addressOffset() + index, out.memoryAddress() + out.writerIndex(), length);
        }
        else
        {
            src.getBytes(index, out.nioBuffer(out.writerIndex(), length), 0, length);
        }
        out.writerIndex(out.writerIndex() + length);
    }

    /**
     * Accumulates SCAN records into one reply, within the requested byte budget (at least one record).
     */
    private static final class ScanReply implements LogScanHandler
    {
        private final ByteBuf out;
        private final int maxBytes;
        private int count;
        private int bytes;
        private short invalidStatus;
        private long invalidOffset;

        ScanReply(final ByteBuf out, final int maxBytes)
        {
            this.out = out;
            this.maxBytes = maxBytes;
        }

        @Override
        public boolean onRecord(final long offset, final DirectBuffer buffer, final int index, final int length)
        {
            out.writeLong(offset);
            out.writeInt(length);
            copy(buffer, index, out, length);
            count++;
            bytes += length;
            return bytes < maxBytes;
        }

        @Override
        public void onInvalid(final long offset, final int errorCode)
        {
            invalidStatus = LogdStatus.of(errorCode);
            invalidOffset = offset;
        }
    }
}
