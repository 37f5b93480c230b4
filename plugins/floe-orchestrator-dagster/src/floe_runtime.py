"""floe runtime for generated Dagster definitions: a dbt resource, a JSON IO manager, a
file sensor, and OpenTelemetry spans that continue the trace of whoever launched the run.

The parent comes from the run tag `floe/traceparent` (W3C trace context), else from the
TRACEPARENT environment variable. Spans are exported over OTLP/HTTP when
OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set.
Spans carry the asset key and run id; never model SQL, asset values or credentials.
"""
import contextlib
import json
import os
import subprocess
from pathlib import Path

import dagster as dg

TRACER_NAME = "floe.orchestrator.dagster"
TRACEPARENT_TAG = "floe/traceparent"
_TRACER = None


def tracer():
    global _TRACER
    if _TRACER is None:
        from opentelemetry import trace

        endpoint = os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or os.environ.get(
            "OTEL_EXPORTER_OTLP_ENDPOINT"
        )
        if endpoint:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
            from opentelemetry.sdk.resources import Resource
            from opentelemetry.sdk.trace import TracerProvider
            from opentelemetry.sdk.trace.export import SimpleSpanProcessor

            service = os.environ.get("OTEL_SERVICE_NAME", "floe-dagster")
            provider = TracerProvider(resource=Resource.create({"service.name": service}))
            provider.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter()))
            _TRACER = provider.get_tracer(TRACER_NAME)
        else:
            _TRACER = trace.get_tracer(TRACER_NAME)
    return _TRACER


def _run_tags(context):
    for path in (("run", "tags"), ("step_context", "run_tags")):
        try:
            value = context
            for name in path:
                value = getattr(value, name)
            return dict(value or {})
        except Exception:  # noqa: BLE001 - not every context has a run or a step
            continue
    return {}


def _run_id(context):
    for path in (("run_id",), ("step_context", "run_id")):
        try:
            value = context
            for name in path:
                value = getattr(value, name)
            if value:
                return value
        except Exception:  # noqa: BLE001 - an input context has no run id of its own
            continue
    return ""


@contextlib.contextmanager
def span(name, context, asset_key):
    """A span continuing the launcher's trace; a failure ends it as Error (type only)."""
    from opentelemetry.trace import Status, StatusCode
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    traceparent = _run_tags(context).get(TRACEPARENT_TAG) or os.environ.get("TRACEPARENT", "")
    parent = TraceContextTextMapPropagator().extract({"traceparent": traceparent}) if traceparent else None
    attributes = {"orchestrator.name": "dagster", "orchestrator.asset_key": asset_key}
    run_id = _run_id(context)
    if run_id:
        attributes["orchestrator.run_id"] = run_id
    with tracer().start_as_current_span(
        name, context=parent, attributes=attributes, record_exception=False, set_status_on_exception=False
    ) as current:
        try:
            yield current
        except BaseException as error:
            current.set_attribute("error.type", type(error).__name__)
            current.set_status(Status(StatusCode.ERROR, type(error).__name__))
            raise
        else:
            current.set_status(Status(StatusCode.OK))


class FloeDbtResource(dg.ConfigurableResource):
    """Runs `dbt run --select <model>` in the project."""

    executable: str = "dbt"
    project_dir: str
    profiles_dir: str
    timeout_secs: int = 3600

    def run(self, model):
        command = [self.executable, "run", "--select", model, "--project-dir", self.project_dir,
                   "--profiles-dir", self.profiles_dir]
        done = subprocess.run(command, capture_output=True, text=True, timeout=self.timeout_secs, check=False)
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-5:])
            raise dg.Failure(description=f"dbt run --select {model} exited with {done.returncode}: {tail}")
        return {"model": model, "status": "success"}


def run_model(context, model):
    """The body of a dbt model's asset."""
    with span("orchestrator.asset_execution", context, model):
        return context.resources.dbt.run(model)


class FloeIOManager(dg.ConfigurableIOManager):
    """Stores each asset's output as JSON under `base_dir`, one file per asset key."""

    base_dir: str

    def _path(self, key):
        return Path(self.base_dir, *key.path).with_suffix(".json")

    def handle_output(self, context, obj):
        key = context.asset_key
        with span("orchestrator.io_store", context, key.to_user_string()):
            path = self._path(key)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(obj, sort_keys=True))

    def load_input(self, context):
        key = context.asset_key
        with span("orchestrator.io_load", context, key.to_user_string()):
            return json.loads(self._path(key).read_text())


def file_sensor(name, path, job):
    """Requests a run of `job` whenever the file at `path` changes."""

    @dg.sensor(name=name, job=job, minimum_interval_seconds=30)
    def _sensor(context):
        target = Path(path)
        if not target.exists():
            return dg.SkipReason(f"{path} does not exist")
        stamp = str(target.stat().st_mtime_ns)
        if context.cursor == stamp:
            return dg.SkipReason(f"{path} has not changed")
        context.update_cursor(stamp)
        return dg.RunRequest(run_key=stamp)

    return _sensor
