package io.metrodb.protocol;

/**
 * Every opcode on the wire. One byte; ranges by role: 0x0_ common, 0x1_ logd, 0x2_ mapd, 0x3_ mond.
 * A response carries the opcode of its request with {@link FrameFlags#RESPONSE} set.
 */
public final class Opcodes
{
    public static final byte HELLO = 0x01;
    public static final byte PING = 0x02;
    /** Connection-level error sent just before the sender closes the connection. */
    public static final byte ERROR = 0x03;
    public static final byte INFO = 0x04;

    public static final byte APPEND = 0x10;
    public static final byte READ = 0x11;
    public static final byte STAT = 0x12;
    public static final byte SCAN = 0x13;

    public static final byte GET = 0x20;
    public static final byte SET = 0x21;
    public static final byte SETSAFE = 0x22;
    public static final byte DEL = 0x23;
    public static final byte EXISTS = 0x24;
    public static final byte REPLICATE = 0x28;
    public static final byte SYNC = 0x29;
    public static final byte PROBE = 0x2A;
    public static final byte REPAIR = 0x2B;
    public static final byte DUMP = 0x2C;

    public static final byte HEARTBEAT = 0x30;
    public static final byte CLUSTER_VIEW = 0x31;

    private Opcodes()
    {
    }

    /**
     * @param opcode an opcode byte.
     * @return true when this protocol version defines it.
     */
    public static boolean isKnown(final int opcode)
    {
        return name(opcode) != null;
    }

    /**
     * @param opcode an opcode byte.
     * @return its name, or null when unknown.
     */
    public static String name(final int opcode)
    {
        switch (opcode & 0xFF)
        {
            case HELLO: return "HELLO";
            case PING: return "PING";
            case ERROR: return "ERROR";
            case INFO: return "INFO";
            case APPEND: return "APPEND";
            case READ: return "READ";
            case STAT: return "STAT";
            case SCAN: return "SCAN";
            case GET: return "GET";
            case SET: return "SET";
            case SETSAFE: return "SETSAFE";
            case DEL: return "DEL";
            case EXISTS: return "EXISTS";
            case REPLICATE: return "REPLICATE";
            case SYNC: return "SYNC";
            case PROBE: return "PROBE";
            case REPAIR: return "REPAIR";
            case DUMP: return "DUMP";
            case HEARTBEAT: return "HEARTBEAT";
            case CLUSTER_VIEW: return "CLUSTER_VIEW";
            default: return null;
        }
    }
}
