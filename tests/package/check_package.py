#!/usr/bin/env python3
"""Checks the Debian package without installing it (no dpkg -i).

    check_package.py --cpack-config BUILD/CPackConfig.cmake --version X.Y.Z --source-dir SRC
    check_package.py --deb seller-healthd_X.Y.Z-1_ARCH.deb --version X.Y.Z --source-dir SRC

With --cpack-config it first runs `cpack -G DEB` on that build tree into a
temporary folder. Then, on the .deb:

- the control fields (Package, Version, Architecture, Section, Maintainer,
  Description, Depends with the shared libraries and systemd) and conffiles;
- the maintainer scripts: present, executable, `sh -n` and `shellcheck`
  clean, `set -e`, units handled with deb-systemd-helper/deb-systemd-invoke;
- the contents (dpkg-deb -c): every file the package must hold, with its mode
  and root ownership; the binary stripped;
- the unpacked tree (dpkg-deb -x): the binary's --version and check-config on
  the packaged configuration; both packaged units (seller-healthd.service and
  the template seller-healthd@.service) and their shared sandbox drop-in
  identical to systemd/ and passing `systemd-analyze verify` and `security`
  (tests/systemd/check_unit.py); changelog.Debian.gz (gzip -9n, its top entry
  the package's version and maintainer); copyright in the machine-readable
  format; every relative link of the shipped Markdown docs resolving inside
  the package; the sysusers.d and tmpfiles.d snippets applied to a scratch root
  (systemd-sysusers/systemd-tmpfiles --root), giving the user, the group and
  the folders with their modes;
- lintian --pedantic -I: no tag but the ones packaging/lintian-overrides keeps
  with a reason (an unused override fails too). A build tree not compiled with
  Debian's hardening flags (scripts/package.sh uses them) is let off the two
  hardening tags only, and says so.

shellcheck and lintian must be installed (scripts/install-deps.sh): a missing
one is a failure, not a skip.

Python 3 standard library only.
"""
import argparse
import glob
import gzip
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile

UNIT = "lib/systemd/system/seller-healthd.service"
TEMPLATE = "lib/systemd/system/seller-healthd@.service"
SANDBOX = "10-sandbox.conf"
CONFIG = "etc/seller-healthd/seller-healthd.yaml"
DOC = "usr/share/doc/seller-healthd"

failures = []


def check(ok, what):
    print(("ok: " if ok else "FAIL: ") + what, flush=True)
    if not ok:
        failures.append(what)
    return ok


def run(cmd, **kw):
    print("+ " + " ".join(cmd), flush=True)
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          encoding="utf-8", errors="replace", **kw)


def must(cmd, **kw):
    proc = run(cmd, **kw)
    if proc.returncode != 0:
        sys.stdout.write(proc.stdout)
        sys.exit(f"check_package: {cmd[0]} failed (exit {proc.returncode})")
    return proc.stdout


def build_deb(cpack_config, out_dir):
    cpack = shutil.which("cpack")
    if cpack is None:
        sys.exit("check_package: cpack not found")
    out = must([cpack, "--config", cpack_config, "-G", "DEB", "-B", out_dir])
    debs = glob.glob(os.path.join(out_dir, "*.deb"))
    if len(debs) != 1:
        sys.stdout.write(out)
        sys.exit(f"check_package: expected one .deb in {out_dir}, found {debs}")
    return debs[0]


def control_fields(deb):
    fields = {}
    for name in ["Package", "Version", "Architecture", "Section", "Priority", "Maintainer",
                 "Depends", "Recommends", "Description", "Installed-Size"]:
        proc = run(["dpkg-deb", "-f", deb, name])
        fields[name] = proc.stdout.strip() if proc.returncode == 0 else ""
    return fields


