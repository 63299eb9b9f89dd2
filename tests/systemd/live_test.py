#!/usr/bin/env python3
"""The Debian package under a live systemd: boots Debian 12 in a container
(systemd-nspawn) and runs the built .deb there, the way a seller's server does.

    live_test.py --build-dir BUILD --source-dir SRC [--keep]

Needs root and systemd-nspawn (exits 77, which ctest reports as skipped,
without them), and debootstrap plus a Debian mirror the first time.

What it builds, on this machine:
- the package of BUILD (`cpack -G DEB`), version V-1;
- an upgrade, V-2: a copy of SRC with one more migration
  (migrations/NNNN_live_upgrade_check.sql) and a changelog entry, built with
  the same build type into the copy (ccache makes it quick).

The container's root: `debootstrap --variant=minbase` of bookworm with
systemd, dbus and python3, plus the package's Depends (`apt-get satisfy`),
cached as a tarball in /var/cache/seller-healthd-tests (SHD_LIVE_CACHE)
named by a hash of the Depends and the include list (a new Depends makes a
new one and removes the old). A warm run unpacks it. The container has a
private network: only loopback. Measured on a 2-core machine: about 5 minutes
cold (4 of them debootstrap and apt), about 2 minutes warm (half of it the
two packages, the container part about 75 seconds).

What it checks, in order (each step prints ok/FAIL):
 1. install: the user and group, the folders and their modes, the conffile,
    both units and the shared sandbox drop-in; the service left disabled
    and stopped; `systemd-analyze security` on the live units.
 2. `systemctl enable --now`: READY (Type=notify), a `Status:` line; a
    message file dropped in the inbox is imported and archived and its
    deadline alert reaches a webhook receiver on 127.0.0.1, signed (HMAC)
    with a secret the unit loaded as a credential (LoadCredential=);
    /healthz answers 200 and /metrics counts the import.
    The whole run uses a drop-in `SystemCallErrorNumber=kill`, so a system
    call the filter denies kills the daemon (SIGSYS) instead of failing
    with EPERM; the run checks that it was never killed or restarted.
 3. reload: a good file moves the HTTP endpoint (same process); a bad file is
    logged and the old configuration (and process) stays.
 4. the watchdog: with a drop-in WatchdogSec=5s, SIGSTOP on the main process
    gets it killed and restarted (a new main PID, `Watchdog timeout` logged).
 5. the syscall check can fail: with a drop-in that also denies rename(2),
    the daemon is killed by SIGSYS when it archives a file, and the same
    check that passed in step 2 reports it.
 6. stop.
 7. two instances of seller-healthd@.service at once, each with its own
    configuration, state folder, inbox (2770), credential and /metrics port.
 8. upgrade to V-2 with the services running: the conffile keeps the local
    edits, running services (and instances) are restarted, the new migration
    is applied.
 9. remove (services stopped, data kept) and purge (/etc/seller-healthd and
    /var/lib/seller-healthd gone, no enable links left; the user stays).

Python 3 standard library only.
"""
import argparse
import glob
import hashlib
import hmac
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

SKIP = 77
SUITE = "bookworm"
# Packages the test itself needs inside the container, beside the package's
# Depends: systemd as init, dbus for systemctl, python3 for the webhook
# receiver and the HTTP and SQLite checks.
INCLUDE = ["systemd", "systemd-sysv", "dbus", "python3"]
# Raised when the way the root is prepared changes, so old tarballs are not
# reused.
PREP_REVISION = "2"
CACHE = os.environ.get("SHD_LIVE_CACHE", "/var/cache/seller-healthd-tests")
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

failures = []


def log(msg):
    print(msg, flush=True)


def check(ok, what):
    log(("ok: " if ok else "FAIL: ") + what)
    if not ok:
        failures.append(what)
    return ok


def run(cmd, timeout=600, **kw):
    log("+ " + " ".join(cmd))
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          encoding="utf-8", errors="replace", timeout=timeout, **kw)


def must(cmd, **kw):
    proc = run(cmd, **kw)
    if proc.returncode != 0:
        sys.stdout.write(proc.stdout)
        sys.exit(f"live_test: {cmd[0]} failed (exit {proc.returncode})")
    return proc.stdout


# --------------------------------------------------------------------------
# The packages.

def cpack_deb(build_dir, out_dir):
    must(["cpack", "--config", os.path.join(build_dir, "CPackConfig.cmake"), "-G", "DEB",
          "-B", out_dir])
    debs = glob.glob(os.path.join(out_dir, "*.deb"))
    if len(debs) != 1:
        sys.exit(f"live_test: expected one .deb in {out_dir}, found {debs}")
    return debs[0]


def cache_value(build_dir, name):
    with open(os.path.join(build_dir, "CMakeCache.txt"), encoding="utf-8") as f:
        for line in f:
            m = re.match(rf"{re.escape(name)}:[A-Z]+=(.*)$", line.rstrip("\n"))
            if m:
                return m.group(1)
    return ""


