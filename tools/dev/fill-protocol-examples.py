#!/usr/bin/env python3
"""Fills the ```hex blocks after each <!-- example: NAME --> marker in PROTOCOL.md from the
output of GoldenVectors.main (stdin). GoldenVectorTest then keeps spec and code in step."""
import re, sys

spec_path = sys.argv[1]
generated = dict(re.findall(r"<!-- example: ([a-z0-9-]+) -->\n```hex\n(.*?)```", sys.stdin.read(), re.S))
spec = open(spec_path).read()
missing = []

def fill(match):
    name = match.group(1)
    if name not in generated:
        missing.append(name)
        return match.group(0)
    return "<!-- example: %s -->\n```hex\n%s```" % (name, generated[name])

spec = re.sub(r"<!-- example: ([a-z0-9-]+) -->\n```hex\n.*?```", fill, spec, flags=re.S)
open(spec_path, "w").write(spec)
unused = sorted(set(generated) - set(re.findall(r"<!-- example: ([a-z0-9-]+) -->", spec)))
print("missing encoders:", missing or "none", "| examples not in spec:", unused or "none")
