"""floe-ingestion-dlt driver: runs one dlt operation and prints one JSON line on stdout.

Input: the request as JSON on standard input (never in argv, which other local users can
read and which E2BIG bounds: it holds the rows written to a sink and the source's
settings); a credential (SQL connection string or REST API bearer token), if any, in the
FLOE_DLT_CREDENTIAL environment variable.
Output: {"ok": true, ...} or {"ok": false, "category": "transient"|"permanent"|
"authentication", "error": ...}. Exit status 0 on success, 3 on a reported failure.
"""
import csv
import io
import json
import os
import sys
import time

CREDENTIAL = os.environ.pop("FLOE_DLT_CREDENTIAL", "")


def credential_parts():
    """The credential, and the password of a connection URL (servers echo it alone)."""
    from urllib.parse import unquote, urlsplit

    parts = [CREDENTIAL]
    try:
        password = urlsplit(CREDENTIAL).password if "://" in CREDENTIAL else None
    except ValueError:
        password = None
    if password:
        parts += [password, unquote(password)]
    return sorted({p for p in parts if p}, key=len, reverse=True)


def scrub(text):
    text = str(text)
    for part in credential_parts() if CREDENTIAL else []:
        text = text.replace(part, "<REDACTED>")
    return text[-2000:]


def emit(result, code):
    sys.stdout.write("\nFLOE_DLT_RESULT " + json.dumps(result) + "\n")
    sys.stdout.flush()
    sys.exit(code)


TRANSIENT_NAMES = ("Timeout", "ConnectionError", "ConnectionRefused", "TransientException",
                   "TemporaryError", "OperationalError")
# SQLSTATE class 28: invalid authorization specification (28000, 28P01 invalid password).
AUTH_SQLSTATE_CLASS = "28"
# MySQL: access denied (1044 to a database, 1045 for a user, 1698 without a password).
AUTH_MYSQL_ERRNOS = (1044, 1045, 1698)
AUTH_PHRASES = ("password authentication failed", "authentication failed", "access denied for user",
                "login failed", "invalid password", "invalid username or password", "invalid credentials")


def chain(error):
    """The exception and every exception it wraps (dlt's `exception`, causes, contexts)."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = (getattr(error, "exception", None) or getattr(error, "orig", None)
                 or error.__cause__ or error.__context__)


def is_authentication(error):
    """A refused credential: HTTP 401/403, SQLSTATE class 28, MySQL access denied, or a
    driver message saying so. Never retried: retrying a refused password can lock the
    account."""
    status = getattr(getattr(error, "response", None), "status_code", None)
    if status in (401, 403):
        return True
    for code in (getattr(error, "pgcode", None), getattr(error, "sqlstate", None)):
        if isinstance(code, str) and code.startswith(AUTH_SQLSTATE_CLASS):
            return True
    first = error.args[0] if getattr(error, "args", None) else None
    if isinstance(first, dict) and str(first.get("C", "")).startswith(AUTH_SQLSTATE_CLASS):
        return True  # pg8000: the server's ErrorResponse fields
    if isinstance(first, int) and first in AUTH_MYSQL_ERRNOS:
        return True
    text = str(error).lower()
    return any(phrase in text for phrase in AUTH_PHRASES)


def category(error):
    """Authentication when any exception in the chain is a refused credential (checked
    first: drivers report those as OperationalError too); else transient when one is a
    connection problem, a timeout or a 429/5xx answer; else permanent."""
    errors = list(chain(error))
    if any(is_authentication(e) for e in errors):
        return "authentication"
    for e in errors:
        names = [cls.__name__ for cls in type(e).__mro__]
        if isinstance(e, (ConnectionError, TimeoutError)) or any(
            marker in name for name in names for marker in TRANSIENT_NAMES
        ):
            return "transient"
        status = getattr(getattr(e, "response", None), "status_code", None)
        if status in (429, 502, 503, 504):
            return "transient"
    return "permanent"


def file_rows(source):
    import dlt
    from dlt.sources.filesystem import filesystem

    fmt = source.get("format", "csv")
    if fmt not in ("csv", "jsonl"):
        raise ValueError(f"unsupported file format {fmt!r} (csv or jsonl)")
    listing = filesystem(bucket_url=source["bucket_url"], file_glob=source.get("file_glob", "*"))

    @dlt.transformer(name=source.get("table", "files"))
    def rows(items):
        for item in items:
            with item.open() as handle:
                text = io.TextIOWrapper(handle, encoding="utf-8") if "b" in getattr(handle, "mode", "b") else handle
                if fmt == "csv":
                    yield list(csv.DictReader(text))
                else:
                    yield [json.loads(line) for line in text if line.strip()]

    return listing | rows


def build_source(kind, source):
    if kind == "filesystem":
        return file_rows(source)
    if kind == "rest_api":
        from dlt.sources.rest_api import rest_api_source

        client = {"base_url": source["base_url"]}
        if CREDENTIAL:
            client["auth"] = {"type": "bearer", "token": CREDENTIAL}
        return rest_api_source({"client": client, "resources": source["resources"]})
    if kind == "sql_database":
        from dlt.sources.sql_database import sql_database

        if not CREDENTIAL:
            raise ValueError("sql_database needs a connection string credential")
        return sql_database(credentials=CREDENTIAL, table_names=source.get("tables"))
    raise ValueError(f"unknown source type {kind!r} (filesystem, rest_api or sql_database)")


def destination(kind, target):
    import dlt

    if kind == "duckdb":
        return dlt.destinations.duckdb(credentials=target)
    if kind == "filesystem":
        return dlt.destinations.filesystem(bucket_url=target)
    raise ValueError(f"unknown destination {kind!r} (duckdb or filesystem)")


def load_result(pipeline, info, started):
    trace = pipeline.last_trace
    counts = trace.last_normalize_info.row_counts if trace and trace.last_normalize_info else {}
    rows = sum(count for table, count in counts.items() if not table.startswith("_dlt"))
    size = 0
    for package in info.load_packages:
        for job in package.jobs.get("completed_jobs", []):
            if not job.job_file_info.table_name.startswith("_dlt"):
                size += job.file_size or 0
    return {
        "ok": True,
        "load_id": info.loads_ids[-1] if info.loads_ids else "",
        "rows_loaded": rows,
        "bytes": size,
        "duration_seconds": time.monotonic() - started,
        "tables": sorted(t for t in counts if not t.startswith("_dlt")),
    }


def main():
    request = json.loads(sys.stdin.read())
    started = time.monotonic()
    try:
        import dlt

        pipeline = dlt.pipeline(
            pipeline_name=request["pipeline"],
            destination=destination(request["destination"], request["target"]),
            dataset_name=request["dataset"],
            pipelines_dir=request["pipelines_dir"],
        )
        op = request["op"]
        if op == "create":
            build_source(request["source_type"], request["source"])
            emit({"ok": True, "working_dir": pipeline.working_dir}, 0)
        elif op == "run":
            data = build_source(request["source_type"], request["source"])
            info = pipeline.run(data)
            emit(load_result(pipeline, info, started), 0)
        elif op == "write":
            info = pipeline.run(request["rows"], table_name=request["table"])
            emit(load_result(pipeline, info, started), 0)
        else:
            raise ValueError(f"unknown operation {op!r}")
    except SystemExit:
        raise
    except BaseException as error:  # noqa: BLE001 - every failure is reported as data
        inner = getattr(error, "exception", None) or error
        emit({"ok": False, "category": category(error), "error": scrub(f"{type(inner).__name__}: {inner}")}, 3)


if __name__ == "__main__":
    main()
