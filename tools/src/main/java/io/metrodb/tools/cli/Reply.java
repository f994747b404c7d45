package io.metrodb.tools.cli;

import java.util.List;

/**
 * What one CLI command answered, in redis-cli's reply types; {@link ReplyFormatter} prints it.
 */
final class Reply
{
    /** The reply types, as redis-cli knows them, plus verbatim text (INFO, CLUSTER, HELP). */
    enum Kind
    {
        STATUS, NIL, BULK, INTEGER, ERROR, USAGE_ERROR, ARRAY, TEXT
    }

    static final Reply OK = status("OK");
    static final Reply NIL = new Reply(Kind.NIL, null, null, 0, null);

    private final Kind kind;
    private final String text;
    private final byte[] bytes;
    private final long integer;
    private final List<Reply> elements;

    private Reply(final Kind kind, final String text, final byte[] bytes, final long integer, final List<Reply> elements)
    {
        this.kind = kind;
        this.text = text;
        this.bytes = bytes;
        this.integer = integer;
        this.elements = elements;
    }

    static Reply status(final String text)
    {
        return new Reply(Kind.STATUS, text, null, 0, null);
    }

    /**
     * @param value a value, or null for {@link #NIL}.
     */
    static Reply bulk(final byte[] value)
    {
        return value == null ? NIL : new Reply(Kind.BULK, null, value, 0, null);
    }

    static Reply integer(final long value)
    {
        return new Reply(Kind.INTEGER, null, null, value, null);
    }

    /**
     * @param message the error, starting with its code word as Redis errors do ({@code ERR ...}).
     */
    static Reply error(final String message)
    {
        return new Reply(Kind.ERROR, message, null, 0, null);
    }

    /**
     * A command the CLI refused before sending anything (unknown, wrong arity): exit code 2 in one-shot mode.
     */
    static Reply usageError(final String message)
    {
        return new Reply(Kind.USAGE_ERROR, message, null, 0, null);
    }

    static Reply array(final List<Reply> elements)
    {
        return new Reply(Kind.ARRAY, null, null, 0, List.copyOf(elements));
    }

    static Reply text(final String text)
    {
        return new Reply(Kind.TEXT, text, null, 0, null);
    }

    Kind kind()
    {
        return kind;
    }

    String text()
    {
        return text;
    }

    byte[] bytes()
    {
        return bytes;
    }

    long integer()
    {
        return integer;
    }

    List<Reply> elements()
    {
        return elements;
    }

    boolean isError()
    {
        return kind == Kind.ERROR || kind == Kind.USAGE_ERROR;
    }
}