def build_upgrade_deb(source_dir, build_dir, work, version):
    """V-2 from a copy of the source with one more migration."""
    src = os.path.join(work, "upgrade-src")
    shutil.copytree(source_dir, src, symlinks=True,
                    ignore=shutil.ignore_patterns(".git", "build*", "_CPack_Packages"))
    migrations = sorted(glob.glob(os.path.join(src, "migrations", "[0-9][0-9][0-9][0-9]_*.sql")))
    number = int(os.path.basename(migrations[-1])[:4]) + 1
    with open(os.path.join(src, "migrations", f"{number:04d}_live_upgrade_check.sql"), "w") as f:
        f.write("-- Added by tests/systemd/live_test.py to the upgrade package only.\n"
                "CREATE TABLE live_upgrade_check (id INTEGER PRIMARY KEY);\n")
    changelog = os.path.join(src, "packaging", "changelog")
    with open(changelog, encoding="utf-8") as f:
        old = f.read()
    with open(changelog, "w", encoding="utf-8") as f:
        f.write(f"seller-healthd ({version}-2) unstable; urgency=medium\n\n"
                "  * Test upgrade with one more migration (tests/systemd/live_test.py).\n\n"
                " -- seller-healthd developers <seller-healthd@example.com>  "
                "Mon, 07 Dec 2026 12:00:00 +0000\n\n" + old)
    out = os.path.join(src, "build")
    env = dict(os.environ, CCACHE_BASEDIR=src, CCACHE_NOHASHDIR="true")
    generator = ["-G", "Ninja"] if shutil.which("ninja") else []
    flags = []
    build_type = cache_value(build_dir, "CMAKE_BUILD_TYPE")
    # The same flags as the tree under test, so that ccache serves the copy.
    for name in ["CMAKE_BUILD_TYPE", "CMAKE_CXX_FLAGS", "CMAKE_EXE_LINKER_FLAGS",
                 f"CMAKE_CXX_FLAGS_{build_type.upper()}"]:
        value = cache_value(build_dir, name)
        if value:
            flags.append(f"-D{name}={value}")
    must(["cmake", "-S", src, "-B", out, *generator, *flags, "-DSHD_BUILD_TESTS=OFF",
          "-DSHD_BUILD_BENCH=OFF", "-DSHD_DEB_REVISION=2"], env=env)
    # Everything the package installs: the binary, its man pages and
    # completions (tests and benchmarks are off in this tree).
    must(["cmake", "--build", out, "--target", "seller-healthd", "seller-healthd-docs",
          "--parallel", str(os.cpu_count() or 2)], env=env, timeout=1800)
    return cpack_deb(out, os.path.join(work, "deb-upgrade")), number


# --------------------------------------------------------------------------
# The container's root.

def mirror():
    for path in ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*")):
        try:
            text = open(path, encoding="utf-8").read()
        except OSError:
            continue
        for m in re.finditer(r"^URIs:\s*(\S+)", text, re.M):
            if "security" not in m.group(1):
                return m.group(1)
        for m in re.finditer(r"^deb\s+(?:\[[^]]*\]\s+)?(\S+)", text, re.M):
            if "security" not in m.group(1):
                return m.group(1)
    return "http://deb.debian.org/debian"


def root_tarball(depends):
    key = hashlib.sha256("\n".join([PREP_REVISION, SUITE, ",".join(INCLUDE), depends])
                         .encode()).hexdigest()[:16]
    tarball = os.path.join(CACHE, f"root-{SUITE}-{key}.tar")
    if os.path.exists(tarball):
        log(f"root: cached {tarball}")
        return tarball
    if shutil.which("debootstrap") is None:
        sys.exit("live_test: no cached root and no debootstrap (scripts/install-deps.sh installs it)")
    os.makedirs(CACHE, exist_ok=True)
    build = tempfile.mkdtemp(prefix="root-", dir=CACHE)
    # The container's / (mkdtemp makes it 0700, and tar keeps that).
    os.chmod(build, 0o755)
    try:
        must(["debootstrap", "--variant=minbase", "--include=" + ",".join(INCLUDE), SUITE, build,
              mirror()], timeout=1800)
        # minbase writes no /etc/hosts; systemd and the HTTP checks want
        # localhost to resolve.
        with open(os.path.join(build, "etc/hosts"), "w") as f:
            f.write("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n")
        with open(os.path.join(build, "etc/hostname"), "w") as f:
            f.write("shd-live\n")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive", PATH=PATH)
        must(["chroot", build, "apt-get", "satisfy", "-y", "--no-install-recommends", depends],
             env=env, timeout=1800)
        must(["chroot", build, "apt-get", "clean"], env=env)
        # The container has no network: no apt timers, no time sync waiting.
        for unit in ["apt-daily.timer", "apt-daily-upgrade.timer", "systemd-timesyncd.service"]:
            run(["chroot", build, "systemctl", "mask", unit], env=env)
        tmp = tarball + ".tmp"
        must(["tar", "--numeric-owner", "-C", build, "-cf", tmp, "."])
        os.replace(tmp, tarball)
    finally:
        shutil.rmtree(build, ignore_errors=True)
    # Older roots (other Depends) are not needed any more.
    for old in glob.glob(os.path.join(CACHE, f"root-{SUITE}-*.tar")):
        if old != tarball:
            log(f"root: removing the stale {old}")
            os.remove(old)
    return tarball


