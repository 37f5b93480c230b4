//! `floe compile` with the real Kubernetes network security and RBAC plugins: a rule they
//! do not allow is a compile error naming its manifest key, never a panic, never the value
//! of a secret.

use std::process::ExitCode;

use crate::fixtures::{Run, output, platform};

const SECRET: &str = "FLOETEST-Not-A-Label-s3cr3t";

/// `floe compile` of a manifest with `plugins_yaml`, against every linked plugin.
fn compile(plugins_yaml: &str) -> (Run, String) {
    let (dir, manifest) = platform(plugins_yaml, SECRET);
    let out = output(dir.path());
    let registry = floe_core::plugin::registered();
    let args = ["floe", "compile", manifest.to_str().expect("a UTF-8 path"), "--output", &out];
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let code = floe_cli::run(
        args.map(str::to_owned),
        &registry,
        &mut floe_cli::Io { out: &mut stdout, err: &mut stderr },
    );
    let artifacts = std::fs::read_to_string(&out).unwrap_or_default();
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).expect("UTF-8 output");
    (Run { code, out: text(stdout), err: text(stderr) }, artifacts)
}

#[track_caller]
fn assert_refused(plugins_yaml: &str, expected: &str) {
    let (run, artifacts) = compile(plugins_yaml);
    assert_eq!(run.code, ExitCode::FAILURE, "{}{}", run.out, run.err);
    let line = run.err.lines().find(|l| l.starts_with("error: ")).unwrap_or_default();
    assert!(line.contains(expected), "missing {expected:?} in:\n{}", run.err);
    assert!(!run.err.contains("panicked"), "{}", run.err);
    assert!(artifacts.is_empty(), "nothing is written for a refused platform");
    for text in [&run.out, &run.err] {
        floe_otel_testkit::leak::assert_text_clean("compile output", text, SECRET);
    }
}

fn rbac(rules: &str, secrets: &str) -> String {
    format!(
        "  rbac:\n    type: k8s\n    config:\n      namespaces: [{{ name: floe-jobs }}]\n      \
         service_accounts:\n        - name: job-runner\n          namespace: floe-jobs\n          \
         secrets: {secrets}\n          rules:\n{rules}"
    )
}

const READ_PODS: &str =
    "            - { api_groups: [\"\"], resources: [pods], verbs: [get, list] }\n";

#[test]
fn a_least_privilege_rbac_config_compiles_into_its_documents() {
    let jobs = "            - { api_groups: [batch], resources: [jobs], verbs: [create], allow_privileged: true }\n";
    let (run, artifacts) = compile(&rbac(&format!("{READ_PODS}{jobs}"), "[warehouse]"));

    assert_eq!(run.code, ExitCode::SUCCESS, "{}", run.err);
    let artifacts: serde_json::Value = serde_json::from_str(&artifacts).expect("JSON artifacts");
    let kinds: Vec<&str> = artifacts["plugins"][0]["config"]["manifests"]
        .as_array()
        .expect("the RBAC documents")
        .iter()
        .filter_map(|d| d["kind"].as_str())
        .collect();
    assert_eq!(kinds, ["Namespace", "ServiceAccount", "Role", "RoleBinding"]);
}

#[test]
fn privileged_rbac_rules_are_compile_errors_naming_the_rule_and_resource() {
    let exec = "            - { api_groups: [\"\"], resources: [pods/exec], verbs: [create] }\n";
    assert_refused(
        &rbac(&format!("{READ_PODS}{exec}"), "[]"),
        "plugin rbac/k8s: plugins.rbac.config.service_accounts[0].rules[1]: rule 1 of floe-jobs/job-runner grants create on pods/exec",
    );
    let deployments =
        "            - { api_groups: [apps], resources: [deployments], verbs: [get, patch] }\n";
    assert_refused(
        &rbac(deployments, "[]"),
        "plugins.rbac.config.service_accounts[0].rules[0]: rule 0 of floe-jobs/job-runner grants patch on deployments",
    );
    let wildcard = "            - { api_groups: [\"\"], resources: [\"*\"], verbs: [get] }\n";
    assert_refused(
        &rbac(wildcard, "[]"),
        "plugins.rbac.config.service_accounts[0].rules[0].resources: rule 0 of floe-jobs/job-runner uses * in its resources",
    );
}

#[test]
fn a_secret_value_in_a_refused_rbac_name_never_reaches_the_error() {
    assert_refused(
        &rbac(READ_PODS, "[ok, \"${secret:db_password}\"]"),
        "plugins.rbac.config.service_accounts[0].secrets[1]: secret \"<redacted>\" is not a DNS-1123 label",
    );
}

fn network(egress_rules: &str) -> String {
    format!(
        "  network_security:\n    type: k8s\n    config:\n      namespaces: [floe-platform, floe-jobs]\n      \
         platform_namespace: floe-platform\n      https_egress: [floe-jobs]\n      egress_rules:\n{egress_rules}"
    )
}

#[test]
fn a_network_config_compiles_into_policies_with_https_over_ipv4_and_ipv6() {
    let warehouse = "        - { name: warehouse, cidr: 10.20.0.0/16, except: [10.20.9.0/24], ports: [{ port: 5432 }] }\n";
    let (run, artifacts) = compile(&network(warehouse));

    assert_eq!(run.code, ExitCode::SUCCESS, "{}", run.err);
    let artifacts: serde_json::Value = serde_json::from_str(&artifacts).expect("JSON artifacts");
    let policies =
        artifacts["plugins"][0]["config"]["network_policies"].as_array().expect("policies");
    let https = policies
        .iter()
        .find(|p| p["metadata"]["name"] == "allow-https-egress")
        .expect("HTTPS egress for floe-jobs");
    let blocks: Vec<&str> = https["spec"]["egress"][0]["to"]
        .as_array()
        .expect("peers")
        .iter()
        .filter_map(|peer| peer["ipBlock"]["cidr"].as_str())
        .collect();
    assert_eq!(blocks, ["0.0.0.0/0", "::/0"]);
}

#[test]
fn except_blocks_outside_their_rule_are_compile_errors_naming_the_key() {
    let outside = "        - { name: warehouse, cidr: 10.20.0.0/16, except: [10.20.9.0/24, 10.30.0.0/24], ports: [{ port: 5432 }] }\n";
    assert_refused(
        &network(outside),
        "plugin network_security/k8s: plugins.network_security.config.egress_rules[0].except[1]: egress rule warehouse: except block 10.30.0.0/24 is not strictly inside 10.20.0.0/16",
    );
    let family = "        - { name: syslog, cidr: 192.168.7.0/24, ports: [{ port: 514 }] }\n        - { name: v6, cidr: \"fd00::/8\", except: [10.0.0.0/8], ports: [{ port: 1 }] }\n";
    assert_refused(
        &network(family),
        "plugins.network_security.config.egress_rules[1].except[0]: egress rule v6: except block 10.0.0.0/8 is IPv4 but fd00::/8 is IPv6",
    );
    let anywhere = "        - { name: anywhere, cidr: \"::/0\", ports: [{ port: 80 }] }\n";
    assert_refused(
        &network(anywhere),
        "plugins.network_security.config.egress_rules[0].cidr: egress rule anywhere opens ::/0 (every address)",
    );
}
