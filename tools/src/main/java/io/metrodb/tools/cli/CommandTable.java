package io.metrodb.tools.cli;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The commands metrodb-cli knows: name, argument hint, arity and a one-line summary, for dispatch, HELP,
 * completion and the prompt's argument hints.
 */
final class CommandTable
{
    /** Any number of arguments past the minimum. */
    static final int VARIADIC = -1;

    /**
     * One command.
     *
     * @param name    upper-case name.
     * @param args    argument hint as HELP shows it, e.g. {@code key value}.
     * @param minArgs fewest arguments.
     * @param maxArgs most arguments, or {@link #VARIADIC}.
     * @param pairs   true when the arguments come in pairs (MSET).
     * @param summary what it does.
     */
    record Spec(String name, String args, int minArgs, int maxArgs, boolean pairs, String summary)
    {
        /**
         * @return true when {@code count} arguments fit the arity.
         */
        boolean accepts(final int count)
        {
            return count >= minArgs && (maxArgs == VARIADIC || count <= maxArgs) && (!pairs || count % 2 == 0);
        }

        /**
         * @return the argument names of the hint, one per word ({@code [key ...]} stays one).
         */
        List<String> argNames()
        {
            final List<String> names = new ArrayList<>();
            final StringBuilder name = new StringBuilder();
            int depth = 0;
            for (final char c : args.toCharArray())
            {
                if (c == ' ' && depth == 0)
                {
                    names.add(name.toString());
                    name.setLength(0);
                    continue;
                }
                depth += c == '[' ? 1 : c == ']' ? -1 : 0;
                name.append(c);
            }
            if (name.length() > 0)
            {
                names.add(name.toString());
            }
            return names;
        }
    }

    private static final Map<String, Spec> SPECS = new LinkedHashMap<>();

    static
    {
        add("GET", "key", 1, 1, "Get the value of a key; (nil) when it does not exist");
        add("SET", "key value", 2, 2, "Set a key's value; answered once RF logds hold it");
        add("SETSAFE", "key value", 2, 2, "Set a key's value durably: forced to disk and acknowledged by the peers");
        add("DEL", "key [key ...]", 1, VARIADIC, "Delete keys; answers how many existed");
        add("EXISTS", "key [key ...]", 1, VARIADIC, "Count how many of the keys exist");
        add("MGET", "key [key ...]", 1, VARIADIC, "Get the values of several keys");
        SPECS.put("MSET", new Spec("MSET", "key value [key value ...]", 2, VARIADIC, true, "Set several keys"));
        add("SETFROMFILE", "key path", 2, 2, "Set a key's value to a file's bytes (up to the mapd's value limit)");
        add("GETTOFILE", "key path", 2, 2, "Write a key's value into a file; answers the bytes written");
        add("PING", "", 0, 0, "Check the mapd answers: PONG");
        add("INFO", "[prefix]", 0, 1, "The mapd's INFO lines (only those starting with prefix when given)");
        add("CLUSTER", "", 0, 0, "Mond's view of the cluster as a table (from the mapd, or mond with --mond)");
        add("HELP", "[command]", 0, 1, "List the commands, or describe one");
        add("QUIT", "", 0, 0, "Leave the prompt");
        add("EXIT", "", 0, 0, "Leave the prompt");
    }

    private CommandTable()
    {
    }

    private static void add(final String name, final String args, final int min, final int max, final String summary)
    {
        SPECS.put(name, new Spec(name, args, min, max, false, summary));
    }

    /**
     * @param name a command name in any case.
     * @return its spec, or null when there is no such command.
     */
    static Spec find(final String name)
    {
        return SPECS.get(name.toUpperCase(Locale.ROOT));
    }

    /**
     * @return every command, in HELP's order.
     */
    static List<Spec> all()
    {
        return Collections.unmodifiableList(new ArrayList<>(SPECS.values()));
    }

    /**
     * @return the usage line of a command, e.g. {@code SET key value}.
     */
    static String usage(final Spec spec)
    {
        return spec.args().isEmpty() ? spec.name() : spec.name() + " " + spec.args();
    }

    /**
     * @return HELP's text: every command, or the one asked for.
     */
    static String help(final String command)
    {
        final StringBuilder out = new StringBuilder();
        if (command != null)
        {
            final Spec spec = find(command);
            if (spec == null)
            {
                return null;
            }
            return out.append(usage(spec)).append("\n  ").append(spec.summary()).toString();
        }
        int width = 0;
        for (final Spec spec : SPECS.values())
        {
            width = Math.max(width, usage(spec).length());
        }
        for (final Spec spec : SPECS.values())
        {
            final String usage = usage(spec);
            out.append(usage).append(" ".repeat(width - usage.length() + 2)).append(spec.summary()).append('\n');
        }
        return out.append("Quote words with \"double quotes\" (escapes \\n \\t \\\" \\\\ \\xNN) or 'single quotes'.")
            .toString();
    }
}
