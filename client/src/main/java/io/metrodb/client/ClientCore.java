package io.metrodb.client;

import io.metrodb.protocol.ProtocolLimits;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The async core on {@code byte[]}: checks a call, admits it ({@link InFlightLimiter}), routes it ({@link Router})
 * and starts a {@link MetroCall}, which encodes and sends it; completes a future, or a {@link ReplyHandler} with a
 * pooled call. Every other form of a call ends up here.
 */
final class ClientCore
{
    final Router router;
    final InFlightLimiter limiter;
    final ClientLifecycle lifecycle;
    private final CallPool pool;
    private final List<InetSocketAddress> addresses;
    private final long requestTimeoutMs;
    private final long requestTimeoutNs;
    private final boolean retryWrites;
    private final LongAdder retries = new LongAdder();

    ClientCore(
        final Router router, final InFlightLimiter limiter, final ClientLifecycle lifecycle,
        final List<InetSocketAddress> addresses, final long requestTimeoutMs, final boolean retryWrites)
    {
        this.router = router;
        this.limiter = limiter;
        this.lifecycle = lifecycle;
        this.addresses = addresses;
        this.requestTimeoutMs = requestTimeoutMs;
        this.requestTimeoutNs = TimeUnit.MILLISECONDS.toNanos(requestTimeoutMs);
        this.retryWrites = retryWrites;
        this.pool = new CallPool(this, Math.min(limiter.maxInFlight(), CallPool.MAX_CAPACITY));
    }

    /**
     * Starts one call completing a future.
     *
     * @param value the value (SET, SETSAFE), or null for a request with a key only.
     * @return completes with the call's result: byte[] or null (GET), {@link WriteResult}, Boolean.
     */
    CompletableFuture<Object> submit(final byte opcode, final byte flags, final byte[] key, final byte[] value)
    {
        checkKey(key);
        if (lifecycle.isClosed())
        {
            return CompletableFuture.failedFuture(Failures.closed());
        }
        final MetroException refused = limiter.acquire(1, lifecycle.onOwnEventLoop());
        if (refused != null)
        {
            return CompletableFuture.failedFuture(refused);
        }
        return start(opcode, flags, key, value);
    }

    /**
     * Starts one call completing {@code handler}, with a pooled call and no future. A failure found before
     * anything is sent (closed, overloaded) is reported to the handler on the calling thread.
     */
    void submit(
        final byte opcode, final byte flags, final byte[] key, final byte[] value, final ReplyHandler handler)
    {
        checkKey(key);
        Objects.requireNonNull(handler, "handler");
        if (lifecycle.isClosed())
        {
            handler.onError(Failures.closed());
            return;
        }
        final MetroException refused = limiter.acquire(1, lifecycle.onOwnEventLoop());
        if (refused != null)
        {
            handler.onError(refused);
            return;
        }
        final int home = Router.homeNode(key, router.nodeCount());
        final MetroCall call = pool.take();
        call.init(opcode, flags, key, value, home, System.nanoTime() + requestTimeoutNs, handler);
        if (lifecycle.isClosed())
        {
            call.fail(Failures.closed());
            return;
        }
        call.dispatch(router.first(home));
    }

    /**
     * Starts a batch of calls, pipelined; under FAIL_FAST (or on the I/O thread) the whole batch must fit in the
     * free in-flight capacity.
     *
     * @param values the values, or null for requests with a key only.
     * @return one future per key.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    CompletableFuture<Object>[] batch(final byte opcode, final List<byte[]> keys, final List<byte[]> values)
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
        if (lifecycle.isClosed())
        {
            Arrays.fill(futures, CompletableFuture.failedFuture(Failures.closed()));
            return futures;
        }
        final boolean wholeBatch = limiter.failsFast(lifecycle.onOwnEventLoop());
        if (wholeBatch && count > 0)
        {
            final MetroException refused = limiter.acquire(count, true);
            if (refused != null)
            {
                Arrays.fill(futures, CompletableFuture.failedFuture(refused));
                return futures;
            }
        }
        for (int i = 0; i < count; i++)
        {
            final MetroException refused = wholeBatch ? null : limiter.acquire(1, false);
            futures[i] = refused != null ? CompletableFuture.failedFuture(refused) :
                start(opcode, (byte)0, keys.get(i), values == null ? null : values.get(i));
        }
        return futures;
    }

    private CompletableFuture<Object> start(final byte opcode, final byte flags, final byte[] key, final byte[] value)
    {
        final int home = Router.homeNode(key, router.nodeCount());
        final MetroCall call = new MetroCall(this, new CompletableFuture<>());
        call.init(opcode, flags, key, value, home, System.nanoTime() + requestTimeoutNs, null);
        if (lifecycle.isClosed())
        {
            call.fail(Failures.closed());
            return call.future;
        }
        call.dispatch(router.first(home));
        return call.future;
    }

    static void checkKey(final byte[] key)
    {
        Objects.requireNonNull(key, "key");
        if (key.length < ProtocolLimits.MIN_KEY_LENGTH || key.length > ProtocolLimits.MAX_KEY_LENGTH)
        {
            throw new IllegalArgumentException("key must be 1..65535 bytes, was " + key.length);
        }
    }

    // ---------------------------------------------------------------------------------------------- for MetroCall

    boolean isClosed()
    {
        return lifecycle.isClosed();
    }

    boolean retryWrites()
    {
        return retryWrites;
    }

    long requestTimeoutMs()
    {
        return requestTimeoutMs;
    }

    List<InetSocketAddress> addresses()
    {
        return addresses;
    }

    long retries()
    {
        return retries.sum();
    }

    void countRetry()
    {
        retries.increment();
    }

    /**
     * A call completed: frees its in-flight permit.
     */
    void release()
    {
        limiter.release();
    }

    /**
     * A callback call completed normally and its handler returned: its object may serve another call.
     */
    void recycle(final MetroCall call)
    {
        pool.give(call);
    }

    MetroException noMapdFailure()
    {
        return Failures.noMapd(router.allLinks(), requestTimeoutMs, addresses);
    }
}
