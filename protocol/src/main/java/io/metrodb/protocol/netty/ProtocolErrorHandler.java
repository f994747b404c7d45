package io.metrodb.protocol.netty;

import io.metrodb.protocol.ProtocolException;
import io.metrodb.protocol.StatusCodes;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;

import java.io.IOException;
import java.util.concurrent.atomic.LongAdder;

/**
 * Last handler of every MetroDB pipeline: turns what went wrong on a connection into an ERROR frame and a
 * close, so a peer's bytes can end its own connection but never the server. Counts instead of logging.
 */
@ChannelHandler.Sharable
public final class ProtocolErrorHandler extends ChannelInboundHandlerAdapter
{
    private static final System.Logger LOG = System.getLogger(ProtocolErrorHandler.class.getName());

    private final LongAdder protocolErrors = new LongAdder();
    private final LongAdder ioErrors = new LongAdder();
    private final LongAdder internalErrors = new LongAdder();

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        final Throwable error = cause instanceof DecoderException && cause.getCause() != null ?
            cause.getCause() : cause;

        if (error instanceof ProtocolException)
        {
            protocolErrors.increment();
            final ProtocolException protocolError = (ProtocolException)error;
            if (protocolError.status() == StatusCodes.BAD_PREFACE)
            {
                // Not a MetroDB peer: it would not understand an ERROR frame.
                ctx.close();
            }
            else
            {
                ErrorReplies.failConnection(ctx, protocolError.status(), protocolError.getMessage());
            }
        }
        else if (error instanceof IOException)
        {
            ioErrors.increment();
            ctx.close();
        }
        else
        {
            internalErrors.increment();
            LOG.log(System.Logger.Level.WARNING, "closing " + ctx.channel() + " after an unexpected error", error);
            ErrorReplies.failConnection(ctx, StatusCodes.INTERNAL_ERROR, "internal error");
        }
    }

    /**
     * @return connections closed because the peer broke the protocol.
     */
    public long protocolErrors()
    {
        return protocolErrors.sum();
    }

    /**
     * @return connections closed by an I/O error (reset by peer and the like).
     */
    public long ioErrors()
    {
        return ioErrors.sum();
    }

    /**
     * @return connections closed by a bug on our side.
     */
    public long internalErrors()
    {
        return internalErrors.sum();
    }
}