def check_control(deb, version):
    f = control_fields(deb)
    for k, v in f.items():
        print(f"  {k}: {v.splitlines()[0] if v else ''}")
    check(f["Package"] == "seller-healthd", "Package is seller-healthd")
    check(re.fullmatch(re.escape(version) + r"-\d+", f["Version"]) is not None,
          f"Version {f['Version']!r} is {version}-N")
    arch = must(["dpkg", "--print-architecture"]).strip()
    check(f["Architecture"] == arch, f"Architecture is {arch}")
    check(f["Section"] == "admin", "Section is admin")
    check(re.fullmatch(r"[^<>@]+ <[^<>@\s]+@[^<>@\s]+\.[a-z]+>", f["Maintainer"]) is not None,
          f"Maintainer {f['Maintainer']!r} is NAME <ADDRESS>")
    desc = f["Description"].splitlines()
    check(len(desc) > 2 and "account-health" in desc[0], "Description has a summary and a body")
    depends = [d.strip() for d in f["Depends"].split(",") if d.strip()]
    check(bool(depends), "Depends is not empty")
    names = [re.split(r"[\s(|]", d, maxsplit=1)[0] for d in depends]
    for lib in ["libsqlite3", "libssl", "libcurl", "libsystemd", "libyaml-cpp", "libboost-url",
                "libstdc++", "libc6"]:
        check(any(n.startswith(lib) for n in names), f"Depends names {lib}* (dpkg-shlibdeps)")
    for pkg in ["systemd", "procps", "ca-certificates", "tzdata"]:
        check(pkg in names, f"Depends names {pkg}")


def check_control_members(deb, tmp):
    control = os.path.join(tmp, "control")
    must(["dpkg-deb", "-e", deb, control])
    with open(os.path.join(control, "conffiles"), encoding="utf-8") as fh:
        conffiles = fh.read().split()
    check(conffiles == ["/" + CONFIG], f"conffiles lists exactly /{CONFIG} (got {conffiles})")
    for script in ["postinst", "prerm", "postrm"]:
        path = os.path.join(control, script)
        if not check(os.path.isfile(path), f"maintainer script {script} present"):
            continue
        mode = stat.S_IMODE(os.stat(path).st_mode)
        check(mode == 0o755, f"{script} is mode 0755 (got {mode:o})")
        check(run(["sh", "-n", path]).returncode == 0, f"{script}: sh -n")
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        check(text.startswith("#!/bin/sh\n"), f"{script} starts with #!/bin/sh")
        check(re.search(r"^set -e$", text, re.M) is not None, f"{script} has set -e")
        if check(shutil.which("shellcheck") is not None,
                 "shellcheck is installed (scripts/install-deps.sh)"):
            proc = run(["shellcheck", "-s", "sh", path])
            sys.stdout.write(proc.stdout)
            check(proc.returncode == 0, f"{script}: shellcheck")
    # Not started on install: postinst never enables or starts the service.
    with open(os.path.join(control, "postinst"), encoding="utf-8") as fh:
        postinst = fh.read()
    # Commands only: the hint postinst prints ("echo ... systemctl enable") and
    # comments do not count.
    commands = "\n".join(line for line in postinst.splitlines()
                         if not re.match(r"\s*(#|echo\b)", line))
    check(re.search(r"systemctl\s+(--\S+\s+)*(enable|start|restart)\b", commands) is None,
          "postinst does not enable, start or restart the service (only try-restart)")
    check("try-restart" in postinst and "/run/systemd/system" in postinst,
          "postinst try-restarts on upgrade, only with systemd running")
    check(re.search(r"deb-systemd-invoke try-restart .*'seller-healthd@\*\.service'", postinst)
          is not None, "postinst try-restarts the unit and its instances with deb-systemd-invoke")
    check(re.search(r"deb-systemd-helper update-state", postinst) is not None,
          "postinst records the unit's state with deb-systemd-helper (for purge)")
    with open(os.path.join(control, "prerm"), encoding="utf-8") as fh:
        prerm = fh.read()
    check(re.search(r"deb-systemd-invoke stop seller-healthd\.service 'seller-healthd@\*\.service'",
                    prerm) is not None, "prerm stops the unit and its instances with deb-systemd-invoke")
    with open(os.path.join(control, "postrm"), encoding="utf-8") as fh:
        postrm = fh.read()
    check("deb-systemd-helper purge" in postrm and "deb-systemd-helper mask" in postrm,
          "postrm masks on remove and purges the unit's state with deb-systemd-helper")


