package io.metrodb.mapd;

import io.metrodb.log.DurableListener;
import io.netty.buffer.ByteBuf;

/**
 * A new replica list for one version of a key, installed by {@link MapdNode#installReplicas}: a REPAIR's (the good
 * replicas and the copies made) or a SETSAFE's whose logd took the record but failed to force it and whose record
 * another logd forced instead. Told (as a {@link DurableListener}) when the journal entry of the change is forced.
 */
interface ReplicaListChange extends DurableListener
{
    /** @return the buffer holding the key. */
    ByteBuf frame();

    int keyIndex();

    int keyLength();

    /** @return the version the list is for: the grid entry must still hold it, or nothing changes. */
    long version();

    int versionNode();

    /** @return the grid flags of the entry: its tombstone bit, and {@code GridEntry.REPAIRED}. */
    int flags();

    int valueLength();

    int checksum();

    int replicaCount();

    short[] logdIds();

    long[] offsets();
}
