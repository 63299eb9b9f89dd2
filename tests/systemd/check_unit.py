#!/usr/bin/env python3
"""Offline checks of the systemd unit (no running systemd needed).

    check_unit.py verify   --unit FILE --binary FILE
    check_unit.py security --unit FILE [--max-exposure 2.0]

verify: `systemd-analyze verify` on a temporary copy of the unit whose
ExecStart= names --binary instead of /usr/bin/seller-healthd (verify checks
that the binary exists and is executable). Fails on a non-zero exit and on any
message about the unit (systemd-analyze exits 0 on "Unknown key" and
"Invalid syntax, ignoring" unless --recursive-errors is given, and we give it
and also read the messages). Whether the user in User= exists is not checked
by verify, so the build machine needs no seller-healthd user.

security: `systemd-analyze security --offline=yes`; parses "Overall exposure
level for UNIT: N.N" and fails when N.N is above --max-exposure.

Python 3 standard library only.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

EXEC_START = "ExecStart=/usr/bin/seller-healthd "


def systemd_analyze():
    path = shutil.which("systemd-analyze")
    if path is None:
        sys.exit("check_unit: systemd-analyze not found (package systemd)")
    return path


def run(cmd):
    print("+ " + " ".join(cmd), flush=True)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          encoding="utf-8", errors="replace")
    sys.stdout.write(proc.stdout)
    return proc.returncode, proc.stdout


def verify(unit, binary):
    if not os.access(binary, os.X_OK):
        sys.exit(f"check_unit: {binary} is not an executable file")
    with open(unit, encoding="utf-8") as f:
        text = f.read()
    if text.count(EXEC_START) != 1:
        sys.exit(f"check_unit: expected exactly one '{EXEC_START}...' line in {unit}")
    text = text.replace(EXEC_START, f"ExecStart={os.path.abspath(binary)} ")
    with tempfile.TemporaryDirectory(prefix="shd-unit-") as tmp:
        # Same file name: verify takes the unit's name from it.
        copy = os.path.join(tmp, os.path.basename(unit))
        with open(copy, "w", encoding="utf-8") as f:
            f.write(text)
        rc, out = run([systemd_analyze(), "verify", "--man=no", "--recursive-errors=no", copy])
    name = os.path.basename(unit)
    complaints = [line for line in out.splitlines() if name in line or copy in line]
    if rc != 0 or complaints:
        print(f"FAIL: systemd-analyze verify (exit {rc}) complained about {name}")
        return 1
    print(f"ok: systemd-analyze verify {name}")
    return 0


def security(unit, max_exposure):
    rc, out = run([systemd_analyze(), "security", "--offline=yes", unit])
    m = re.search(r"Overall exposure level for \S+: (\d+(?:\.\d+)?)", out)
    if m is None:
        print(f"FAIL: no overall exposure level in the output (exit {rc})")
        return 1
    exposure = float(m.group(1))
    if rc != 0 or exposure > max_exposure:
        print(f"FAIL: exposure {exposure} (exit {rc}); at most {max_exposure} allowed")
        return 1
    print(f"ok: exposure {exposure} <= {max_exposure}")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("check", choices=["verify", "security"])
    ap.add_argument("--unit", required=True)
    ap.add_argument("--binary")
    ap.add_argument("--max-exposure", type=float, default=2.0)
    args = ap.parse_args()
    if args.check == "verify":
        if not args.binary:
            ap.error("verify needs --binary")
        return verify(args.unit, args.binary)
    return security(args.unit, args.max_exposure)


if __name__ == "__main__":
    sys.exit(main())
