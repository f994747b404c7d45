package io.metrodb.protocol.netty;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * Picks Netty's native epoll transport when it loads and NIO otherwise. {@code -Dmetrodb.transport=nio}
 * forces NIO.
 * <p>
 * Epoll needs Netty's native library: a jar such as {@code netty-transport-native-epoll:linux-x86_64} on the class
 * path (the server bundles it; the client SDK leaves it to the application), and, from Java 24 on, native access
 * granted ({@code --enable-native-access=ALL-UNNAMED}). Without that grant this picks NIO rather than load the
 * library and have the JVM print a warning about it.
 */
public final class Transports
{
    public static final String TRANSPORT_PROPERTY = "metrodb.transport";

    private static final boolean EPOLL =
        !"nio".equalsIgnoreCase(System.getProperty(TRANSPORT_PROPERTY)) && nativeAccessEnabled() && Epoll.isAvailable();

    private Transports()
    {
    }

    /**
     * Java 24 and later warn when a class path library loads native code without {@code --enable-native-access}
     * (JEP 472); earlier Javas allow it silently.
     */
    private static boolean nativeAccessEnabled()
    {
        if (Runtime.version().feature() < 24)
        {
            return true;
        }
        try
        {
            return (boolean)Module.class.getMethod("isNativeAccessEnabled").invoke(Transports.class.getModule());
        }
        catch (final ReflectiveOperationException e)
        {
            return true;
        }
    }

    /**
     * @return "epoll" or "nio".
     */
    public static String name()
    {
        return EPOLL ? "epoll" : "nio";
    }

    /**
     * @param threads    event loop threads, 0 for Netty's default.
     * @param threadName prefix of the threads' names.
     * @return a new event loop group on the chosen transport.
     */
    public static EventLoopGroup newEventLoopGroup(final int threads, final String threadName)
    {
        final IoHandlerFactory factory = EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(threadName, true), factory);
    }

    public static Class<? extends ServerChannel> serverChannelClass()
    {
        return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    public static Class<? extends Channel> channelClass()
    {
        return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }
}
