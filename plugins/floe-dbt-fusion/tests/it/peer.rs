//! The peers of the Fusion runner's tests (shared with its contract row):
//! - for the fallback, the real dbt-core of the test virtualenv on a scratch copy of the
//!   example project;
//! - for the Fusion path, a RECORDED CLI CONTRACT, not the real Fusion CLI (which cannot be
//!   installed here, and does not support DuckDB): a stand-in `dbtf` that accepts only the
//!   subcommands and flags the Fusion CLI documents, records its arguments, prints
//!   Fusion-style progress lines, and writes `target/run_results.json` (schema v6 as Fusion
//!   writes it: no `message`, `failures` only on tests) and `target/manifest.json`.

use std::os::unix::fs::PermissionsExt as _;
use std::path::PathBuf;

use floe_core::secret::Secret;
use floe_dbt::DbtSettings;
use floe_dbt_fusion::DbtFusionConfig;
use floe_otel_testkit::peers::{DbtProject, venv};

/// The recorded contract of `dbtf <command> [flags]`.
const FAKE_FUSION: &str = r#"#!/usr/bin/env bash
# RECORDED CLI CONTRACT of the dbt Fusion CLI, for floe's tests: NOT the real Fusion.
set -u
cmd="${1:-}"; shift || true
case "$cmd" in compile|run|test|seed|show|build) ;; *) echo "error: unrecognized subcommand '$cmd'" >&2; exit 2 ;; esac
project=""; profiles=""; vars=""
args=("$cmd")
while [ $# -gt 0 ]; do
  args+=("$1")
  case "$1" in
    --project-dir) project="$2"; args+=("$2"); shift 2 ;;
    --profiles-dir) profiles="$2"; args+=("$2"); shift 2 ;;
    --target|--output|--inline) args+=("$2"); shift 2 ;;
    --vars) vars="$2"; args+=("$2"); shift 2 ;;
    --select) shift; while [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; do args+=("$1"); shift; done ;;
    *) echo "error: unexpected argument '$1' found" >&2; exit 2 ;;
  esac
done
[ -f "$project/dbt_project.yml" ] || { echo "error: dbt1005: No dbt_project.yml found in $project" >&2; exit 2; }
[ -z "$profiles" ] || [ -f "$profiles/profiles.yml" ] || { echo "error: dbt1005: No profiles.yml found" >&2; exit 2; }
mkdir -p "$project/target"
printf '%s\n' "${args[@]}" > "$project/target/fusion_args.txt"
echo "dbt-fusion 2.0.0-preview (floe recorded contract)"
if [ -n "${FLOE_FUSION_CONNECT_ERROR:-}" ]; then
  # Fusion before 2.0.0-preview.28 wrote no run_results.json when a command failed.
  echo "error: dbt1308: Failed to connect to postgres://floe:${FLOE_WAREHOUSE_PASSWORD:-}@db:5432/demo"
  exit 1
fi
status=0; results=""; nodes=""
add() { # unique_id status [failures]
  local f=""; [ -n "${3:-}" ] && f=", \"failures\": $3"
  results="$results${results:+, }{\"unique_id\": \"$1\", \"status\": \"$2\", \"execution_time\": 0.05, \"thread_id\": \"Thread-1\", \"adapter_response\": {}, \"timing\": []$f}"
  nodes="$nodes${nodes:+, }\"$1\": {\"unique_id\": \"$1\", \"name\": \"${1##*.}\", \"resource_type\": \"${1%%.*}\"}"
  echo " Succeeded [  0.05s] ${1%%.*} ${1#*.}"
}
case "$cmd" in
  seed) add seed.floe_demo.raw_customers success; add seed.floe_demo.raw_orders success ;;
  run|compile|build) for m in customer_orders stg_customers stg_orders; do add "model.floe_demo.$m" success; done ;;
  show) add sql_operation.floe_demo.inline_query success ;;
  test)
    add test.floe_demo.not_null_stg_orders_order_id pass 0
    add test.floe_demo.unique_stg_orders_order_id pass 0
    case "$vars" in *"floe_fail_on_purpose: true"*)
      add test.floe_demo.stg_orders_amount_below_100_fails_on_purpose fail 2; status=1 ;; esac ;;
esac
printf '{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/run-results/v6.json", "dbt_version": "2.0.0-preview"}, "elapsed_time": 0.2, "results": [%s]}\n' "$results" > "$project/target/run_results.json"
printf '{"metadata": {"dbt_version": "2.0.0-preview"}, "nodes": {%s}}\n' "$nodes" > "$project/target/manifest.json"
echo "  Finished '$cmd' target 'dev' in 0s 200ms"
exit $status
"#;

/// The dbt settings of the copied project: the virtualenv's dbt-core for the fallback.
pub(crate) fn dbt_settings(project: &DbtProject) -> DbtSettings {
    let mut settings = DbtSettings::new(project.path());
    settings.profiles_dir = Some(project.path().to_owned());
    settings.target = Some("dev".to_owned());
    settings.venv = Some(venv().expect("scripts/setup installs dbt-core into the test virtualenv"));
    settings.timeout_secs = 300;
    settings
}

/// Writes the recorded-contract `dbtf` into the project copy and returns its path.
pub(crate) fn fake_fusion(project: &DbtProject) -> PathBuf {
    let bin = project.path().join("fusion-bin");
    std::fs::create_dir_all(&bin).expect("creating the stand-in's directory");
    let path = bin.join("dbtf");
    std::fs::write(&path, FAKE_FUSION).expect("writing the stand-in dbtf");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
        .expect("making dbtf executable");
    path
}

/// Configuration that runs the recorded-contract Fusion CLI.
pub(crate) fn fusion_config(project: &DbtProject) -> DbtFusionConfig {
    DbtFusionConfig { fusion_executable: Some(fake_fusion(project)), dbt: dbt_settings(project) }
}

/// Configuration whose Fusion CLI is missing: dbt-core runs instead.
pub(crate) fn fallback_config(project: &DbtProject) -> DbtFusionConfig {
    DbtFusionConfig {
        fusion_executable: Some(project.path().join("no-fusion").join("dbtf")),
        dbt: dbt_settings(project),
    }
}

/// Fusion configuration whose CLI cannot connect and quotes the password (from the
/// environment handed to it) in its error.
pub(crate) fn failing_fusion_config(project: &DbtProject, secret: &str) -> DbtFusionConfig {
    let mut config = fusion_config(project);
    config.dbt.env.insert("FLOE_WAREHOUSE_PASSWORD".to_owned(), Secret::new(secret.to_owned()));
    config
        .dbt
        .env
        .insert("FLOE_FUSION_CONNECT_ERROR".to_owned(), Secret::new("connect-error-on".to_owned()));
    config
}
