#!/usr/bin/env python3
"""Checks a Prometheus text exposition (format 0.0.4) strictly.

Usage: check_exposition.py [--samples] FILE

Two readings must agree: prometheus_client's parser (the reference Python
implementation; Debian package python3-prometheus-client) and a strict reading
of the format here, because the client's parser is lax by its own account
("successful parsing does not imply that the parsed text meets the
specification"). On top of the format, seller-healthd's own rules: every
family has one # HELP and one # TYPE before its samples, its samples are
together, no series repeats, counters end in _total, and no value is NaN.

Exit 0 with one line per family ("name type samples") on stdout, or with
--samples one line per sample as prometheus_client read it ("name
label=HEX,... value", label values as hex of their UTF-8, so a test can
compare them byte for byte); exit 1 with the problems on stderr; exit 3 when
prometheus_client is missing.
"""
import math
import re
import sys

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:
    print("check_exposition: prometheus_client is missing; run scripts/install-deps.sh "
          "(package python3-prometheus-client)", file=sys.stderr)
    sys.exit(3)

METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
LABEL_VALUE = re.compile(r'"((?:[^"\\\n]|\\[\\"n])*)"')
VALUE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]Inf|NaN")
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}
UNESCAPE = re.compile(r'\\([\\"n])')


def unescape(text):
    return UNESCAPE.sub(lambda m: "\n" if m.group(1) == "n" else m.group(1), text)


def parse_labels(text, problems, where):
    """The inside of {...}: name="value" pairs separated by commas."""
    labels = {}
    pos = 0
    while pos < len(text):
        name = LABEL_NAME.match(text, pos)
        if not name:
            problems.append(f"{where}: bad label name at {text[pos:]!r}")
            return None
        pos = name.end()
        if not text.startswith("=", pos):
            problems.append(f"{where}: '=' expected after label {name.group(0)}")
            return None
        value = LABEL_VALUE.match(text, pos + 1)
        if not value:
            problems.append(f"{where}: bad value for label {name.group(0)}")
            return None
        label = name.group(0)
        if label.startswith("__"):
            problems.append(f"{where}: reserved label name {label}")
        if label in labels:
            problems.append(f"{where}: label {label} twice")
        labels[label] = unescape(value.group(1))
        pos = value.end()
        if pos < len(text):
            if text[pos] != ",":
                problems.append(f"{where}: ',' expected after label {label}")
                return None
            pos += 1
            if pos == len(text):
                problems.append(f"{where}: trailing comma in labels")
    return labels


def split_sample(line):
    """name, labels text (or None), value text; None when malformed."""
    name = METRIC_NAME.match(line)
    if not name:
        return None
    pos = name.end()
    labels = None
    if pos < len(line) and line[pos] == "{":
        # The closing brace is the first '}' outside a quoted value.
        i = pos + 1
        quoted = False
        while i < len(line):
            c = line[i]
            if quoted and c == "\\":
                i += 2
                continue
            if c == '"':
                quoted = not quoted
            elif c == "}" and not quoted:
                break
            i += 1
        if i >= len(line):
            return None
        labels = line[pos + 1:i]
        pos = i + 1
    rest = line[pos:]
    if not rest.startswith(" "):
        return None
    fields = rest.split(" ")[1:]
    if len(fields) not in (1, 2) or not fields[0]:
        return None
    return name.group(0), labels, fields


