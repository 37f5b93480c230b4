//! The generated data model judged by Cube's own compiler, and the SQL Cube builds from it
//! run on the DuckDB database dbt built from the example project.

use serde_json::{Value, json};

use crate::judge::{TENANT, answer, verdicts};
use crate::warehouse::warehouse;

/// The rows of the SQL Cube built for question `id`.
fn rows(id: &str) -> Vec<Value> {
    let answer = answer(id);
    let sql = answer["sql"].as_str().unwrap_or_else(|| panic!("no SQL for {id}: {answer}"));
    let params = answer["params"].as_array().cloned().unwrap_or_default();
    warehouse().rows(sql, &params).unwrap_or_else(|e| panic!("DuckDB refused {id}: {e}\n{sql}"))
}

/// `rows` with numbers compared as numbers and text as text.
fn assert_rows(id: &str, expected: &[Value]) {
    let got = rows(id);
    let same = |a: &Value, b: &Value| match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x.as_f64().zip(y.as_f64()).is_some_and(|(x, y)| (x - y).abs() < 1e-9)
        }
        (Value::String(x), Value::String(y)) => x.starts_with(y.as_str()),
        _ => a == b,
    };
    let matches = got.len() == expected.len()
        && expected.iter().all(|want| {
            got.iter().any(|row| {
                want.as_object()
                    .expect("an expected row is an object")
                    .iter()
                    .all(|(k, v)| row.get(k).is_some_and(|r| same(r, v)))
            })
        });
    assert!(matches, "{id}: expected rows {expected:#?}\ngot {got:#?}\nSQL: {}", answer(id)["sql"]);
}

#[test]
fn cubes_compiler_accepts_the_model_generated_from_the_example_project() {
    let generated = &verdicts()["generated"];

    assert_eq!(generated["compiled"], true, "{generated}");
    let cubes: Vec<&String> = generated["cubes"].as_object().unwrap().keys().collect();
    assert_eq!(cubes, ["customers", "orders"]);
    assert_eq!(
        generated["cubes"]["orders"],
        json!([
            "orders.amount",
            "orders.customer_id",
            "orders.order_id",
            "orders.ordered_at",
            "orders.status",
            "orders.count",
            "orders.amount_sum",
            "orders.amount_avg",
            "orders.customer_id_count_distinct",
            "orders.completed"
        ])
    );
    assert_eq!(
        generated["cubes"]["customers"],
        json!([
            "customers.country",
            "customers.customer_id",
            "customers.customer_name",
            "customers.count"
        ])
    );
}

#[test]
fn cubes_compiler_refuses_a_broken_model() {
    for (model, error) in [
        ("join_to_a_missing_cube", "orders cube: Cube customers doesn't exist"),
        ("member_defined_twice", "orders cube: count defined more than once"),
        ("format_cube_does_not_have", "measures.amount_sum.format = id"),
    ] {
        let verdict = &verdicts()[model];
        assert_eq!(verdict["compiled"], false, "{model}: {verdict}");
        let message = verdict["error"].as_str().unwrap();
        assert!(message.contains(error), "{model}: {message}");
    }
}

#[test]
fn cubes_sql_for_the_generated_cubes_returns_the_warehouse_rows() {
    assert_rows(
        "orders_by_country",
        &[
            json!({ "customers__country": "GB", "orders__count": 2, "orders__amount_sum": 155.5 }),
            json!({ "customers__country": "US", "orders__count": 3, "orders__amount_sum": 354.1 }),
            json!({ "customers__country": "FI", "orders__count": 1, "orders__amount_sum": 15.25 }),
        ],
    );
    assert_rows(
        "completed_orders_by_month",
        &[
            json!({ "orders__ordered_at_month": "2024-01-01", "orders__count": 1 }),
            json!({ "orders__ordered_at_month": "2024-02-01", "orders__count": 1 }),
            json!({ "orders__ordered_at_month": "2024-03-01", "orders__count": 1 }),
        ],
    );
    assert_rows(
        "distinct_customers_and_average_amount",
        &[json!({ "orders__customer_id_count_distinct": 4, "orders__amount_avg": 87.475 })],
    );
}

/// The tenant filters the rewritten query of `id` carries.
fn tenant_filters(id: &str) -> Vec<&'static str> {
    let rewritten = &answer(id)["rewritten"];
    let mut members: Vec<&str> = rewritten["filters"]
        .as_array()
        .unwrap_or_else(|| panic!("{id} was not rewritten: {}", answer(id)))
        .iter()
        .filter(|f| f["operator"] == "equals" && f["values"] == json!([TENANT.to_string()]))
        .filter_map(|f| f["member"].as_str())
        .filter(|m| m.ends_with(".customer_id"))
        .collect();
    members.sort_unstable();
    members
}

#[test]
fn the_tenant_filter_restricts_every_cube_however_a_query_references_it() {
    for (id, cubes) in [
        ("tenant_measures", vec!["orders.customer_id"]),
        ("tenant_dimensions", vec!["orders.customer_id"]),
        ("tenant_time_dimensions", vec!["orders.customer_id"]),
        ("tenant_filters", vec!["customers.customer_id", "orders.customer_id"]),
        ("tenant_nested_filters", vec!["customers.customer_id", "orders.customer_id"]),
        ("tenant_segments", vec!["customers.customer_id", "orders.customer_id"]),
        ("tenant_order", vec!["customers.customer_id", "orders.customer_id"]),
    ] {
        assert_eq!(tenant_filters(id), cubes, "{id}: {}", answer(id)["rewritten"]);
        assert_eq!(answer(id)["app_id"], format!("CUBE_APP_{TENANT}"));
    }
    assert_rows("tenant_measures", &[json!({ "orders__count": 2, "orders__amount_sum": 290 })]);
    assert_rows(
        "tenant_dimensions",
        &[json!({ "orders__status": "completed" }), json!({ "orders__status": "shipped" })],
    );
    assert_rows(
        "tenant_time_dimensions",
        &[
            json!({ "orders__ordered_at_month": "2024-02-01" }),
            json!({ "orders__ordered_at_month": "2024-03-01" }),
        ],
    );
    for id in ["tenant_filters", "tenant_nested_filters", "tenant_segments"] {
        assert_rows(id, &[json!({ "customers__count": 1 })]);
    }
    assert_rows("tenant_order", &[json!({ "customers__country": "US", "customers__count": 1 })]);
    assert_rows(
        "other_tenant_measures",
        &[json!({ "orders__count": 2, "orders__amount_sum": 155.5 })],
    );
}

#[test]
fn a_security_context_without_the_tenant_claim_is_refused() {
    let answer = answer("no_tenant_in_the_security_context");

    assert_eq!(answer["error"], "the security context has no tenant", "{answer}");
    assert!(answer.get("sql").is_none(), "{answer}");
}
