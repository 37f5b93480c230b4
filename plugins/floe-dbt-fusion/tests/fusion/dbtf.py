"""A stand-in for the dbt Fusion CLI (`dbtf`) that follows its DOCUMENTED CONTRACT.

It is NOT a recording of the real CLI, which cannot be installed here. It reproduces what
dbt Fusion 2.0.0-preview.176 documents and implements for the command line floe uses, and
it does the work itself by running dbt-core (in process) on the same project, so node
results, test failures and connection errors are real, not canned.

Sources (the contract this file follows):
- docs.getdbt.com/reference/global-configs/logs: `--log-format` takes `text`, `json`,
  `default` and `otel` (v2.0 and later); the JSON format prints dbt-core-compatible events
  (`{"data": {...}, "info": {"category", "code", "extra", "invocation_id", "level", "msg",
  "name", "pid", "thread", "ts"}}`, example from 2.0.0-preview.181); the text format starts
  with the line `dbt-fusion <version>`.
- docs.getdbt.com/docs/fusion/telemetry: `--log-format otel` streams OpenTelemetry-style
  records to stdout (a different schema; not reproduced here, see below).
- github.com/dbt-labs/dbt-fusion at commit 39a38d8c (workspace version 2.0.0-preview.176):
  - crates/dbt-clap-core/src/lib.rs: `CommonArgs` (the global flags and their environment
    variables: DBT_TARGET, DBT_PROJECT_DIR, DBT_PROFILES_DIR, DBT_TARGET_PATH,
    DBT_LOG_FORMAT, DBT_LOG_LEVEL, ...; `--vars` has no variable), `CompileArgs`,
    `SeedArgs`, `ShowArgs` (`--inline`, `--output`, `--limit`), `TestArgs`, `RunArgs`,
    `BuildArgs`.
  - crates/dbt-common/src/io_args.rs: `LogFormat`, `LogLevel`, `DisplayFormat`,
    `check_key_value_cli_arg` (`--vars` must be a YAML or JSON mapping; `{key:value}`
    without a space is refused).
  - crates/dbt-sa-cli/src/main.rs: an unknown argument prints clap's error trimmed at
    `Usage:` on stderr and exits 1; other usage errors exit as clap does (2); a failed run
    exits 1.
  - crates/dbt-common/src/tracing/layers/json_compat_layer.rs and
    tests/layers_json_compat_tests.rs: MainReportVersion (A001), log messages (name
    `Generic`, msg `[error] [Name (dbtNNNN)]: ...` or `[error]: ...`), Log*Result (Q007,
    Q012, Q016, Q008) with `node_info` and `status`, ShowNode (Q041, `data.preview`),
    ArtifactWritten (P001), CommandCompleted (Q039, `data.success`).
  - crates/dbt-common/src/tracing/formatters/node.rs: statuses `success`, `error`,
    `pass`, `warn`, `fail`, `skipped`.
  - crates/dbt-loader/src/loader.rs: `target-path` (other than `target`) and `log-path`
    (other than `logs`) in dbt_project.yml are refused, InvalidConfig (dbt1005).
  - crates/dbt-schemas/src/schemas/run_results.rs: `run_results.json` in the target path
    (`message` and `failures` omitted when absent).

Not reproduced (nothing here claims it): Fusion's SQL compiler and static analysis, its
own adapters, the wording of messages other than those quoted from the sources above, the
`otel` record schema (`--log-format otel` is accepted and prints text), debug-level
events, and the exit status of errors that carry their own.
"""
import contextlib
import datetime
import io
import json
import os
import shutil
import sys
import tempfile
import time
import uuid

VERSION = "2.0.0-preview.176"
LOG_FORMATS = ("text", "json", "default", "otel")
LOG_LEVELS = ("off", "error", "warn", "info", "debug", "trace")
DISPLAY_FORMATS = ("table", "csv", "tsv", "json", "ndjson", "yml", "selector", "name", "path")
STATIC_ANALYSIS = ("unsafe", "off", "strict", "baseline", "on")
INDIRECT_SELECTION = ("eager", "buildable", "cautious", "empty")
IMPLEMENTED = ("build", "compile", "run", "seed", "show", "test")
KNOWN = IMPLEMENTED + ("clean", "clone", "debug", "deps", "docs", "init", "list", "ls", "man",
                       "parse", "retry", "run-operation", "snapshot", "source", "system")
INVOCATION = str(uuid.uuid4())

