package io.metrodb.protocol.netty;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.flush.FlushConsolidationHandler;

/**
 * Builds the standard MetroDB pipelines, so every server and client frames, handshakes and fails the
 * same way.
 */
public final class ProtocolPipeline
{
    /** Flushes coalesced into one syscall while a read batch is in progress (and at most this many apart). */
    public static final int EXPLICIT_FLUSH_AFTER_FLUSHES = 256;

    private ProtocolPipeline()
    {
    }

    /**
     * Accepting side: flush consolidation ({@link ReadBatchFlusher}), preface + frame decoding, handshake, the role's
     * handler, errors.
     */
    public static void initServer(
        final ChannelPipeline pipeline,
        final HandshakeConfig config,
        final ChannelHandler requestHandler,
        final ProtocolErrorHandler errorHandler)
    {
        initServer(pipeline, config, requestHandler, errorHandler, null, null);
    }

    /**
     * Accepting side with a server's {@link ServerEdge} (null for none): backpressure (stop reading a peer that
     * does not read its replies), flush consolidation, preface + frame decoding with the edge's frame deadline and
     * budget, handshake with its timeout, the role's handler, errors; behind a {@link ProtocolSniffer} when
     * {@code textProtocol} is not null.
     */
    public static void initServer(
        final ChannelPipeline pipeline,
        final HandshakeConfig config,
        final ChannelHandler requestHandler,
        final ProtocolErrorHandler errorHandler,
        final TextProtocol textProtocol,
        final ServerEdge edge)
    {
        if (edge != null)
        {
            pipeline.addLast("backpressure", new BackpressureHandler(edge.counters()));
        }
        pipeline.addLast("flush", new ReadBatchFlusher(EXPLICIT_FLUSH_AFTER_FLUSHES));
        pipeline.addLast("frames", new FrameDecoder(config.maxFrameLength(), true, edge));
        pipeline.addLast("handshake", new ServerHandshakeHandler(config, edge));
        pipeline.addLast("requests", requestHandler);
        pipeline.addLast("errors", errorHandler);
        if (textProtocol != null)
        {
            pipeline.addFirst("sniff", new ProtocolSniffer(textProtocol));
        }
    }

    /**
     * Accepting side of a port that also speaks a text protocol: {@link #initServer} behind a
     * {@link ProtocolSniffer}, which hands a connection whose first byte is text to {@code textProtocol}.
     */
    public static void initServer(
        final ChannelPipeline pipeline,
        final HandshakeConfig config,
        final ChannelHandler requestHandler,
        final ProtocolErrorHandler errorHandler,
        final TextProtocol textProtocol)
    {
        initServer(pipeline, config, requestHandler, errorHandler, textProtocol, null);
    }

    /**
     * Connecting side: flush consolidation, frame decoding, handshake, the caller's response handler, errors.
     *
     * @return the handshake handler, whose {@link ClientHandshakeHandler#result()} completes on the answer.
     */
    public static ClientHandshakeHandler initClient(
        final ChannelPipeline pipeline,
        final HandshakeConfig config,
        final ChannelHandler responseHandler,
        final ProtocolErrorHandler errorHandler)
    {
        final ClientHandshakeHandler handshake = new ClientHandshakeHandler(config);
        pipeline.addLast("flush", new FlushConsolidationHandler(EXPLICIT_FLUSH_AFTER_FLUSHES, true));
        pipeline.addLast("frames", new FrameDecoder(config.maxFrameLength(), false));
        pipeline.addLast("handshake", handshake);
        pipeline.addLast("responses", responseHandler);
        pipeline.addLast("errors", errorHandler);
        return handshake;
    }
}
