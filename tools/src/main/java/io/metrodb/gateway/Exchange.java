package io.metrodb.gateway;

import io.metrodb.client.MetroException;
import io.metrodb.client.MetroOverloadedException;
import io.metrodb.client.MetroTimeoutException;
import io.metrodb.client.MetroUnavailableException;
import io.metrodb.client.ReplyHandler;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One HTTP request on a connection, from its first line to its answer: the key, the body as it arrives, and the
 * answer once known. It is the SDK call's {@link ReplyHandler}, so a call allocates no future; the SDK tells it on
 * its I/O thread, and it hands the answer to its connection's event loop ({@link GatewayHandler#complete}).
 */
final class Exchange implements ReplyHandler
{
    static final String OCTET_STREAM = "application/octet-stream";

    final GatewayHandler connection;
    final long startNs;
    boolean keepAlive;
    final boolean http10;
    GatewayMetrics.Op op = GatewayMetrics.Op.OTHER;
    byte[] key;
    boolean safe;

    /** The body when its length was given (Content-Length), filled as it arrives. */
    byte[] value;
    int filled;
    /** The body's chunks when it is chunked (no Content-Length), retained until the body ends. */
    List<ByteBuf> chunks;
    long received;

    /** The request is whole (its body received) and may be sent to the mapds. */
    boolean ready;
    boolean dispatched;

    /** Set once the answer is known (on the connection's event loop); the body is then discarded. */
    FullHttpResponse response;
    boolean answered;

    Exchange(final GatewayHandler connection, final long startNs, final boolean keepAlive, final boolean http10)
    {
        this.connection = connection;
        this.startNs = startNs;
        this.keepAlive = keepAlive;
        this.http10 = http10;
    }

    /**
     * Adds a chunk of a chunked body.
     *
     * @return false when the body is now over {@code maxValueLength} (the chunks were released).
     */
    boolean addChunk(final ByteBuf chunk, final int maxValueLength)
    {
        received += chunk.readableBytes();
        if (received > maxValueLength)
        {
            releaseBody();
            return false;
        }
        if (chunks == null)
        {
            chunks = new ArrayList<>();
        }
        chunks.add(chunk.retain());
        return true;
    }

    /**
     * @return the whole body: the array filled in place, or the chunks copied into one array (each released as it
     * is copied).
     */
    byte[] body()
    {
        if (value != null)
        {
            return value;
        }
        final byte[] bytes = new byte[(int)received];
        int at = 0;
        if (chunks != null)
        {
            for (final ByteBuf chunk : chunks)
            {
                final int length = chunk.readableBytes();
                chunk.readBytes(bytes, at, length);
                at += length;
                chunk.release();
            }
            chunks = null;
        }
        return bytes;
    }

    void releaseBody()
    {
        value = null;
        if (chunks != null)
        {
            for (final ByteBuf chunk : chunks)
            {
                chunk.release();
            }
            chunks = null;
        }
    }

    /**
     * @return true for a request that changes data (SET, SETSAFE, DELETE): it waits for every request before it,
     * and every request after it waits for it (RFC 9112 9.3.2: only safe methods may be processed in parallel).
     */
    boolean isUnsafe()
    {
        return op == GatewayMetrics.Op.SET || op == GatewayMetrics.Op.SETSAFE || op == GatewayMetrics.Op.DELETE;
    }

    @Override
    public void onValue(final ByteBuf buffer, final int index, final int length)
    {
        final ByteBuf content = connection.alloc().buffer(length);
        content.writeBytes(buffer, index, length);
        connection.complete(this, response(HttpResponseStatus.OK, content, OCTET_STREAM));
    }

    @Override
    public void onWritten(
        final long version, final int versionNode, final int replicas, final int peersAcked, final int peersLive)
    {
        final FullHttpResponse answer = response(HttpResponseStatus.NO_CONTENT, Unpooled.EMPTY_BUFFER, null);
        answer.headers().set("Metrodb-Version", Long.toString(version));
        connection.complete(this, answer);
    }

    @Override
    public void onFound()
    {
        connection.complete(this, response(HttpResponseStatus.NO_CONTENT, Unpooled.EMPTY_BUFFER, null));
    }

    @Override
    public void onNotFound()
    {
        connection.complete(this, text(HttpResponseStatus.NOT_FOUND, "not found"));
    }

    @Override
    public void onError(final MetroException error)
    {
        connection.complete(this, text(statusOf(error), error.getClass().getSimpleName() + ": " +
            AdminEndpoints.oneLine(error)));
    }

    /**
     * @return 503 when no mapd can take the call (unavailable or overloaded), 504 when it timed out, 413 when the
     * mapd found the value over its own limit (a gateway whose --max-value is above the mapds'), else 500.
     */
    static HttpResponseStatus statusOf(final MetroException error)
    {
        if (error.status() == StatusCodes.VALUE_TOO_LARGE || error.status() == StatusCodes.FRAME_TOO_LARGE)
        {
            return HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;
        }
        if (error instanceof MetroUnavailableException || error instanceof MetroOverloadedException)
        {
            return HttpResponseStatus.SERVICE_UNAVAILABLE;
        }
        if (error instanceof MetroTimeoutException)
        {
            return HttpResponseStatus.GATEWAY_TIMEOUT;
        }
        return HttpResponseStatus.INTERNAL_SERVER_ERROR;
    }

    /**
     * @param status  the status.
     * @param message one line (a newline is added).
     * @return a text/plain answer.
     */
    static FullHttpResponse text(final HttpResponseStatus status, final String message)
    {
        final ByteBuf content = Unpooled.wrappedBuffer((message.replace('\n', ' ') + "\n")
            .getBytes(StandardCharsets.UTF_8));
        return response(status, content, AdminEndpoints.TEXT);
    }

    static FullHttpResponse response(final HttpResponseStatus status, final ByteBuf content, final String type)
    {
        final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        if (type != null)
        {
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        }
        if (status.code() != 204)
        {
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        }
        return response;
    }

    /**
     * Marks the answer as ending the connection (or, for HTTP/1.0, as keeping it).
     */
    void setConnectionHeader(final FullHttpResponse answer)
    {
        if (!keepAlive)
        {
            answer.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        else if (http10)
        {
            answer.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
    }

    @Override
    public String toString()
    {
        return op.label + " " + (key == null ? "-" : ByteBufUtil.hexDump(key));
    }
}
