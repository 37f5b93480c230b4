"""floe-orchestrator-dagster: materializes assets of generated definitions in process.

Input: JSON in argv[1] ({"definitions": path, "assets": [...]}); the launcher's W3C
traceparent in TRACEPARENT, passed on to the run as the `floe/traceparent` tag.
Output: one line `FLOE_DAGSTER_RESULT {"ok", "run_id", "materialized", "error"}`.
"""
import importlib.util
import json
import os
import sys


def main():
    request = json.loads(sys.argv[1])
    path = request["definitions"]
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    spec = importlib.util.spec_from_file_location("floe_definitions", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    import dagster as dg

    traceparent = os.environ.get("TRACEPARENT", "")
    tags = {"floe/traceparent": traceparent} if traceparent else {}
    result = dg.materialize(
        module.ASSETS, resources=module.RESOURCES, selection=request["assets"], tags=tags, raise_on_error=False
    )
    failures = [e.event_specific_data.error.message.strip() for e in result.all_events
                if e.is_step_failure and e.event_specific_data and e.event_specific_data.error]
    done = sorted(e.asset_key.to_user_string() for e in result.get_asset_materialization_events())
    return {"ok": result.success, "run_id": result.run_id, "materialized": done, "error": " | ".join(failures)[-2000:]}


try:
    outcome = main()
except Exception as error:  # noqa: BLE001 - reported as data
    outcome = {"ok": False, "run_id": "", "materialized": [], "error": f"{type(error).__name__}: {error}"[-2000:]}
sys.stdout.write("\nFLOE_DAGSTER_RESULT " + json.dumps(outcome) + "\n")
