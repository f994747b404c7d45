package io.metrodb.protocol.netty;

import io.netty.channel.ChannelPipeline;

/**
 * What a server does with a connection whose first byte is text rather than the binary preface: rebuild the
 * pipeline for its text protocol (RESP and inline commands on a mapd). See {@link ProtocolSniffer}.
 */
@FunctionalInterface
public interface TextProtocol
{
    /**
     * Called once, on the connection's event loop, before its first bytes go on down the pipeline that
     * {@link ProtocolPipeline#initServer} built ("backpressure" with a server edge, "flush", "frames", "handshake",
     * "requests", "errors").
     */
    void install(ChannelPipeline pipeline);
}