def listing(deb):
    """path -> (mode string, owner/group) from dpkg-deb -c."""
    entries = {}
    for line in must(["dpkg-deb", "-c", deb]).splitlines():
        parts = line.split(None, 5)
        if len(parts) < 6:
            continue
        mode, owner, _size, _date, _time, name = parts
        name = name.split(" -> ")[0]
        entries[name[2:].rstrip("/") if name.startswith("./") else name.rstrip("/")] = (mode, owner)
    return entries


def check_contents(deb, source_dir):
    entries = listing(deb)
    expect = {
        "usr/bin/seller-healthd": "-rwxr-xr-x",
        UNIT: "-rw-r--r--",
        TEMPLATE: "-rw-r--r--",
        f"{UNIT}.d/{SANDBOX}": "-rw-r--r--",
        f"{TEMPLATE}.d/{SANDBOX}": "-rw-r--r--",
        "usr/share/lintian/overrides/seller-healthd": "-rw-r--r--",
        f"{DOC}/changelog.Debian.gz": "-rw-r--r--",
        f"{DOC}/config/seller-healthd.yaml": "-rw-r--r--",
        f"{DOC}/examples/README.md": "-rw-r--r--",
        CONFIG: "-rw-r-----",
        "etc/seller-healthd": "drwxr-xr-x",
        "etc/seller-healthd/credentials": "drwx------",
        "usr/lib/sysusers.d/seller-healthd.conf": "-rw-r--r--",
        "usr/lib/tmpfiles.d/seller-healthd.conf": "-rw-r--r--",
        f"{DOC}/copyright": "-rw-r--r--",
        f"{DOC}/README.md": "-rw-r--r--",
        # Generated by the binary from its CLI and the config schema.
        "usr/share/man/man8/seller-healthd.8.gz": "-rw-r--r--",
        "usr/share/man/man5/seller-healthd.yaml.5.gz": "-rw-r--r--",
        "usr/share/bash-completion/completions/seller-healthd": "-rw-r--r--",
        "usr/share/zsh/vendor-completions/_seller-healthd": "-rw-r--r--",
    }
    for doc in sorted(glob.glob(os.path.join(source_dir, "docs", "*.md"))):
        expect[f"{DOC}/docs/{os.path.basename(doc)}"] = "-rw-r--r--"
    for sql in sorted(glob.glob(os.path.join(source_dir, "migrations", "*.sql"))):
        expect[f"usr/share/seller-healthd/migrations/{os.path.basename(sql)}"] = "-rw-r--r--"
    check(any(p.endswith(".sql") for p in expect), "the source has migrations to look for")
    for path, mode in expect.items():
        got = entries.get(path)
        if check(got is not None, f"package holds /{path}"):
            check(got[0] == mode, f"/{path} is {mode} (got {got[0]})")
        elif path.startswith(DOC):
            print("  (docs/*.md is globbed when the tree is configured: "
                  "a file added since then needs a build first)")
    check(all(owner == "root/root" for _mode, owner in entries.values()),
          "every file in the package is root/root")
    # The state folders are made by tmpfiles.d (postinst), not shipped, so
    # that purge can remove them and dpkg never fights over their owner.
    check(not any(p.startswith("var/") for p in entries), "nothing shipped under /var")


