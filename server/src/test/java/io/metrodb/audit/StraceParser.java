package io.metrodb.audit;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the log of {@code strace -f -tt -xx -o FILE}: one {@link Syscall} per call, in the order of their return,
 * with {@code <unfinished ...>} / {@code <... resumed>} pairs joined by thread id. Signals and exits are skipped.
 * With {@code -xx} every string is hex escapes, so no argument text can contain {@code ") = "} or a quote.
 */
final class StraceParser
{
    /** {@code PID [HH:MM:SS.uuuuuu ]rest}; the pid is there with -f. */
    private static final Pattern LINE =
        Pattern.compile("^(?:\\[pid\\s+)?(\\d+)\\]?\\s+(?:\\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)?\\s+)?(.*)$");
    private static final Pattern RESUMED = Pattern.compile("^<\\.\\.\\. (\\w+) resumed>(.*)$");
    private static final Pattern CALL = Pattern.compile("^(\\w+)\\((.*)$");
    private static final String UNFINISHED = " <unfinished ...>";

    private StraceParser()
    {
    }

    static List<Syscall> parse(final Path file) throws IOException
    {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1))
        {
            final Parser parser = new Parser();
            String line;
            while ((line = reader.readLine()) != null)
            {
                parser.accept(line);
            }
            return parser.calls;
        }
    }

    static List<Syscall> parse(final List<String> lines)
    {
        final Parser parser = new Parser();
        for (final String line : lines)
        {
            parser.accept(line);
        }
        return parser.calls;
    }

    private static final class Parser
    {
        private final List<Syscall> calls = new ArrayList<>();
        private final Map<Integer, Pending> pending = new HashMap<>();
        private int lineNumber = -1;

        void accept(final String line)
        {
            lineNumber++;
            final Matcher matcher = LINE.matcher(line);
            if (!matcher.matches())
            {
                return;
            }
            final int pid = Integer.parseInt(matcher.group(1));
            final String rest = matcher.group(2);
            if (rest.startsWith("+++") || rest.startsWith("---"))
            {
                return;
            }
            final Matcher resumed = RESUMED.matcher(rest);
            if (resumed.matches())
            {
                final Pending start = pending.remove(pid);
                if (start != null && start.name.equals(resumed.group(1)))
                {
                    complete(pid, start.name, start.argsPrefix + resumed.group(2), start.line);
                }
                return;
            }
            final Matcher call = CALL.matcher(rest);
            if (!call.matches())
            {
                return;
            }
            final String name = call.group(1);
            final String tail = call.group(2);
            if (tail.endsWith(UNFINISHED))
            {
                pending.put(pid, new Pending(name, tail.substring(0, tail.length() - UNFINISHED.length()), lineNumber));
                return;
            }
            complete(pid, name, tail, lineNumber);
        }

        private void complete(final int pid, final String name, final String argsAndResult, final int startLine)
        {
            final int equals = argsAndResult.lastIndexOf(" = ");
            int close = equals;
            while (close > 0 && argsAndResult.charAt(close) == ' ')
            {
                close--;
            }
            if (equals < 0 || argsAndResult.charAt(close) != ')')
            {
                return;
            }
            calls.add(new Syscall(pid, name, argsAndResult.substring(0, close), argsAndResult.substring(equals + 3),
                startLine, lineNumber));
        }
    }

    private record Pending(String name, String argsPrefix, int line)
    {
    }
}