# --------------------------------------------------------------------------
# The container.

class Container:
    def __init__(self, root, logfile):
        self.root = root
        self.name = f"shd-live-{os.getpid()}"
        self.log = open(logfile, "w")
        env = dict(os.environ, SYSTEMD_NSPAWN_UNIFIED_HIERARCHY="1")
        cmd = ["systemd-nspawn", "-D", root, "-b", "--register=no", "--keep-unit",
               "--private-network", f"--machine={self.name}"]
        log("+ " + " ".join(cmd))
        self.nspawn = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self.log,
                                       stderr=subprocess.STDOUT, env=env)
        self.pid1 = self._find_init()
        log(f"container: init is pid {self.pid1}")

    def _find_init(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.nspawn.poll() is not None:
                sys.exit(f"live_test: systemd-nspawn exited ({self.nspawn.returncode}); "
                         f"see {self.log.name}")
            for stat_path in glob.glob("/proc/[0-9]*/status"):
                try:
                    status = open(stat_path).read()
                except OSError:
                    continue
                ppid = re.search(r"^PPid:\s*(\d+)", status, re.M)
                nspid = re.search(r"^NSpid:\s*(.*)$", status, re.M)
                if ppid and nspid and int(ppid.group(1)) == self.nspawn.pid \
                        and nspid.group(1).split()[-1] == "1":
                    return int(stat_path.split("/")[2])
            time.sleep(0.2)
        sys.exit("live_test: the container's init did not show up")

    def sh(self, script, timeout=120, quiet=False):
        cmd = ["nsenter", "-t", str(self.pid1), "-m", "-u", "-i", "-n", "-p", "-C", "-r", "-w",
               "--", "/usr/bin/env", "-i", f"PATH={PATH}", "LANG=C.UTF-8", "SYSTEMD_PAGER=",
               "/bin/sh", "-c", script]
        if not quiet:
            log("# " + script)
        try:
            proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  encoding="utf-8", errors="replace", timeout=timeout)
        except subprocess.TimeoutExpired:
            log(f"  (timed out after {timeout}s)")
            return 124, ""
        if proc.stdout and not quiet:
            sys.stdout.write("".join("  " + line + "\n" for line in proc.stdout.splitlines()))
        return proc.returncode, proc.stdout

    def out(self, script, **kw):
        return self.sh(script, **kw)[1].strip()

    def ok(self, script, what, **kw):
        return check(self.sh(script, **kw)[0] == 0, what)

    def write(self, path, text, mode=0o644):
        """Writes a file in the container's tree (root-owned)."""
        full = os.path.join(self.root, path.lstrip("/"))
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(full, mode)

    def wait_for(self, script, what, timeout=60, quiet=True):
        """Polls `script` until it exits 0; a check named `what`."""
        deadline = time.monotonic() + timeout
        while True:
            rc, out = self.sh(script, quiet=quiet, timeout=30)
            if rc == 0:
                return check(True, what)
            if time.monotonic() > deadline:
                log(out)
                return check(False, f"{what} (waited {timeout}s)")
            time.sleep(0.5)

    def stop(self):
        if self.nspawn.poll() is None:
            self.nspawn.terminate()
            try:
                self.nspawn.wait(60)
            except subprocess.TimeoutExpired:
                self.nspawn.kill()
                self.nspawn.wait()
        self.log.close()


# --------------------------------------------------------------------------
# What runs inside.

RECEIVER = r'''
import http.server, json, sys
class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(sys.argv[1], "a") as out:
            out.write(json.dumps({"path": self.path, "body": body.decode(),
                                  "signature": self.headers.get("X-Signature-SHA256", ""),
                                  "timestamp": self.headers.get("X-Seller-Healthd-Timestamp", "")})
                      + "\n")
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[2])), Receiver).serve_forever()
'''

HTTP_GET = r'''
import sys, urllib.request, urllib.error
try:
    with urllib.request.urlopen(sys.argv[1], timeout=5) as r:
        print(r.status); sys.stdout.write(r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code); sys.exit(1)
except OSError as e:
    print(e); sys.exit(2)
'''

RECEIVER_PORT = 18080


def config_yaml(state, listen, hook_path, poll="1s", account="Live test seller"):
    """A configuration for the test: the inbox polled every second, the HTTP
    endpoint on `listen`, a webhook channel to the receiver signed with the
    credential secrets_hook-secret. Without `account`, the daemon names the
    account after the file."""
    account_line = f'account: "{account}"\n' if account else ""
    return account_line + f'''database: "{state}/seller-healthd.sqlite"
inbox: "{state}/inbox"
poll_interval: {poll}
log_level: info
alerts:
  channels:
    - name: receiver
      type: webhook
      url: "http://127.0.0.1:{RECEIVER_PORT}{hook_path}"
      secret: "credential:secrets_hook-secret"
http:
  listen: "{listen}"
'''


def messages_csv(message_id):
    """One buyer message received 21 hours ago, unanswered: its 24-hour
    deadline is 3 hours ahead, past message_deadline_warn (20 h), so the
    first cycle fires a deadline alert."""
    received = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 21 * 3600))
    return ("message_id,order_id,marketplace_id,received_at,responded_at,no_response_needed\n"
            f"{message_id},113-0000000-{message_id[-7:]},ATVPDKIKX0DER,{received},,\n")


