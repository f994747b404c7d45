package io.metrodb.protocol;

/**
 * Status codes carried in a response header. 0x00__ success, 0x01__ protocol, 0x02__ auth, 0x03__ logd,
 * 0x04__ mapd, 0x0F__ server. Every status at or above {@link #FIRST_ERROR} is an error and its response
 * payload is an {@link ErrorPayload}.
 */
public final class StatusCodes
{
    public static final short OK = 0x0000;
    public static final short NOT_FOUND = 0x0001;

    public static final short FIRST_ERROR = 0x0100;

    public static final short BAD_FRAME = 0x0101;
    public static final short FRAME_TOO_LARGE = 0x0102;
    public static final short BAD_PREFACE = 0x0103;
    public static final short UNKNOWN_OPCODE = 0x0104;
    public static final short BAD_REQUEST = 0x0105;
    public static final short UNSUPPORTED_VERSION = 0x0106;
    public static final short INVALID_KEY = 0x0107;
    public static final short VALUE_TOO_LARGE = 0x0108;
    public static final short WRONG_ROLE = 0x0109;

    public static final short AUTH_REQUIRED = 0x0201;
    public static final short AUTH_FAILED = 0x0202;

    public static final short OFFSET_OUT_OF_RANGE = 0x0301;
    public static final short NOT_A_RECORD = 0x0302;
    public static final short CORRUPT_RECORD = 0x0303;
    public static final short ENTRY_TOO_LARGE = 0x0304;
    public static final short STORAGE_FULL = 0x0305;
    public static final short STORAGE_ERROR = 0x0306;

    public static final short NOT_ENOUGH_REPLICAS = 0x0401;
    public static final short REPLICAS_UNREADABLE = 0x0402;
    public static final short CATCHING_UP = 0x0403;
    public static final short STALE_VERSION = 0x0404;
    /**
     * Never a response status: the reason of a PROBE bad replica whose record the logd returned intact but which
     * is not the grid's (another key, version, length or checksum, or not a value record).
     */
    public static final short REPLICA_MISMATCH = 0x0405;

    public static final short INTERNAL_ERROR = 0x0F01;
    public static final short SHUTTING_DOWN = 0x0F02;
    public static final short OVERLOADED = 0x0F03;
    public static final short TIMEOUT = 0x0F04;
    /** Raised locally by a requester: no connection to the node, or it was lost with the request in flight. */
    public static final short UNAVAILABLE = 0x0F05;

    private StatusCodes()
    {
    }

    /**
     * @param status a status code.
     * @return true when the response payload is an {@link ErrorPayload}.
     */
    public static boolean isError(final int status)
    {
        return (status & 0xFFFF) >= FIRST_ERROR;
    }

    /**
     * @param status a status code.
     * @return its name, or {@code "UNKNOWN_0x...."} for a code this version does not define.
     */
    public static String name(final int status)
    {
        switch (status & 0xFFFF)
        {
            case OK: return "OK";
            case NOT_FOUND: return "NOT_FOUND";
            case BAD_FRAME: return "BAD_FRAME";
            case FRAME_TOO_LARGE: return "FRAME_TOO_LARGE";
            case BAD_PREFACE: return "BAD_PREFACE";
            case UNKNOWN_OPCODE: return "UNKNOWN_OPCODE";
            case BAD_REQUEST: return "BAD_REQUEST";
            case UNSUPPORTED_VERSION: return "UNSUPPORTED_VERSION";
            case INVALID_KEY: return "INVALID_KEY";
            case VALUE_TOO_LARGE: return "VALUE_TOO_LARGE";
            case WRONG_ROLE: return "WRONG_ROLE";
            case AUTH_REQUIRED: return "AUTH_REQUIRED";
            case AUTH_FAILED: return "AUTH_FAILED";
            case OFFSET_OUT_OF_RANGE: return "OFFSET_OUT_OF_RANGE";
            case NOT_A_RECORD: return "NOT_A_RECORD";
            case CORRUPT_RECORD: return "CORRUPT_RECORD";
            case ENTRY_TOO_LARGE: return "ENTRY_TOO_LARGE";
            case STORAGE_FULL: return "STORAGE_FULL";
            case STORAGE_ERROR: return "STORAGE_ERROR";
            case NOT_ENOUGH_REPLICAS: return "NOT_ENOUGH_REPLICAS";
            case REPLICAS_UNREADABLE: return "REPLICAS_UNREADABLE";
            case CATCHING_UP: return "CATCHING_UP";
            case STALE_VERSION: return "STALE_VERSION";
            case REPLICA_MISMATCH: return "REPLICA_MISMATCH";
            case INTERNAL_ERROR: return "INTERNAL_ERROR";
            case SHUTTING_DOWN: return "SHUTTING_DOWN";
            case OVERLOADED: return "OVERLOADED";
            case TIMEOUT: return "TIMEOUT";
            case UNAVAILABLE: return "UNAVAILABLE";
            default: return String.format("UNKNOWN_0x%04X", status & 0xFFFF);
        }
    }
}