def check_changelog(root, deb, source_dir):
    path = os.path.join(root, DOC, "changelog.Debian.gz")
    if not check(os.path.isfile(path), "changelog.Debian.gz is shipped"):
        return
    with open(path, "rb") as fh:
        head = fh.read(10)
    # gzip -9n: no file name (FLG bit 3) and no time stamp (MTIME 0), so a
    # rebuild gives the same bytes.
    check(head[:2] == b"\x1f\x8b" and not head[3] & 0x08 and head[4:8] == b"\0\0\0\0",
          "changelog.Debian.gz is gzip without a name or a time stamp (gzip -n)")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        text = fh.read()
    with open(os.path.join(source_dir, "packaging/changelog"), encoding="utf-8") as fh:
        check(text == fh.read(), "changelog.Debian.gz is packaging/changelog")
    parsed = {}
    if check(shutil.which("dpkg-parsechangelog") is not None, "dpkg-parsechangelog is installed (dpkg-dev)"):
        out = must(["dpkg-parsechangelog", "-l", path])
        for line in out.splitlines():
            if ":" in line and not line.startswith(" "):
                k, v = line.split(":", 1)
                parsed[k] = v.strip()
    fields = control_fields(deb)
    check(parsed.get("Version") == fields["Version"],
          f"the changelog's top entry is the package's version ({parsed.get('Version')} vs {fields['Version']})")
    check(parsed.get("Maintainer") == fields["Maintainer"],
          "the changelog's top entry is signed by the package's Maintainer")
    check(parsed.get("Source") == "seller-healthd", "the changelog is for seller-healthd")


def check_copyright(root, source_dir):
    """Machine-readable debian/copyright format 1.0: a header paragraph with
    Format:, Files: paragraphs with Copyright: and License:, and the text of
    every licence named (or a pointer to /usr/share/common-licenses)."""
    path = os.path.join(root, DOC, "copyright")
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    with open(os.path.join(source_dir, "packaging/copyright"), encoding="utf-8") as fh:
        check(text == fh.read(), "the packaged copyright is packaging/copyright")
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        fields, key = {}, None
        for line in block.splitlines():
            if line.startswith((" ", "\t")) and key:
                fields[key] += "\n" + line.strip()
            elif ":" in line:
                key, value = line.split(":", 1)
                fields[key] = value.strip()
        paragraphs.append(fields)
    header = paragraphs[0]
    check(header.get("Format") == "https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/",
          "copyright: Format is copyright-format 1.0")
    check(header.get("Upstream-Name") == "seller-healthd", "copyright: Upstream-Name")
    check("@" in header.get("Upstream-Contact", ""), "copyright: Upstream-Contact has an address")
    files = [p for p in paragraphs[1:] if "Files" in p]
    check(any(p["Files"].split() == ["*"] for p in files), "copyright: a Files: * paragraph")
    named = set()
    for p in files:
        check(bool(p.get("Copyright")) and bool(p.get("License")),
              f"copyright: Files: {p['Files']} has Copyright: and License:")
        named.add(p.get("License", "").split("\n")[0])
    texts = {p["License"].split("\n")[0]: p["License"] for p in paragraphs[1:]
             if "License" in p and "Files" not in p}
    for lic in sorted(named):
        body = texts.get(lic, "")
        check(body.count("\n") > 3, f"copyright: the licence {lic} is given in full or pointed at")
        if "/usr/share/common-licenses/" in body:
            ref = re.search(r"/usr/share/common-licenses/[\w.+-]+", body).group(0)
            check(os.path.exists(ref), f"copyright: {ref} exists on Debian")


def check_doc_links(root):
    """Every relative link in the shipped Markdown resolves to a file in the
    package, so the docs work where Debian puts them."""
    doc = os.path.join(root, DOC)
    broken = []
    count = 0
    for dirpath, _dirs, names in os.walk(doc):
        for name in names:
            if not name.endswith(".md"):
                continue
            path = os.path.join(dirpath, name)
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
            for target in re.findall(r"\]\(([^)\s]+)\)", text):
                if re.match(r"[a-z]+:", target) or target.startswith("#"):
                    continue
                count += 1
                file_part = target.split("#", 1)[0]
                if not os.path.exists(os.path.normpath(os.path.join(dirpath, file_part))):
                    broken.append(f"{os.path.relpath(path, root)}: {target}")
    for b in broken:
        print(f"  broken link: {b}")
    check(count > 0 and not broken,
          f"the {count} relative links of the shipped docs resolve inside the package")


