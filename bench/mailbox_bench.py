#!/usr/bin/env python3
"""Polling a large mailbox over IMAP (docs/performance.md, "Mailbox").

Starts a real Dovecot on 127.0.0.1 (imaps, certificate from a CA made here),
fills its Maildir with MESSAGES messages (two thirds buyer messages in INBOX
from Amazon aliases of several marketplaces, a tenth of them from other
senders; one third replies in Sent), lets Dovecot index them, then runs the
real binary, `seller-healthd fetch --source mailbox --json`, twice: the first
poll reads everything, then NEW more messages arrive (placed with IMAP
APPEND, as a mail server delivers) and the second poll reads only those.

For each poll it prints the wall time, the IMAP round trips the binary
counted (EXAMINE and FETCH commands after login), the connections, and the
binary's peak RSS (from wait4). Goal: peak RSS <= 64 MB.

Usage: bench/mailbox_bench.py [--build BUILD_DIR] [--messages 100000] [--new 100]
"""
import argparse
import json
import os
import pwd
import random
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time

MARKETPLACES = ["com", "co.uk", "de", "fr", "it", "es", "ca", "co.jp"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"dovecot did not open port {port}")


def make_pki(d):
    def run(*args):
        subprocess.run(args, cwd=d, check=True, capture_output=True)
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=seller-healthd bench CA")
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem",
        "-out", "leaf.csr", "-subj", "/CN=localhost")
    with open(os.path.join(d, "san.ext"), "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    run("openssl", "x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "2", "-out", "cert.pem", "-extfile", "san.ext")
    os.chmod(os.path.join(d, "key.pem"), 0o600)


def message(i, rng, reply):
    mp = MARKETPLACES[i % len(MARKETPLACES)]
    alias = f"buyer{i % 20000:05d}@marketplace.amazon.{mp}"
    order = f"{100 + i % 800:03d}-{rng.randrange(10**7):07d}-{rng.randrange(10**7):07d}"
    day = 1 + i % 28
    date = f"Mon, {day:02d} Nov 2026 {i % 24:02d}:{i % 60:02d}:{(i * 7) % 60:02d} +0000"
    if reply:
        sender, to = "orders@example.com", alias
        subject = f"RE: Question about order {order}"
    elif i % 10 == 9:
        sender, to = "seller-notification@amazon.com", "orders@example.com"
        subject = "Your payout is on its way"
    else:
        sender, to = alias, "orders@example.com"
        subject = f"Inquiry from Amazon customer (Order: {order})"
    body = ("Hello,\r\n\r\nI have a question about my order. When will it arrive?\r\n"
            "It was meant for a birthday.\r\n\r\nThank you\r\n") * 3
    return (f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {date}\r\n"
            f"Message-ID: <bench-{i}-{'r' if reply else 'b'}@example.com>\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body)


def fill_maildir(folder, start, count, reply, rng):
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(folder, sub), exist_ok=True)
    for i in range(start, start + count):
        name = f"{1765000000 + i}.M{i}P1.bench:2,S"
        with open(os.path.join(folder, "cur", name), "w", newline="") as f:
            f.write(message(i, rng, reply))


def append(url, ca, folder, text):
    # curl cannot size an upload from a pipe, and IMAP APPEND needs the size.
    with tempfile.NamedTemporaryFile("w", newline="", suffix=".eml") as f:
        f.write(text)
        f.flush()
        subprocess.run(["curl", "-sS", "--cacert", ca, "-u", "shop:s3cret-imap", "-T", f.name,
                        f"{url}/{folder}"], check=True)


