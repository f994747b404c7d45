package io.metrodb.protocol.netty;

import io.metrodb.protocol.Preface;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * First handler of a server that speaks a text protocol beside the binary one: looks at the connection's first
 * byte once and removes itself. The binary {@link Preface} starts with 0x89, which is not ASCII; a byte that is
 * printable ASCII, TAB, CR or LF hands the connection to the {@link TextProtocol}; any other byte stays on the
 * binary path, whose frame decoder refuses the preface as before.
 */
public final class ProtocolSniffer extends ChannelInboundHandlerAdapter
{
    private final TextProtocol textProtocol;

    public ProtocolSniffer(final TextProtocol textProtocol)
    {
        this.textProtocol = textProtocol;
    }

    /**
     * @return true when a connection whose first byte is {@code first} speaks the text protocol.
     */
    public static boolean isText(final byte first)
    {
        return (first >= 0x20 && first < 0x7F) || first == '\t' || first == '\r' || first == '\n';
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (msg instanceof ByteBuf)
        {
            final ByteBuf in = (ByteBuf)msg;
            if (!in.isReadable())
            {
                in.release();
                return;
            }
            if (in.getByte(in.readerIndex()) != Preface.FIRST_BYTE && isText(in.getByte(in.readerIndex())))
            {
                textProtocol.install(ctx.pipeline());
            }
        }
        ctx.pipeline().remove(this);
        ctx.fireChannelRead(msg);
    }
}
