#!/usr/bin/env python3
"""Differential conformance test: the real seller-healthd against the oracle.

Acceptance runs unseen sellers built from the spec the way the worked example
is: import the files, run `status --config config.yaml --json --at AS_OF`, and
compare the `metrics` rows (any order, rate within 1e-9, every field of the
expected rows, the same set of rows). This script does the same:

  --random              several random sellers (random_seller.PROFILES, fixed
                        seeds), each compared with scripts/shd_oracle.py, an
                        independent reading of spec/metrics.md and formats.md
  --expected-dir DIR    a folder with config.yaml, the files and an
                        expected-status.json (the worked example, the demo);
                        PyYAML (python3-yaml) is required: the oracle is checked against
                        the expectation too

Each case runs in a fresh temporary folder. Besides the rows, it checks that
every import exits 0 and reports each file (`imported: FILE (N rows, ...)`
with the right N, or `already imported: FILE` for a file imported before), and
that `as_of`, `window_start` and `window_end` (when present) agree with --at.
Prints one line per case, the differences of a failing one, and a closing
`N passed, M failed`; exits 1 if any case failed.

  tests/conformance/run.py --binary build/daemon/seller-healthd --random
  tests/conformance/run.py --binary ... --random --case eu-overrides --keep /tmp/eu
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(HERE.parents[1] / "scripts"))
sys.path.insert(0, str(HERE))

import random_seller  # noqa: E402
from shd_oracle import (DAY, differences, evaluate_with_config, parse_instant,  # noqa: E402
                        row_key)

MAX_LINES = 60  # differences printed per case; the rest are counted


class CaseFailed(Exception):
    pass


def run(binary: Path, args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(binary)] + args, cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def import_batches(binary: Path, folder: Path, batches: list[list[str]],
                   data_rows: dict[str, int] | None, duplicates: set[str]) -> list[str]:
    """Runs one `import` per batch; returns the problems found."""
    problems = []
    for batch in batches:
        p = run(binary, ["import", "--config", "config.yaml"] + batch, folder)
        if p.returncode != 0:
            raise CaseFailed(f"import {' '.join(batch)}: exit {p.returncode}\n"
                             f"stdout: {p.stdout.strip()}\nstderr: {p.stderr.strip()}")
        lines = p.stdout.splitlines()
        for name in batch:
            if name in duplicates:
                want = f"already imported: {name}"
                if want not in lines:
                    problems.append(f"IMPORT {name}: expected the line {want!r}, "
                                    f"stdout was {p.stdout.strip()!r}")
                continue
            prefix = f"imported: {name} ("
            line = next((x for x in lines if x.startswith(prefix)), None)
            if line is None:
                problems.append(f"IMPORT {name}: no line starting {prefix!r}; stdout was "
                                f"{p.stdout.strip()!r}")
            elif data_rows is not None:
                want = f"{prefix}{data_rows[name]} rows"
                if not line.startswith(want):
                    problems.append(f"IMPORT {name}: expected {want!r}..., got {line!r}")
    return problems


def status(binary: Path, folder: Path, at_text: str) -> dict:
    p = run(binary, ["status", "--config", "config.yaml", "--json", "--at", at_text], folder)
    if p.returncode != 0:
        raise CaseFailed(f"status --at {at_text}: exit {p.returncode}\n"
                         f"stderr: {p.stderr.strip()}")
    try:
        return json.loads(p.stdout)
    except json.JSONDecodeError as e:
        raise CaseFailed(f"status --json printed no JSON ({e}): {p.stdout[:500]!r}")


def window_problems(document: dict, as_of: dt.datetime) -> list[str]:
    """as_of, window_start and window_end against --at (cli.md)."""
    problems = []
    if "as_of" not in document or parse_instant(document["as_of"]) != as_of:
        problems.append(f"AS_OF expected {as_of.isoformat()}, got {document.get('as_of')!r}")
    for row in document.get("metrics", []):
        if "window_end" not in row and "window_start" not in row:
            continue
        end = as_of - row["lag_days"] * DAY
        start = end - row["window_days"] * DAY
        for name, want in (("window_start", start), ("window_end", end)):
            got = row.get(name)
            try:
                same = got is not None and parse_instant(got) == want
            except ValueError:
                same = False
            if not same:
                problems.append(f"DIFF {row_key(row)} {name}: --at gives "
                                f"{want.strftime('%Y-%m-%dT%H:%M:%SZ')}, binary {got!r}")
    return problems


def explain(expected: list[dict], got: list[dict], problems: list[str],
            labels: tuple[str, str]) -> list[str]:
    """The differences, then both rows of each differing key, for context."""
    lines = problems[:MAX_LINES]
    if len(problems) > MAX_LINES:
        lines.append(f"... and {len(problems) - MAX_LINES} more differences")
    want = {row_key(r): r for r in expected}
    have = {row_key(r): r for r in got}
    keys = []
    for p in problems:
        for k in want.keys() | have.keys():
            if p.startswith("DIFF ") and p[5:].startswith(str(k)) and k not in keys:
                keys.append(k)
    for k in sorted(keys)[:12]:
        lines.append(f"  {labels[0]:>8} {json.dumps(want.get(k), sort_keys=True)}")
        lines.append(f"  {labels[1]:>8} {json.dumps(have.get(k), sort_keys=True)}")
    return lines


def random_case(binary: Path, profile, folder: Path) -> tuple[list[str], str]:
    case = random_seller.build_case(profile)
    for name, data in case.files.items():
        (folder / name).write_bytes(data)
    # JSON is YAML: the config needs no YAML writer.
    (folder / "config.yaml").write_text(
        "# conformance case " + case.name + "\n" + json.dumps(case.config, indent=2) + "\n")
    problems = import_batches(binary, folder, case.batches, case.data_rows, case.duplicates)
    document = status(binary, folder, case.at_text)
    expected = evaluate_with_config(folder, case.batches, case.as_of, case.config)
    got = document.get("metrics", [])
    problems += differences(expected, got, ("oracle", "binary"))
    problems += window_problems(document, case.as_of)
    summary = f"{case.summary}, {len(expected)} rows"
    return (explain(expected, got, problems, ("oracle", "binary")) if problems else []), summary


def expected_dir_case(binary: Path, source: Path, folder: Path) -> tuple[list[str], str]:
    # A database or inbox left in the source folder by a manual run would
    # make the imports "already imported".
    shutil.copytree(source, folder, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("*.sqlite", "*.sqlite-*", "inbox"))
    expected = json.loads((source / "expected-status.json").read_text())
    as_of = parse_instant(expected["as_of"])
    problems = import_batches(binary, folder, expected["import_order"], None, set())
    document = status(binary, folder, expected["as_of"])
    got = document.get("metrics", [])
    problems += differences(expected["metrics"], got, ("expected", "binary"))
    problems += window_problems(document, as_of)
    lines = explain(expected["metrics"], got, problems, ("expected", "binary")) if problems else []
    # Without PyYAML the oracle could not be checked, and a check that cannot
    # run must not pass: say so and fail.
    try:
        import yaml
    except ImportError:
        lines += ["PyYAML is missing, so the oracle (scripts/shd_oracle.py) cannot read "
                  "config.yaml: install python3-yaml (scripts/install-deps.sh)"]
        return lines, f"{len(expected['metrics'])} expected rows; ORACLE NOT CHECKED (no PyYAML)"
    config = yaml.safe_load((source / "config.yaml").read_text()) or {}
    oracle_rows = evaluate_with_config(source, expected["import_order"], as_of, config)
    oracle_problems = differences(expected["metrics"], oracle_rows, ("expected", "oracle"))
    if oracle_problems:
        lines += ["the oracle (scripts/shd_oracle.py) disagrees with the expectation:"]
        lines += oracle_problems[:MAX_LINES]
    note = "; oracle agrees" if not oracle_problems else "; ORACLE DISAGREES"
    return lines, f"{len(expected['metrics'])} expected rows{note}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", type=Path, required=True, help="the seller-healthd binary")
    parser.add_argument("--random", action="store_true", help="run the random sellers")
    parser.add_argument("--case", action="append", default=[],
                        help="only this random seller (repeatable)")
    parser.add_argument("--expected-dir", type=Path, action="append", default=[],
                        help="a folder with config.yaml and expected-status.json")
    parser.add_argument("--keep", type=Path,
                        help="write the cases' folders here (kept) instead of a temp folder")
    args = parser.parse_args()

    args.binary = args.binary.resolve()  # the commands run in the case's folder
    if not args.binary.is_file():
        print(f"conformance: no binary at {args.binary}", file=sys.stderr)
        return 2
    jobs = []
    if args.random:
        profiles = random_seller.PROFILES
        if args.case:
            profiles = [p for p in profiles if p.name in args.case]
            unknown = set(args.case) - {p.name for p in profiles}
            if unknown:
                print(f"conformance: unknown case {sorted(unknown)}; cases: "
                      f"{[p.name for p in random_seller.PROFILES]}", file=sys.stderr)
                return 2
        jobs += [(p.name, f"--random --case {p.name}",
                  lambda folder, p=p: random_case(args.binary, p, folder)) for p in profiles]
    for source in args.expected_dir:
        jobs.append((source.name, f"--expected-dir {source}", lambda folder, s=source:
                     expected_dir_case(args.binary, s.resolve(), folder)))
    if not jobs:
        parser.error("nothing to run: give --random and/or --expected-dir")

    passed = failed = 0
    root = args.keep or Path(tempfile.mkdtemp(prefix="shd-conformance-"))
    try:
        for name, selection, job in jobs:
            folder = root / name
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir(parents=True)
            started = time.monotonic()
            try:
                lines, summary = job(folder)
            except CaseFailed as e:
                lines, summary = str(e).splitlines(), "did not run to the end"
            except subprocess.TimeoutExpired as e:
                lines, summary = [f"timed out: {e.cmd}"], "did not run to the end"
            seconds = time.monotonic() - started
            verdict = "FAIL" if lines else "PASS"
            print(f"{verdict} {name} ({seconds:.1f} s): {summary}", flush=True)
            for line in lines:
                print(f"    {line}")
            if lines:
                failed += 1
                print(f"    reproduce: {__file__} --binary {args.binary} {selection} "
                      f"--keep /tmp/shd-conformance")
            else:
                passed += 1
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
