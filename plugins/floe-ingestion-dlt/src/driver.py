"""floe-ingestion-dlt driver: runs one dlt operation and prints one JSON line on stdout.

Input: the request as JSON in argv[1]; a credential (SQL connection string or REST API
bearer token), if any, in the FLOE_DLT_CREDENTIAL environment variable (never in argv).
Output: {"ok": true, ...} or {"ok": false, "category": "transient"|"permanent", "error": ...}.
Exit status 0 on success, 3 on a reported failure.
"""
import csv
import io
import json
import os
import sys
import time

CREDENTIAL = os.environ.pop("FLOE_DLT_CREDENTIAL", "")


def scrub(text):
    text = str(text)
    if CREDENTIAL:
        text = text.replace(CREDENTIAL, "<REDACTED>")
    return text[-2000:]


def emit(result, code):
    sys.stdout.write("\nFLOE_DLT_RESULT " + json.dumps(result) + "\n")
    sys.stdout.flush()
    sys.exit(code)


TRANSIENT_NAMES = ("Timeout", "ConnectionError", "ConnectionRefused", "TransientException",
                   "TemporaryError", "OperationalError")


def category(error):
    """Transient when any exception in the chain is a connection problem or a timeout."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        names = [cls.__name__ for cls in type(error).__mro__]
        if isinstance(error, (ConnectionError, TimeoutError)) or any(
            marker in name for name in names for marker in TRANSIENT_NAMES
        ):
            return "transient"
        status = getattr(getattr(error, "response", None), "status_code", None)
        if status in (429, 502, 503, 504):
            return "transient"
        error = getattr(error, "exception", None) or error.__cause__ or error.__context__
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
    request = json.loads(sys.argv[1])
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


main()
