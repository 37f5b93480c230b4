//! The data model generated from the manifest dbt writes for the example project, parsed
//! back as YAML and checked against the project's `schema.yml`; manifests Cube's compiler
//! would refuse are refused naming the model.

use floe_core::plugin::categories::SemanticLayer as _;
use floe_semantic_cube::{CONFIG_FILE, CubeError};
use serde_json::{Value, json};

use crate::warehouse::warehouse;
use crate::{peer, plugin};

const ORDERS: &str = "model.floe_demo.stg_orders";

fn yaml(files: &floe_core::plugin::categories::GeneratedFiles, path: &str) -> Value {
    let text = files.files.get(path).unwrap_or_else(|| panic!("{path} is generated"));
    serde_saphyr::from_str(text).unwrap_or_else(|e| panic!("{path} is YAML: {e}\n{text}"))
}

fn member<'a>(cube: &'a Value, list: &str, name: &str) -> &'a Value {
    cube[list]
        .as_array()
        .and_then(|items| items.iter().find(|m| m["name"] == name))
        .unwrap_or_else(|| panic!("no {list} entry {name} in {cube}"))
}

/// The real manifest with `meta.cube` of the orders model (dbt writes it in two places; the
/// top level wins) replaced by `edit`.
fn with_orders_meta(edit: impl FnOnce(&mut Value)) -> Value {
    let mut manifest = warehouse().manifest();
    edit(&mut manifest["nodes"][ORDERS]["meta"]["cube"]);
    manifest
}

#[test]
fn tagged_models_become_one_cube_file_each_and_untagged_ones_none() {
    let files = plugin("http://127.0.0.1:4000").generate_schema(&warehouse().manifest()).unwrap();

    let paths: Vec<&str> = files.files.keys().map(String::as_str).collect();
    assert_eq!(paths, [CONFIG_FILE, "model/cubes/customers.yml", "model/cubes/orders.yml"]);
}

