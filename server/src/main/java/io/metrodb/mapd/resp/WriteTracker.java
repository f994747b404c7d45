package io.metrodb.mapd.resp;

import io.metrodb.protocol.resp.RespCommand;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/**
 * The keys of one Redis connection's writes in flight, counted in a small table of hash buckets, so that a command
 * that reads or deletes a key this connection is still writing waits for those writes (read-your-writes over the
 * binary path, which starts a GET at once). A bucket collision only delays a command. Data-path thread only.
 */
final class WriteTracker
{
    /** Buckets of the table of keys written and not yet answered, a power of two. */
    static final int WRITE_BUCKETS = 1024;

    private final int[] writesByBucket = new int[WRITE_BUCKETS];
    private int writesInFlight;

    /**
     * @return true when the command reads or deletes a key this connection is still writing (or, for INFO and
     * DBSIZE, when it writes anything).
     */
    boolean mustWait(final RespCommand command, final int id)
    {
        if (writesInFlight == 0)
        {
            return false;
        }
        switch (id)
        {
            case RespCommands.GET, RespCommands.MGET, RespCommands.EXISTS, RespCommands.DEL ->
            {
                for (int i = 1; i < command.argCount(); i++)
                {
                    if (writesByBucket[bucket(command, i)] > 0)
                    {
                        return true;
                    }
                }
                return false;
            }
            case RespCommands.INFO, RespCommands.DBSIZE ->
            {
                return true;
            }
            default ->
            {
                return false;
            }
        }
    }

    /**
     * @return true when argument {@code arg} of a DEL is a key of an earlier argument whose delete is in flight
     * in {@code bucket} (DEL k k: Redis counts a key once).
     */
    boolean isRepeatedKey(final RespCommand command, final int arg, final int bucket)
    {
        return writesByBucket[bucket] > 0 && isEarlierKey(command, arg);
    }

    /**
     * A write of the key in {@code bucket} is sent as binary request {@code sub} of {@code slot}.
     */
    void started(final ReplySlot slot, final int sub, final int bucket)
    {
        slot.buckets[sub] = bucket;
        writesByBucket[bucket]++;
        writesInFlight++;
    }

    /**
     * Binary request {@code sub} of {@code slot}, a write, is answered.
     */
    void answered(final ReplySlot slot, final int sub)
    {
        writesByBucket[slot.buckets[sub]]--;
        writesInFlight--;
    }

    static int bucket(final RespCommand command, final int arg)
    {
        final ByteBuf source = command.source();
        final int index = command.argIndex(arg);
        final int length = command.argLength(arg);
        int hash = 0x811C9DC5;
        for (int i = 0; i < length; i++)
        {
            hash = (hash ^ source.getByte(index + i)) * 0x01000193;
        }
        return (hash ^ (hash >>> 16)) & (WRITE_BUCKETS - 1);
    }

    private static boolean isEarlierKey(final RespCommand command, final int arg)
    {
        final ByteBuf source = command.source();
        for (int i = 1; i < arg; i++)
        {
            if (command.argLength(i) == command.argLength(arg) &&
                ByteBufUtil.equals(source, command.argIndex(i), source, command.argIndex(arg), command.argLength(arg)))
            {
                return true;
            }
        }
        return false;
    }
}
