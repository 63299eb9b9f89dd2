#!/usr/bin/env python3
"""The stand-in Amazon's answers against Amazon's own models.

Drives tests/support/spapi_standin.py's request handling (no sockets) with a
seller built here, and validates every answer against the response schema
the model declares for that operation and status (../shared/sp-api/*.json,
or SHD_SPAPI_MODELS). Validation uses python3-jsonschema when installed and
always a small validator of its own (type, required, properties, items,
enum, $ref), so the test means the same wherever it runs.
Usage: standin_schema_test.py [MODELS_DIR]
"""
import gzip
import json
import os
import sys
import tempfile
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
import spapi_standin  # noqa: E402

MODELS = sys.argv[1] if len(sys.argv) > 1 else os.environ.get(
    "SHD_SPAPI_MODELS", os.path.join(HERE, "..", "..", "..", "..", "shared", "sp-api"))

try:
    import jsonschema  # noqa: F401
except ImportError:
    jsonschema = None

FAILURES = []


def check(condition, what):
    if not condition:
        FAILURES.append(what)
        print("FAIL:", what)


# --- a small validator: the subset of JSON Schema the models use --------------

TYPES = {"object": dict, "array": list, "string": str, "boolean": bool}


def validate(instance, schema, definitions, where="$"):
    problems = []
    if "$ref" in schema:
        name = schema["$ref"].split("/")[-1]
        return validate(instance, definitions[name], definitions, where)
    t = schema.get("type")
    if t == "integer":
        ok = isinstance(instance, int) and not isinstance(instance, bool)
    elif t == "number":
        ok = isinstance(instance, (int, float)) and not isinstance(instance, bool)
    elif t in TYPES:
        ok = isinstance(instance, TYPES[t])
    else:
        ok = True
    if not ok:
        return [f"{where}: expected {t}, got {type(instance).__name__}"]
    if "enum" in schema and instance not in schema["enum"]:
        problems.append(f"{where}: {instance!r} not in {schema['enum']}")
    if isinstance(instance, dict):
        for key in schema.get("required", []):
            if key not in instance:
                problems.append(f"{where}: missing required {key}")
        for key, sub in schema.get("properties", {}).items():
            if key in instance:
                problems += validate(instance[key], sub, definitions, f"{where}.{key}")
    if isinstance(instance, list) and "items" in schema:
        for i, item in enumerate(instance):
            problems += validate(item, schema["items"], definitions, f"{where}[{i}]")
    return problems


def load_model(name):
    with open(os.path.join(MODELS, name)) as f:
        return json.load(f)


def response_schema(model, operation_id, status):
    for path, ops in model["paths"].items():
        for method, op in ops.items():
            if isinstance(op, dict) and op.get("operationId") == operation_id:
                return op["responses"][str(status)]["schema"]
    raise KeyError(operation_id)


def validate_answer(model, operation_id, status, body):
    schema = response_schema(model, operation_id, status)
    instance = json.loads(body)
    problems = validate(instance, schema, model["definitions"])
    check(not problems, f"{operation_id} {status}: {problems}")
    if jsonschema is not None:
        full = dict(schema)
        full["definitions"] = model["definitions"]
        errors = [e.message for e in jsonschema.Draft4Validator(full).iter_errors(instance)]
        check(not errors, f"{operation_id} {status} (jsonschema): {errors[:3]}")
    return instance


# --- the seller -------------------------------------------------------------------

def order(n, updated):
    return {
        "orderId": f"113-0000000-{n:07d}",
        "createdTime": "2026-11-01T10:00:00Z",
        "lastUpdatedTime": updated,
        "salesChannel": {"channelName": "AMAZON", "marketplaceId": "ATVPDKIKX0DER"},
        "fulfillment": {"fulfillmentStatus": "SHIPPED", "fulfilledBy": "MERCHANT",
                        "shipByWindow": {"earliestDateTime": "2026-11-01T10:00:00Z",
                                         "latestDateTime": "2026-11-03T10:00:00Z"}},
        "orderItems": [{"orderItemId": f"item-{n}", "quantityOrdered": 1,
                        "product": {"asin": "B000000001"},
                        "cancellation": {"cancellationRequest": {"requester": "BUYER",
                                                                 "cancelReason": "NO_LONGER_NEEDED"}}}],
        "packages": [{"packageReferenceId": f"pkg-{n}", "shipTime": "2026-11-02T09:00:00Z",
                      "carrier": "UPS", "trackingNumber": f"1Z{n:08d}"}],
    }


