#!/usr/bin/env python3
"""Offline checks of the systemd units (no running systemd needed).

    check_unit.py verify   --unit FILE [--dropin FILE]... --binary FILE
    check_unit.py security --unit FILE [--dropin FILE]... [--max-exposure 2.0]
    check_unit.py shared   --unit FILE --unit FILE --dropin FILE

Each --dropin is placed beside the copy of the unit in UNIT.d/, as the package
installs it, so the checks see the unit as systemd loads it. A template
(NAME@.service) is checked as its instance NAME@check.service.

verify: `systemd-analyze verify` on a temporary copy of the unit whose
ExecStart= names --binary instead of /usr/bin/seller-healthd (verify checks
that the binary exists and is executable). Fails on a non-zero exit and on any
message about the unit (systemd-analyze exits 0 on "Unknown key" and
"Invalid syntax, ignoring" unless --recursive-errors is given, and we give it
and also read the messages). Whether the user in User= exists is not checked
by verify, so the build machine needs no seller-healthd user.

security: `systemd-analyze security --offline=yes`; parses "Overall exposure
level for UNIT: N.N" and fails when N.N is above --max-exposure.

shared: no unit sets a key the shared drop-in sets, so the sandbox of the
single unit and of the template is the drop-in's and cannot drift apart.

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


def stage(unit, dropins, tmp, text=None):
    """Copies the unit (or `text` as it) and its drop-ins into tmp; returns the
    path to check: the unit, or for a template its instance NAME@check."""
    name = os.path.basename(unit)
    copy = os.path.join(tmp, name)
    if text is None:
        shutil.copy(unit, copy)
    else:
        with open(copy, "w", encoding="utf-8") as f:
            f.write(text)
    if dropins:
        os.makedirs(copy + ".d")
        for d in dropins:
            shutil.copy(d, os.path.join(copy + ".d", os.path.basename(d)))
    if "@." in name:
        return os.path.join(tmp, name.replace("@.", "@check."))
    return copy


def verify(unit, dropins, binary):
    if not os.access(binary, os.X_OK):
        sys.exit(f"check_unit: {binary} is not an executable file")
    with open(unit, encoding="utf-8") as f:
        text = f.read()
    if text.count(EXEC_START) != 1:
        sys.exit(f"check_unit: expected exactly one '{EXEC_START}...' line in {unit}")
    text = text.replace(EXEC_START, f"ExecStart={os.path.abspath(binary)} ")
    with tempfile.TemporaryDirectory(prefix="shd-unit-") as tmp:
        # Same file name: verify takes the unit's name from it.
        target = stage(unit, dropins, tmp, text)
        rc, out = run([systemd_analyze(), "verify", "--man=no", "--recursive-errors=no", target])
    name = os.path.basename(unit)
    names = [name] + [os.path.basename(d) for d in dropins]
    complaints = [line for line in out.splitlines()
                  if any(n in line for n in names) or tmp in line]
    if rc != 0 or complaints:
        print(f"FAIL: systemd-analyze verify (exit {rc}) complained about {name}")
        return 1
    print(f"ok: systemd-analyze verify {name}" + (f" with {', '.join(names[1:])}" if dropins else ""))
    return 0


def security(unit, dropins, max_exposure):
    with tempfile.TemporaryDirectory(prefix="shd-unit-") as tmp:
        rc, out = run([systemd_analyze(), "security", "--offline=yes", stage(unit, dropins, tmp)])
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


def keys(path):
    """The keys a unit file or drop-in sets (comments and sections left out)."""
    with open(path, encoding="utf-8") as f:
        return {line.split("=", 1)[0].strip() for line in f
                if "=" in line and not line.lstrip().startswith(("#", ";", "["))}


def shared(units, dropins):
    if len(dropins) != 1 or len(units) < 2:
        sys.exit("check_unit: shared needs two or more --unit and one --dropin")
    sandbox = keys(dropins[0])
    print(f"the drop-in {os.path.basename(dropins[0])} sets: {' '.join(sorted(sandbox))}")
    failed = 0
    for unit in units:
        overlap = sorted(keys(unit) & sandbox)
        if overlap:
            print(f"FAIL: {os.path.basename(unit)} also sets {' '.join(overlap)}: "
                  "set it in the shared drop-in, for both units")
            failed = 1
        else:
            print(f"ok: {os.path.basename(unit)} leaves the sandbox to the drop-in")
    return failed


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("check", choices=["verify", "security", "shared"])
    ap.add_argument("--unit", required=True, action="append")
    ap.add_argument("--dropin", action="append", default=[])
    ap.add_argument("--binary")
    ap.add_argument("--max-exposure", type=float, default=2.0)
    args = ap.parse_args()
    if args.check == "shared":
        return shared(args.unit, args.dropin)
    if len(args.unit) != 1:
        ap.error(f"{args.check} takes one --unit")
    if args.check == "verify":
        if not args.binary:
            ap.error("verify needs --binary")
        return verify(args.unit[0], args.dropin, args.binary)
    return security(args.unit[0], args.dropin, args.max_exposure)


if __name__ == "__main__":
    sys.exit(main())