# Global options that take one value: (environment variable, allowed values or None).
VALUED = {
    "--target": ("DBT_TARGET", None), "-t": ("DBT_TARGET", None),
    "--project-dir": ("DBT_PROJECT_DIR", None), "--profile": ("DBT_PROFILE", None),
    "--profiles-dir": ("DBT_PROFILES_DIR", None),
    "--packages-install-path": ("DBT_PACKAGES_INSTALL_PATH", None),
    "--target-path": ("DBT_TARGET_PATH", None), "--vars": (None, None),
    "--selector": (None, None), "--indirect-selection": ("DBT_INDIRECT_SELECTION", INDIRECT_SELECTION),
    "--threads": (None, None), "--log-path": ("DBT_LOG_PATH", None),
    "--otel-file-name": ("DBT_OTEL_FILE_NAME", None),
    "--otel-parquet-file-name": ("DBT_OTEL_PARQUET_FILE_NAME", None),
    "--log-format": ("DBT_LOG_FORMAT", LOG_FORMATS), "--log-format-file": ("DBT_LOG_FORMAT_FILE", LOG_FORMATS),
    "--log-level": ("DBT_LOG_LEVEL", LOG_LEVELS), "--log-level-file": ("DBT_LOG_LEVEL_FILE", LOG_LEVELS),
    "--state": ("DBT_STATE", None), "--defer-state": ("DBT_DEFER_STATE", None),
    "--static-analysis": ("DBT_STATIC_ANALYSIS", STATIC_ANALYSIS),
}
# Options of some subcommands that take one value.
COMMAND_VALUED = {
    "--inline": ("compile", "show"), "--limit": ("compile", "show", "test", "run", "build"),
    "--output": ("compile", "show", "test", "run", "build"),
    "--format": ("compile", "show", "test", "run", "build"),
}
# Options that take one or more values (clap `num_args(1..)`).
MULTI = {"--select": None, "-s": None, "-m": None, "--models": None, "--exclude": None,
         "--resource-type": ("compile", "show", "test", "build"),
         "--exclude-resource-type": ("compile", "show", "test", "build")}
FLAGS = {"--quiet", "-q", "--debug", "-d", "--write-json", "--no-write-json", "--write-catalog",
         "--defer", "--no-defer", "--send-anonymous-usage-stats", "--no-send-anonymous-usage-stats",
         "--fail-fast", "-x", "--full-refresh", "-f", "--favor-state", "--no-favor-state",
         "--force-node-selection", "--no-run-cache", "--unchecked"}


class Usage(Exception):
    """A command-line error, reported the way clap and dbt-sa-cli's main do."""

    def __init__(self, message, code):
        super().__init__(message)
        self.code = code


def check_vars(value):
    """`check_key_value_cli_arg`: a YAML mapping, else a JSON object; no `key:value`."""
    import yaml

    text = value.strip().strip("'")
    if not text.strip():
        raise ValueError("Empty input is not valid")
    try:
        parsed = yaml.safe_load(text)
        if isinstance(parsed, dict):
            for key in parsed:
                if ":" in str(key):
                    raise ValueError(f"Invalid key-value pair: '{key}'. Value must start with a space after colon.")
            return parsed
    except yaml.YAMLError:
        pass
    try:
        parsed = json.loads(text)
        if isinstance(parsed, dict):
            return parsed
    except ValueError:
        pass
    raise ValueError("Invalid YAML/JSON format. Expected format: 'key: value' or '{key: value, ..}'. "
                     "Note both argument forms must be just one shell token")


