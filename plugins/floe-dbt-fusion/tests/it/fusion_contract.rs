//! The Fusion path against the RECORDED CLI CONTRACT (`peer::fake_fusion`), not the real
//! Fusion CLI: the arguments floe passes are ones the Fusion CLI accepts, and Fusion's
//! artifacts (no `message`, `failures` only on tests) become typed results.

use floe_core::plugin::categories::{DbtCommand, DbtOptions, DbtRunner as _};
use floe_dbt_fusion::DbtFusionPlugin;
use floe_otel_testkit::peers::DbtProject;

use crate::peer;

fn recorded_args(project: &DbtProject) -> Vec<String> {
    std::fs::read_to_string(project.path().join("target").join("fusion_args.txt"))
        .expect("the stand-in recorded its arguments")
        .lines()
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn floe_passes_only_flags_the_fusion_cli_accepts() {
    let project = DbtProject::copy().unwrap();
    let plugin = DbtFusionPlugin::new(peer::fusion_config(&project));
    let options = DbtOptions {
        select: vec!["stg_orders+".to_owned()],
        vars: Some("{day: 2026-01-01}".to_owned()),
        ..DbtOptions::default()
    };
    plugin.execute(DbtCommand::Compile, &options).await.unwrap();
    let dir = project.path().to_string_lossy().into_owned();
    assert_eq!(
        recorded_args(&project),
        [
            "compile",
            "--project-dir",
            &dir,
            "--profiles-dir",
            &dir,
            "--target",
            "dev",
            "--vars",
            "{day: 2026-01-01}",
            "--select",
            "stg_orders+",
        ]
    );
    plugin
        .execute(
            DbtCommand::Show,
            &DbtOptions { select: vec!["stg_orders".to_owned()], ..DbtOptions::default() },
        )
        .await
        .unwrap();
    let show = recorded_args(&project);
    assert_eq!(show[0], "show");
    assert!(show.windows(2).any(|w| w == ["--output", "json"]), "{show:?}");
    assert!(
        !show.iter().any(|a| a == "--log-format"),
        "dbt-core's log flag is not passed to Fusion: {show:?}"
    );
}

#[test]
fn the_stand_in_rejects_what_the_fusion_cli_rejects() {
    let project = DbtProject::copy().unwrap();
    let dbtf = peer::fake_fusion(&project);
    let run = |args: &[&str]| std::process::Command::new(&dbtf).args(args).output().unwrap();
    let unknown_flag =
        run(&["run", "--project-dir", &project.path().to_string_lossy(), "--log-format", "json"]);
    assert_eq!(unknown_flag.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&unknown_flag.stderr)
            .contains("unexpected argument '--log-format'")
    );
    let unknown_command = run(&["lint"]);
    assert_eq!(unknown_command.status.code(), Some(2));
    let no_project = run(&["run", "--project-dir", "/nonexistent"]);
    assert_eq!(no_project.status.code(), Some(2));
}

#[tokio::test]
async fn fusion_artifacts_become_typed_results() {
    let project = DbtProject::copy().unwrap();
    let plugin = DbtFusionPlugin::new(peer::fusion_config(&project));
    let seed = plugin.execute(DbtCommand::Seed, &DbtOptions::default()).await.unwrap();
    assert!(seed.success);
    assert_eq!(
        seed.nodes.iter().map(|n| n.unique_id.as_str()).collect::<Vec<_>>(),
        ["seed.floe_demo.raw_customers", "seed.floe_demo.raw_orders"]
    );
    assert!(seed.nodes.iter().all(|n| n.message.is_none() && n.failures.is_none()));
    let test = plugin.execute(DbtCommand::Test, &DbtOptions::default()).await.unwrap();
    assert_eq!((test.tests_run(), test.failures().len()), (2, 0));
    assert!(test.nodes.iter().all(|n| n.failures == Some(0)));
}