def built_with_debian_flags(cpack_config):
    """Whether the tree the .deb came from was compiled with dpkg-buildflags'
    hardening (scripts/package.sh): _FORTIFY_SOURCE and -z now."""
    if not cpack_config:
        return True
    cache = os.path.join(os.path.dirname(os.path.abspath(cpack_config)), "CMakeCache.txt")
    try:
        with open(cache, encoding="utf-8") as fh:
            text = fh.read()
    except OSError:
        return True
    return "_FORTIFY_SOURCE" in text and "-z,now" in text


def check_lintian(deb, hardened):
    if not check(shutil.which("lintian") is not None, "lintian is installed (scripts/install-deps.sh)"):
        return
    cmd = ["lintian", "--pedantic", "-I", "--fail-on", "error,warning,info,pedantic"]
    if not hardened:
        print("note: this build tree is not compiled with Debian's hardening flags "
              "(scripts/package.sh builds the package with them): the tags "
              "hardening-no-fortify-functions and hardening-no-bindnow are not checked here")
        cmd += ["--suppress-tags", "hardening-no-fortify-functions,hardening-no-bindnow"]
    proc = run(cmd + [deb])
    tags = [line for line in proc.stdout.splitlines() if re.match(r"[EWIPXO]: ", line)]
    for line in tags:
        print(f"  {line}")
    check(proc.returncode == 0 and not tags,
          "lintian --pedantic -I: no tag beyond packaging/lintian-overrides")


