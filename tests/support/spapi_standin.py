#!/usr/bin/env python3
"""A stand-in for Amazon's Selling Partner API and Login with Amazon, for tests.

HTTPS on 127.0.0.1 (the port is printed on stdout) with a certificate the
test made; standard library only. It speaks the wire format of Amazon's
models (../shared/sp-api/*.json):

  POST /auth/o2/token                               Login with Amazon
  GET  /orders/2026-01-01/orders                    searchOrders
  GET  /finances/v0/financialEvents                 listFinancialEvents
  POST /reports/2021-06-30/reports                  createReport
  GET  /reports/2021-06-30/reports/{reportId}       getReport
  GET  /reports/2021-06-30/documents/{documentId}   getReportDocument
  GET  /sellers/v1/marketplaceParticipations        getMarketplaceParticipations
  GET  /download/{documentId}?X-Amz-...             the presigned document URL

The seller's data comes from the JSON file --data (re-read whenever it
changes, so a test can change behaviour mid-run):

  {"client_id": "...", "client_secret": "...", "refresh_token": "...",
   "marketplaces": ["ATVPDKIKX0DER"],
   "orders": [Order, ...],                           # as in the model
   "financial_events": {"GuaranteeClaimEventList": [...], "ChargebackEventList": [...]},
   "reports": {"GET_SELLER_FEEDBACK_DATA": {"status": "DONE", "document": "text",
               "charset": "windows-1252", "gzip": true, "mislabel_gzip": false}},
               # or "document_file": a path whose bytes are served instead of
               # "document" (streamed: a benchmark's 1M-order report); with
               # "window_column": "purchase-date", only the rows whose date
               # lies in the report's dataStartTime..dataEndTime (a
               # tab-separated file with a header), as Amazon's windows do;
               # "cut_after": bytes sent before the connection is dropped
               # (the Content-Length promised the whole document), in the
               # first "cut_downloads" downloads of the document (default: all)
   "behaviour": {...}}

A key "TYPE@MARKETPLACE" holds that marketplace's report (else "TYPE" serves every
marketplace). Report types missing from "reports" end CANCELLED (Amazon's "no data").
Behaviour switches (all optional):
  rate_scale          multiply every published rate (default 1)
  throttle            false: never answer 429 (default true)
  token_lifetime      expires_in announced (default 3600)
  token_valid_for     seconds a token really works (default: the lifetime);
                      shorter means tokens expire early: 401
  expire_first_tokens n: the first n tokens issued are expired at once (401)
  lwa_error           "invalid_grant" / "invalid_client": the token endpoint refuses
  forbidden           [operationId, ...]: 403 Unauthorized (a role missing)
  server_errors       {operationId: n}: the first n requests answer 503
  throttle_first      {operationId: n}: the first n requests answer 429, whatever
                      the bucket holds (a deterministic throttle for tests)
  slow                {operationId: seconds}: answer after that long
  hang                [operationId, ...]: read the request, never answer
  report_polls        getReport answers IN_QUEUE/IN_PROGRESS this many times
                      before the final status (default 1)
  page_size           the most orders/events per page (default 100)
  document_ttl        seconds a presigned URL stays valid (default 300)
  rate_limit_header   false: never send x-amzn-RateLimit-Limit (default true)

Every request is one JSON line in --log: time, method, path, operation,
header names (lower case), whether x-amz-access-token was sent, status.
Header values are not logged.
"""
import argparse
import base64
import gzip
import hashlib
import hmac
import json
import os
import secrets
import ssl
import sys
import threading
import time
import urllib.parse
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Amazon's published rate (requests per second) and burst per operation.
PLANS = {
    "searchOrders": (0.0056, 20),
    "listFinancialEvents": (0.5, 30),
    "createReport": (0.0167, 15),
    "getReport": (2.0, 15),
    "getReportDocument": (0.0167, 15),
    "getMarketplaceParticipations": (0.016, 15),
}