def poll(binary, config):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    proc = subprocess.Popen([binary, "fetch", "--source", "mailbox", "--json", "--config", config],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate()  # the pipes drain while the child runs
    wall = time.monotonic() - start
    # The child has been reaped by communicate(); its peak RSS is the largest
    # of this script's children so far, which are only these polls and curl.
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    rss_kb = after.ru_maxrss
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        sys.exit(f"fetch failed ({proc.returncode}): {err.decode()}")
    return wall, cpu, rss_kb, json.loads(out)


def find_counts(report):
    def walk(node):
        if isinstance(node, dict):
            if "imap_commands" in node:
                yield node
            for v in node.values():
                yield from walk(v)
        elif isinstance(node, list):
            for v in node:
                yield from walk(v)
    return next(walk(report), {})


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--build", default="build")
    p.add_argument("--messages", type=int, default=100000)
    p.add_argument("--new", type=int, default=100)
    args = p.parse_args()
    binary = os.path.abspath(os.path.join(args.build, "daemon", "seller-healthd"))
    rng = random.Random(7)

    d = tempfile.mkdtemp(prefix="shd-mailbox-bench-")
    os.chmod(d, 0o755)
    dovecot = None
    try:
        make_pki(d)
        root = os.geteuid() == 0
        uid, gid = (65534, 65534) if root else (os.geteuid(), os.getegid())
        me = pwd.getpwuid(os.geteuid()).pw_name
        imaps = free_port()
        os.makedirs(os.path.join(d, "run"))
        with open(os.path.join(d, "passwd"), "w") as f:
            f.write("shop:{PLAIN}s3cret-imap::::::\n")
        with open(os.path.join(d, "dovecot.conf"), "w") as f:
            f.write(f"""protocols = imap
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/run/state
default_login_user = {"nobody" if root else me}
default_internal_user = {me}
default_internal_group = {"root" if root else me}
first_valid_uid = 0
ssl = required
ssl_cert = <{d}/cert.pem
ssl_key = <{d}/key.pem
auth_mechanisms = plain login
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {d}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={d}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {imaps}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
log_path = {d}/dovecot.log
""")
        maildir = os.path.join(d, "home", "shop", "Maildir")
        buyer = args.messages * 2 // 3
        t0 = time.monotonic()
        fill_maildir(maildir, 0, buyer, False, rng)
        fill_maildir(os.path.join(maildir, ".Sent"), buyer, args.messages - buyer, True, rng)
        if root:
            subprocess.run(["chown", "-R", f"{uid}:{gid}", os.path.join(d, "home")], check=True)
        print(f"wrote {args.messages} messages in {time.monotonic() - t0:.1f} s", flush=True)

        dovecot = subprocess.Popen(["/usr/sbin/dovecot", "-F", "-c", f"{d}/dovecot.conf"])
        wait_port(imaps)
        url = f"imaps://127.0.0.1:{imaps}"
        ca = os.path.join(d, "ca.pem")
        # Dovecot indexes a folder the first time it is opened; that is the
        # server's work, not ours, so it happens before the clock starts.
        t0 = time.monotonic()
        for folder in ("INBOX", "Sent"):
            subprocess.run(["curl", "-sS", "--cacert", ca, "-u", "shop:s3cret-imap",
                            "-X", f"EXAMINE {folder}", url + "/"], check=True,
                           capture_output=True)
        print(f"dovecot indexed the folders in {time.monotonic() - t0:.1f} s", flush=True)

        config = os.path.join(d, "shop.yaml")
        with open(config, "w") as f:
            f.write(f"""database: {d}/db.sqlite
inbox: {d}/inbox
mailbox:
  imap: {{url: "{url}", username: shop, password: s3cret-imap, ca_file: {ca},
         buyer_folders: [INBOX], reply_folders: [Sent]}}
  poll_interval: 2m
""")
        wall, cpu, rss, report = poll(binary, config)
        counts = find_counts(report)
        print(f"first poll: {args.messages} messages, {wall:.2f} s ({cpu:.2f} s CPU in ours), "
              f"{counts.get('imap_commands')} IMAP round trips, "
              f"{counts.get('imap_connections')} connections, peak RSS {rss / 1024:.1f} MB",
              flush=True)

        for i in range(args.new):
            append(url, ca, "INBOX" if i % 3 else "Sent",
                   message(args.messages + i, rng, reply=(i % 3 == 0)))
        wall, cpu, rss2, report = poll(binary, config)
        counts = find_counts(report)
        print(f"next poll: {args.new} new messages, {wall:.2f} s ({cpu:.2f} s CPU in ours), "
              f"{counts.get('imap_commands')} IMAP round trips, "
              f"{counts.get('imap_connections')} connections "
              f"(peak RSS of both polls {rss2 / 1024:.1f} MB)")
        print(f"load average: {os.getloadavg()[0]:.2f}")
        print(json.dumps(report)[:2000], file=sys.stderr)
    finally:
        if dovecot:
            dovecot.terminate()
            dovecot.wait()
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
