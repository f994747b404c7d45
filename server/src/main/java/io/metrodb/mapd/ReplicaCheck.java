package io.metrodb.mapd;

import io.metrodb.mapd.grid.GridEntry;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.logd.ReadResponse;
import io.metrodb.protocol.mapd.ValueRecord;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/**
 * Checks a logd's answer to the READ of one replica against the grid entry it should hold, the same way for
 * GET, PROBE and REPAIR: the record must be intact (format, lengths, value CRC32C) and be exactly the grid's
 * (key, version, version node, tombstone flag, value length, checksum).
 */
final class ReplicaCheck
{
    private ReplicaCheck()
    {
    }

    /**
     * @param response  the READ response frame.
     * @param at        index of its first byte.
     * @param entry     the grid entry the replica belongs to.
     * @param key       buffer holding the key.
     * @param keyIndex  index of the key in it.
     * @param keyLength key length.
     * @return {@link StatusCodes#OK} for a good replica; else why it is bad: the logd's error status,
     * {@link StatusCodes#CORRUPT_RECORD} for a value that fails its checksum, or
     * {@link StatusCodes#REPLICA_MISMATCH} for an intact record that is not the grid's.
     */
    static short check(
        final ByteBuf response,
        final int at,
        final GridEntry entry,
        final ByteBuf key,
        final int keyIndex,
        final int keyLength)
    {
        final short status = FrameHeader.status(response, at);
        if (status != StatusCodes.OK)
        {
            return status;
        }
        if (!ReadResponse.isValid(response, at))
        {
            return StatusCodes.REPLICA_MISMATCH;
        }
        final int record = ReadResponse.entryIndex(at);
        final short valid = ValueRecord.validate(response, record, ReadResponse.entryLength(response, at));
        if (valid != StatusCodes.OK)
        {
            return valid == StatusCodes.CORRUPT_RECORD ? StatusCodes.CORRUPT_RECORD : StatusCodes.REPLICA_MISMATCH;
        }
        return ValueRecord.isTombstone(response, record) == entry.isTombstone() &&
            ValueRecord.version(response, record) == entry.version() &&
            ValueRecord.versionNode(response, record) == entry.versionNode() &&
            ValueRecord.valueLength(response, record) == entry.valueLength() &&
            ValueRecord.checksum(response, record) == entry.checksum() &&
            ValueRecord.keyLength(response, record) == keyLength &&
            ByteBufUtil.equals(response, ValueRecord.keyIndex(record), key, keyIndex, keyLength) ?
            StatusCodes.OK : StatusCodes.REPLICA_MISMATCH;
    }

    /**
     * @return true for a reason that means the replica's bytes are bad or gone (not merely unreachable now).
     */
    static boolean isDataError(final short reason)
    {
        return reason == StatusCodes.CORRUPT_RECORD || reason == StatusCodes.NOT_A_RECORD ||
            reason == StatusCodes.OFFSET_OUT_OF_RANGE || reason == StatusCodes.REPLICA_MISMATCH;
    }
}