MARKETPLACE_NAMES = {
    "ATVPDKIKX0DER": ("Amazon.com", "US", "USD", "en_US", "www.amazon.com"),
    "A2EUQ1WTGCTBG2": ("Amazon.ca", "CA", "CAD", "en_CA", "www.amazon.ca"),
    "A1AM78C64UM0Y8": ("Amazon.com.mx", "MX", "MXN", "es_MX", "www.amazon.com.mx"),
    "A1F83G8C2ARO7P": ("Amazon.co.uk", "GB", "GBP", "en_GB", "www.amazon.co.uk"),
    "A1PA6795UKMFR9": ("Amazon.de", "DE", "EUR", "de_DE", "www.amazon.de"),
}

INCLUDED_DATA = {
    "BUYER": [("order", "buyer")],
    "RECIPIENT": [("order", "recipient")],
    "PROCEEDS": [("order", "proceeds"), ("item", "proceeds")],
    "EXPENSE": [("item", "expense")],
    "PROMOTION": [("item", "promotion")],
    "CANCELLATION": [("item", "cancellation")],
    "FULFILLMENT": [("order", "fulfillment"), ("item", "fulfillment")],
    "PACKAGES": [("order", "packages")],
    "TAX": [("order", "tax"), ("item", "tax")],
    "PAYMENT": [("order", "payment")],
    "FULFILLMENT_ORDERS": [("order", "fulfillmentOrders")],
}


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def parse_iso(text):
    """ISO 8601 with Z or an offset, optional fraction; None when invalid."""
    from datetime import datetime
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except (ValueError, AttributeError):
        return None


def errors(code, message, details=""):
    return {"errors": [{"code": code, "message": message, "details": details}]}


