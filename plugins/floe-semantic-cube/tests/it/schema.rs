//! The generated data model, parsed back as YAML and checked against the dbt manifest.

use floe_core::plugin::categories::SemanticLayer as _;
use floe_semantic_cube::{CONFIG_FILE, CubeError};
use serde_json::{Value, json};

use crate::{peer, plugin};

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

#[test]
fn tagged_models_become_one_cube_file_each_and_untagged_ones_none() {
    let files = plugin("http://127.0.0.1:4000").generate_schema(&peer::manifest()).unwrap();

    let paths: Vec<&str> = files.files.keys().map(String::as_str).collect();
    assert_eq!(paths, [CONFIG_FILE, "model/cubes/customers.yml", "model/cubes/orders.yml"]);
}

#[test]
fn columns_become_typed_dimensions_and_meta_tags_become_measures() {
    let files = plugin("http://127.0.0.1:4000").generate_schema(&peer::manifest()).unwrap();

    let orders = yaml(&files, "model/cubes/orders.yml");
    let cube = &orders["cubes"][0];
    assert_eq!(cube["name"], "orders");
    assert_eq!(cube["sql_table"], r#""warehouse"."analytics"."orders""#);
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
    assert_eq!(member(cube, "measures", "customer_id_count_distinct")["type"], "count_distinct");
    assert_eq!(
        cube["joins"],
        json!([{
            "name": "customers",
            "relationship": "many_to_one",
            "sql": "{CUBE}.customer_id = {customers}.customer_id"
        }])
    );

    let customers = yaml(&files, "model/cubes/customers.yml");
    let cube = &customers["cubes"][0];
    let names: Vec<&str> =
        cube["dimensions"].as_array().unwrap().iter().filter_map(|d| d["name"].as_str()).collect();
    assert_eq!(names, ["customer_id", "order_count", "tier"], "first_name opted out");
    assert_eq!(member(cube, "measures", "order_count_avg")["type"], "avg");
    assert!(cube.get("joins").is_none(), "no joins declared: {cube}");
}

#[test]
fn without_tag_filter_every_enabled_model_becomes_a_cube() {
    let mut config = peer::config("http://127.0.0.1:4000");
    config["include_tags"] = json!([]);
    let plugin =
        floe_semantic_cube::CubePlugin::new(serde_json::from_value(config).unwrap()).unwrap();
    let mut manifest = peer::manifest();
    manifest["nodes"]["model.orders_product.stg_orders"]["config"]["enabled"] = json!(false);

    let files = plugin.generate_schema(&manifest).unwrap();

    let cubes: Vec<&str> =
        files.files.keys().filter(|p| p.starts_with("model/")).map(String::as_str).collect();
    assert_eq!(
        cubes,
        ["model/cubes/customers.yml", "model/cubes/orders.yml", "model/cubes/stg_customers.yml"]
    );
}

#[test]
fn the_tenant_filter_names_every_cube_with_the_tenant_dimension() {
    let files = plugin("http://127.0.0.1:4000").generate_schema(&peer::manifest()).unwrap();

    let config = &files.files[CONFIG_FILE];
    assert!(
        config
            .contains(r#"const TENANT_MEMBERS = ["customers.customer_id","orders.customer_id"];"#),
        "{config}"
    );
    assert!(config.contains(r#"(securityContext || {})["tenant_id"]"#), "{config}");
    assert!(config.contains("queryRewrite"), "{config}");
    // Cube loads the file with Node: it must be JavaScript Node accepts (Node is there:
    // scripts/setup uses npm).
    let node = floe_otel_testkit::peers::system_bin("node").expect("node is installed");
    let dir = std::env::temp_dir().join(format!("floe-cube-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("cube.js");
    std::fs::write(&path, config).unwrap();
    let status = std::process::Command::new(node).arg("--check").arg(&path).status().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(status.success(), "node --check rejected cube.js:\n{config}");
}

#[test]
fn a_manifest_that_cannot_become_cubes_is_refused_naming_the_model() {
    let plugin = plugin("http://127.0.0.1:4000");
    let mut bad_measure = peer::manifest();
    bad_measure["nodes"]["model.orders_product.orders"]["columns"]["amount"]["meta"]["cube"]["measure"] =
        json!("median");
    let mut bad_name = peer::manifest();
    bad_name["nodes"]["model.orders_product.orders"]["meta"]["cube"]["name"] = json!("orders-v2");

    let cases = [
        (json!({ "metadata": {} }), "no `nodes` object"),
        (bad_measure, "column amount of model orders: unknown measure type \"median\""),
        (bad_name, "model \"orders-v2\" of model orders is not a valid Cube name"),
    ];
    for (manifest, expected) in cases {
        let error = plugin.generate_schema(&manifest).unwrap_err();
        assert!(error.to_string().contains(expected), "{error}");
        assert!(matches!(
            error,
            CubeError::Manifest { .. } | CubeError::Meta { .. } | CubeError::InvalidName { .. }
        ));
    }
}
