package io.metrodb.gateway;

import io.metrodb.client.MetroClient;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Serves one HTTP/1.1 connection, on its event loop: routes each request, receives its body into one array sized by
 * Content-Length (or, chunked, keeps the chunks and copies them once), calls the SDK without blocking, and writes
 * the answers in request order however the calls complete (pipelining), keeping the connection alive unless the
 * request said otherwise. At most {@link #MAX_PIPELINED} requests wait for their answers; past that the connection
 * stops reading until answers are written.
 */
final class GatewayHandler extends ChannelInboundHandlerAdapter
{
    private static final Logger LOG = Logger.getLogger(GatewayHandler.class.getName());

    static final int MAX_PIPELINED = 64;
    static final String ALLOW = "GET, PUT, POST, DELETE";

    private final MetroClient client;
    private final AdminEndpoints admin;
    private final GatewayMetrics metrics;
    private final int maxValueLength;
    private final ArrayDeque<Exchange> pending = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private Exchange receiving;
    private boolean closing;
    private boolean dispatching;

    GatewayHandler(
        final MetroClient client, final AdminEndpoints admin, final GatewayMetrics metrics, final int maxValueLength)
    {
        this.client = client;
        this.admin = admin;
        this.metrics = metrics;
        this.maxValueLength = maxValueLength;
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        this.ctx = ctx;
    }

    ByteBufAllocator alloc()
    {
        return ctx.alloc();
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        try
        {
            if (msg instanceof HttpRequest)
            {
                onRequest((HttpRequest)msg);
            }
            if (msg instanceof HttpContent)
            {
                onContent((HttpContent)msg);
            }
        }
        finally
        {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onRequest(final HttpRequest request)
    {
        receiving = null;
        if (closing)
        {
            return;
        }
        final boolean failed = request.decoderResult().isFailure();
        final Exchange exchange = new Exchange(this, System.nanoTime(), !failed && HttpUtil.isKeepAlive(request),
            request.protocolVersion().equals(HttpVersion.HTTP_1_0));
        pending.add(exchange);
        if (pending.size() >= MAX_PIPELINED)
        {
            ctx.channel().config().setAutoRead(false);
        }
        if (failed)
        {
            closing = true;
            answer(exchange, HttpResponseStatus.BAD_REQUEST,
                "bad request: " + AdminEndpoints.oneLine(request.decoderResult().cause()));
            return;
        }
        receiving = exchange;
        route(exchange, request);
    }

    private void route(final Exchange exchange, final HttpRequest request)
    {
        final String uri = request.uri();
        final HttpMethod method = request.method();
        if (HttpMethod.GET.equals(method))
        {
            switch (KeyPath.path(uri))
            {
                case "/cluster" -> exchange.op = GatewayMetrics.Op.CLUSTER;
                case "/healthz" -> exchange.op = GatewayMetrics.Op.HEALTHZ;
                case "/metrics" -> exchange.op = GatewayMetrics.Op.METRICS;
                default -> exchange.op = GatewayMetrics.Op.GET;
            }
            if (exchange.op != GatewayMetrics.Op.GET)
            {
                return;
            }
        }
        else if (HttpMethod.POST.equals(method) || HttpMethod.PUT.equals(method))
        {
            exchange.op = GatewayMetrics.Op.SET;
        }
        else if (HttpMethod.DELETE.equals(method))
        {
            exchange.op = GatewayMetrics.Op.DELETE;
        }
        else
        {
            final FullHttpResponse answer =
                Exchange.text(HttpResponseStatus.METHOD_NOT_ALLOWED, "method " + method + " not allowed: use " + ALLOW);
            answer.headers().set(HttpHeaderNames.ALLOW, ALLOW);
            complete(exchange, answer);
            return;
        }
        final String safe = KeyPath.query(uri, "safe");
        exchange.safe = safe != null && !"0".equals(safe) && !"false".equals(safe);
        if (exchange.op == GatewayMetrics.Op.SET && exchange.safe)
        {
            exchange.op = GatewayMetrics.Op.SETSAFE;
        }
        try
        {
            exchange.key = KeyPath.key(uri);
        }
        catch (final IllegalArgumentException e)
        {
            answer(exchange, HttpResponseStatus.BAD_REQUEST, "bad key: " + e.getMessage());
            return;
        }
        if (exchange.op == GatewayMetrics.Op.SET || exchange.op == GatewayMetrics.Op.SETSAFE)
        {
            startBody(exchange, request);
        }
    }

    private void startBody(final Exchange exchange, final HttpRequest request)
    {
        final boolean expectContinue = HttpUtil.is100ContinueExpected(request);
        if (HttpUtil.isContentLengthSet(request))
        {
            final long length = HttpUtil.getContentLength(request, -1L);
            if (length > maxValueLength)
            {
                if (expectContinue)
                {
                    exchange.keepAlive = false;
                }
                answer(exchange, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    "value of " + length + " bytes is over the limit of " + maxValueLength + " bytes");
                return;
            }
            exchange.value = new byte[(int)length];
        }
        if (expectContinue && pending.peekFirst() == exchange)
        {
            // only at the head: an interim answer must not overtake earlier requests' answers (a client that gets
            // none sends the body after its own wait, as curl does after a second)
            ctx.writeAndFlush(new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
        }
    }

    private void onContent(final HttpContent content)
    {
        final Exchange exchange = receiving;
        if (exchange == null)
        {
            return;
        }
        final boolean last = content instanceof LastHttpContent;
        if (last)
        {
            receiving = null;
        }
        if (exchange.answered)
        {
            exchange.releaseBody();
            return;
        }
        final ByteBuf bytes = content.content();
        if (bytes.isReadable() && (exchange.op == GatewayMetrics.Op.SET || exchange.op == GatewayMetrics.Op.SETSAFE))
        {
            if (exchange.value != null)
            {
                final int length = bytes.readableBytes();
                if (exchange.filled + length > exchange.value.length)
                {
                    exchange.releaseBody();
                    answer(exchange, HttpResponseStatus.BAD_REQUEST, "body longer than its Content-Length");
                    return;
                }
                bytes.readBytes(exchange.value, exchange.filled, length);
                exchange.filled += length;
            }
            else if (!exchange.addChunk(bytes, maxValueLength))
            {
                answer(exchange, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    "value over the limit of " + maxValueLength + " bytes");
                return;
            }
        }
        if (last)
        {
            exchange.ready = true;
            dispatchReady();
        }
    }

    /**
     * Sends every whole request that may go now: a safe one (GET) when no unanswered write is before it, a write
     * when nothing unanswered is before it. A call may complete at once (and so unblock others), hence the loop.
     */
    private void dispatchReady()
    {
        if (dispatching)
        {
            return;
        }
        dispatching = true;
        try
        {
            Exchange next;
            do
            {
                next = null;
                boolean unansweredAhead = false;
                boolean writeAhead = false;
                for (final Exchange exchange : pending)
                {
                    if (exchange.answered)
                    {
                        continue;
                    }
                    if (exchange.ready && !exchange.dispatched &&
                        (exchange.isUnsafe() ? !unansweredAhead : !writeAhead))
                    {
                        next = exchange;
                        break;
                    }
                    unansweredAhead = true;
                    writeAhead |= exchange.isUnsafe();
                }
                if (next != null)
                {
                    next.dispatched = true;
                    dispatch(next);
                }
            }
            while (next != null);
        }
        finally
        {
            dispatching = false;
        }
    }

    private void dispatch(final Exchange exchange)
    {
        try
        {
            switch (exchange.op)
            {
                case GET -> client.get(exchange.key, exchange);
                case SET -> client.set(exchange.key, exchange.body(), exchange);
                case SETSAFE -> client.setSafe(exchange.key, exchange.body(), exchange);
                case DELETE ->
                {
                    if (exchange.safe)
                    {
                        client.deleteSafe(exchange.key, exchange);
                    }
                    else
                    {
                        client.delete(exchange.key, exchange);
                    }
                }
                case CLUSTER -> answerLater(exchange, admin.cluster());
                case HEALTHZ -> answerLater(exchange, admin.healthz());
                case METRICS -> answerLater(exchange, admin.metrics());
                default -> throw new IllegalStateException("unrouted request " + exchange);
            }
        }
        catch (final IllegalArgumentException e)
        {
            answer(exchange, HttpResponseStatus.BAD_REQUEST, AdminEndpoints.oneLine(e));
        }
        catch (final RuntimeException e)
        {
            answer(exchange, HttpResponseStatus.INTERNAL_SERVER_ERROR, AdminEndpoints.oneLine(e));
        }
    }

    private void answerLater(final Exchange exchange, final CompletableFuture<AdminEndpoints.Answer> future)
    {
        future.whenComplete((answer, error) ->
        {
            if (error != null)
            {
                complete(exchange, Exchange.text(HttpResponseStatus.INTERNAL_SERVER_ERROR, AdminEndpoints.oneLine(error)));
                return;
            }
            complete(exchange, Exchange.response(HttpResponseStatus.valueOf(answer.status()),
                Unpooled.wrappedBuffer(answer.body().getBytes(StandardCharsets.UTF_8)), answer.contentType()));
        });
    }

    private void answer(final Exchange exchange, final HttpResponseStatus status, final String message)
    {
        complete(exchange, Exchange.text(status, message));
    }

    /**
     * Gives an exchange its answer, from any thread; the answers go out in request order on the event loop.
     */
    void complete(final Exchange exchange, final FullHttpResponse answer)
    {
        if (ctx.executor().inEventLoop())
        {
            finish(exchange, answer);
        }
        else
        {
            try
            {
                ctx.executor().execute(() -> finish(exchange, answer));
            }
            catch (final RejectedExecutionException e)
            {
                answer.release(); // the gateway is stopping: the connection is gone
            }
        }
    }

    private void finish(final Exchange exchange, final FullHttpResponse answer)
    {
        if (exchange.answered)
        {
            answer.release();
            return;
        }
        exchange.answered = true;
        exchange.response = answer;
        metrics.record(exchange.op, answer.status().code(), System.nanoTime() - exchange.startNs);
        if (exchange != receiving)
        {
            exchange.releaseBody();
        }
        drain();
        dispatchReady();
    }

    private void drain()
    {
        if (!ctx.channel().isActive())
        {
            releaseAll();
            return;
        }
        boolean wrote = false;
        while (!pending.isEmpty() && pending.peek().response != null)
        {
            final Exchange exchange = pending.poll();
            final FullHttpResponse answer = exchange.response;
            exchange.response = null;
            exchange.setConnectionHeader(answer);
            wrote = true;
            if (!exchange.keepAlive)
            {
                closing = true;
                ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
                releaseAll();
                return;
            }
            ctx.write(answer, ctx.voidPromise());
        }
        if (wrote)
        {
            ctx.flush();
        }
        if (!closing && pending.size() < MAX_PIPELINED / 2 && !ctx.channel().config().isAutoRead())
        {
            ctx.channel().config().setAutoRead(true);
        }
    }

    private void releaseAll()
    {
        for (final Exchange exchange : pending)
        {
            exchange.answered = true;
            exchange.releaseBody();
            if (exchange.response != null)
            {
                exchange.response.release();
                exchange.response = null;
            }
        }
        pending.clear();
        receiving = null;
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx)
    {
        metrics.onConnection();
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        closing = true;
        releaseAll();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        LOG.log(cause instanceof IOException ? Level.FINE : Level.WARNING,
            "closing HTTP connection " + ctx.channel().remoteAddress() + " after an error", cause);
        ctx.close();
    }
}