def main():
    tmp = tempfile.mkdtemp()
    data_path = os.path.join(tmp, "seller.json")
    seller = {
        "client_id": "amzn1.application-oa2-client.test", "client_secret": "secret",
        "refresh_token": "Atzr|refresh",
        "marketplaces": ["ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"],
        "orders": [order(i, f"2026-11-{1 + i % 20:02d}T12:00:00Z") for i in range(250)],
        "financial_events": {
            "GuaranteeClaimEventList": [{"AmazonOrderId": "113-0000000-0000001",
                                         "PostedDate": "2026-11-05T00:00:00Z",
                                         "ShipmentItemAdjustmentList": []}],
            "ChargebackEventList": [{"AmazonOrderId": "113-0000000-0000002",
                                     "PostedDate": "2026-11-06T00:00:00Z"}],
        },
        "reports": {
            "GET_SELLER_FEEDBACK_DATA": {"document": "Date\tRating\nCaf\u00e9\t1\n",
                                         "charset": "windows-1252", "gzip": True},
            "GET_V2_SELLER_PERFORMANCE_REPORT": {"status": "FATAL"},
        },
        "behaviour": {"report_polls": 1},
    }
    with open(data_path, "w") as f:
        json.dump(seller, f)
    amazon = spapi_standin.Amazon(data_path, "https://127.0.0.1:1")

    # Login with Amazon
    form = urllib.parse.urlencode({"grant_type": "refresh_token", "refresh_token": "Atzr|refresh",
                                   "client_id": seller["client_id"], "client_secret": "secret"})
    _, status, _, body, _ = amazon.answer("POST", "/auth/o2/token", {}, {}, form.encode())
    check(status == 200, f"token status {status}")
    token = json.loads(body)["access_token"]
    check(json.loads(body)["expires_in"] == 3600, "expires_in")
    headers = {"x-amz-access-token": token}

    orders = load_model("orders_2026-01-01.json")
    finances = load_model("financesV0.json")
    reports = load_model("reports_2021-06-30.json")

    # searchOrders, every page
    query = {"lastUpdatedAfter": ["2026-11-01T00:00:00Z"], "includedData": ["FULFILLMENT,PACKAGES"]}
    seen = []
    pages = 0
    while True:
        op, status, extra, body, _ = amazon.answer("GET", "/orders/2026-01-01/orders", query, headers, b"")
        check(status == 200, f"searchOrders status {status}: {body[:200]}")
        check("x-amzn-RateLimit-Limit" in extra, "searchOrders sends x-amzn-RateLimit-Limit")
        page = validate_answer(orders, "searchOrders", 200, body)
        pages += 1
        seen += [o["orderId"] for o in page["orders"]]
        for o in page["orders"]:
            check("packages" in o and "fulfillment" in o, "includedData kept")
            check("cancellation" not in o["orderItems"][0], "CANCELLATION not asked: left out")
        token_next = page.get("pagination", {}).get("nextToken")
        if not token_next:
            break
        query = {"lastUpdatedAfter": ["2026-11-01T00:00:00Z"], "includedData": ["FULFILLMENT,PACKAGES"],
                 "paginationToken": [token_next]}
    check(pages == 3 and len(seen) == 250 and len(set(seen)) == 250, f"pages {pages}, orders {len(seen)}")
    _, status, _, body, _ = amazon.answer("GET", "/orders/2026-01-01/orders", {}, headers, b"")
    check(status == 400, "neither createdAfter nor lastUpdatedAfter: 400")
    validate_answer(orders, "searchOrders", 400, body)

    # listFinancialEvents
    _, status, _, body, _ = amazon.answer("GET", "/finances/v0/financialEvents",
                                          {"PostedAfter": ["2026-11-05T12:00:00Z"]}, headers, b"")
    check(status == 200, "listFinancialEvents 200")
    events = validate_answer(finances, "listFinancialEvents", 200, body)
    check(list(events["payload"]["FinancialEvents"]) == ["ChargebackEventList"],
          f"PostedAfter filters: {events}")

    # Reports: DONE (gzip, Windows-1252), FATAL, CANCELLED
    def run_report(report_type):
        _, status, _, body, _ = amazon.answer(
            "POST", "/reports/2021-06-30/reports", {}, headers,
            json.dumps({"reportType": report_type, "marketplaceIds": ["ATVPDKIKX0DER"]}).encode())
        check(status == 202, f"createReport {status}")
        report_id = validate_answer(reports, "createReport", 202, body)["reportId"]
        statuses = []
        for _ in range(3):
            _, status, _, body, _ = amazon.answer("GET", f"/reports/2021-06-30/reports/{report_id}",
                                                  {}, headers, b"")
            statuses.append(validate_answer(reports, "getReport", 200, body))
        return statuses

    done = run_report("GET_SELLER_FEEDBACK_DATA")
    check([s["processingStatus"] for s in done] == ["IN_QUEUE", "DONE", "DONE"], f"{done}")
    document_id = done[-1]["reportDocumentId"]
    _, status, _, body, _ = amazon.answer("GET", f"/reports/2021-06-30/documents/{document_id}",
                                          {}, headers, b"")
    document = validate_answer(reports, "getReportDocument", 200, body)
    check(document.get("compressionAlgorithm") == "GZIP", "GZIP announced")
    url = urllib.parse.urlsplit(document["url"])
    _, status, extra, payload, _ = amazon.answer("GET", url.path, urllib.parse.parse_qs(url.query),
                                                 {}, b"")
    check(status == 200, f"download {status}")
    check(gzip.decompress(payload).decode("cp1252") == "Date\tRating\nCaf\u00e9\t1\n", "document")
    check("Cp1252" in extra["Content-Type"], extra["Content-Type"])
    # A signature that does not match is refused, as S3 does.
    _, status, _, _, _ = amazon.answer("GET", url.path, {"X-Amz-Expires": ["9999999999"],
                                                         "X-Amz-Signature": ["00"]}, {}, b"")
    check(status == 403, "bad signature refused")

    fatal = run_report("GET_V2_SELLER_PERFORMANCE_REPORT")
    check(fatal[-1]["processingStatus"] == "FATAL", f"{fatal}")
    cancelled = run_report("GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL")
    check(cancelled[-1]["processingStatus"] == "CANCELLED", f"{cancelled}")

    # No token, an unknown token: 403 with an ErrorList.
    _, status, _, body, _ = amazon.answer("GET", "/reports/2021-06-30/reports/1", {}, {}, b"")
    check(status == 403, "no token: 403")
    validate_answer(reports, "getReport", 403, body)

    # getMarketplaceParticipations (Sellers API v1; its model is not in the
    # shared copy, so the shape is checked by hand).
    _, status, _, body, _ = amazon.answer("GET", "/sellers/v1/marketplaceParticipations", {},
                                          headers, b"")
    participations = json.loads(body)["payload"]
    check(status == 200 and [p["marketplace"]["id"] for p in participations] ==
          ["ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"], f"participations {body[:200]}")

    # Throttling: beyond the burst, 429 with an ErrorList.
    statuses = [amazon.answer("GET", "/sellers/v1/marketplaceParticipations", {}, headers, b"")[1]
                for _ in range(20)]
    check(statuses.count(200) == 14 and statuses[-1] == 429, f"burst 15: {statuses}")

    # Login with Amazon refusals.
    bad_form = form.replace("secret", "wrong")
    _, status, _, body, _ = amazon.answer("POST", "/auth/o2/token", {}, {}, bad_form.encode())
    check(status == 401 and json.loads(body)["error"] == "invalid_client", "invalid_client")
    seller["behaviour"]["lwa_error"] = "invalid_grant"
    with open(data_path, "w") as f:
        json.dump(seller, f)
    os.utime(data_path, ns=(1, 1))
    _, status, _, body, _ = amazon.answer("POST", "/auth/o2/token", {}, {}, form.encode())
    check(status == 400 and json.loads(body)["error"] == "invalid_grant", "invalid_grant")

    print(f"validator: own{' + jsonschema' if jsonschema else ''}")
    if FAILURES:
        print(f"{len(FAILURES)} failure(s)")
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
