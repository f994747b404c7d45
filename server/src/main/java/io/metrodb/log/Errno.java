package io.metrodb.log;

/**
 * The Linux error numbers logd reports by name; others are reported by number.
 */
final class Errno
{
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EIO = 5;
    static final int EBADF = 9;
    static final int ENOMEM = 12;
    static final int EACCES = 13;
    static final int EEXIST = 17;
    static final int EISDIR = 21;
    static final int EINVAL = 22;
    static final int EFBIG = 27;
    static final int ENOSPC = 28;
    static final int EROFS = 30;
    static final int ENOSYS = 38;
    static final int EOPNOTSUPP = 95;
    static final int EDQUOT = 122;

    private Errno()
    {
    }

    /**
     * @return true when {@code ex} (an {@link java.io.IOException} from the JDK, or {@link NativeFallocate}'s) says
     * the device or the quota is full: ENOSPC or EDQUOT, which the JDK reports by their strerror text only.
     */
    static boolean isNoSpace(final Throwable ex)
    {
        final String message = ex.getMessage();
        return null != message && (message.contains("No space left") || message.contains("Disk quota exceeded"));
    }

    /**
     * @return e.g. "ENOSPC (28)", or "errno 61" for a number without a name here.
     */
    static String describe(final int errno)
    {
        final String name = name(errno);
        return null == name ? "errno " + errno : name + " (" + errno + ")";
    }

    private static String name(final int errno)
    {
        switch (errno)
        {
            case EPERM: return "EPERM";
            case ENOENT: return "ENOENT";
            case EIO: return "EIO";
            case EBADF: return "EBADF";
            case ENOMEM: return "ENOMEM";
            case EACCES: return "EACCES";
            case EEXIST: return "EEXIST";
            case EISDIR: return "EISDIR";
            case EINVAL: return "EINVAL";
            case EFBIG: return "EFBIG";
            case ENOSPC: return "ENOSPC";
            case EROFS: return "EROFS";
            case ENOSYS: return "ENOSYS";
            case EOPNOTSUPP: return "EOPNOTSUPP";
            case EDQUOT: return "EDQUOT";
            default: return null;
        }
    }
}
