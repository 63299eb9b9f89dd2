#!/usr/bin/env python3
"""A tiny forward proxy for tests, on 127.0.0.1 (port printed on stdout).

HTTP CONNECT opens a tunnel to host:port and relays bytes both ways (the
proxy sees only TLS ciphertext for https). A request in absolute form
(GET http://host:port/path) is forwarded in origin form. Every request head
it reads is recorded as one JSON line in --log: method, target,
Proxy-Authorization (as sent, so the test can check the credentials) and
the header names. With --user/--password, a request without the matching
Basic credentials gets 407; with --refuse every CONNECT gets 403.
Standard library only.
"""
import argparse
import base64
import json
import socket
import socketserver
import sys
import threading
import urllib.parse

LOG_LOCK = threading.Lock()


def relay(a, b):
    def pump(src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            try:
                dst.shutdown(socket.SHUT_WR)
            except OSError:
                pass

    t = threading.Thread(target=pump, args=(b, a), daemon=True)
    t.start()
    pump(a, b)
    t.join()


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        args = self.server.args
        sock = self.request
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                return
            data += chunk
        head, rest = data.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        method, target, version = lines[0].split(" ", 2)
        headers = []
        auth = None
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers.append(name.strip())
            if name.strip().lower() == "proxy-authorization":
                auth = value.strip()
        with LOG_LOCK, open(args.log, "a") as f:
            f.write(json.dumps({"method": method, "target": target,
                                "proxy_authorization": auth, "headers": headers}) + "\n")

        if args.user is not None:
            expected = "Basic " + base64.b64encode(
                f"{args.user}:{args.password}".encode()).decode()
            if auth != expected:
                sock.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                             b"Proxy-Authenticate: Basic realm=\"test\"\r\n"
                             b"Content-Length: 0\r\nConnection: close\r\n\r\n")
                return
        if method == "CONNECT":
            if args.refuse:
                sock.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                return
            host, _, port = target.rpartition(":")
            try:
                upstream = socket.create_connection((host.strip("[]"), int(port)), timeout=10)
            except OSError:
                sock.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                return
            upstream.settimeout(None)
            sock.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            if rest:
                upstream.sendall(rest)
            relay(sock, upstream)
            upstream.close()
            return
        url = urllib.parse.urlsplit(target)
        if url.scheme != "http" or not url.hostname:
            sock.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            return
        upstream = socket.create_connection((url.hostname, url.port or 80), timeout=10)
        path = url.path or "/"
        if url.query:
            path += "?" + url.query
        kept = [l for l in lines[1:] if not l.lower().startswith("proxy-authorization:")]
        new_head = "\r\n".join([f"{method} {path} {version}"] + kept) + "\r\n\r\n"
        upstream.sendall(new_head.encode("latin-1") + rest)
        relay(sock, upstream)
        upstream.close()


class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--log", required=True)
    p.add_argument("--user")
    p.add_argument("--password", default="")
    p.add_argument("--refuse", action="store_true")
    args = p.parse_args()
    server = Server(("127.0.0.1", 0), Handler)
    server.args = args
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