class Bucket:
    def __init__(self, rate, burst, now):
        self.rate, self.burst, self.tokens, self.at = rate, burst, float(burst), now

    def take(self, now):
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class Amazon:
    """Everything but the sockets: answer() maps a request to a response."""

    def __init__(self, data_path, base_url, clock=time.monotonic, wall=time.time):
        self.data_path = data_path
        self.base_url = base_url
        self.clock = clock
        self.wall = wall
        self.lock = threading.Lock()
        self.data_mtime = None
        self.data = {}
        self.tokens = {}  # access token -> expiry (wall time)
        self.buckets = {}
        self.reports = {}  # reportId -> dict
        self.documents = {}  # documentId -> report type
        self.document_files = {}  # documentId -> the report's spec (document_file reports)
        self.downloads = {}  # documentId -> downloads begun
        self.counts = {}  # operationId -> requests seen
        self.signing_key = secrets.token_bytes(32)
        self.next_id = 1000

    # --- data ----------------------------------------------------------------
    def load(self):
        mtime = os.stat(self.data_path).st_mtime_ns
        if mtime != self.data_mtime:
            with open(self.data_path) as f:
                self.data = json.load(f)
            self.data_mtime = mtime

    def behaviour(self, key, default=None):
        return self.data.get("behaviour", {}).get(key, default)

    # --- dispatch ------------------------------------------------------------
    def answer(self, method, path, query, headers, body):
        """Returns (operation, status, headers, body bytes, delay)."""
        with self.lock:
            self.load()
            operation, handler, args = self.route(method, path)
            if handler is None:
                return operation, 404, {}, self.json(errors("NotFound", "Resource not found")), 0
            if operation in (None, "lwa", "download"):
                status, extra, payload = handler(query, headers, body, *args)
                return operation, status, extra, payload, 0
            self.counts[operation] = self.counts.get(operation, 0) + 1
            delay = self.behaviour("slow", {}).get(operation, 0)
            if operation in self.behaviour("hang", []):
                delay = -1
            status, extra, payload = self.checked(operation, handler, query, headers, body, args)
            return operation, status, extra, payload, delay

    def route(self, method, path):
        parts = [p for p in path.split("/") if p]
        if method == "POST" and path == "/auth/o2/token":
            return "lwa", self.lwa_token, ()
        if method == "GET" and path == "/orders/2026-01-01/orders":
            return "searchOrders", self.search_orders, ()
        if method == "GET" and path == "/finances/v0/financialEvents":
            return "listFinancialEvents", self.list_financial_events, ()
        if method == "POST" and path == "/reports/2021-06-30/reports":
            return "createReport", self.create_report, ()
        if method == "GET" and len(parts) == 4 and parts[:3] == ["reports", "2021-06-30", "reports"]:
            return "getReport", self.get_report, (parts[3],)
        if method == "GET" and len(parts) == 4 and parts[:3] == ["reports", "2021-06-30", "documents"]:
            return "getReportDocument", self.get_report_document, (parts[3],)
        if method == "GET" and path == "/sellers/v1/marketplaceParticipations":
            return "getMarketplaceParticipations", self.marketplace_participations, ()
        if method == "GET" and len(parts) == 2 and parts[0] == "download":
            return "download", self.download, (parts[1],)
        return None, None, ()

    def json(self, obj):
        return json.dumps(obj).encode()

    def checked(self, operation, handler, query, headers, body, args):
        """Authorisation, throttling and injected failures around an operation."""
        rate, burst = PLANS[operation]
        rate *= float(self.behaviour("rate_scale", 1.0))
        rate_header = {"x-amzn-RateLimit-Limit": f"{rate:g}"} \
            if self.behaviour("rate_limit_header", True) else {}
        token = headers.get("x-amz-access-token")
        if not token or token not in self.tokens:
            return 403, {}, self.json(errors(
                "Unauthorized", "Access to requested resource is denied.",
                "The access token you provided is revoked, malformed or invalid."))
        if self.wall() >= self.tokens[token]:
            return 401, {}, self.json(errors(
                "Unauthorized", "Access to requested resource is denied.",
                "The access token you provided has expired."))
        if operation in self.behaviour("forbidden", []):
            return 403, {}, self.json(errors(
                "Unauthorized", "Access to requested resource is denied.",
                "The application does not have the role this operation needs."))
        if self.counts[operation] <= self.behaviour("throttle_first", {}).get(operation, 0):
            return 429, {}, self.json(errors(
                "QuotaExceeded", "You exceeded your quota for the requested resource."))
        if self.behaviour("throttle", True):
            bucket = self.buckets.get(operation)
            if bucket is None or bucket.rate != rate:
                bucket = self.buckets[operation] = Bucket(rate, burst, self.clock())
            if not bucket.take(self.clock()):
                return 429, {}, self.json(errors(
                    "QuotaExceeded", "You exceeded your quota for the requested resource."))
        failing = self.behaviour("server_errors", {}).get(operation, 0)
        if self.counts[operation] <= failing:
            return 503, {}, self.json(errors("ServiceUnavailable", "Service temporarily unavailable"))
        status, extra, payload = handler(query, headers, body, *args)
        if status in (200, 201, 202, 400, 404):
            extra = {**rate_header, **extra}
        return status, extra, payload

    # --- Login with Amazon ---------------------------------------------------
    def lwa_token(self, query, headers, body):
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        field = lambda name: form.get(name, [""])[0]
        forced = self.behaviour("lwa_error")
        def refuse(status, error, description):
            return status, {}, self.json({"error": error, "error_description": description})
        if field("grant_type") != "refresh_token":
            return refuse(400, "unsupported_grant_type", "grant_type must be refresh_token")
        if forced == "invalid_client" or field("client_id") != self.data.get("client_id") \
                or field("client_secret") != self.data.get("client_secret"):
            return refuse(401, "invalid_client", "Client authentication failed")
        if forced == "invalid_grant" or field("refresh_token") != self.data.get("refresh_token"):
            return refuse(400, "invalid_grant",
                          "The request has an invalid grant parameter : refresh_token. User may "
                          "have revoked or didn't grant the permission.")
        lifetime = int(self.behaviour("token_lifetime", 3600))
        valid_for = float(self.behaviour("token_valid_for", lifetime))
        token = "Atza|" + secrets.token_urlsafe(48)
        self.issued = getattr(self, "issued", 0) + 1
        if self.issued <= int(self.behaviour("expire_first_tokens", 0)):
            valid_for = 0
        self.tokens[token] = self.wall() + valid_for
        return 200, {}, self.json({"access_token": token, "refresh_token": field("refresh_token"),
                                   "token_type": "bearer", "expires_in": lifetime})

    # --- pagination ------------------------------------------------------------
    def page_token(self, offset, key):
        return base64.urlsafe_b64encode(json.dumps([offset, key]).encode()).decode()

    def read_page_token(self, token, key):
        try:
            offset, seen_key = json.loads(base64.urlsafe_b64decode(token.encode()))
        except (ValueError, TypeError):
            return None
        return offset if seen_key == key else None

    def page_size(self, query, name):
        size = min(100, int(self.behaviour("page_size", 100)))
        if name in query:
            try:
                asked = int(query[name][0])
            except ValueError:
                return None
            if asked < 1 or asked > 100:
                return None
            size = min(size, asked)
        return size

    # --- Orders API v2026-01-01 ------------------------------------------------
    def search_orders(self, query, headers, body):
        bad = lambda details: (400, {}, self.json(errors("InvalidInput", "Invalid input", details)))
        created_after = query.get("createdAfter", [None])[0]
        updated_after = query.get("lastUpdatedAfter", [None])[0]
        if (created_after is None) == (updated_after is None):
            return bad("Exactly one of createdAfter and lastUpdatedAfter is required.")
        since = parse_iso(created_after or updated_after)
        if since is None:
            return bad("createdAfter/lastUpdatedAfter is not an ISO 8601 date-time.")
        before_name = "createdBefore" if created_after else "lastUpdatedBefore"
        before = parse_iso(query[before_name][0]) if before_name in query else None
        field = "createdTime" if created_after else "lastUpdatedTime"
        size = self.page_size(query, "maxResultsPerPage")
        if size is None:
            return bad("maxResultsPerPage must be 1 to 100.")
        included = set()
        for value in query.get("includedData", []):
            for part in value.split(","):
                if part not in INCLUDED_DATA:
                    return bad(f"Unknown includedData value {part}.")
                included.add(part)
        marketplaces = set()
        for value in query.get("marketplaceIds", []):
            marketplaces.update(v for v in value.split(",") if v)
        fulfilled_by = query.get("fulfilledBy", [None])[0]

        matching = []
        for order in self.data.get("orders", []):
            t = parse_iso(order.get(field, ""))
            if t is None or t < since or (before is not None and t >= before):
                continue
            if marketplaces and order.get("salesChannel", {}).get("marketplaceId") not in marketplaces:
                continue
            if fulfilled_by and order.get("fulfillment", {}).get("fulfilledBy") != fulfilled_by:
                continue
            matching.append(order)
        matching.sort(key=lambda o: (parse_iso(o[field]), o["orderId"]))

        key = hashlib.sha256(json.dumps([created_after, updated_after, sorted(marketplaces),
                                         fulfilled_by]).encode()).hexdigest()[:16]
        offset = 0
        if "paginationToken" in query:
            offset = self.read_page_token(query["paginationToken"][0], key)
            if offset is None:
                return bad("The paginationToken is invalid for these parameters.")
        page = [self.shaped(o, included) for o in matching[offset:offset + size]]
        out = {"orders": page}
        if offset + size < len(matching):
            out["pagination"] = {"nextToken": self.page_token(offset + size, key)}
        out["lastUpdatedBefore" if updated_after else "createdBefore"] = iso(self.wall() - 120)
        return 200, {}, self.json(out)

    def shaped(self, order, included):
        """The order with only the datasets includedData asked for."""
        out = json.loads(json.dumps(order))
        for dataset, places in INCLUDED_DATA.items():
            if dataset in included:
                continue
            for where, name in places:
                if where == "order":
                    out.pop(name, None)
                else:
                    for item in out.get("orderItems", []):
                        item.pop(name, None)
        return out

    # --- Finances API v0 ---------------------------------------------------------
    def list_financial_events(self, query, headers, body):
        bad = lambda details: (400, {}, self.json({"errors": errors("InvalidInput", "Invalid input", details)["errors"]}))
        size = self.page_size(query, "MaxResultsPerPage")
        if size is None:
            return bad("MaxResultsPerPage must be 1 to 100.")
        if "NextToken" in query:
            state = self.read_page_token(query["NextToken"][0], "finances")
            if state is None:
                return bad("NextToken is invalid.")
            offset, after, before = state
        else:
            offset = 0
            after = query.get("PostedAfter", [None])[0]
            before = query.get("PostedBefore", [None])[0]
            if after is not None and parse_iso(after) is None:
                return bad("PostedAfter is not an ISO 8601 date-time.")
        since = parse_iso(after) if after else None
        until = parse_iso(before) if before else None
        events = []
        for list_name, items in sorted(self.data.get("financial_events", {}).items()):
            for e in items:
                t = parse_iso(e.get("PostedDate", ""))
                if t is None or (since is not None and t < since) or (until is not None and t >= until):
                    continue
                events.append((t, list_name, e))
        events.sort(key=lambda x: (x[0], x[1]))
        page = events[offset:offset + size]
        lists = {}
        for _, list_name, e in page:
            lists.setdefault(list_name, []).append(e)
        payload = {"FinancialEvents": lists}
        if offset + size < len(events):
            payload["NextToken"] = base64.urlsafe_b64encode(
                json.dumps([[offset + size, after, before], "finances"]).encode()).decode()
        return 200, {}, self.json({"payload": payload})

    def read_finance_token(self, token):
        return self.read_page_token(token, "finances")

    # --- Reports API 2021-06-30 ----------------------------------------------------
    def create_report(self, query, headers, body):
        try:
            spec = json.loads(body or b"null")
        except ValueError:
            spec = None
        if not isinstance(spec, dict) or not isinstance(spec.get("reportType"), str) \
                or not isinstance(spec.get("marketplaceIds"), list) \
                or not 1 <= len(spec["marketplaceIds"]) <= 25:
            return 400, {}, self.json(errors("InvalidInput", "Invalid input",
                                             "reportType and 1 to 25 marketplaceIds are required."))
        self.next_id += 1
        report_id = str(self.next_id)
        self.reports[report_id] = {"spec": spec, "polls": 0, "created": self.wall()}
        return 202, {}, self.json({"reportId": report_id})

    def get_report(self, query, headers, body, report_id):
        r = self.reports.get(report_id)
        if r is None:
            return 404, {}, self.json(errors("NotFound", "Report not found", report_id))
        spec = r["spec"]
        r["polls"] += 1
        waiting = int(self.behaviour("report_polls", 1))
        key = self.report_key(spec)
        configured = self.data.get("reports", {}).get(key)
        final = configured.get("status", "DONE") if configured else "CANCELLED"
        out = {"reportId": report_id, "reportType": spec["reportType"],
               "marketplaceIds": spec["marketplaceIds"], "createdTime": iso(r["created"])}
        for k in ("dataStartTime", "dataEndTime"):
            if k in spec:
                out[k] = spec[k]
        if r["polls"] <= waiting:
            out["processingStatus"] = "IN_QUEUE" if r["polls"] == 1 else "IN_PROGRESS"
            return 200, {}, self.json(out)
        out["processingStatus"] = final
        out["processingStartTime"] = iso(r["created"])
        out["processingEndTime"] = iso(self.wall())
        if final == "DONE":
            document_id = "amzn1.spdoc.1.4.na." + report_id
            self.documents[document_id] = key
            if configured.get("document_file"):
                self.document_files[document_id] = spec
            out["reportDocumentId"] = document_id
        return 200, {}, self.json(out)

    def report_key(self, spec):
        """"TYPE@MARKETPLACE" when the data has a report for that marketplace
        alone, else "TYPE"."""
        marketplaces = spec.get("marketplaceIds") or [""]
        specific = f"{spec['reportType']}@{marketplaces[0]}"
        return specific if specific in self.data.get("reports", {}) else spec["reportType"]

    def get_report_document(self, query, headers, body, document_id):
        report_type = self.documents.get(document_id)
        if report_type is None:
            return 404, {}, self.json(errors("NotFound", "Document not found", document_id))
        configured = self.data.get("reports", {}).get(report_type, {})
        expires = int(self.wall()) + int(self.behaviour("document_ttl", 300))
        signature = self.sign(document_id, expires)
        url = (f"{self.base_url}/download/{urllib.parse.quote(document_id)}"
               f"?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires={expires}"
               f"&X-Amz-Signature={signature}")
        out = {"reportDocumentId": document_id, "url": url}
        if configured.get("gzip") or configured.get("mislabel_gzip"):
            out["compressionAlgorithm"] = "GZIP"
        return 200, {}, self.json(out)

    @staticmethod
    def document_pieces(source, column, start, end, gzipped):
        """The bytes of a document_file report, in pieces: the file, or its rows
        within the report's window (header kept), gzipped when asked. Made
        while sending, so a document of hundreds of MB needs no memory."""
        packer = zlib.compressobj(1, zlib.DEFLATED, 31) if gzipped else None
        pack = (lambda b: packer.compress(b)) if packer else (lambda b: b)
        with open(source, "rb") as f:
            header = f.readline()
            at = header.rstrip(b"\r\n").split(b"\t").index(column.encode()) if column else -1
            buffered = [header]
            size = len(header)
            for line in f:
                if at >= 0:
                    fields = line.split(b"\t", at + 1)
                    when = parse_iso(fields[at].decode()) if len(fields) > at else None
                    if when is None or (start is not None and when < start) \
                            or (end is not None and when >= end):
                        continue
                buffered.append(line)
                size += len(line)
                if size >= 1 << 20:
                    yield pack(b"".join(buffered))
                    buffered, size = [], 0
            yield pack(b"".join(buffered))
        if packer:
            yield packer.flush()

    def sign(self, document_id, expires):
        return hmac.new(self.signing_key, f"{document_id}|{expires}".encode(),
                        hashlib.sha256).hexdigest()

    def download(self, query, headers, body, document_id):
        document_id = urllib.parse.unquote(document_id)
        try:
            expires = int(query.get("X-Amz-Expires", ["0"])[0])
        except ValueError:
            expires = 0
        signature = query.get("X-Amz-Signature", [""])[0]
        denied = lambda why: (403, {"Content-Type": "application/xml"},
                              f"<Error><Code>AccessDenied</Code><Message>{why}</Message></Error>".encode())
        if not hmac.compare_digest(signature, self.sign(document_id, expires)):
            return denied("Signature does not match")
        if self.wall() > expires:
            return denied("Request has expired")
        report_type = self.documents.get(document_id)
        configured = self.data.get("reports", {}).get(report_type, {})
        charset = configured.get("charset", "utf-8")
        if document_id in self.document_files:
            spec = self.document_files[document_id]
            self.downloads[document_id] = self.downloads.get(document_id, 0) + 1
            cut_after = configured.get("cut_after")
            if self.downloads[document_id] > configured.get("cut_downloads", float("inf")):
                cut_after = None
            column = configured.get("window_column")
            return 200, {"Content-Type": f"text/plain;charset={charset.upper()}"}, {
                "file": configured["document_file"], "cut_after": cut_after,
                "gzip": bool(configured.get("gzip")), "column": column,
                "start": parse_iso(spec.get("dataStartTime", "")) if column else None,
                "end": parse_iso(spec.get("dataEndTime", "")) if column else None}
        payload = configured.get("document", "").encode("cp1252" if charset == "windows-1252" else charset)
        if configured.get("gzip"):
            payload = gzip.compress(payload)
        content_type = ("application/json"
                        if report_type.split("@")[0] == "GET_V2_SELLER_PERFORMANCE_REPORT"
                        else "text/plain") + (";charset=Cp1252" if charset == "windows-1252"
                                              else f";charset={charset.upper()}")
        return 200, {"Content-Type": content_type}, payload

    # --- Sellers API v1 -------------------------------------------------------------
    def marketplace_participations(self, query, headers, body):
        payload = []
        for mid in self.data.get("marketplaces", ["ATVPDKIKX0DER"]):
            name, country, currency, language, domain = MARKETPLACE_NAMES.get(
                mid, ("Amazon", "US", "USD", "en_US", "www.amazon.com"))
            payload.append({"marketplace": {"id": mid, "name": name, "countryCode": country,
                                            "defaultCurrencyCode": currency,
                                            "defaultLanguageCode": language, "domainName": domain},
                            "participation": {"isParticipating": True,
                                              "hasSuspendedListings": False},
                            "storeName": self.data.get("store_name", "Test Store")})
        return 200, {}, self.json({"payload": payload})


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def handle_any(self, method):
        amazon = self.server.amazon
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        operation, status, extra, payload, delay = amazon.answer(method, url.path, query, headers, body)
        entry = {"time": time.time(), "method": method, "path": url.path, "query": url.query,
                 "operation": operation, "headers": sorted(headers),
                 "token_sent": "x-amz-access-token" in headers, "status": status}
        if delay < 0:
            entry["status"] = None
            self.server.write_log(entry)
            time.sleep(3600)  # never answer: only the client's deadline ends this
            return
        self.server.write_log(entry)
        if delay:
            time.sleep(delay)
        self.send_response(status)
        extra.setdefault("Content-Type", "application/json")
        for k, v in extra.items():
            self.send_header(k, v)
        self.send_header("x-amzn-RequestId", secrets.token_hex(8))
        if isinstance(payload, dict):  # a document file, streamed
            self.send_document(payload)
            return
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def send_document(self, doc):
        """A document_file report: the whole file with its Content-Length, or
        (filtered by window, gzipped) chunked as it is made; cut_after bytes
        and then the connection drops, the response unfinished."""
        left = None if doc.get("cut_after") is None else int(doc["cut_after"])
        plain = not doc["gzip"] and not doc["column"]
        if plain:
            self.send_header("Content-Length", str(os.path.getsize(doc["file"])))
        else:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        pieces = Amazon.document_pieces(doc["file"], doc["column"], doc["start"], doc["end"],
                                        doc["gzip"])
        for piece in pieces:
            if not piece:
                continue
            if left is not None:
                piece = piece[:left]
                left -= len(piece)
            self.wfile.write(piece if plain else b"%x\r\n%s\r\n" % (len(piece), piece))
            if left == 0:
                self.wfile.flush()
                self.close_connection = True
                self.connection.close()
                return
        if not plain:
            self.wfile.write(b"0\r\n\r\n")

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, context, log_path):
        super().__init__(address, Handler)
        self.context = context
        self.log_path = log_path
        self.log_lock = threading.Lock()

    def get_request(self):
        sock, addr = super().get_request()
        # The handshake runs in the handler's thread, so a client that stalls
        # it holds only its own connection.
        return self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), addr

    def write_log(self, entry):
        with self.log_lock, open(self.log_path, "a") as f:
            f.write(json.dumps(entry) + "\n")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--port", type=int, default=0)
    args = p.parse_args()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(args.cert, args.key)
    server = Server(("127.0.0.1", args.port), context, args.log)
    server.amazon = Amazon(args.data, f"https://127.0.0.1:{server.server_address[1]}")
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
