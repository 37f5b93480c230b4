//! Cube's own data-model compiler (`@cubejs-backend/schema-compiler` 0.33.65 from npm,
//! pinned by `scripts/setup node`) as the judge: `tests/judge/cube_judge.js` compiles the
//! data model generated from the example project's real manifest, and some broken copies
//! of it, runs the generated `cube.js` tenant filter on real query objects, and builds the
//! SQL of every question. One Node process answers every question of the test binary.

use std::path::Path;
use std::sync::OnceLock;

use floe_core::plugin::categories::SemanticLayer as _;
use floe_otel_testkit::Capture;
use floe_otel_testkit::peers::{self, PEER_LIFETIME};
use serde_json::{Value, json};

use crate::plugin;
use crate::warehouse::warehouse;

/// The version `scripts/setup` pins.
pub(crate) const SCHEMA_COMPILER_VERSION: &str = "0.33.65";

/// The tenant whose rows the tenant questions may see: customer 2 (Grace, US), whose
/// orders are 3 (completed, 80.00, February 2024) and 6 (shipped, 210.00, March 2024).
pub(crate) const TENANT: i64 = 2;

/// A query and the security context it comes with (`None`: no rewrite, the SQL as is).
struct Question {
    id: &'static str,
    query: Value,
    security_context: Option<Value>,
}

fn ask(id: &'static str, query: Value) -> Question {
    Question { id, query, security_context: None }
}

fn as_tenant(id: &'static str, tenant: i64, query: Value) -> Question {
    Question { id, query, security_context: Some(json!({ "tenant_id": tenant })) }
}

/// The questions on the generated model. `tenant_*` reference the orders cube in one way
/// each; `customers` and `orders` both have the tenant dimension `customer_id`.
fn questions() -> Vec<Question> {
    let completed =
        json!({ "member": "orders.status", "operator": "equals", "values": ["completed"] });
    vec![
        ask(
            "orders_by_country",
            json!({
            "measures": ["orders.count", "orders.amount_sum"], "dimensions": ["customers.country"] }),
        ),
        ask(
            "completed_orders_by_month",
            json!({
            "measures": ["orders.count"], "segments": ["orders.completed"],
            "timeDimensions": [{ "dimension": "orders.ordered_at", "granularity": "month",
                                 "dateRange": ["2024-01-01", "2024-03-31"] }] }),
        ),
        ask(
            "distinct_customers_and_average_amount",
            json!({
            "measures": ["orders.customer_id_count_distinct", "orders.amount_avg"] }),
        ),
        as_tenant(
            "tenant_measures",
            TENANT,
            json!({ "measures": ["orders.count", "orders.amount_sum"] }),
        ),
        as_tenant("tenant_dimensions", TENANT, json!({ "dimensions": ["orders.status"] })),
        as_tenant(
            "tenant_time_dimensions",
            TENANT,
            json!({
            "timeDimensions": [{ "dimension": "orders.ordered_at", "granularity": "month" }] }),
        ),
        as_tenant(
            "tenant_filters",
            TENANT,
            json!({ "measures": ["customers.count"], "filters": [completed] }),
        ),
        as_tenant(
            "tenant_nested_filters",
            TENANT,
            json!({
            "measures": ["customers.count"],
            "filters": [{ "or": [completed, { "member": "orders.amount", "operator": "gt", "values": ["100"] }] }] }),
        ),
        as_tenant(
            "tenant_segments",
            TENANT,
            json!({ "measures": ["customers.count"], "segments": ["orders.completed"] }),
        ),
        as_tenant(
            "tenant_order",
            TENANT,
            json!({
            "dimensions": ["customers.country"], "measures": ["customers.count"], "order": [["orders.count", "desc"]] }),
        ),
        as_tenant(
            "other_tenant_measures",
            1,
            json!({ "measures": ["orders.count", "orders.amount_sum"] }),
        ),
        Question {
            id: "no_tenant_in_the_security_context",
            query: json!({ "measures": ["orders.count"] }),
            security_context: Some(json!({ "sub": "someone" })),
        },
    ]
}

/// Writes generated files (`model/cubes/*.yml`, `cube.js`) under `dir`.
fn write(dir: &Path, files: &std::collections::BTreeMap<String, String>) {
    for (path, text) in files {
        let file = dir.join(path);
        std::fs::create_dir_all(file.parent().expect("a parent")).expect("creating a directory");
        std::fs::write(&file, text).expect("writing a generated file");
    }
}

/// `orders.yml` of the generated files with `edit` applied to its cube.
fn edit_orders(
    files: &std::collections::BTreeMap<String, String>,
    edit: impl FnOnce(&mut Value),
) -> std::collections::BTreeMap<String, String> {
    let mut files = files.clone();
    let path = "model/cubes/orders.yml";
    let mut model: Value = serde_saphyr::from_str(&files[path]).expect("generated YAML parses");
    edit(&mut model["cubes"][0]);
    files.insert(path.to_owned(), serde_saphyr::to_string(&model).expect("YAML"));
    files
}

/// Cube's verdicts: `models.<id>` for `generated` and each broken copy.
pub(crate) fn verdicts() -> &'static Value {
    static VERDICTS: OnceLock<Value> = OnceLock::new();
    VERDICTS.get_or_init(|| {
        let warehouse = warehouse();
        let generated = {
            let _capture = Capture::start();
            plugin("http://127.0.0.1:4000").generate_schema(&warehouse.manifest())
        }
        .expect("the example project's manifest becomes a data model")
        .files;
        let mut missing_join = generated.clone();
        missing_join.remove("model/cubes/customers.yml");
        let broken = [
            ("generated", generated.clone()),
            ("join_to_a_missing_cube", missing_join),
            (
                "member_defined_twice",
                edit_orders(&generated, |cube| {
                    let column = json!({ "name": "count", "sql": "{CUBE}.order_id", "type": "number" });
                    cube["dimensions"].as_array_mut().expect("dimensions").push(column);
                }),
            ),
            (
                "format_cube_does_not_have",
                edit_orders(&generated, |cube| {
                    for measure in cube["measures"].as_array_mut().expect("measures") {
                        if measure["name"] == "amount_sum" {
                            measure["format"] = json!("id");
                        }
                    }
                }),
            ),
        ];
        let questions = questions();
        let models: Vec<Value> = broken
            .iter()
            .map(|(id, files)| {
                let dir = warehouse.scratch(id);
                write(&dir, files);
                let queries: Vec<Value> = if *id == "generated" {
                    questions
                        .iter()
                        .map(|q| json!({ "id": q.id, "query": q.query, "security_context": q.security_context }))
                        .collect()
                } else {
                    Vec::new()
                };
                json!({ "id": id, "dir": dir, "queries": queries })
            })
            .collect();
        let node = peers::system_bin("node").expect("Node is installed");
        let node_path = peers::node_modules().expect("scripts/setup node installs Cube's compiler");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/judge/cube_judge.js");
        let answer = peers::ask_json(
            "Cube's schema compiler",
            &node,
            &[script.to_string_lossy().as_ref()],
            &[("NODE_PATH", node_path.to_string_lossy().as_ref())],
            &json!({ "models": models }),
            PEER_LIFETIME,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(answer["schema_compiler"], SCHEMA_COMPILER_VERSION, "the pinned judge");
        answer["models"].clone()
    })
}

/// Cube's answer to question `id` on the generated model.
pub(crate) fn answer(id: &str) -> &'static Value {
    let answer = &verdicts()["generated"]["queries"][id];
    assert!(answer.is_object(), "no answer to {id}: {}", verdicts()["generated"]);
    answer
}