def drop_into_inbox(c, inbox, name, text):
    """As a seller's script does: written under a temporary name, aged past
    the 5-second settle time, renamed into the inbox."""
    c.write(f"/root/drop/{name}", text)
    return c.ok(f"set -e; touch -d '-1 minute' /root/drop/{name}; "
                f"cp -p /root/drop/{name} {inbox}/{name}.part; mv {inbox}/{name}.part {inbox}/{name}",
                f"{name} dropped into {inbox}")


def http_get(c, url):
    rc, out = c.sh(f"python3 /root/http_get.py {url}", quiet=True)
    lines = out.splitlines()
    return (lines[0] if lines else ""), "\n".join(lines[1:])


def show(c, unit, prop):
    return c.out(f"systemctl show -p {prop} --value {unit}", quiet=True)


def cursor(c):
    return c.out("journalctl -n 0 --show-cursor -q | sed -n 's/^-- cursor: //p'", quiet=True)


def journal(c, unit, since):
    return c.out(f"journalctl -q --no-pager -o cat -u {unit} --after-cursor='{since}'", quiet=True)


def syscall_denials(c, unit, since):
    """Evidence that the system call filter stopped the daemon since the
    cursor: with SystemCallErrorNumber=kill a denied call ends the process
    with SIGSYS, which systemd logs as status=31/SYS; a kernel audit record
    says SECCOMP."""
    text = c.out(f"journalctl -q --no-pager -o cat --after-cursor='{since}' "
                 f"_SYSTEMD_UNIT={unit} + UNIT={unit} + _TRANSPORT=audit + _TRANSPORT=kernel",
                 quiet=True)
    return [line for line in text.splitlines()
            if re.search(r"status=31/SYS|signal=SYS|SECCOMP|seccomp", line)]


def received_bodies(c):
    text = c.out("cat /root/received.jsonl 2>/dev/null", quiet=True)
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def check_signed_alert(c, hook_path, secret, what):
    ok = c.wait_for(f"grep -q '\"path\": \"{hook_path}\"' /root/received.jsonl",
                    f"{what}: an alert reached the webhook {hook_path}", timeout=90)
    if not ok:
        log(c.out(f"journalctl -q --no-pager -n 40 -o cat", quiet=True))
        return
    got = [b for b in received_bodies(c) if b["path"] == hook_path][0]
    body = json.loads(got["body"])
    titles = [a.get("title", "") for a in body.get("alerts", [])]
    log(f"  alerts: {titles}")
    check(any("message" in t.lower() for t in titles), f"{what}: it is the buyer-message alert")
    # The signature covers the timestamp header and the body (docs/alerts.md).
    signed = (got["timestamp"] + "." + got["body"]).encode()
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    check(got["timestamp"] != "", f"{what}: carries X-Seller-Healthd-Timestamp")
    check(expected in got["signature"],
          f"{what}: signed with the secret from the credential (X-Signature-SHA256)")


# --------------------------------------------------------------------------
# The steps.

def step_install(c, deb, version):
    log("\n== 1. install")
    c.ok(f"apt-get install -y --no-install-recommends /root/debs/{os.path.basename(deb)}",
         "apt-get install the package", timeout=300)
    c.ok(f"dpkg-query -W -f='${{Version}}' seller-healthd | grep -qx '{version}-1'",
         f"seller-healthd {version}-1 installed")
    pw = c.out("getent passwd seller-healthd").split(":")
    if check(len(pw) == 7, "the user seller-healthd exists"):
        check(pw[5] == "/var/lib/seller-healthd", "its home is /var/lib/seller-healthd")
        check(pw[6].endswith("nologin"), "it has no login shell")
        check(int(pw[2]) < 1000, "it is a system user")
    c.ok("getent group seller-healthd", "the group seller-healthd exists")
    for path, want in [("/var/lib/seller-healthd", "750 seller-healthd:seller-healthd"),
                       ("/var/lib/seller-healthd/inbox", "2770 seller-healthd:seller-healthd"),
                       ("/etc/seller-healthd", "755 root:root"),
                       ("/etc/seller-healthd/credentials", "700 root:root"),
                       ("/etc/seller-healthd/seller-healthd.yaml", "640 root:seller-healthd")]:
        got = c.out(f"stat -c '%a %U:%G' {path}", quiet=True)
        check(got == want, f"{path} is {want} (got {got!r})")
    c.ok("dpkg-query -W -f='${Conffiles}' seller-healthd | grep -q '/etc/seller-healthd/seller-healthd.yaml'",
         "the configuration is a conffile")
    check(c.out("systemctl is-enabled seller-healthd.service", quiet=True) == "disabled",
          "seller-healthd.service is not enabled on install")
    check(c.out("systemctl is-active seller-healthd.service", quiet=True) == "inactive",
          "seller-healthd.service is not started on install")
    check(c.sh("pgrep -x seller-healthd", quiet=True)[0] != 0, "no seller-healthd process runs")
    for unit in ["seller-healthd.service", "seller-healthd@check.service"]:
        text = c.out(f"systemctl cat {unit}", quiet=True)
        check("/lib/systemd/system/seller-healthd" in text and "sandbox.conf" in text
              and "SystemCallFilter=@system-service" in text,
              f"{unit} is loaded with the shared sandbox drop-in")
        rc, out = c.sh(f"systemd-analyze security --no-pager {unit} | tail -n 1", quiet=True)
        m = re.search(r"exposure level for \S+: (\d+\.\d+)", out)
        check(m is not None and float(m.group(1)) <= 2.0,
              f"{unit}: live systemd-analyze security at most 2.0 ({out.strip()})")