def parse(argv):
    if not argv or argv[0].startswith("-"):
        raise Usage("error: 'dbt' requires a subcommand but one was not provided", 2)
    command, rest = argv[0], argv[1:]
    if command not in KNOWN:
        raise Usage(f"error: unrecognized subcommand '{command}'", 2)
    options, multi, flags = {}, {}, set()
    i = 0
    while i < len(rest):
        arg = rest[i]
        name, inline_value = (arg.split("=", 1) + [None])[:2] if arg.startswith("--") else (arg, None)
        valued = VALUED.get(name) or (COMMAND_VALUED.get(name) and command in COMMAND_VALUED[name] and (None, None))
        if name in ("--output", "--format") and valued:
            valued = (None, DISPLAY_FORMATS)
        if valued:
            if inline_value is None:
                if i + 1 >= len(rest):
                    raise Usage(f"error: a value is required for '{name}' but none was supplied", 2)
                inline_value, i = rest[i + 1], i + 1
            allowed = valued[1]
            if allowed and inline_value.lower() not in allowed:
                raise Usage(f"error: invalid value '{inline_value}' for '{name}'\n  [possible values: {', '.join(allowed)}]", 2)
            if name == "--vars":
                try:
                    check_vars(inline_value)
                except ValueError as error:
                    raise Usage(f"error: invalid value '{inline_value}' for '--vars <VARS>': {error}", 2)
            options[{"-t": "--target", "--format": "--output"}.get(name, name)] = inline_value
        elif name in MULTI and (MULTI[name] is None or command in MULTI[name]):
            values = [inline_value] if inline_value is not None else []
            while i + 1 < len(rest) and not rest[i + 1].startswith("-"):
                values.extend(rest[i + 1].split(" "))
                i += 1
            if not values:
                raise Usage(f"error: a value is required for '{name}' but none was supplied", 2)
            key = "--select" if name in ("-s", "-m", "--models") else name
            multi.setdefault(key, []).extend(values)
        elif name in FLAGS:
            flags.add(name)
        else:
            # dbt-sa-cli main: UnknownArgument is printed trimmed, exit 1.
            raise Usage(f"error: unexpected argument '{name}' found\n\n"
                        f"  tip: to pass '{name}' as a value, use '-- {name}'", 1)
        i += 1
    for name, (variable, allowed) in VALUED.items():
        if variable and name not in options and os.environ.get(variable):
            options[name] = os.environ[variable]
    return command, options, multi, flags


class Log:
    """Writes events in the chosen console format."""

    def __init__(self, fmt, level):
        self.json = fmt == "json"
        self.quiet_below = LOG_LEVELS.index(level)

    def event(self, code, name, level, msg, data):
        if level != "error" and LOG_LEVELS.index(level) > self.quiet_below:
            return
        if self.json:
            info = {"category": "", "code": code, "extra": {}, "invocation_id": INVOCATION,
                    "level": level, "msg": msg, "name": name, "pid": os.getpid(),
                    "thread": "tokio-rt-worker", "ts": now()}
            print(json.dumps({"data": data, "info": info}), flush=True)
        elif msg:
            print(msg, flush=True)

    def error(self, msg, code_name=None):
        prefix = f"[error] [{code_name}]" if code_name else "[error]"
        self.event("", "Generic", "error", f"{prefix}: {msg}", {})


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


RESULT_EVENTS = {"test": ("Q007", "LogTestResult"), "unit_test": ("Q007", "LogTestResult"),
                 "model": ("Q012", "LogModelResult"), "seed": ("Q016", "LogSeedResult")}


def run_dbt_core(command, options, multi, flags, work_target):
    """The work: dbt-core, in process, writing into a private target directory."""
    from dbt.cli.main import dbtRunner

    args = [command, "--target-path", work_target, "--log-level", "none", "--log-level-file", "none"]
    for name in ("--project-dir", "--profiles-dir", "--target", "--vars", "--inline", "--limit",
                 "--threads", "--profile"):
        if name in options:
            args += [name, options[name]]
    if command == "show":
        args += ["--output", "json"]
    for name, values in multi.items():
        args += [name] + values
    if "--full-refresh" in flags or "-f" in flags:
        args.append("--full-refresh")
    errors, previews = [], []

    def on_event(event):
        name, level = event.info.name, event.info.level
        if name == "ShowNode":
            previews.append(event.data.preview)
        elif level == "error" and event.info.msg.strip():
            # Fusion is not Python: dbt-core's tracebacks are not part of its output.
            if not event.info.msg.lstrip().startswith("Traceback"):
                errors.append(event.info.msg.strip())

    with contextlib.redirect_stdout(io.StringIO()):
        outcome = dbtRunner(callbacks=[on_event]).invoke(args)
    return outcome, errors, previews


def fusion_results(core, command):
    """dbt-core's run_results.json in the shape run_results.rs writes."""
    results = []
    for r in core.get("results", []):
        entry = {"status": str(r.get("status", "")).lower(), "timing": r.get("timing", []),
                 "thread_id": r.get("thread_id") or "tokio-rt-worker",
                 "execution_time": r.get("execution_time", 0.0), "adapter_response": r.get("adapter_response") or {},
                 "unique_id": r["unique_id"]}
        for key in ("message", "failures", "relation_name"):
            if r.get(key) is not None:
                entry[key] = r[key]
        results.append(entry)
    return {"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/run-results/v6.json",
                         "dbt_version": VERSION, "generated_at": now(), "invocation_id": INVOCATION, "env": {}},
            "results": results, "elapsed_time": core.get("elapsed_time", 0.0),
            "args": {"command": command, "which": command}}


