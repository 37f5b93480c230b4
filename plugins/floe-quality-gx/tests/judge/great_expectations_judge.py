"""Great Expectations as the judge of floe-quality-gx: validates expectations on tables
with GX's own pandas engine, for the parity test (tests/it/parity.rs).

Reads one JSON request on stdin, writes one JSON answer on stdout:

    {"tables": {"<name>": {"columns": [{"name": "id", "type": "BIGINT"}, ...],
                           "rows": [[1, ...], ...]}},
     "cases": [{"table": "<name>", "type": "expect_...", "kwargs": {...}}, ...]}
    -> [{"outcome": "result", "success": true, "result": {...}}
        | {"outcome": "refused", "reason": "..."}, ...]

Columns get the pandas dtype that keeps their DuckDB values: integers stay integers
(nullable `Int64`), so a null does not turn them into floats. "refused" is an expectation
GX will not build, or one whose validation raised (GX reports the exception in
`exception_info` instead of a result).
"""

import json
import os
import sys

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.setdefault("TQDM_DISABLE", "1")

import great_expectations as gx  # noqa: E402
import pandas as pd  # noqa: E402
from great_expectations.expectations.expectation_configuration import (  # noqa: E402
    ExpectationConfiguration,
)

INTEGERS = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT",
            "USMALLINT", "UINTEGER", "UBIGINT"}
FLOATS = {"FLOAT", "DOUBLE", "REAL", "DECIMAL", "NUMERIC"}


def dtype(duckdb_type):
    name = duckdb_type.split("(")[0].strip()
    if name in INTEGERS:
        return "Int64"
    if name in FLOATS:
        return "float64"
    if name in {"BOOLEAN", "BOOL"}:
        return "boolean"
    return "object"


def frame(table):
    names = [c["name"] for c in table["columns"]]
    data = {}
    for index, column in enumerate(table["columns"]):
        values = [row[index] for row in table["rows"]]
        data[column["name"]] = pd.Series(values, dtype=dtype(column["type"]))
    return pd.DataFrame(data, columns=names)


def raised(info):
    """Whether exception_info reports an exception (flat, or keyed by metric)."""
    if not isinstance(info, dict):
        return None
    if info.get("raised_exception"):
        return info.get("exception_message") or "exception"
    for value in info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return value.get("exception_message") or "exception"
    return None


def judge(batch, case):
    try:
        expectation = ExpectationConfiguration(
            type=case["type"], kwargs=case["kwargs"]
        ).to_domain_obj()
    except Exception as error:  # noqa: BLE001 - any refusal to build is the answer
        return {"outcome": "refused", "reason": f"{type(error).__name__}: {error}"}
    answer = batch.validate(expectation, result_format="SUMMARY").to_json_dict()
    reason = raised(answer.get("exception_info"))
    if reason is not None:
        return {"outcome": "refused", "reason": reason}
    return {"outcome": "result", "success": answer["success"], "result": answer["result"]}


def main():
    request = json.load(sys.stdin)
    context = gx.get_context(mode="ephemeral")
    source = context.data_sources.add_pandas("floe")
    batches = {}
    for index, (name, table) in enumerate(request["tables"].items()):
        asset = source.add_dataframe_asset(f"table_{index}")
        definition = asset.add_batch_definition_whole_dataframe(f"table_{index}")
        batches[name] = definition.get_batch(batch_parameters={"dataframe": frame(table)})
    answers = [judge(batches[case["table"]], case) for case in request["cases"]]
    json.dump({"great_expectations": gx.__version__, "answers": answers}, sys.stdout)


if __name__ == "__main__":
    main()