def check(text):
    problems = []
    families = {}  # name -> {"type", "help", "samples", "closed"}
    order = []
    current = None
    series = set()
    strict_samples = []

    if text and not text.endswith("\n"):
        problems.append("the last line does not end with a line feed")
    if "\r" in text:
        problems.append("carriage return in the exposition")

    def family(name):
        if name not in families:
            families[name] = {"type": None, "help": None, "samples": 0, "closed": False}
            order.append(name)
        return families[name]

    for number, line in enumerate(text.split("\n")[:-1] if text else [], start=1):
        where = f"line {number}"
        if line == "":
            continue
        if line.startswith("#"):
            parts = line.split(" ", 3)
            if len(parts) >= 3 and parts[0] == "#" and parts[1] in ("HELP", "TYPE"):
                name = parts[2]
                if not METRIC_NAME.fullmatch(name):
                    problems.append(f"{where}: bad metric name {name!r}")
                    continue
                f = family(name)
                if f["samples"] or f["closed"]:
                    problems.append(f"{where}: # {parts[1]} {name} after its samples")
                if current is not None and current != name:
                    families[current]["closed"] = True
                current = name
                if parts[1] == "HELP":
                    if f["help"] is not None:
                        problems.append(f"{where}: second # HELP for {name}")
                    f["help"] = parts[3] if len(parts) == 4 else ""
                    if re.search(r"\\[^\\n]", f["help"]) or f["help"].endswith("\\"):
                        problems.append(f"{where}: bad escape in # HELP {name}")
                else:
                    if f["type"] is not None:
                        problems.append(f"{where}: second # TYPE for {name}")
                    if len(parts) != 4 or parts[3] not in TYPES:
                        problems.append(f"{where}: bad # TYPE line")
                        continue
                    f["type"] = parts[3]
            continue
        split = split_sample(line)
        if split is None:
            problems.append(f"{where}: malformed sample {line!r}")
            continue
        name, labels_text, fields = split
        labels = parse_labels(labels_text, problems, where) if labels_text else {}
        if labels is None:
            continue
        if not VALUE.fullmatch(fields[0]):
            problems.append(f"{where}: bad value {fields[0]!r}")
            continue
        if fields[0] == "NaN":
            problems.append(f"{where}: NaN value for {name}")
        if len(fields) == 2 and not re.fullmatch(r"-?[0-9]+", fields[1]):
            problems.append(f"{where}: bad timestamp {fields[1]!r}")
        value = float(fields[0].replace("Inf", "inf"))
        base = name
        for suffix in ("_bucket", "_sum", "_count"):
            stem = name[: -len(suffix)]
            if name.endswith(suffix) and families.get(stem, {}).get("type") in ("histogram", "summary"):
                base = stem
        f = family(base)
        if f["closed"]:
            problems.append(f"{where}: samples of {base} are not together")
        if current is not None and current != base:
            families[current]["closed"] = True
        current = base
        if f["type"] is None:
            problems.append(f"{where}: sample of {base} without # TYPE")
        if f["help"] is None:
            problems.append(f"{where}: sample of {base} without # HELP")
        if f["type"] == "counter" and value < 0:
            problems.append(f"{where}: negative counter {name}")
        f["samples"] += 1
        key = (name, tuple(sorted(labels.items())))
        if key in series:
            problems.append(f"{where}: series {name}{labels} twice")
        series.add(key)
        strict_samples.append((name, tuple(sorted(labels.items())), value))

    for name in order:
        f = families[name]
        if f["type"] == "counter" and not name.endswith("_total"):
            problems.append(f"counter {name} does not end in _total")

    # The reference parser must read the same samples with the same types.
    try:
        parsed = list(text_string_to_metric_families(text))
    except Exception as e:  # its errors are ValueError, IndexError, ...
        problems.append(f"prometheus_client cannot parse it: {type(e).__name__}: {e}")
        parsed = []
    else:
        client_samples = []
        for fam in parsed:
            declared = fam.name + "_total" if fam.type == "counter" else fam.name
            if declared in families and families[declared]["type"] not in (None, fam.type):
                problems.append(f"prometheus_client reads {declared} as {fam.type}")
            if fam.type == "untyped" and families.get(fam.name, {}).get("type") != "untyped":
                problems.append(f"prometheus_client reads {fam.name} as untyped")
            for s in fam.samples:
                client_samples.append((s.name, tuple(sorted(s.labels.items())), s.value))

        def same(a, b):
            return a[0] == b[0] and a[1] == b[1] and (
                a[2] == b[2] or (math.isnan(a[2]) and math.isnan(b[2])))

        if len(client_samples) != len(strict_samples) or not all(
                same(a, b) for a, b in zip(sorted(client_samples, key=repr),
                                           sorted(strict_samples, key=repr))):
            problems.append("prometheus_client and the strict reading disagree on the samples")
    summary = [(n, families[n]["type"], families[n]["samples"]) for n in order]
    return problems, summary, parsed


def main():
    args = sys.argv[1:]
    dump_samples = args[:1] == ["--samples"]
    if dump_samples:
        args = args[1:]
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    with open(args[0], "rb") as f:
        data = f.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        print(f"check_exposition: not UTF-8: {e}", file=sys.stderr)
        return 1
    problems, families, parsed = check(text)
    if problems:
        for p in problems:
            print(f"check_exposition: {p}", file=sys.stderr)
        return 1
    if dump_samples:
        for fam in parsed:
            for s in fam.samples:
                labels = ",".join(f"{k}={v.encode('utf-8').hex()}" for k, v in s.labels.items())
                print(f"{s.name} {labels} {s.value!r}")
        return 0
    for name, typ, samples in families:
        print(f"{name} {typ} {samples}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