def step_enable_and_cycle(c):
    log("\n== 2. enable --now, one cycle from the inbox to the webhook")
    state = "/var/lib/seller-healthd"
    # Any denied system call kills (SIGSYS) during the whole test instead of
    # returning EPERM, so that it cannot go unnoticed.
    c.write("/etc/systemd/system/seller-healthd.service.d/50-live-test-syscalls.conf",
            "[Service]\nSystemCallErrorNumber=kill\n")
    c.write("/etc/systemd/system/seller-healthd@.service.d/50-live-test-syscalls.conf",
            "[Service]\nSystemCallErrorNumber=kill\n")
    c.write("/etc/seller-healthd/seller-healthd.yaml", config_yaml(state, "127.0.0.1:9110", "/single"),
            0o640)
    c.write("/etc/seller-healthd/credentials/hook-secret", "single-secret\n", 0o600)
    c.write("/root/receiver.py", RECEIVER)
    c.write("/root/http_get.py", HTTP_GET)
    c.ok("systemctl daemon-reload", "daemon-reload")
    c.ok(f"systemd-run --unit=shd-receiver python3 /root/receiver.py /root/received.jsonl {RECEIVER_PORT}",
         "webhook receiver started on 127.0.0.1")
    c.wait_for(f"python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", {RECEIVER_PORT}))'",
               "the receiver listens")
    drop_into_inbox(c, f"{state}/inbox", "messages-single.csv", messages_csv("m-0000001"))

    since = cursor(c)
    rc, _ = c.sh("systemctl enable --now seller-healthd", timeout=120)
    check(rc == 0, "systemctl enable --now seller-healthd (returns after READY=1)")
    check(show(c, "seller-healthd", "ActiveState") == "active"
          and show(c, "seller-healthd", "SubState") == "running", "the service is active (running)")
    check(c.out("systemctl is-enabled seller-healthd", quiet=True) == "enabled", "it is enabled")
    status = c.out("systemctl status --no-pager seller-healthd", quiet=True)
    check(re.search(r"^\s*Status: \"[^\"]+\"", status, re.M) is not None,
          "systemctl status shows the daemon's Status: line")
    log("  " + "\n  ".join(l for l in status.splitlines() if "Status:" in l))
    main_pid = show(c, "seller-healthd", "MainPID")
    check(c.out(f"stat -c %U /proc/{main_pid}", quiet=True) == "seller-healthd",
          "it runs as seller-healthd")
    check(show(c, "seller-healthd", "MemoryMax") == str(512 * 1024 * 1024),
          "MemoryMax=512M from the sandbox drop-in")

    c.wait_for(f"test -f {state}/inbox/archive/messages-single.csv",
               "the message file is imported and archived", timeout=60)
    check_signed_alert(c, "/single", "single-secret", "single unit")
    c.wait_for("python3 /root/http_get.py http://127.0.0.1:9110/healthz", "/healthz answers 200",
               timeout=60)
    code, metrics = http_get(c, "http://127.0.0.1:9110/metrics")
    check(code == "200", "/metrics answers 200")
    check(re.search(r'^seller_healthd_imports_total\{account="Live test seller",result="imported"\} 1$',
                    metrics, re.M) is not None, "/metrics counts the imported file")
    check(re.search(r'^seller_healthd_deliveries_total\{account="Live test seller",channel="receiver"\} [1-9]', metrics,
                    re.M) is not None, "/metrics counts the delivery")
    # MemoryCurrent= needs the memory controller, which a container may lack.
    rss = c.out(f"sed -n 's/^VmHWM:\\s*//p' /proc/{main_pid}/status", quiet=True)
    log(f"  peak resident memory after the cycle: {rss} (MemoryMax=512M)")
    denials = syscall_denials(c, "seller-healthd.service", since)
    check(not denials, f"no system call denied through the cycle {denials}")
    check(show(c, "seller-healthd", "NRestarts") == "0"
          and show(c, "seller-healthd", "MainPID") == main_pid,
          "the daemon was never killed or restarted")
    log("  " + journal(c, "seller-healthd", since).replace("\n", "\n  "))
    return main_pid


