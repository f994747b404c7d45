package io.metrodb.bench.mapd;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.Ping;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.logd.OffsetPayload;
import io.metrodb.protocol.logd.ReadResponse;
import io.metrodb.protocol.mapd.EntryResponse;
import io.metrodb.protocol.mapd.KeyRequest;
import io.metrodb.protocol.mapd.SetRequest;
import io.metrodb.protocol.mapd.ValueRecord;
import io.metrodb.protocol.mapd.ValueRecordFlyweight;
import io.metrodb.protocol.mapd.WriteResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * The requests of the latency harness: mapd GET and SET of random keys, PING, and the logd APPEND and READ that a
 * mapd SET and GET make (for the time spent in a logd).
 */
final class LoopOps
{
    private LoopOps()
    {
    }

    /**
     * GET of a uniformly random key out of {@code keys} preloaded ones; OK with a value of the expected length.
     */
    static final class Get implements LoopOp
    {
        private final long keys;
        private final int valueLength;
        private final ByteBuf key = Unpooled.buffer(MapdKeys.KEY_LENGTH, MapdKeys.KEY_LENGTH);

        Get(final long keys, final int valueLength)
        {
            this.keys = keys;
            this.valueLength = valueLength;
        }

        @Override
        public void write(final ByteBuf out, final long requestId, final long random)
        {
            MapdKeys.key(key, MapdKeys.index(random, keys));
            KeyRequest.encode(out, requestId, Opcodes.GET, (byte)0, key, 0, MapdKeys.KEY_LENGTH);
        }

        @Override
        public boolean isOk(final ByteBuf frame, final int at)
        {
            return FrameHeader.status(frame, at) == StatusCodes.OK && EntryResponse.isValidGet(frame, at) &&
                EntryResponse.valueLength(frame, at) == valueLength;
        }
    }

    /**
     * SET of a uniformly random key out of {@code keys} (an update of a preloaded key).
     */
    static final class Set implements LoopOp
    {
        private final long keys;
        private final ByteBuf value;
        private final ByteBuf key = Unpooled.buffer(MapdKeys.KEY_LENGTH, MapdKeys.KEY_LENGTH);

        Set(final long keys, final ByteBuf value)
        {
            this.keys = keys;
            this.value = value;
        }

        @Override
        public void write(final ByteBuf out, final long requestId, final long random)
        {
            MapdKeys.key(key, MapdKeys.index(random, keys));
            SetRequest.encode(out, requestId, Opcodes.SET, key, 0, MapdKeys.KEY_LENGTH, value, value.readerIndex(),
                value.readableBytes());
        }

        @Override
        public boolean isOk(final ByteBuf frame, final int at)
        {
            return FrameHeader.status(frame, at) == StatusCodes.OK && WriteResponse.isValid(frame, at);
        }
    }

    /**
     * PING with a random nonce, which must come back.
     */
    static final class PingOp implements LoopOp
    {
        private long nonce;

        @Override
        public void write(final ByteBuf out, final long requestId, final long random)
        {
            nonce = random;
            Ping.encodeRequest(out, requestId, random);
        }

        @Override
        public boolean isOk(final ByteBuf frame, final int at)
        {
            return FrameHeader.status(frame, at) == StatusCodes.OK && Ping.nonce(frame, at) == nonce;
        }
    }

    /**
     * The APPEND a mapd sends a logd for a SET (not durable): a value record of a random key and the value.
     */
    static final class Append implements LoopOp
    {
        private final long keys;
        private final ByteBuf value;
        private final int checksum;
        private final ByteBuf key = Unpooled.buffer(MapdKeys.KEY_LENGTH, MapdKeys.KEY_LENGTH);
        private final ValueRecordFlyweight record = new ValueRecordFlyweight();
        private long version;

        Append(final long keys, final ByteBuf value)
        {
            this.keys = keys;
            this.value = value;
            this.checksum = ValueRecord.checksum(value, value.readerIndex(), value.readableBytes());
        }

        @Override
        public void write(final ByteBuf out, final long requestId, final long random)
        {
            MapdKeys.key(key, MapdKeys.index(random, keys));
            final int valueLength = value.readableBytes();
            final int recordLength = ValueRecord.length(MapdKeys.KEY_LENGTH, valueLength);
            FrameHeader.writeRequest(out, 4 + recordLength, Opcodes.APPEND, (byte)0, requestId);
            out.writeInt(recordLength);
            record.wrapForAppend(out, MapdKeys.KEY_LENGTH, valueLength)
                .flags(0).version(++version).versionNode(2).checksum(checksum)
                .key(key, 0, MapdKeys.KEY_LENGTH).value(value, value.readerIndex(), valueLength)
                .commit();
        }

        @Override
        public boolean isOk(final ByteBuf frame, final int at)
        {
            return FrameHeader.status(frame, at) == StatusCodes.OK && OffsetPayload.validate(frame, at) == StatusCodes.OK;
        }
    }

    /**
     * The READ a mapd sends a logd for a GET: a uniformly random offset out of {@code offsets}.
     */
    static final class Read implements LoopOp
    {
        private final long[] offsets;

        Read(final long[] offsets)
        {
            this.offsets = offsets;
        }

        @Override
        public void write(final ByteBuf out, final long requestId, final long random)
        {
            OffsetPayload.encodeReadRequest(out, requestId, offsets[(int)MapdKeys.index(random, offsets.length)]);
        }

        @Override
        public boolean isOk(final ByteBuf frame, final int at)
        {
            return FrameHeader.status(frame, at) == StatusCodes.OK && ReadResponse.isValid(frame, at);
        }
    }
}
