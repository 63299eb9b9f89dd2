#!/usr/bin/env python3
"""A real SMTP server on loopback for the email delivery tests (aiosmtpd).

Binds 127.0.0.1 on an ephemeral port, prints "PORT <n>" on stdout once it
accepts connections, and serves until killed. Every accepted message is written
to --outdir as <n>.eml (the bytes received after DATA) and <n>.json (envelope:
mail_from, rcpt_tos, whether the session ran over TLS, the authenticated login).

--cert/--key enable STARTTLS, and then TLS is required before AUTH, MAIL and
RCPT (aiosmtpd's require_starttls). Without them the server speaks plaintext
and does not offer STARTTLS at all. --user/--password require AUTH with those
credentials (LOGIN or PLAIN; aiosmtpd refuses AUTH before TLS).

--implicit-tls serves TLS from the first byte (smtps://) instead of STARTTLS.

`smtp_server.py --parse FILE` instead reads one received message with Python's
email package (an independent RFC 5322/MIME reader) and prints what it found as
JSON: headers, decoded subject, defects, and each part's type and decoded text.

Recipients whose local part is "reject550" or "defer451" are refused with that
SMTP code, so the tests can check how replies map to outcomes.
"""

import argparse
import asyncio
import email
import email.policy
import json
import os
import socket
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class SavingHandler:
    def __init__(self, outdir):
        self.outdir = outdir
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local == "reject550":
            return "550 5.1.1 mailbox unavailable"
        if local == "defer451":
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.outdir, str(self.count))
        login = None
        if isinstance(session.auth_data, LoginPassword):
            login = session.auth_data.login.decode("utf-8", "replace")
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            # session.ssl is set by STARTTLS only; implicit TLS shows on the transport.
            "tls": session.ssl is not None
            or server.transport.get_extra_info("ssl_object") is not None,
            "login": login,
        }
        # Written before the 250 reply: the client returns only after it, so a
        # test can read the files as soon as its send() returns.
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content)
        with open(base + ".json.tmp", "w") as f:
            json.dump(meta, f)
        os.rename(base + ".json.tmp", base + ".json")
        os.rename(base + ".eml.tmp", base + ".eml")
        return "250 2.0.0 Message accepted"


def make_authenticator(user, password):
    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == user.encode()
            and auth_data.password == password.encode()
        )
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    return authenticator


async def serve(args):
    server_context = None
    if args.cert:
        server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        server_context.load_cert_chain(args.cert, args.key)
    tls_context = None if args.implicit_tls else server_context
    handler = SavingHandler(args.outdir)
    auth = args.user is not None

    def factory():
        return SMTP(
            handler,
            hostname="smtp.test",
            tls_context=tls_context,
            require_starttls=tls_context is not None,
            authenticator=make_authenticator(args.user, args.password) if auth else None,
            auth_required=auth,
            # Implicit TLS is invisible to aiosmtpd's STARTTLS bookkeeping.
            auth_require_tls=not args.implicit_tls,
        )

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    loop = asyncio.get_running_loop()
    implicit = server_context if args.implicit_tls else None
    server = await loop.create_server(factory, sock=sock, ssl=implicit)
    print(f"PORT {sock.getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


def parse_message(path):
    with open(path, "rb") as f:
        raw = f.read()
    message = email.message_from_bytes(raw, policy=email.policy.default)
    defects = [type(d).__name__ for d in message.defects]
    parts = []
    for part in message.walk():
        defects += [type(d).__name__ for d in part.defects]
        if part.is_multipart():
            continue
        parts.append(
            {
                "content_type": part.get_content_type(),
                "charset": part.get_content_charset(),
                "transfer_encoding": part.get("Content-Transfer-Encoding"),
                "text": part.get_content(),
            }
        )
    def header(name):
        value = message[name]
        return None if value is None else str(value)

    to = message["To"]
    date = message["Date"]
    result = {
        "subject": header("Subject"),
        "from": header("From"),
        "to": [] if to is None else [a.addr_spec for a in to.addresses],
        "date": header("Date"),
        "date_utc": None if date is None or date.datetime is None else date.datetime.isoformat(),
        "message_id": header("Message-ID"),
        "idempotency_key": header("X-Idempotency-Key"),
        "mime_version": header("MIME-Version"),
        "content_type": message.get_content_type(),
        "defects": defects,
        "parts": parts,
    }
    print(json.dumps(result))
    return 0


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--parse":
        return parse_message(sys.argv[2])
    parser = argparse.ArgumentParser()
    parser.add_argument("--outdir", required=True)
    parser.add_argument("--implicit-tls", action="store_true")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--user")
    parser.add_argument("--password")
    args = parser.parse_args()
    if bool(args.cert) != bool(args.key):
        parser.error("--cert and --key go together")
    if args.implicit_tls and not args.cert:
        parser.error("--implicit-tls needs --cert and --key")
    if (args.user is None) != (args.password is None):
        parser.error("--user and --password go together")
    try:
        asyncio.run(serve(args))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