def step_reload(c, main_pid):
    log("\n== 3. reload, good and bad")
    state = "/var/lib/seller-healthd"
    config = "/etc/seller-healthd/seller-healthd.yaml"
    since = cursor(c)
    c.write(config, config_yaml(state, "127.0.0.1:9111", "/single"), 0o640)
    c.ok("systemctl reload seller-healthd", "systemctl reload (good file)")
    c.wait_for("python3 /root/http_get.py http://127.0.0.1:9111/healthz",
               "after the reload the endpoint is on the new port", timeout=30)
    check(http_get(c, "http://127.0.0.1:9110/healthz")[0] != "200", "and no longer on the old one")
    check(show(c, "seller-healthd", "MainPID") == main_pid, "same process after a good reload")
    check("reload: configuration applied" in journal(c, "seller-healthd", since),
          "the journal says the configuration was applied")

    since = cursor(c)
    c.write(config, config_yaml(state, "127.0.0.1:9112", "/single").replace(
        "poll_interval: 1s", "poll_interval: sometimes"), 0o640)
    c.ok("systemctl reload seller-healthd", "systemctl reload (bad file)")
    c.wait_for(f"journalctl -q -o cat -u seller-healthd --after-cursor='{since}' | grep -q 'keeping the current configuration'",
               "the bad file is logged, the current configuration kept", timeout=30)
    log("  " + journal(c, "seller-healthd", since).replace("\n", "\n  "))
    check(show(c, "seller-healthd", "ActiveState") == "active"
          and show(c, "seller-healthd", "MainPID") == main_pid, "same process, still active")
    check(http_get(c, "http://127.0.0.1:9111/healthz")[0] == "200",
          "the endpoint stays where the old configuration put it")
    check(http_get(c, "http://127.0.0.1:9112/healthz")[0] != "200",
          "nothing of the bad file applied")
    c.write(config, config_yaml(state, "127.0.0.1:9110", "/single"), 0o640)
    c.ok("systemctl reload seller-healthd", "reload back to the first configuration")
    c.wait_for("python3 /root/http_get.py http://127.0.0.1:9110/healthz", "back on 9110", timeout=30)


def step_watchdog(c):
    log("\n== 4. the watchdog restarts a stopped process")
    dropin = "/etc/systemd/system/seller-healthd.service.d/60-live-test-watchdog.conf"
    # The shipped 2 minutes, shortened; SIGABRT stays pending on a stopped
    # process, so it is the SIGKILL after TimeoutAbortSec= that ends it.
    # MemoryMax= too: a local drop-in must win over the vendor's 10-sandbox.conf.
    c.write(dropin, "[Service]\nWatchdogSec=5s\nTimeoutAbortSec=3s\nRestartSec=1s\nMemoryMax=1G\n")
    c.ok("systemctl daemon-reload && systemctl restart seller-healthd", "restart with WatchdogSec=5s")
    check(show(c, "seller-healthd", "MemoryMax") == str(1024 ** 3),
          "a local drop-in overrides the sandbox drop-in (MemoryMax=1G)")
    pid = show(c, "seller-healthd", "MainPID")
    restarts = int(show(c, "seller-healthd", "NRestarts") or 0)
    since = cursor(c)
    c.ok(f"kill -STOP {pid}", f"SIGSTOP the main process {pid}")
    c.wait_for(f"test \"$(systemctl show -p MainPID --value seller-healthd)\" != {pid} && "
               "test \"$(systemctl show -p MainPID --value seller-healthd)\" != 0 && "
               "systemctl is-active -q seller-healthd",
               "systemd killed it and started a new process", timeout=90)
    text = journal(c, "seller-healthd", since)
    log("  " + "\n  ".join(l for l in text.splitlines() if re.search(r"[Ww]atchdog|status=|Scheduled", l)))
    check("Watchdog timeout" in text, "the journal says Watchdog timeout")
    check(int(show(c, "seller-healthd", "NRestarts") or 0) > restarts, "NRestarts went up")
    os.remove(os.path.join(c.root, dropin.lstrip("/")))
    c.ok("systemctl daemon-reload && systemctl restart seller-healthd", "back to the shipped watchdog")
    check(show(c, "seller-healthd", "WatchdogUSec") == "2min", "WatchdogSec is the shipped 2min again")


def step_syscall_kill(c):
    log("\n== 5. a denied system call is caught (the check can fail)")
    dropin = "/etc/systemd/system/seller-healthd.service.d/70-live-test-deny-rename.conf"
    # The daemon moves an imported file into archive/ with rename(2).
    c.write(dropin, "[Service]\nSystemCallFilter=~rename renameat renameat2\nRestartSec=1h\n")
    c.ok("systemctl daemon-reload && systemctl restart seller-healthd", "restart denying rename(2)")
    since = cursor(c)
    drop_into_inbox(c, "/var/lib/seller-healthd/inbox", "messages-denied.csv", messages_csv("m-0000002"))
    c.wait_for("test \"$(systemctl show -p ExecMainStatus --value seller-healthd)\" = 31",
               "the daemon is killed by SIGSYS when it archives the file", timeout=60)
    denials = syscall_denials(c, "seller-healthd.service", since)
    log(f"  {denials}")
    check(bool(denials), "the system call check reports it")
    os.remove(os.path.join(c.root, dropin.lstrip("/")))
    c.ok("systemctl daemon-reload && systemctl reset-failed seller-healthd; systemctl restart seller-healthd",
         "back to the shipped filter")
    c.wait_for("test -f /var/lib/seller-healthd/inbox/archive/messages-denied.csv",
               "with the shipped filter the same file is archived", timeout=60)