def main(argv):
    started = time.monotonic()
    try:
        command, options, multi, flags = parse(argv)
    except Usage as usage:
        sys.stderr.write(str(usage) + "\n\nFor more information, try '--help'.\n")
        return usage.code
    fmt = options.get("--log-format", "default").lower()
    level = "error" if ("--quiet" in flags or "-q" in flags) else options.get("--log-level", "info").lower()
    log = Log(fmt, level)
    if fmt == "json":
        log.event("A001", "MainReportVersion", "info", f"Running with dbt-fusion={VERSION}",
                  {"log_version": 3, "version": f"={VERSION}"})
    else:
        log.event("", "", "info", f"dbt-fusion {VERSION}", {})
    if command not in IMPLEMENTED:
        log.error(f"the floe stand-in implements {', '.join(IMPLEMENTED)} only, not {command}")
        return 1
    project = os.path.abspath(options.get("--project-dir", "."))
    target = os.path.join(project, options.get("--target-path", "target"))
    success = run_project(command, options, multi, flags, project, target, log)
    summary = "" if success else "Finished with errors"
    log.event("Q039", "CommandCompleted", "info" if success else "error", summary,
              {"completed_at": now(), "elapsed": time.monotonic() - started, "success": success})
    return 0 if success else 1


def run_project(command, options, multi, flags, project, target, log):
    import yaml

    try:
        with open(os.path.join(project, "dbt_project.yml"), encoding="utf-8") as handle:
            settings = yaml.safe_load(handle) or {}
    except OSError:
        log.error(f"No dbt_project.yml found in {os.path.basename(project)}", "InvalidConfig (dbt1005)")
        return False
    for key, default in (("target-path", "target"), ("log-path", "logs")):
        if settings.get(key) not in (None, default):
            log.error(f"'{key}' cannot be specified in dbt_project.yml", "InvalidConfig (dbt1005)")
            return False
    # The target path exists from the start (profiles may put a database file there).
    os.makedirs(target, exist_ok=True)
    work = tempfile.mkdtemp(prefix="floe-fusion-stand-in-")
    try:
        outcome, errors, previews = run_dbt_core(command, options, multi, flags, work)
        for message in errors:
            log.error(message)
        if outcome.exception is not None and not errors:
            log.error(str(outcome.exception).strip().splitlines()[0])
        core_results = os.path.join(work, "run_results.json")
        if os.path.exists(core_results):
            with open(core_results, encoding="utf-8") as handle:
                results = fusion_results(json.load(handle), command)
            for entry in results["results"]:
                resource = entry["unique_id"].split(".", 1)[0]
                code, name = RESULT_EVENTS.get(resource, ("Q008", "LogNodeResult"))
                data = {"node_info": {"unique_id": entry["unique_id"], "resource_type": resource,
                                      "node_status": entry["status"], "node_name": entry["unique_id"].rsplit(".", 1)[-1]},
                        "status": entry["status"], "execution_time": entry["execution_time"]}
                if "failures" in entry and resource in ("test", "unit_test"):
                    data["num_failures"] = entry["failures"]
                log.event(code, name, "info", f"{entry['status']} {entry['unique_id']}", data)
            write(target, "run_results.json", results, project, log)
            if os.path.exists(os.path.join(work, "manifest.json")):
                shutil.copyfile(os.path.join(work, "manifest.json"), os.path.join(target, "manifest.json"))
                log.event("P001", "ArtifactWritten", "info", f"Artifact written to {relative(target, project)}/manifest.json",
                          {"artifact_path": f"{relative(target, project)}/manifest.json", "artifact_type": "WritableManifest"})
        for preview in previews:
            rows = json.loads(preview)
            log.event("Q041", "ShowNode", "info", preview,
                      {"node_name": "inline_query", "preview": preview, "is_inline": "--inline" in options,
                       "output_format": options.get("--output", "table"), "unique_id": "sql_operation.inline_query",
                       "columns": list(rows[0]) if rows else []})
        return bool(outcome.success)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def relative(path, project):
    rel = os.path.relpath(path, project)
    return os.path.basename(path) if rel.startswith("..") else rel


def write(target, name, document, project, log):
    with open(os.path.join(target, name), "w", encoding="utf-8") as handle:
        json.dump(document, handle)
    log.event("P001", "ArtifactWritten", "info", f"Artifact written to {relative(target, project)}/{name}",
              {"artifact_path": f"{relative(target, project)}/{name}", "artifact_type": "ARTIFACT_TYPE_RUN_RESULTS"})


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
