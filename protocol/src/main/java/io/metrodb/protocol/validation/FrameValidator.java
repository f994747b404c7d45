package io.metrodb.protocol.validation;

import io.metrodb.protocol.ErrorPayload;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.HelloRequest;
import io.metrodb.protocol.HelloResponse;
import io.metrodb.protocol.Info;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.Ping;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.logd.AppendRequest;
import io.metrodb.protocol.logd.OffsetPayload;
import io.metrodb.protocol.logd.ReadResponse;
import io.metrodb.protocol.logd.ScanRequest;
import io.metrodb.protocol.logd.ScanResponse;
import io.metrodb.protocol.logd.StatResponse;
import io.metrodb.protocol.mapd.DumpRequest;
import io.metrodb.protocol.mapd.DumpResponse;
import io.metrodb.protocol.mapd.EntryResponse;
import io.metrodb.protocol.mapd.KeyRequest;
import io.metrodb.protocol.mapd.ProbeRequest;
import io.metrodb.protocol.mapd.ProbeResponse;
import io.metrodb.protocol.mapd.RepairRequest;
import io.metrodb.protocol.mapd.RepairResponse;
import io.metrodb.protocol.mapd.ReplicateRequest;
import io.metrodb.protocol.mapd.SetRequest;
import io.metrodb.protocol.mapd.SyncRequest;
import io.metrodb.protocol.mapd.SyncResponse;
import io.metrodb.protocol.mapd.WriteResponse;
import io.metrodb.protocol.mond.ClusterView;
import io.metrodb.protocol.mond.HeartbeatRequest;
import io.metrodb.protocol.mond.HeartbeatResponse;
import io.netty.buffer.ByteBuf;

/**
 * Checks any whole frame against its opcode's layout. Servers call {@link #validateRequest} before reading
 * a request's fields; clients call {@link #isValidResponse} before reading a response's.
 */
public final class FrameValidator
{
    private FrameValidator()
    {
    }

    /**
     * @param buf            buffer holding a whole frame (as {@code FrameDecoder} emits).
     * @param frame          index of the frame's first byte.
     * @param maxValueLength largest value accepted in SET/SETSAFE.
     * @return OK, or the status to answer the request with.
     */
    public static short validateRequest(final ByteBuf buf, final int frame, final int maxValueLength)
    {
        if (FrameHeader.isResponse(buf, frame))
        {
            return StatusCodes.BAD_REQUEST;
        }
        switch (FrameHeader.opcode(buf, frame))
        {
            case Opcodes.HELLO: return HelloRequest.validate(buf, frame);
            case Opcodes.PING: return Ping.validate(buf, frame);
            case Opcodes.INFO: return Info.validateRequest(buf, frame);
            case Opcodes.APPEND: return AppendRequest.validate(buf, frame);
            case Opcodes.READ: return OffsetPayload.validate(buf, frame);
            case Opcodes.STAT: return emptyPayload(buf, frame);
            case Opcodes.SCAN: return ScanRequest.validate(buf, frame);
            case Opcodes.GET:
            case Opcodes.DEL:
            case Opcodes.EXISTS: return KeyRequest.validate(buf, frame);
            case Opcodes.SET:
            case Opcodes.SETSAFE: return SetRequest.validate(buf, frame, maxValueLength);
            case Opcodes.REPLICATE: return ReplicateRequest.validate(buf, frame);
            case Opcodes.SYNC: return SyncRequest.validate(buf, frame);
            case Opcodes.PROBE: return ProbeRequest.validate(buf, frame);
            case Opcodes.REPAIR: return RepairRequest.validate(buf, frame);
            case Opcodes.DUMP: return DumpRequest.validate(buf, frame);
            case Opcodes.HEARTBEAT: return HeartbeatRequest.validate(buf, frame);
            case Opcodes.CLUSTER_VIEW: return ClusterView.validate(buf, frame);
            default: return StatusCodes.UNKNOWN_OPCODE;
        }
    }

    /**
     * @param buf   buffer holding a whole frame.
     * @param frame index of the frame's first byte.
     * @return true when the response's payload matches its opcode and status.
     */
    public static boolean isValidResponse(final ByteBuf buf, final int frame)
    {
        if (!FrameHeader.isResponse(buf, frame))
        {
            return false;
        }
        final short status = FrameHeader.status(buf, frame);
        if (StatusCodes.isError(status))
        {
            return ErrorPayload.isValid(buf, frame);
        }
        if (status == StatusCodes.NOT_FOUND)
        {
            return FrameHeader.payloadLength(buf, frame) == 0;
        }
        if (status != StatusCodes.OK)
        {
            return false;
        }
        switch (FrameHeader.opcode(buf, frame))
        {
            case Opcodes.HELLO: return HelloResponse.isValid(buf, frame);
            case Opcodes.PING: return Ping.validate(buf, frame) == StatusCodes.OK;
            case Opcodes.INFO: return Info.isValidResponse(buf, frame);
            case Opcodes.APPEND: return OffsetPayload.validate(buf, frame) == StatusCodes.OK;
            case Opcodes.READ: return ReadResponse.isValid(buf, frame);
            case Opcodes.STAT: return StatResponse.isValid(buf, frame);
            case Opcodes.SCAN: return ScanResponse.isValid(buf, frame);
            case Opcodes.GET: return EntryResponse.isValidGet(buf, frame);
            case Opcodes.EXISTS: return EntryResponse.isValidExists(buf, frame);
            case Opcodes.SET:
            case Opcodes.SETSAFE:
            case Opcodes.DEL: return WriteResponse.isValid(buf, frame);
            case Opcodes.REPLICATE: return ReplicateRequest.isValidAck(buf, frame);
            case Opcodes.SYNC: return SyncResponse.isValid(buf, frame);
            case Opcodes.PROBE: return ProbeResponse.isValid(buf, frame);
            case Opcodes.REPAIR: return RepairResponse.isValid(buf, frame);
            case Opcodes.DUMP: return DumpResponse.isValid(buf, frame);
            case Opcodes.HEARTBEAT: return HeartbeatResponse.isValid(buf, frame);
            case Opcodes.CLUSTER_VIEW:
                return FrameHeader.payloadLength(buf, frame) == 0 || ClusterView.isValidView(buf, frame);
            default: return false;
        }
    }

    private static short emptyPayload(final ByteBuf buf, final int frame)
    {
        return FrameHeader.payloadLength(buf, frame) == 0 ? StatusCodes.OK : StatusCodes.BAD_REQUEST;
    }
}