def step_stop(c):
    log("\n== 6. stop")
    since = cursor(c)
    c.ok("systemctl stop seller-healthd", "systemctl stop seller-healthd", timeout=90)
    check(show(c, "seller-healthd", "ActiveState") == "inactive", "it is inactive")
    check(show(c, "seller-healthd", "Result") == "success", "it stopped cleanly (Result=success)")
    text = journal(c, "seller-healthd", since)
    check("stopped" in text, "the journal ends with the daemon's own 'stopped'")


def step_instances(c):
    log("\n== 7. two instances of seller-healthd@.service at once")
    ports = {"alpha": 9121, "beta": 9122}
    for name, port in ports.items():
        state = f"/var/lib/seller-healthd/{name}"
        c.write(f"/etc/seller-healthd/{name}.yaml", config_yaml(state, f"127.0.0.1:{port}", f"/{name}", account=None), 0o640)
        c.sh(f"chown root:seller-healthd /etc/seller-healthd/{name}.yaml", quiet=True)
        c.sh(f"install -d -m 0700 /etc/seller-healthd/{name}.credentials", quiet=True)
        c.write(f"/etc/seller-healthd/{name}.credentials/hook-secret", f"{name}-secret\n", 0o600)
    c.ok("systemctl enable --now seller-healthd@alpha seller-healthd@beta",
         "systemctl enable --now seller-healthd@alpha seller-healthd@beta", timeout=120)
    for name, port in ports.items():
        unit = f"seller-healthd@{name}"
        state = f"/var/lib/seller-healthd/{name}"
        check(show(c, unit, "ActiveState") == "active", f"{unit} is active")
        got = c.out(f"stat -c '%a %U:%G' {state} {state}/inbox", quiet=True).split("\n")
        check(got == ["750 seller-healthd:seller-healthd", "2770 seller-healthd:seller-healthd"],
              f"{state} is 750 and its inbox 2770, both seller-healthd (got {got})")
        drop_into_inbox(c, f"{state}/inbox", f"messages-{name}.csv",
                        messages_csv(f"m-{name}-{port}0000"))
    for name, port in ports.items():
        state = f"/var/lib/seller-healthd/{name}"
        c.wait_for(f"test -f {state}/inbox/archive/messages-{name}.csv",
                   f"{name} archives its own file", timeout=60)
        other = "beta" if name == "alpha" else "alpha"
        check(c.sh(f"test -e {state}/inbox/archive/messages-{other}.csv", quiet=True)[0] != 0,
              f"{name} did not import {other}'s file")
        c.ok(f"test -f {state}/seller-healthd.sqlite", f"{name} has its own database in {state}")
        check_signed_alert(c, f"/{name}", f"{name}-secret", f"seller-healthd@{name}")
        code, metrics = http_get(c, f"http://127.0.0.1:{port}/metrics")
        # No account in NAME.yaml: the label is the instance's name.
        check(code == "200" and re.search(
            rf'^seller_healthd_imports_total\{{account="{name}",result="imported"\}} 1$', metrics,
            re.M) is not None, f"{name}: /metrics on port {port} counts one imported file as {name}")
    check(len({show(c, f"seller-healthd@{n}", "MainPID") for n in ports}) == 2,
          "two daemons, one per instance")
    check(c.sh("test -e /run/credentials/seller-healthd@alpha.service/secrets_hook-secret && "
               "grep -qx alpha-secret /run/credentials/seller-healthd@alpha.service/secrets_hook-secret",
               quiet=True)[0] == 0, "alpha's credential is alpha's own secret")


def step_upgrade(c, deb2, version, migration):
    log("\n== 8. upgrade with a new migration, services running")
    c.ok("systemctl start seller-healthd", "start seller-healthd again")
    before = {u: show(c, u, "MainPID") for u in ["seller-healthd", "seller-healthd@alpha"]}
    config_before = c.out("sha256sum /etc/seller-healthd/seller-healthd.yaml", quiet=True)
    c.ok(f"apt-get install -y --no-install-recommends /root/debs/{os.path.basename(deb2)}",
         f"apt-get install {os.path.basename(deb2)}", timeout=300)
    c.ok(f"dpkg-query -W -f='${{Version}}' seller-healthd | grep -qx '{version}-2'",
         f"seller-healthd {version}-2 installed")
    check(c.out("sha256sum /etc/seller-healthd/seller-healthd.yaml", quiet=True) == config_before,
          "the edited configuration (conffile) is kept")
    check(c.out("stat -c '%a %U:%G' /etc/seller-healthd/seller-healthd.yaml", quiet=True)
          == "640 root:seller-healthd", "and stays 640 root:seller-healthd")
    for unit, pid in before.items():
        now = show(c, unit, "MainPID")
        check(show(c, unit, "ActiveState") == "active" and now not in (pid, "0"),
              f"{unit} was restarted on the new binary (pid {pid} -> {now})")
    c.wait_for(
        "python3 -c \"import sqlite3,sys; db=sqlite3.connect('file:/var/lib/seller-healthd/seller-healthd.sqlite?mode=ro', uri=True); "
        f"sys.exit(0 if db.execute('SELECT MAX(version) FROM schema_migrations').fetchone()[0] == {migration} else 1)\"",
        f"the new migration {migration:04d} is applied", timeout=30)
    c.wait_for("python3 /root/http_get.py http://127.0.0.1:9110/healthz",
               "the upgraded daemon answers /healthz", timeout=60)


