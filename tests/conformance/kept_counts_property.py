#!/usr/bin/env python3
"""Property test of the kept metric counts (migrations/0004_counts.sql).

For each random seller of random_seller.PROFILES, imports its files one at a
time through the real binary in a random order (orders after their shipments,
defects and messages; an older All Orders report after a newer one), with
re-imports of files already imported and files damaged so that the importer
rejects them, into one real SQLite file. After every import it runs
`seller-healthd check-db --json` with several evaluation times: the kept counts
must equal a recount from the records, bucket by bucket, and the metrics
evaluated from the counts must equal the metrics counted from the records alone,
as of each time (whole hours, midnights, the case's own T, T minus an odd
offset). Between imports it marks random messages as needing no response
(and takes some marks back) through `messages no-response-needed`. Exit 0
when every step is clean.

Usage: kept_counts_property.py --binary BUILD/daemon/seller-healthd
       [--seed N] [--case NAME] [--keep DIR]
"""
from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import random_seller  # noqa: E402


def run(binary: Path, args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(binary)] + args, cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def damaged(name: str, data: bytes, r: random.Random) -> tuple[str, bytes]:
    """A copy the importer must reject: a data line cut short mid-record."""
    try:
        text = gzip.decompress(data)
    except OSError:  # also a ".gz" name on plain bytes, which the importer sniffs
        text = data
    lines = text.split(b"\n")
    body = [i for i, line in enumerate(lines[1:], start=1) if line.strip()]
    if not body:
        return "", b""
    i = r.choice(body)
    # Keep the first field only: a row with a missing column.
    sep = b"\t" if b"\t" in lines[0] else b","
    lines[i] = lines[i].split(sep)[0] + sep
    out = b"\n".join(lines)
    stem = name[:-3] if name.endswith(".gz") else name
    return "damaged-" + stem, out


def times_for(case, r: random.Random) -> list[str]:
    t = case.as_of
    midnight = t.replace(hour=0, minute=0, second=0, microsecond=0)
    picks = [t, midnight, t - dt.timedelta(hours=37, minutes=13, seconds=7),
             midnight - dt.timedelta(days=r.randint(1, 20)) + dt.timedelta(hours=r.randint(0, 23)),
             t - dt.timedelta(seconds=r.randint(0, 40 * 86400))]
    return [p.strftime("%Y-%m-%dT%H:%M:%SZ") for p in picks]


def check(binary: Path, folder: Path, times: list[str]) -> list[str]:
    args = ["check-db", "--config", "config.yaml", "--json"]
    for t in times:
        args += ["--at", t]
    p = run(binary, args, folder)
    try:
        doc = json.loads(p.stdout)
    except json.JSONDecodeError:
        return [f"check-db exit {p.returncode}, no JSON: {p.stdout[:300]!r} {p.stderr[:300]!r}"]
    problems = []
    if p.returncode != 0 or doc.get("drift"):
        problems.append(f"check-db exit {p.returncode}: {len(doc.get('bucket_drift', []))} buckets"
                        f" drift, {doc.get('unlinked_missing')} waiting orders not listed,"
                        f" {doc.get('shipped_flag_wrong')} Unshipped rows with a wrong shipped"
                        f" flag, {doc.get('deferral_left')} bulk-import markers left")
        for d in doc.get("bucket_drift", [])[:5]:
            problems.append(f"  {d}")
        for d in doc.get("metric_differences", [])[:10]:
            problems.append(f"  {d}")
    return problems


def run_case(binary: Path, profile, folder: Path, seed: int) -> tuple[list[str], str]:
    r = random.Random(f"{seed}-{profile.name}")
    case = random_seller.build_case(profile)
    (folder / "config.yaml").write_text(json.dumps(case.config, indent=2) + "\n")
    names = [n for batch in case.batches for n in batch if n not in case.duplicates]
    r.shuffle(names)
    steps: list[tuple[str, bytes, str]] = []  # name, bytes, expected outcome
    for name in names:
        if r.random() < 0.15:
            bad_name, bad = damaged(name, case.files[name], r)
            if bad_name:
                steps.append((bad_name, bad, "rejected"))
        steps.append((name, case.files[name], "any"))
        if r.random() < 0.15:
            steps.append(("", b"", "again"))  # a file imported before, chosen then
    times = times_for(case, r)
    problems: list[str] = []
    outcomes = {"imported": 0, "rejected": 0, "already": 0}
    imported: list[str] = []
    for i, (name, data, expect) in enumerate(steps):
        if expect == "again":
            if not imported:
                continue
            name = r.choice(imported)
            data, expect = case.files[name], "already"
        (folder / name).write_bytes(data)
        p = run(binary, ["import", "--config", "config.yaml", name], folder)
        out = p.stdout + p.stderr
        if "already imported" in out:
            outcomes["already"] += 1
        elif p.returncode == 0:
            outcomes["imported"] += 1
            imported.append(name)
        else:
            outcomes["rejected"] += 1
        if expect == "rejected" and p.returncode == 0:
            problems.append(f"step {i}: {name} was meant to be rejected: {out.strip()[:200]}")
        if expect == "already" and "already imported" not in out:
            problems.append(f"step {i}: {name} again: {out.strip()[:200]}")
        if r.random() < 0.3:
            # The seller marks a message as needing no response, or takes a
            # mark back: the rate leaves it out whenever marked.
            dbs = sorted(folder.glob("*.sqlite"))
            ids = []
            if dbs:
                with sqlite3.connect(dbs[0]) as c:
                    ids = [row[0] for row in c.execute("SELECT message_id FROM messages")]
            if ids:
                args = ["messages", "no-response-needed", "--config", "config.yaml",
                        r.choice(ids)]
                if r.random() < 0.3:
                    args.append("--undo")
                run(binary, args, folder)
                outcomes["marks"] = outcomes.get("marks", 0) + 1
        found = check(binary, folder, times)
        if found:
            problems.append(f"step {i}: after importing {name} ({out.strip()[:120]}):")
            problems += found
            break
    summary = (f"{len(steps)} imports ({outcomes['imported']} imported, {outcomes['rejected']}"
               f" rejected, {outcomes['already']} already imported, {outcomes.get('marks', 0)} marks),"
               f" checked as of"
               f" {len(times)} times after each")
    return problems, summary


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True, type=Path)
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--case")
    ap.add_argument("--keep", type=Path)
    a = ap.parse_args()
    failed = 0
    for profile in random_seller.PROFILES:
        if a.case and profile.name != a.case:
            continue
        folder = Path(tempfile.mkdtemp(prefix="shd-counts-"))
        try:
            problems, summary = run_case(a.binary.resolve(), profile, folder, a.seed)
        finally:
            if a.keep:
                dest = a.keep / profile.name
                shutil.rmtree(dest, ignore_errors=True)
                shutil.copytree(folder, dest)
            shutil.rmtree(folder, ignore_errors=True)
        print(f"{'FAIL' if problems else 'PASS'} {profile.name}: {summary}")
        for line in problems:
            print("    " + line)
        failed += bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