#[test]
fn columns_become_typed_dimensions_and_meta_tags_become_measures_joins_and_segments() {
    let files = plugin("http://127.0.0.1:4000").generate_schema(&warehouse().manifest()).unwrap();

    let orders = yaml(&files, "model/cubes/orders.yml");
    let cube = &orders["cubes"][0];
    assert_eq!(cube["name"], "orders", "meta.cube.name renames the stg_orders model");
    assert_eq!(cube["sql_table"], r#""floe_demo"."main"."stg_orders""#);
    assert_eq!(cube["description"], "One row per order.");
    let order_id = member(cube, "dimensions", "order_id");
    assert_eq!(order_id["type"], "number");
    assert_eq!(order_id["primary_key"], true);
    assert_eq!(order_id["sql"], "{CUBE}.order_id");
    assert_eq!(member(cube, "dimensions", "status")["type"], "string");
    assert_eq!(member(cube, "dimensions", "ordered_at")["type"], "time");
    assert_eq!(member(cube, "dimensions", "amount")["type"], "number");
    assert_eq!(member(cube, "dimensions", "amount")["format"], "currency");
    assert_eq!(member(cube, "measures", "count")["type"], "count");
    let amount = member(cube, "measures", "amount_sum");
    assert_eq!(amount["type"], "sum");
    assert_eq!(amount["sql"], "{CUBE}.amount");
    assert_eq!(amount["description"], "Order total in euros.");
    assert_eq!(amount["format"], "currency");
    assert_eq!(member(cube, "measures", "amount_avg")["type"], "avg");
    assert_eq!(member(cube, "measures", "customer_id_count_distinct")["type"], "count_distinct");
    assert_eq!(
        cube["joins"],
        json!([{
            "name": "customers",
            "relationship": "many_to_one",
            "sql": "{CUBE}.customer_id = {customers}.customer_id"
        }])
    );
    assert_eq!(
        cube["segments"],
        json!([{ "name": "completed", "sql": "{CUBE}.status = 'completed'" }])
    );

    let customers = yaml(&files, "model/cubes/customers.yml");
    let cube = &customers["cubes"][0];
    let names: Vec<&str> =
        cube["dimensions"].as_array().unwrap().iter().filter_map(|d| d["name"].as_str()).collect();
    assert_eq!(names, ["country", "customer_id", "customer_name"]);
    assert_eq!(member(cube, "dimensions", "customer_id")["primary_key"], true);
    assert!(cube.get("joins").is_none() && cube.get("segments").is_none(), "{cube}");
}

#[test]
fn meta_opts_a_column_out_and_keeps_a_dimension_only_format_off_measures() {
    let mut manifest = warehouse().manifest();
    let columns = &mut manifest["nodes"][ORDERS]["columns"];
    columns["status"]["meta"] = json!({ "cube": { "dimension": false } });
    columns["order_id"]["meta"] =
        json!({ "cube": { "primary_key": true, "measure": "count_distinct", "format": "id" } });

    let files = plugin("http://127.0.0.1:4000").generate_schema(&manifest).unwrap();

    let orders = yaml(&files, "model/cubes/orders.yml");
    let cube = &orders["cubes"][0];
    assert!(cube["dimensions"].as_array().unwrap().iter().all(|d| d["name"] != "status"));
    assert_eq!(member(cube, "dimensions", "order_id")["format"], "id");
    let distinct = member(cube, "measures", "order_id_count_distinct");
    assert!(distinct.get("format").is_none(), "Cube refuses `id` on a measure: {distinct}");
}

#[test]
fn without_tag_filter_every_enabled_model_becomes_a_cube() {
    let mut config = peer::config("http://127.0.0.1:4000");
    config["include_tags"] = json!([]);
    let plugin =
        floe_semantic_cube::CubePlugin::new(serde_json::from_value(config).unwrap()).unwrap();
    let all = plugin.generate_schema(&warehouse().manifest()).unwrap();
    let mut manifest = warehouse().manifest();
    manifest["nodes"]["model.floe_demo.customer_orders"]["config"]["enabled"] = json!(false);

    let enabled = plugin.generate_schema(&manifest).unwrap();

    let cubes = |files: &floe_core::plugin::categories::GeneratedFiles| -> Vec<String> {
        files.files.keys().filter(|p| p.starts_with("model/")).cloned().collect()
    };
    assert_eq!(
        cubes(&all),
        ["model/cubes/customer_orders.yml", "model/cubes/customers.yml", "model/cubes/orders.yml"]
    );
    assert_eq!(cubes(&enabled), ["model/cubes/customers.yml", "model/cubes/orders.yml"]);
}

#[test]
fn the_tenant_filter_names_every_cube_with_the_tenant_dimension() {
    let files = plugin("http://127.0.0.1:4000").generate_schema(&warehouse().manifest()).unwrap();

    let config = &files.files[CONFIG_FILE];
    assert!(
        config.contains(
            r#"const TENANT_MEMBERS = {"customers":"customers.customer_id","orders":"orders.customer_id"};"#
        ),
        "{config}"
    );
    assert!(config.contains(r#"(securityContext || {})["tenant_id"]"#), "{config}");
    let mut namespaced = peer::config("http://127.0.0.1:4000");
    namespaced["security"]["claims_namespace"] = json!("https://floe.dev/claims");
    let plugin =
        floe_semantic_cube::CubePlugin::new(serde_json::from_value(namespaced).unwrap()).unwrap();
    let files = plugin.generate_schema(&warehouse().manifest()).unwrap();
    assert!(
        files.files[CONFIG_FILE]
            .contains(r#"((securityContext || {})["https://floe.dev/claims"] || {})["tenant_id"]"#),
        "{}",
        files.files[CONFIG_FILE]
    );
}

/// Manifests that would give Cube a model its compiler refuses (`cube.rs` shows Cube
/// refusing each), or that cannot become cubes at all.
pub(crate) fn refused_manifests() -> Vec<(&'static str, Value, &'static str)> {
    let mut column_count = warehouse().manifest();
    column_count["nodes"][ORDERS]["columns"]["count"] =
        json!({ "name": "count", "data_type": "integer" });
    let mut same_name = warehouse().manifest();
    same_name["nodes"]["model.floe_demo.stg_customers"]["meta"]["cube"]["name"] = json!("orders");
    let mut bad_measure = warehouse().manifest();
    bad_measure["nodes"][ORDERS]["columns"]["amount"]["meta"]["cube"]["measure"] = json!("median");
    let mut bad_format = warehouse().manifest();
    bad_format["nodes"][ORDERS]["columns"]["amount"]["meta"]["cube"]["format"] = json!("euro");
    vec![
        ("not a manifest", json!({ "metadata": {} }), "no `nodes` object"),
        (
            "a column named like a generated measure",
            column_count,
            "member count of model stg_orders is defined twice",
        ),
        (
            "a join to an untagged model",
            with_orders_meta(|cube| cube["joins"][0]["name"] = json!("customer_orders")),
            "join customer_orders of model stg_orders names no generated cube",
        ),
        ("two models named alike", same_name, "both become cube orders"),
        (
            "a format Cube does not have",
            bad_format,
            "column amount of model stg_orders: format \"euro\" is not a Cube format",
        ),
        (
            "an unknown measure type",
            bad_measure,
            "column amount of model stg_orders: unknown measure type \"median\"",
        ),
        (
            "a cube name Cube cannot parse",
            with_orders_meta(|cube| cube["name"] = json!("orders-v2")),
            "model \"orders-v2\" of model stg_orders is not a valid Cube name",
        ),
        (
            "a segment without SQL",
            with_orders_meta(|cube| cube["segments"] = json!([{ "name": "completed" }])),
            "a segment of model stg_orders has no `sql`",
        ),
    ]
}

#[test]
fn a_manifest_that_cannot_become_a_model_cube_accepts_is_refused_naming_the_model() {
    let plugin = plugin("http://127.0.0.1:4000");
    for (what, manifest, expected) in refused_manifests() {
        let error = plugin.generate_schema(&manifest).unwrap_err();
        assert!(error.to_string().contains(expected), "{what}: {error}");
        assert!(matches!(
            error,
            CubeError::Manifest { .. }
                | CubeError::Meta { .. }
                | CubeError::InvalidName { .. }
                | CubeError::DuplicateMember { .. }
        ));
    }
}