def step_remove_purge(c):
    log("\n== 9. remove and purge")
    c.ok("apt-get remove -y seller-healthd", "apt-get remove seller-healthd", timeout=300)
    for unit in ["seller-healthd", "seller-healthd@alpha", "seller-healthd@beta"]:
        check(c.out(f"systemctl is-active {unit}", quiet=True) != "active", f"{unit} is stopped")
    check(c.sh("pgrep -x seller-healthd", quiet=True)[0] != 0, "no seller-healthd process is left")
    check(c.sh("test -e /usr/bin/seller-healthd", quiet=True)[0] != 0, "the program is gone")
    c.ok("test -f /etc/seller-healthd/seller-healthd.yaml && test -f /var/lib/seller-healthd/seller-healthd.sqlite",
         "the configuration and the database are kept after remove")
    c.ok("apt-get purge -y seller-healthd", "apt-get purge seller-healthd", timeout=300)
    check(c.sh("test -e /etc/seller-healthd", quiet=True)[0] != 0,
          "/etc/seller-healthd is gone (configuration, credentials, instances)")
    check(c.sh("test -e /var/lib/seller-healthd", quiet=True)[0] != 0,
          "/var/lib/seller-healthd is gone (databases, inboxes)")
    links = c.out("find /etc/systemd/system -name 'seller-healthd*' ! -path '*.service.d*'", quiet=True)
    check(links == "", f"no enable link is left ({links!r})")
    check(c.sh("dpkg-query -W seller-healthd 2>/dev/null | grep -q .", quiet=True)[0] != 0
          or c.out("dpkg-query -W -f='${Status}' seller-healthd", quiet=True).endswith("not-installed"),
          "dpkg no longer knows the package")
    c.ok("getent passwd seller-healthd >/dev/null", "the user stays (Debian keeps system users)")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--source-dir", required=True)
    ap.add_argument("--version", required=True)
    ap.add_argument("--keep", action="store_true", help="keep the work folder (and its root)")
    args = ap.parse_args()

    if os.geteuid() != 0:
        log("skip: the live systemd test needs root")
        return SKIP
    for tool in ["systemd-nspawn", "nsenter"]:
        if shutil.which(tool) is None:
            log(f"skip: {tool} not found (scripts/install-deps.sh installs systemd-container)")
            return SKIP
    for tool in ["cpack", "cmake", "dpkg-deb", "tar"]:
        if shutil.which(tool) is None:
            sys.exit(f"live_test: {tool} not found")

    started = time.monotonic()
    work = tempfile.mkdtemp(prefix="shd-live-")
    container = None
    try:
        deb = cpack_deb(args.build_dir, os.path.join(work, "deb"))
        log(f"package: {deb} ({time.monotonic() - started:.0f}s)")
        deb2, migration = build_upgrade_deb(args.source_dir, args.build_dir, work, args.version)
        log(f"upgrade: {deb2}, migration {migration:04d} ({time.monotonic() - started:.0f}s)")
        depends = must(["dpkg-deb", "-f", deb, "Depends"]).strip()
        tarball = root_tarball(depends)
        root = os.path.join(work, "root")
        os.makedirs(root)
        must(["tar", "--numeric-owner", "-C", root, "-xf", tarball])
        # The container's /: unprivileged users there (messagebus,
        # seller-healthd) must be able to walk it.
        os.chmod(root, 0o755)
        os.makedirs(os.path.join(root, "root/debs"), exist_ok=True)
        for d in (deb, deb2):
            shutil.copy(d, os.path.join(root, "root/debs"))
        log(f"root ready ({time.monotonic() - started:.0f}s)")

        container = Container(root, os.path.join(work, "console.log"))
        # Until init has its bus socket up, systemctl cannot even ask.
        deadline = time.monotonic() + 180
        while True:
            rc, state = container.sh("systemctl is-system-running --wait", timeout=180, quiet=True)
            if "Failed to connect to bus" not in state or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        log(f"container: {state.strip()}")
        if state.strip() not in ("running", "degraded"):
            sys.exit(f"live_test: the container did not boot: {state.strip()}")
        if state.strip() == "degraded":
            container.sh("systemctl --failed --no-legend")
        log(f"booted ({time.monotonic() - started:.0f}s)")

        step_install(container, deb, args.version)
        main_pid = step_enable_and_cycle(container)
        step_reload(container, main_pid)
        step_watchdog(container)
        step_syscall_kill(container)
        step_stop(container)
        step_instances(container)
        step_upgrade(container, deb2, args.version, migration)
        step_remove_purge(container)
    finally:
        if container is not None:
            if failures:
                container.sh("journalctl -q --no-pager -n 80 -o short-monotonic", quiet=False)
            container.stop()
        if args.keep:
            log(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    log(f"\nlive test took {time.monotonic() - started:.0f}s")
    if failures:
        log(f"\n{len(failures)} check(s) failed:")
        for f in failures:
            log(f"  {f}")
        return 1
    log("\nall live checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
