package io.metrodb.bench.logd;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Ping;
import io.metrodb.protocol.logd.AppendRequest;
import io.metrodb.protocol.logd.OffsetPayload;
import io.metrodb.protocol.logd.ReadResponse;
import io.metrodb.protocol.netty.PeerConnection;
import io.metrodb.protocol.netty.RequestWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;

/**
 * The logd requests {@link LogdLatencyHarness} measures, one at a time through a {@link PeerConnection}: PING,
 * APPEND (durable or not) and READ of offsets appended before.
 */
final class LogdCases
{
    private LogdCases()
    {
    }

    /**
     * A request through {@link PeerConnection}; parses its OK answer.
     */
    abstract static class LogdCase implements RoundTripDriver.Case, RequestWriter
    {
        final PeerConnection connection;

        LogdCase(final PeerConnection connection)
        {
            this.connection = connection;
        }

        @Override
        public String send(final RoundTripDriver driver, final long sequence)
        {
            prepare(sequence);
            final long requestId = connection.send(this, driver, sequence);
            return requestId < 0 ? "send refused: " + requestId : null;
        }

        void prepare(final long sequence)
        {
        }

        /** @return null when the OK answer is as expected, else what is wrong. */
        abstract String onResponse(ByteBuf frame, int at);
    }

    static final class PingCase extends LogdCase
    {
        PingCase(final PeerConnection connection)
        {
            super(connection);
        }

        @Override
        public void write(final ByteBuf out, final long requestId)
        {
            Ping.encodeRequest(out, requestId, requestId);
        }

        @Override
        String onResponse(final ByteBuf frame, final int at)
        {
            return null;
        }
    }

    static final class AppendCase extends LogdCase
    {
        private final ByteBuf entry;
        private final int length;
        private final boolean durable;
        private final long[] offsets;
        private int count;

        /**
         * @param keepOffsets how many of the answered offsets to keep for a {@link ReadCase}.
         */
        AppendCase(final PeerConnection connection, final int length, final boolean durable, final int keepOffsets)
        {
            super(connection);
            this.length = length;
            this.durable = durable;
            this.offsets = new long[keepOffsets];
            entry = PooledByteBufAllocator.DEFAULT.directBuffer(length);
            for (int i = 0; i < length; i++)
            {
                entry.writeByte(i * 31);
            }
        }

        long[] offsets()
        {
            return offsets;
        }

        int count()
        {
            return count;
        }

        @Override
        public void write(final ByteBuf out, final long requestId)
        {
            AppendRequest.encode(out, requestId, durable, entry, 0, length);
        }

        @Override
        String onResponse(final ByteBuf frame, final int at)
        {
            if (FrameHeader.payloadLength(frame, at) != OffsetPayload.LENGTH)
            {
                return "APPEND answer of " + FrameHeader.frameLength(frame, at) + " bytes";
            }
            if (count < offsets.length)
            {
                offsets[count++] = OffsetPayload.offset(frame, at);
            }
            return null;
        }
    }

    static final class ReadCase extends LogdCase
    {
        private final int length;
        private final long[] offsets;
        private final int count;
        private long offset;

        ReadCase(final PeerConnection connection, final int length, final long[] offsets, final int count)
        {
            super(connection);
            if (count == 0)
            {
                throw new IllegalStateException("no appended offsets to read");
            }
            this.length = length;
            this.offsets = offsets;
            this.count = count;
        }

        @Override
        void prepare(final long sequence)
        {
            offset = offsets[(int)(sequence % count)];
        }

        @Override
        public void write(final ByteBuf out, final long requestId)
        {
            OffsetPayload.encodeReadRequest(out, requestId, offset);
        }

        @Override
        String onResponse(final ByteBuf frame, final int at)
        {
            return ReadResponse.isValid(frame, at) && ReadResponse.entryLength(frame, at) == length ? null :
                "READ answer of " + FrameHeader.frameLength(frame, at) + " bytes at offset " + offset;
        }
    }
}
