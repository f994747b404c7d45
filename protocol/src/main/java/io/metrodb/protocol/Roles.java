package io.metrodb.protocol;

/**
 * The role a peer announces in HELLO.
 */
public final class Roles
{
    public static final byte CLIENT = 1;
    public static final byte LOGD = 2;
    public static final byte MAPD = 3;
    public static final byte MOND = 4;
    public static final byte GATEWAY = 5;

    private Roles()
    {
    }

    /**
     * @param role a role byte.
     * @return its lower-case name, or null when unknown.
     */
    public static String name(final int role)
    {
        switch (role)
        {
            case CLIENT: return "client";
            case LOGD: return "logd";
            case MAPD: return "mapd";
            case MOND: return "mond";
            case GATEWAY: return "gateway";
            default: return null;
        }
    }
}
