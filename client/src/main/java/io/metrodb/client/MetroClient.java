package io.metrodb.client;

import io.metrodb.protocol.FrameFlags;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.netty.HandshakeConfig;
import io.metrodb.protocol.netty.Transports;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A thread-safe client of a MetroDB cluster's mapds, over persistent, pipelined connections.
 *
 * <p>Every call exists in a blocking form ({@code get}) and an asynchronous one ({@code getAsync}) that returns a
 * {@link CompletableFuture}. Calls from any thread are handed to a connection's event loop; many may be in
 * flight on one connection, matched by request id, and the writes of one event-loop turn go out in one flush.
 * Futures complete on the client's I/O thread: do not block in their callbacks.
 *
 * <p><b>Missing keys are not errors:</b> {@link #get(byte[])} returns {@code null} (its future completes with
 * {@code null}), {@link #exists(byte[])} and {@link #delete(byte[])} return {@code false}. Failures are unchecked
 * {@link MetroException}s: {@link MetroTimeoutException}, {@link NotEnoughReplicasException},
 * {@link MetroAuthException}, {@link MetroProtocolException}, {@link MetroUnavailableException} and
 * {@link MetroOverloadedException}. Null arguments and keys outside 1..65535 bytes throw at once
 * ({@link NullPointerException}, {@link IllegalArgumentException}), from the async forms too.
 *
 * <p><b>Routing.</b> A call goes first to its key's home mapd (a hash of the key), on the next of that mapd's
 * connections in turn (another of them when that one is down); when the home mapd is not connected it goes to the
 * next mapd that is. While the client's
 * first connection to the home mapd is still being set up (for at most half the request timeout after the client
 * is built), and while that connection is back-pressured, the call waits for it instead. Every mapd serves
 * every key, and changes reach the other mapds within milliseconds, but a mapd reads its own writes at once: so
 * while the home mapd is up, a client reads back what it wrote to a key straight away, from its first call.
 *
 * <p><b>Failover and retries.</b>
 * <ul>
 *   <li>A request that was never sent (its connection was down) cannot have been applied, so every operation
 *       moves to another mapd; so does one a mapd refused with SHUTTING_DOWN, OVERLOADED or CATCHING_UP.</li>
 *   <li>A request whose connection was lost while it was in flight ({@code UNAVAILABLE}) may or may not have
 *       been applied. GET and EXISTS are then retried on another mapd: reads change nothing. SET, SETSAFE and
 *       DEL are retried only with {@link Builder#retryWrites(boolean) retryWrites(true)}: a retried write gets a
 *       new, newer version at the mapd that takes it, so if another client wrote the key in between, the retry
 *       overwrites that newer value (at-least-once semantics, like any retrying client), and a retried DEL may
 *       answer {@code false} because its first attempt already deleted the key. By default such writes fail
 *       with {@link MetroUnavailableException} and the caller decides.</li>
 *   <li>A request that timed out is never retried ({@link MetroTimeoutException}): it may still be applied.</li>
 * </ul>
 * Retries stop after one attempt per mapd or when the request timeout since the call began has passed, so a
 * call completes, one way or the other, within about twice the request timeout. Reconnection with backoff is
 * automatic.
 */
public final class MetroClient implements AutoCloseable
{
    /** Default time a request may wait for its answer. */
    public static final long DEFAULT_REQUEST_TIMEOUT_MS = 5_000;
    /** Default number of connections to each mapd. */
    public static final int DEFAULT_CONNECTIONS_PER_NODE = 1;
    /** Default bound on requests in flight per client. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 1024;
    /** Prefix of the names of the I/O threads a client owns. */
    public static final String THREAD_NAME_PREFIX = "metrodb-client-";

    private static final AtomicInteger CLIENT_IDS = new AtomicInteger();

    private final MetroLink[][] links;
    private final MetroLink[] allLinks;
    private final List<InetSocketAddress> addresses;
    private final long requestTimeoutMs;
    private final long requestTimeoutNs;
    private final int maxInFlight;
    private final OverflowPolicy overflowPolicy;
    private final boolean retryWrites;
    private final EventLoopGroup group;
    private final boolean ownsGroup;
    private final List<Thread> ownThreads = new ArrayList<>();
    private final String threadName;
    private final Semaphore permits;
    private final AtomicLong sequence = new AtomicLong();
    private final Set<MetroCall> parked = ConcurrentHashMap.newKeySet();
    private final LongAdder retries = new LongAdder();
    /** Until then, calls wait for a home mapd whose first connection is still being set up. */
    private final long connectingUntilNs;
    private volatile boolean closed;

    private MetroClient(final Builder builder)
    {
        addresses = List.copyOf(builder.addresses);
        requestTimeoutMs = builder.requestTimeoutMs;
        requestTimeoutNs = TimeUnit.MILLISECONDS.toNanos(requestTimeoutMs);
        connectingUntilNs = System.nanoTime() + requestTimeoutNs / 2;
        maxInFlight = builder.maxInFlight;
        overflowPolicy = builder.overflowPolicy;
        retryWrites = builder.retryWrites;
        permits = new Semaphore(maxInFlight);
        threadName = THREAD_NAME_PREFIX + CLIENT_IDS.incrementAndGet();
        ownsGroup = builder.eventLoopGroup == null;
        group = ownsGroup ? Transports.newEventLoopGroup(builder.ioThreads, threadName) : builder.eventLoopGroup;
        if (ownsGroup)
        {
            for (final EventExecutor executor : group)
            {
                ownThreads.add(executor.submit(Thread::currentThread).syncUninterruptibly().getNow());
            }
        }

        final HandshakeConfig handshake =
            new HandshakeConfig(Roles.CLIENT, 0, builder.authToken, ProtocolLimits.DEFAULT_MAX_FRAME_LENGTH);
        // All of a client's requests may land on one connection.
        final int perConnection = Integer.highestOneBit(Math.max(1, maxInFlight - 1)) << 1;
        final int connectionsPerNode = builder.connectionsPerNode;
        links = new MetroLink[addresses.size()][connectionsPerNode];
        allLinks = new MetroLink[addresses.size() * connectionsPerNode];
        for (int node = 0, i = 0; node < addresses.size(); node++)
        {
            for (int c = 0; c < connectionsPerNode; c++, i++)
            {
                final MetroLink link = new MetroLink(
                    node, group.next(), addresses.get(node), handshake, perConnection, requestTimeoutMs);
                links[node][c] = link;
                allLinks[i] = link;
            }
        }
        for (final MetroLink link : allLinks)
        {
            link.connection.start();
        }
    }

    /**
     * @param mapds the mapds to use, at least one.
     * @return a builder with the defaults.
     */
    public static Builder builder(final List<InetSocketAddress> mapds)
    {
        return new Builder(mapds);
    }

    /**
     * @param mapds the mapds to use as {@code host:port}, at least one.
     * @return a builder with the defaults.
     */
    public static Builder builder(final String... mapds)
    {
        final List<InetSocketAddress> addresses = new ArrayList<>();
        for (final String mapd : mapds)
        {
            final int colon = mapd.lastIndexOf(':');
            if (colon <= 0 || colon == mapd.length() - 1)
            {
                throw new IllegalArgumentException("mapd address must be host:port, was '" + mapd + "'");
            }
            addresses.add(new InetSocketAddress(mapd.substring(0, colon), Integer.parseInt(mapd.substring(colon + 1))));
        }
        return new Builder(addresses);
    }

    // ---------------------------------------------------------------------------------------------- GET

    /**
     * Reads a key.
     *
     * @param key the key, 1..65535 bytes.
     * @return its value, or {@code null} when the key does not exist (or was deleted).
     * @throws MetroException when the read failed.
     */
    public byte[] get(final byte[] key)
    {
        return await(getAsync(key));
    }

    /**
     * Reads a key asynchronously.
     *
     * @param key the key, 1..65535 bytes.
     * @return completes with the value, with {@code null} when the key does not exist, or exceptionally with a
     * {@link MetroException}.
     */
    @SuppressWarnings("unchecked")
    public CompletableFuture<byte[]> getAsync(final byte[] key)
    {
        return (CompletableFuture<byte[]>)(CompletableFuture<?>)submit(Opcodes.GET, (byte)0, key, null);
    }

    /**
     * Reads a key as UTF-8 text.
     *
     * @param key the key (UTF-8 encoded).
     * @return the value decoded as UTF-8, or {@code null} when the key does not exist.
     * @throws MetroException when the read failed.
     */
    public String get(final String key)
    {
        return text(get(utf8(key)));
    }

    /**
     * Reads a key as UTF-8 text, asynchronously.
     *
     * @param key the key (UTF-8 encoded).
     * @return completes with the value decoded as UTF-8, or with {@code null} when the key does not exist.
     */
    public CompletableFuture<String> getAsync(final String key)
    {
        return getAsync(utf8(key)).thenApply(MetroClient::text);
    }

    /**
     * Reads a key given as a buffer (its remaining bytes; its position is not changed).
     *
     * @param key the key.
     * @return the value wrapped in a heap buffer, or {@code null} when the key does not exist.
     * @throws MetroException when the read failed.
     */
    public ByteBuffer get(final ByteBuffer key)
    {
        return wrap(get(bytes(key)));
    }

    /**
     * Reads a key given as a buffer, asynchronously.
     *
     * @param key the key (its remaining bytes).
     * @return completes with the value wrapped in a heap buffer, or with {@code null} when the key does not exist.
     */
    public CompletableFuture<ByteBuffer> getAsync(final ByteBuffer key)
    {
        return getAsync(bytes(key)).thenApply(MetroClient::wrap);
    }

    // ---------------------------------------------------------------------------------------------- SET

    /**
     * Writes a value; answered once it sits in RF logds' page caches.
     *
     * @param key   the key, 1..65535 bytes.
     * @param value the value (may be empty).
     * @return the version written and the replication it got.
     * @throws MetroException when the write failed ({@link NotEnoughReplicasException}: nothing changed).
     */
    public WriteResult set(final byte[] key, final byte[] value)
    {
        return await(setAsync(key, value));
    }

    /**
     * Writes a value asynchronously.
     *
     * @param key   the key, 1..65535 bytes.
     * @param value the value (may be empty).
     * @return completes with the version written, or exceptionally with a {@link MetroException}.
     */
    public CompletableFuture<WriteResult> setAsync(final byte[] key, final byte[] value)
    {
        return write(Opcodes.SET, key, value);
    }

    /**
     * Writes a UTF-8 text value.
     *
     * @param key   the key (UTF-8 encoded).
     * @param value the value (UTF-8 encoded).
     * @return the version written.
     * @throws MetroException when the write failed.
     */
    public WriteResult set(final String key, final String value)
    {
        return set(utf8(key), utf8(value));
    }

    /**
     * Writes a UTF-8 text value asynchronously.
     *
     * @param key   the key (UTF-8 encoded).
     * @param value the value (UTF-8 encoded).
     * @return completes with the version written.
     */
    public CompletableFuture<WriteResult> setAsync(final String key, final String value)
    {
        return setAsync(utf8(key), utf8(value));
    }

    /**
     * Writes a value given as buffers (their remaining bytes, copied; positions unchanged).
     *
     * @param key   the key.
     * @param value the value.
     * @return the version written.
     * @throws MetroException when the write failed.
     */
    public WriteResult set(final ByteBuffer key, final ByteBuffer value)
    {
        return set(bytes(key), bytes(value));
    }

    /**
     * Writes a value given as buffers, asynchronously.
     *
     * @param key   the key (remaining bytes).
     * @param value the value (remaining bytes).
     * @return completes with the version written.
     */
    public CompletableFuture<WriteResult> setAsync(final ByteBuffer key, final ByteBuffer value)
    {
        return setAsync(bytes(key), bytes(value));
    }

    // ---------------------------------------------------------------------------------------------- SETSAFE

    /**
     * Writes a value durably: answered once every replica forced it to disk, the mapd forced its journal and
     * every live peer mapd acknowledged it.
     *
     * @param key   the key, 1..65535 bytes.
     * @param value the value (may be empty).
     * @return the version written, with the peers that acknowledged it.
     * @throws MetroException when the write failed.
     */
    public WriteResult setSafe(final byte[] key, final byte[] value)
    {
        return await(setSafeAsync(key, value));
    }

    /**
     * Writes a value durably, asynchronously (see {@link #setSafe(byte[], byte[])}).
     *
     * @param key   the key, 1..65535 bytes.
     * @param value the value (may be empty).
     * @return completes with the version written.
     */
    public CompletableFuture<WriteResult> setSafeAsync(final byte[] key, final byte[] value)
    {
        return write(Opcodes.SETSAFE, key, value);
    }

    /**
     * Writes a UTF-8 text value durably.
     *
     * @param key   the key (UTF-8 encoded).
     * @param value the value (UTF-8 encoded).
     * @return the version written.
     * @throws MetroException when the write failed.
     */
    public WriteResult setSafe(final String key, final String value)
    {
        return setSafe(utf8(key), utf8(value));
    }

    /**
     * Writes a UTF-8 text value durably, asynchronously.
     *
     * @param key   the key (UTF-8 encoded).
     * @param value the value (UTF-8 encoded).
     * @return completes with the version written.
     */
    public CompletableFuture<WriteResult> setSafeAsync(final String key, final String value)
    {
        return setSafeAsync(utf8(key), utf8(value));
    }

    /**
     * Writes a value given as buffers durably.
     *
     * @param key   the key (remaining bytes).
     * @param value the value (remaining bytes).
     * @return the version written.
     * @throws MetroException when the write failed.
     */
    public WriteResult setSafe(final ByteBuffer key, final ByteBuffer value)
    {
        return setSafe(bytes(key), bytes(value));
    }

    // ---------------------------------------------------------------------------------------------- DEL, EXISTS

    /**
     * Deletes a key.
     *
     * @param key the key, 1..65535 bytes.
     * @return true when a live value was deleted, false when the key did not exist.
     * @throws MetroException when the delete failed.
     */
    public boolean delete(final byte[] key)
    {
        return await(deleteAsync(key));
    }

    /**
     * Deletes a key asynchronously.
     *
     * @param key the key, 1..65535 bytes.
     * @return completes with true when a live value was deleted, false when the key did not exist.
     */
    @SuppressWarnings("unchecked")
    public CompletableFuture<Boolean> deleteAsync(final byte[] key)
    {
        return (CompletableFuture<Boolean>)(CompletableFuture<?>)submit(Opcodes.DEL, (byte)0, key, null);
    }

    /**
     * Deletes a key with SETSAFE durability (the tombstone is forced and acknowledged by live peers).
     *
     * @param key the key, 1..65535 bytes.
     * @return true when a live value was deleted, false when the key did not exist.
     * @throws MetroException when the delete failed.
     */
    @SuppressWarnings("unchecked")
    public boolean deleteSafe(final byte[] key)
    {
        return await((CompletableFuture<Boolean>)(CompletableFuture<?>)
            submit(Opcodes.DEL, FrameFlags.DURABLE, key, null));
    }

    /**
     * Deletes a key given as UTF-8 text.
     *
     * @param key the key (UTF-8 encoded).
     * @return true when a live value was deleted, false when the key did not exist.
     * @throws MetroException when the delete failed.
     */
    public boolean delete(final String key)
    {
        return delete(utf8(key));
    }

    /**
     * Deletes a key given as UTF-8 text, asynchronously.
     *
     * @param key the key (UTF-8 encoded).
     * @return completes with true when a live value was deleted, false when the key did not exist.
     */
    public CompletableFuture<Boolean> deleteAsync(final String key)
    {
        return deleteAsync(utf8(key));
    }

    /**
     * Tells whether a key has a live value, without transferring it.
     *
     * @param key the key, 1..65535 bytes.
     * @return true when the key exists.
     * @throws MetroException when the request failed.
     */
    public boolean exists(final byte[] key)
    {
        return await(existsAsync(key));
    }

    /**
     * Tells asynchronously whether a key has a live value.
     *
     * @param key the key, 1..65535 bytes.
     * @return completes with true when the key exists, false otherwise.
     */
    @SuppressWarnings("unchecked")
    public CompletableFuture<Boolean> existsAsync(final byte[] key)
    {
        return (CompletableFuture<Boolean>)(CompletableFuture<?>)submit(Opcodes.EXISTS, (byte)0, key, null);
    }

    /**
     * Tells whether a key given as UTF-8 text has a live value.
     *
     * @param key the key (UTF-8 encoded).
     * @return true when the key exists.
     * @throws MetroException when the request failed.
     */
    public boolean exists(final String key)
    {
        return exists(utf8(key));
    }

    /**
     * Tells asynchronously whether a key given as UTF-8 text has a live value.
     *
     * @param key the key (UTF-8 encoded).
     * @return completes with true when the key exists.
     */
    public CompletableFuture<Boolean> existsAsync(final String key)
    {
        return existsAsync(utf8(key));
    }

    // ---------------------------------------------------------------------------------------------- batches

    /**
     * Reads many keys, pipelined.
     *
     * @param keys the keys, each 1..65535 bytes.
     * @return the values in the order of {@code keys}, {@code null} for keys that do not exist.
     * @throws MetroException when any read failed.
     */
    public List<byte[]> getAll(final List<byte[]> keys)
    {
        return await(getAllAsync(keys));
    }

    /**
     * Reads many keys, pipelined, asynchronously. Under {@link OverflowPolicy#FAIL_FAST} the whole batch must fit
     * in the free in-flight capacity, else it fails with {@link MetroOverloadedException} and nothing is sent.
     *
     * @param keys the keys, each 1..65535 bytes.
     * @return completes with the values in the order of {@code keys} ({@code null} for missing keys), or
     * exceptionally with the first failure.
     */
    @SuppressWarnings("unchecked")
    public CompletableFuture<List<byte[]>> getAllAsync(final List<byte[]> keys)
    {
        final CompletableFuture<Object>[] futures = batch(Opcodes.GET, keys, null);
        return CompletableFuture.allOf(futures).thenApply(ignored ->
        {
            final List<byte[]> values = new ArrayList<>(futures.length);
            for (final CompletableFuture<Object> future : futures)
            {
                values.add((byte[])future.join());
            }
            return values;
        });
    }

    /**
     * Reads many UTF-8 text keys, pipelined.
     *
     * @param keys the keys (UTF-8 encoded).
     * @return the keys that exist with their values, in the order of {@code keys}; missing keys are absent.
     * @throws MetroException when any read failed.
     */
    public Map<String, String> getAllStrings(final Collection<String> keys)
    {
        return await(getAllStringsAsync(keys));
    }

    /**
     * Reads many UTF-8 text keys, pipelined, asynchronously.
     *
     * @param keys the keys (UTF-8 encoded).
     * @return completes with the keys that exist and their values; missing keys are absent.
     */
    public CompletableFuture<Map<String, String>> getAllStringsAsync(final Collection<String> keys)
    {
        final List<String> ordered = List.copyOf(keys);
        final List<byte[]> raw = new ArrayList<>(ordered.size());
        for (final String key : ordered)
        {
            raw.add(utf8(key));
        }
        return getAllAsync(raw).thenApply(values ->
        {
            final Map<String, String> result = new LinkedHashMap<>();
            for (int i = 0; i < ordered.size(); i++)
            {
                if (values.get(i) != null)
                {
                    result.put(ordered.get(i), text(values.get(i)));
                }
            }
            return result;
        });
    }

    /**
     * Writes many values (SET), pipelined.
     *
     * @param keys   the keys, each 1..65535 bytes.
     * @param values the values, as many as keys.
     * @return the results in the order of {@code keys}.
     * @throws MetroException when any write failed (others may have succeeded).
     */
    public List<WriteResult> setAll(final List<byte[]> keys, final List<byte[]> values)
    {
        return await(setAllAsync(keys, values));
    }

    /**
     * Writes many values (SET), pipelined, asynchronously (batch capacity as for {@link #getAllAsync(List)}).
     *
     * @param keys   the keys, each 1..65535 bytes.
     * @param values the values, as many as keys.
     * @return completes with the results in the order of {@code keys}, or exceptionally with the first failure
     * (other writes of the batch may have succeeded).
     */
    public CompletableFuture<List<WriteResult>> setAllAsync(final List<byte[]> keys, final List<byte[]> values)
    {
        if (keys.size() != values.size())
        {
            throw new IllegalArgumentException(keys.size() + " keys but " + values.size() + " values");
        }
        final CompletableFuture<Object>[] futures = batch(Opcodes.SET, keys, values);
        return CompletableFuture.allOf(futures).thenApply(ignored ->
        {
            final List<WriteResult> results = new ArrayList<>(futures.length);
            for (final CompletableFuture<Object> future : futures)
            {
                results.add((WriteResult)future.join());
            }
            return results;
        });
    }

    /**
     * Writes many UTF-8 text values (SET), pipelined.
     *
     * @param entries keys and values (UTF-8 encoded).
     * @throws MetroException when any write failed (others may have succeeded).
     */
    public void setAllStrings(final Map<String, String> entries)
    {
        await(setAllStringsAsync(entries));
    }

    /**
     * Writes many UTF-8 text values (SET), pipelined, asynchronously.
     *
     * @param entries keys and values (UTF-8 encoded).
     * @return completes when every write succeeded, or exceptionally with the first failure.
     */
    public CompletableFuture<Void> setAllStringsAsync(final Map<String, String> entries)
    {
        final List<byte[]> keys = new ArrayList<>(entries.size());
        final List<byte[]> values = new ArrayList<>(entries.size());
        entries.forEach((key, value) ->
        {
            keys.add(utf8(key));
            values.add(utf8(value));
        });
        return setAllAsync(keys, values).thenApply(results -> null);
    }

    // ---------------------------------------------------------------------------------------------- lifecycle

    /**
     * @return the mapd addresses this client uses.
     */
    public List<InetSocketAddress> addresses()
    {
        return addresses;
    }

    /**
     * @return requests in flight now (sent or waiting to be sent).
     */
    public int inFlight()
    {
        return maxInFlight - permits.availablePermits();
    }

    /**
     * @return requests moved to another mapd after a lost connection or a refusal, since the start.
     */
    public long retries()
    {
        return retries.sum();
    }

    /**
     * @return the number of connections currently connected and past the handshake.
     */
    public int readyConnections()
    {
        int ready = 0;
        for (final MetroLink link : allLinks)
        {
            ready += link.ready ? 1 : 0;
        }
        return ready;
    }

    /**
     * @return the name prefix of the I/O threads this client owns (none when built with a shared group).
     */
    public String threadNamePrefix()
    {
        return threadName + "-";
    }

    /**
     * Closes every connection, fails calls still in flight with {@link MetroUnavailableException}, and, when the
     * client owns its event loop, stops its thread (waiting for it). Idempotent. Do not call it from a future's
     * callback when the client owns its thread: it then cannot wait for that thread to end.
     */
    @Override
    public void close()
    {
        synchronized (this)
        {
            if (closed)
            {
                return;
            }
            closed = true;
        }
        for (final MetroLink link : allLinks)
        {
            link.connection.close();
        }
        for (final MetroCall call : parked)
        {
            call.fail(new MetroUnavailableException(StatusCodes.UNAVAILABLE, "client is closed"));
        }
        parked.clear();
        if (ownsGroup)
        {
            final boolean onOwnThread = onOwnEventLoop();
            group.shutdownGracefully(0, requestTimeoutMs, TimeUnit.MILLISECONDS);
            if (!onOwnThread)
            {
                group.terminationFuture().awaitUninterruptibly(requestTimeoutMs + 5_000);
                for (final Thread thread : ownThreads)
                {
                    try
                    {
                        thread.join(5_000);
                    }
                    catch (final InterruptedException e)
                    {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- internals

    boolean isClosed()
    {
        return closed;
    }

    boolean retryWrites()
    {
        return retryWrites;
    }

    long requestTimeoutMs()
    {
        return requestTimeoutMs;
    }

    int nodeCount()
    {
        return links.length;
    }

    int linkCount()
    {
        return allLinks.length;
    }

    void countRetry()
    {
        retries.increment();
    }

    void release()
    {
        permits.release();
    }

    void park(final MetroCall call)
    {
        parked.add(call);
    }

    void unpark(final MetroCall call)
    {
        parked.remove(call);
    }

    /**
     * @param startNode the node to look at first (wrapped).
     * @param spread    picks among a node's connections.
     * @return a ready connection, or null when none is.
     */
    MetroLink pick(final int startNode, final long spread)
    {
        final int nodes = links.length;
        for (int i = 0; i < nodes; i++)
        {
            final MetroLink link = readyLinkOf((int)(((long)startNode + i) % nodes), spread);
            if (link != null)
            {
                return link;
            }
        }
        return null;
    }

    /**
     * @param node   a mapd.
     * @param spread picks among its connections.
     * @return a ready connection of mapd {@code node}, or null when none is.
     */
    MetroLink readyLinkOf(final int node, final long spread)
    {
        final MetroLink[] row = links[node];
        for (int c = 0; c < row.length; c++)
        {
            final MetroLink link = row[(int)((spread + c) % row.length)];
            if (link.ready)
            {
                return link;
            }
        }
        return null;
    }

    /**
     * @return the connections to mapd {@code node}, for tests that put a call on one of them.
     */
    MetroLink[] linksOf(final int node)
    {
        return links[node].clone();
    }

    /**
     * @return true while the client's first connection to mapd {@code node} is being set up (none of its
     * connections has been ready or failed yet), for at most half the request timeout after the client was built.
     */
    boolean isConnecting(final int node)
    {
        if (System.nanoTime() - connectingUntilNs >= 0)
        {
            return false;
        }
        for (final MetroLink link : links[node])
        {
            if (link.settled)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Where a call for a key homed at {@code home} goes: a ready connection of the home mapd; one of its connections
     * while it {@link #isConnecting is connecting} for the first time (the call waits for it there, so that a
     * client's first writes are not taken by another mapd that connected sooner, which would break read-your-writes
     * once the home connection is up); else a ready connection of the next mapds.
     *
     * @return the connection, or null when none is ready.
     */
    MetroLink route(final int home, final long spread)
    {
        if (isConnecting(home))
        {
            return links[home][(int)(spread % links[home].length)];
        }
        return pick(home, spread);
    }

    /**
     * @return true when no connection is ready and every one was last refused at HELLO (wrong token, version).
     */
    boolean allRefused()
    {
        for (final MetroLink link : allLinks)
        {
            if (link.ready || (link.refusal != StatusCodes.AUTH_FAILED && link.refusal != StatusCodes.UNSUPPORTED_VERSION))
            {
                return false;
            }
        }
        return true;
    }

    MetroException noMapdFailure()
    {
        for (final MetroLink link : allLinks)
        {
            if (link.refusal == StatusCodes.AUTH_FAILED)
            {
                return new MetroAuthException(StatusCodes.AUTH_FAILED, "mapd " + link.connection.address() +
                    " refused the auth token");
            }
        }
        for (final MetroLink link : allLinks)
        {
            if (link.refusal == StatusCodes.UNSUPPORTED_VERSION)
            {
                return new MetroProtocolException(StatusCodes.UNSUPPORTED_VERSION, "mapd " +
                    link.connection.address() + " speaks no protocol version this client does");
            }
        }
        return new MetroUnavailableException(StatusCodes.UNAVAILABLE, "no mapd reachable within " +
            requestTimeoutMs + " ms among " + addresses);
    }

    MetroException failure(final short status, final String message)
    {
        final String text = StatusCodes.name(status) + (message.isEmpty() ? "" : ": " + message);
        return switch (status)
        {
            case StatusCodes.NOT_ENOUGH_REPLICAS -> new NotEnoughReplicasException(status, text);
            case StatusCodes.AUTH_REQUIRED, StatusCodes.AUTH_FAILED -> new MetroAuthException(status, text);
            case StatusCodes.TIMEOUT -> new MetroTimeoutException(status, text);
            case StatusCodes.UNAVAILABLE, StatusCodes.SHUTTING_DOWN -> new MetroUnavailableException(status, text);
            default -> new MetroProtocolException(status, text);
        };
    }

    private CompletableFuture<WriteResult> write(final byte opcode, final byte[] key, final byte[] value)
    {
        Objects.requireNonNull(value, "value");
        @SuppressWarnings("unchecked")
        final CompletableFuture<WriteResult> future =
            (CompletableFuture<WriteResult>)(CompletableFuture<?>)submit(opcode, (byte)0, key, value);
        return future;
    }

    private CompletableFuture<Object> submit(final byte opcode, final byte flags, final byte[] key, final byte[] value)
    {
        checkKey(key);
        if (closed)
        {
            return CompletableFuture.failedFuture(
                new MetroUnavailableException(StatusCodes.UNAVAILABLE, "client is closed"));
        }
        final MetroException refused = acquire(1);
        if (refused != null)
        {
            return CompletableFuture.failedFuture(refused);
        }
        return start(opcode, flags, key, value);
    }

    @SuppressWarnings("unchecked")
    private CompletableFuture<Object>[] batch(final byte opcode, final List<byte[]> keys, final List<byte[]> values)
    {
        final int count = keys.size();
        for (int i = 0; i < count; i++)
        {
            checkKey(keys.get(i));
            if (values != null)
            {
                Objects.requireNonNull(values.get(i), "value");
            }
        }
        final CompletableFuture<Object>[] futures = new CompletableFuture[count];
        if (closed)
        {
            java.util.Arrays.fill(futures, CompletableFuture.failedFuture(
                new MetroUnavailableException(StatusCodes.UNAVAILABLE, "client is closed")));
            return futures;
        }
        final boolean wholeBatch = overflowPolicy == OverflowPolicy.FAIL_FAST || onOwnEventLoop();
        if (wholeBatch && count > 0)
        {
            final MetroException refused = acquire(count);
            if (refused != null)
            {
                java.util.Arrays.fill(futures, CompletableFuture.failedFuture(refused));
                return futures;
            }
        }
        for (int i = 0; i < count; i++)
        {
            final MetroException refused = wholeBatch ? null : acquire(1);
            futures[i] = refused != null ? CompletableFuture.failedFuture(refused) :
                start(opcode, (byte)0, keys.get(i), values == null ? null : values.get(i));
        }
        return futures;
    }

    private CompletableFuture<Object> start(final byte opcode, final byte flags, final byte[] key, final byte[] value)
    {
        final int node = homeNode(key, links.length);
        final MetroCall call =
            new MetroCall(this, opcode, flags, key, value, node, System.nanoTime() + requestTimeoutNs);
        if (closed)
        {
            call.fail(new MetroUnavailableException(StatusCodes.UNAVAILABLE, "client is closed"));
            return call.future;
        }
        final long spread = sequence.getAndIncrement();
        final MetroLink link = route(node, spread);
        call.dispatch(link != null ? link : links[node][(int)(spread % links[node].length)]);
        return call.future;
    }

    /**
     * The mapd a key's calls go to first: a hash of the key, so a client's operations on one key meet one mapd
     * (which reads its own writes at once) while different keys spread over every mapd.
     *
     * @param key   the key.
     * @param nodes how many mapds.
     * @return the index of the key's home mapd.
     */
    static int homeNode(final byte[] key, final int nodes)
    {
        int hash = 0x9747b28c;
        for (final byte b : key)
        {
            hash = (hash ^ b) * 0x01000193;
        }
        hash ^= hash >>> 16;
        hash *= 0x85ebca6b;
        hash ^= hash >>> 13;
        return (int)((hash & 0xFFFF_FFFFL) % nodes);
    }

    /**
     * @return null once {@code count} permits are held, else the failure to report.
     */
    private MetroException acquire(final int count)
    {
        if (overflowPolicy == OverflowPolicy.FAIL_FAST || onOwnEventLoop())
        {
            return permits.tryAcquire(count) ? null : new MetroOverloadedException(StatusCodes.OVERLOADED,
                "more than " + maxInFlight + " requests in flight");
        }
        try
        {
            permits.acquire(count);
            return null;
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            return new MetroException((short)0, "interrupted while waiting for an in-flight slot");
        }
    }

    private boolean onOwnEventLoop()
    {
        for (final EventExecutor executor : group)
        {
            if (executor.inEventLoop())
            {
                return true;
            }
        }
        return false;
    }

    private static <T> T await(final CompletableFuture<T> future)
    {
        try
        {
            return future.get();
        }
        catch (final ExecutionException | CompletionException e)
        {
            final Throwable cause = e.getCause();
            if (cause instanceof MetroException)
            {
                throw (MetroException)cause;
            }
            throw new MetroException((short)0, String.valueOf(cause), cause);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new MetroException((short)0, "interrupted while waiting for the answer");
        }
    }

    private static void checkKey(final byte[] key)
    {
        Objects.requireNonNull(key, "key");
        if (key.length < ProtocolLimits.MIN_KEY_LENGTH || key.length > ProtocolLimits.MAX_KEY_LENGTH)
        {
            throw new IllegalArgumentException("key must be 1..65535 bytes, was " + key.length);
        }
    }

    private static byte[] utf8(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(final byte[] bytes)
    {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    private static byte[] bytes(final ByteBuffer buffer)
    {
        final byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    private static ByteBuffer wrap(final byte[] bytes)
    {
        return bytes == null ? null : ByteBuffer.wrap(bytes);
    }

    /**
     * Configures a {@link MetroClient}; every value is checked in {@link #build()}.
     */
    public static final class Builder
    {
        private final List<InetSocketAddress> addresses;
        private long requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS;
        private int connectionsPerNode = DEFAULT_CONNECTIONS_PER_NODE;
        private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
        private OverflowPolicy overflowPolicy = OverflowPolicy.WAIT;
        private boolean retryWrites;
        private String authToken;
        private EventLoopGroup eventLoopGroup;
        private int ioThreads = 1;

        private Builder(final List<InetSocketAddress> addresses)
        {
            this.addresses = List.copyOf(Objects.requireNonNull(addresses, "addresses"));
        }

        /**
         * @param timeoutMs how long one request may wait for its answer (default 5000).
         * @return this.
         */
        public Builder requestTimeoutMs(final long timeoutMs)
        {
            this.requestTimeoutMs = timeoutMs;
            return this;
        }

        /**
         * @param connections persistent connections to each mapd (default 1).
         * @return this.
         */
        public Builder connectionsPerNode(final int connections)
        {
            this.connectionsPerNode = connections;
            return this;
        }

        /**
         * @param max requests in flight at most for the whole client (default 1024).
         * @return this.
         */
        public Builder maxInFlight(final int max)
        {
            this.maxInFlight = max;
            return this;
        }

        /**
         * @param policy what a call does past {@link #maxInFlight(int)} (default {@link OverflowPolicy#WAIT}).
         * @return this.
         */
        public Builder overflowPolicy(final OverflowPolicy policy)
        {
            this.overflowPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * @param retry whether SET, SETSAFE and DEL whose connection was lost in flight are retried on another
         *              mapd (default false; see {@link MetroClient} for what that risks).
         * @return this.
         */
        public Builder retryWrites(final boolean retry)
        {
            this.retryWrites = retry;
            return this;
        }

        /**
         * @param token the cluster's auth token, or null for none.
         * @return this.
         */
        public Builder authToken(final String token)
        {
            this.authToken = token;
            return this;
        }

        /**
         * @param group a Netty event loop group to share (not shut down by {@link MetroClient#close()}); by default
         *              the client owns one of {@link #ioThreads(int)} threads.
         * @return this.
         */
        public Builder eventLoopGroup(final EventLoopGroup group)
        {
            this.eventLoopGroup = group;
            return this;
        }

        /**
         * @param threads I/O threads of the client's own event loop group (default 1; unused with a shared group).
         * @return this.
         */
        public Builder ioThreads(final int threads)
        {
            this.ioThreads = threads;
            return this;
        }

        /**
         * Checks the settings and starts connecting; does not wait for connections (calls made before one is up
         * wait for it, up to the request timeout).
         *
         * @return a new client.
         * @throws IllegalArgumentException for a bad setting.
         */
        public MetroClient build()
        {
            if (addresses.isEmpty())
            {
                throw new IllegalArgumentException("at least one mapd address is needed");
            }
            if (requestTimeoutMs < 1)
            {
                throw new IllegalArgumentException("request timeout must be at least 1 ms, was " + requestTimeoutMs);
            }
            if (connectionsPerNode < 1 || connectionsPerNode > 64)
            {
                throw new IllegalArgumentException("connections per node must be in 1..64, was " + connectionsPerNode);
            }
            if (maxInFlight < 1 || maxInFlight > 1 << 20)
            {
                throw new IllegalArgumentException("max in flight must be in 1..1048576, was " + maxInFlight);
            }
            if (eventLoopGroup == null && (ioThreads < 1 || ioThreads > 64))
            {
                throw new IllegalArgumentException("I/O threads must be in 1..64, was " + ioThreads);
            }
            return new MetroClient(this);
        }
    }
}