def check_unpacked(deb, tmp, version, source_dir, check_unit):
    root = os.path.join(tmp, "root")
    must(["dpkg-deb", "-x", deb, root])
    binary = os.path.join(root, "usr/bin/seller-healthd")
    check(os.access(binary, os.X_OK), "the unpacked binary is executable")
    if shutil.which("readelf"):
        sections = must(["readelf", "-S", "-W", binary])
        check(".debug_info" not in sections and ".symtab" not in sections,
              "the binary is stripped (no .debug_info, no .symtab)")

    proc = run([binary, "--version"])
    print(proc.stdout.rstrip())
    check(proc.returncode == 0 and version in proc.stdout,
          f"seller-healthd --version prints {version}")
    proc = run([binary, "check-config", "--config", os.path.join(root, CONFIG)])
    if proc.returncode != 0:
        sys.stdout.write(proc.stdout)
    check(proc.returncode == 0, "check-config on the packaged configuration exits 0")

    sandbox = os.path.join(source_dir, "systemd", SANDBOX)
    for packaged in [UNIT, TEMPLATE]:
        unit = os.path.join(root, packaged)
        name = os.path.basename(packaged)
        with open(unit, "rb") as a, open(os.path.join(source_dir, "systemd", name), "rb") as b:
            check(a.read() == b.read(), f"the packaged {name} is systemd/{name} as is")
        dropin = os.path.join(root, f"{packaged}.d", SANDBOX)
        with open(dropin, "rb") as a, open(sandbox, "rb") as b:
            check(a.read() == b.read(), f"{name}.d/{SANDBOX} is systemd/{SANDBOX} as is")
        for what in (["verify", "--binary", binary], ["security"]):
            proc = run([sys.executable, check_unit, what[0], "--unit", unit, "--dropin", dropin]
                       + what[1:])
            sys.stdout.write(proc.stdout)
            check(proc.returncode == 0, f"packaged {name} with its drop-in: systemd-analyze {what[0]}")

    check_changelog(root, deb, source_dir)
    check_copyright(root, source_dir)
    check_doc_links(root)

    # The sysusers.d and tmpfiles.d snippets, as postinst applies them, on a
    # scratch root: the user and group, then the folders with their modes.
    scratch = os.path.join(tmp, "scratch")
    for d in ["usr/lib/sysusers.d", "usr/lib/tmpfiles.d", "etc"]:
        os.makedirs(os.path.join(scratch, d), exist_ok=True)
    for d in ["sysusers.d", "tmpfiles.d"]:
        shutil.copy(os.path.join(root, "usr/lib", d, "seller-healthd.conf"),
                    os.path.join(scratch, "usr/lib", d))
    proc = run(["systemd-sysusers", f"--root={scratch}", "seller-healthd.conf"])
    sys.stdout.write(proc.stdout)
    check(proc.returncode == 0, "systemd-sysusers applies the sysusers.d snippet")
    passwd = {}
    with open(os.path.join(scratch, "etc/passwd"), encoding="utf-8") as fh:
        for line in fh:
            p = line.rstrip("\n").split(":")
            passwd[p[0]] = p
    user = passwd.get("seller-healthd")
    if check(user is not None, "sysusers creates the user seller-healthd"):
        check(user[5] == "/var/lib/seller-healthd", "its home is /var/lib/seller-healthd")
        check(user[6] in ("/usr/sbin/nologin", "/sbin/nologin", "/bin/false"), "it has no login shell")
        check(int(user[2]) < 1000, "it is a system user")
    with open(os.path.join(scratch, "etc/group"), encoding="utf-8") as fh:
        check(any(line.startswith("seller-healthd:") for line in fh), "sysusers creates the group seller-healthd")
    if os.geteuid() != 0:
        print("skip: systemd-tmpfiles --create needs root to set owners")
        return
    proc = run(["systemd-tmpfiles", f"--root={scratch}", "--create", "seller-healthd.conf"])
    sys.stdout.write(proc.stdout)
    check(proc.returncode == 0, "systemd-tmpfiles applies the tmpfiles.d snippet")
    uid, gid = (int(user[2]), int(user[3])) if user else (-1, -1)
    for path, mode, owner in [("var/lib/seller-healthd", 0o750, (uid, gid)),
                              ("var/lib/seller-healthd/inbox", 0o2770, (uid, gid)),
                              ("etc/seller-healthd/credentials", 0o700, (0, 0))]:
        full = os.path.join(scratch, path)
        if check(os.path.isdir(full), f"tmpfiles makes /{path}"):
            st = os.stat(full)
            check(stat.S_IMODE(st.st_mode) == mode, f"/{path} is {mode:o} (got {stat.S_IMODE(st.st_mode):o})")
            check((st.st_uid, st.st_gid) == owner, f"/{path} is owned by {owner}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--cpack-config", help="CPackConfig.cmake of a build tree: build the .deb first")
    src.add_argument("--deb", help="an existing .deb")
    ap.add_argument("--version", required=True, help="the project version")
    ap.add_argument("--source-dir", required=True)
    args = ap.parse_args()
    for tool in ["dpkg-deb", "dpkg"]:
        if shutil.which(tool) is None:
            sys.exit(f"check_package: {tool} not found")
    check_unit = os.path.join(args.source_dir, "tests/systemd/check_unit.py")

    with tempfile.TemporaryDirectory(prefix="shd-package-") as tmp:
        deb = args.deb or build_deb(args.cpack_config, os.path.join(tmp, "out"))
        print(f"package: {deb}")
        check_control(deb, args.version)
        check_control_members(deb, tmp)
        check_contents(deb, args.source_dir)
        check_unpacked(deb, tmp, args.version, args.source_dir, check_unit)
        check_lintian(deb, built_with_debian_flags(args.cpack_config))

    if failures:
        print(f"\n{len(failures)} check(s) failed:")
        for f in failures:
            print(f"  {f}")
        return 1
    print("\nall package checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
