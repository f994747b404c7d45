package io.metrodb.bench.load;

import io.metrodb.protocol.netty.Transports;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A Redis server (or anything that speaks RESP2: a mapd's port does) over a small pipelined RESP client on Netty,
 * epoll when it loads: one TCP connection per load connection, requests written back to back and flushed once per
 * event-loop turn, replies matched in order. GET, SET and DEL; a SETSAFE is sent as a SET (Redis has no per-write
 * durability: compare SETSAFE with a Redis whose {@code appendfsync} is {@code always}).
 */
final class RedisTarget implements Target
{
    /** The scheme of {@code --target redis://HOST:PORT}. */
    static final String SCHEME = "redis://";

    private final String host;
    private final int port;
    private final List<Channel> channels = new ArrayList<>();

    RedisTarget(final String host, final int port)
    {
        this.host = host;
        this.port = port;
    }

    @Override
    public String describe()
    {
        return SCHEME + host + ":" + port + " (RESP, " + Transports.name() + ")";
    }

    @Override
    public TargetConnection connect(final int index, final EventLoop loop, final long timeoutMs, final int inFlight)
    {
        final RespConnection connection = new RespConnection(inFlight);
        final ChannelFuture connected = new Bootstrap().group(loop).channel(Transports.channelClass())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)Math.min(Integer.MAX_VALUE, timeoutMs))
            .handler(connection).connect(host, port);
        if (!connected.awaitUninterruptibly(timeoutMs + 1_000) || !connected.isSuccess())
        {
            connected.channel().close();
            final Throwable cause = connected.cause();
            throw new IllegalStateException("connection " + index + ": cannot connect to " + host + ":" + port +
                (cause == null ? " within " + timeoutMs + " ms" : ": " + cause.getMessage()), cause);
        }
        synchronized (channels)
        {
            channels.add(connected.channel());
        }
        return connection;
    }

    @Override
    public void close()
    {
        synchronized (channels)
        {
            for (final Channel channel : channels)
            {
                channel.close().awaitUninterruptibly(5_000);
            }
            channels.clear();
        }
    }

    /**
     * One connection: encodes commands into pooled buffers and decodes the replies in order, completing the slot
     * at the head of the queue. Used on its event loop only.
     */
    static final class RespConnection extends ByteToMessageDecoder implements TargetConnection
    {
        private static final byte[] GET = "*2\r\n$3\r\nGET\r\n$".getBytes(StandardCharsets.US_ASCII);
        private static final byte[] SET = "*3\r\n$3\r\nSET\r\n$".getBytes(StandardCharsets.US_ASCII);
        private static final byte[] DEL = "*2\r\n$3\r\nDEL\r\n$".getBytes(StandardCharsets.US_ASCII);
        private static final short CRLF = ('\r' << 8) | '\n';
        /** Room for a decimal length and its CRLF. */
        private static final int NUMBER_ROOM = 24;

        private final ArrayDeque<Request> pending;
        private ChannelHandlerContext context;
        private boolean closed;
        private boolean unflushed;

        RespConnection(final int inFlight)
        {
            pending = new ArrayDeque<>(Math.max(inFlight, 1));
        }

        @Override
        public void handlerAdded(final ChannelHandlerContext ctx)
        {
            context = ctx;
        }

        @Override
        public void get(final Request request)
        {
            send(GET, request, null);
        }

        @Override
        public void set(final Request request, final byte[] value)
        {
            send(SET, request, value);
        }

        @Override
        public void setSafe(final Request request, final byte[] value)
        {
            send(SET, request, value);
        }

        @Override
        public void del(final Request request)
        {
            send(DEL, request, null);
        }

        private void send(final byte[] prefix, final Request request, final byte[] value)
        {
            if (closed || context == null)
            {
                request.failed("connection closed");
                return;
            }
            final byte[] key = request.key;
            final int length = prefix.length + NUMBER_ROOM + key.length + 2 +
                (value == null ? 0 : 1 + NUMBER_ROOM + value.length + 2);
            final ByteBuf out = context.alloc().ioBuffer(length);
            out.writeBytes(prefix);
            writeDecimal(out, key.length);
            out.writeShort(CRLF);
            out.writeBytes(key);
            out.writeShort(CRLF);
            if (value != null)
            {
                out.writeByte('$');
                writeDecimal(out, value.length);
                out.writeShort(CRLF);
                out.writeBytes(value);
                out.writeShort(CRLF);
            }
            pending.addLast(request);
            context.write(out, context.voidPromise());
            unflushed = true;
        }

        static void writeDecimal(final ByteBuf out, final int value)
        {
            if (value == 0)
            {
                out.writeByte('0');
                return;
            }
            int divisor = 1;
            while (divisor <= value / 10)
            {
                divisor *= 10;
            }
            for (; divisor > 0; divisor /= 10)
            {
                out.writeByte('0' + (value / divisor) % 10);
            }
        }

        @Override
        public void flush()
        {
            if (unflushed && context != null)
            {
                unflushed = false;
                context.flush();
            }
        }

        @Override
        public void close()
        {
            if (context != null)
            {
                context.channel().close();
            }
        }

        @Override
        protected void decode(final ChannelHandlerContext ctx, final ByteBuf in, final List<Object> out)
        {
            while (in.isReadable())
            {
                final int start = in.readerIndex();
                final int eol = in.indexOf(start, in.writerIndex(), (byte)'\n');
                if (eol < 0)
                {
                    return;
                }
                final Request request = pending.peekFirst();
                if (request == null || eol - start < 2 || in.getByte(eol - 1) != '\r')
                {
                    protocolError(ctx, in, request == null ? "a reply no request asked for" : "a malformed line");
                    return;
                }
                final byte type = in.getByte(start);
                switch (type)
                {
                    case '+':
                        in.readerIndex(eol + 1);
                        pending.pollFirst();
                        request.succeeded();
                        break;
                    case '-':
                        final String message = in.toString(start + 1, eol - 1 - (start + 1), StandardCharsets.UTF_8);
                        in.readerIndex(eol + 1);
                        pending.pollFirst();
                        request.failed("redis: " + message);
                        break;
                    case ':':
                        final long number = parseLong(in, start + 1, eol - 1);
                        if (number == Long.MIN_VALUE)
                        {
                            protocolError(ctx, in, "a malformed integer");
                            return;
                        }
                        in.readerIndex(eol + 1);
                        pending.pollFirst();
                        if (number > 0)
                        {
                            request.succeeded();
                        }
                        else
                        {
                            request.missed();
                        }
                        break;
                    case '$':
                        final long length = parseLong(in, start + 1, eol - 1);
                        if (length == Long.MIN_VALUE)
                        {
                            protocolError(ctx, in, "a malformed bulk length");
                            return;
                        }
                        if (length < 0)
                        {
                            in.readerIndex(eol + 1);
                            pending.pollFirst();
                            request.missed();
                            break;
                        }
                        final long end = eol + 1 + length + 2;
                        if (end > in.writerIndex())
                        {
                            return;
                        }
                        in.readerIndex((int)end);
                        pending.pollFirst();
                        request.succeeded();
                        break;
                    default:
                        protocolError(ctx, in, "a reply of type '" + (char)type + "'");
                        return;
                }
            }
        }

        /**
         * @return the decimal between {@code from} and {@code to} (exclusive), or {@link Long#MIN_VALUE} when it is
         * not one.
         */
        private static long parseLong(final ByteBuf in, final int from, final int to)
        {
            boolean negative = false;
            int i = from;
            if (i < to && in.getByte(i) == '-')
            {
                negative = true;
                i++;
            }
            if (i == to || to - i > 18)
            {
                return Long.MIN_VALUE;
            }
            long value = 0;
            for (; i < to; i++)
            {
                final byte digit = in.getByte(i);
                if (digit < '0' || digit > '9')
                {
                    return Long.MIN_VALUE;
                }
                value = value * 10 + (digit - '0');
            }
            return negative ? -value : value;
        }

        private void protocolError(final ChannelHandlerContext ctx, final ByteBuf in, final String what)
        {
            in.skipBytes(in.readableBytes());
            failAll("protocol error: " + what);
            ctx.close();
        }

        @Override
        public void channelReadComplete(final ChannelHandlerContext ctx) throws Exception
        {
            flush();
            super.channelReadComplete(ctx);
        }

        @Override
        public void channelInactive(final ChannelHandlerContext ctx) throws Exception
        {
            super.channelInactive(ctx);
            failAll("connection closed");
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            failAll("connection failed: " + cause.getMessage());
            ctx.close();
        }

        private void failAll(final String why)
        {
            closed = true;
            Request request;
            while ((request = pending.pollFirst()) != null)
            {
                request.failed(why);
            }
        }
    }
}
