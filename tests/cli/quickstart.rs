//! The README's quickstart: the example against the embedded emulator.

use crate::common::Project;

#[test]
fn quickstart_applies_then_plans_no_changes() {
    let p = Project::new();
    let example = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/quickstart/main.hcl"
    ))
    .unwrap();
    p.write("main.hcl", &example);

    let r = p.run(&["apply", "-auto-approve"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout.contains("Apply complete! Resources: 2 added"),
        "{r:?}"
    );
    assert!(
        p.path().join("state/emulator.json").exists(),
        "the embedded emulator persists its world"
    );

    // A second run starts a new embedded emulator on the persisted world.
    let r = p.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("No changes."), "{r:?}");

    // A variable given on the command line changes the plan.
    let r = p.run(&[
        "plan",
        "-detailed-exitcode",
        "-var",
        "web_origin_ip=192.0.2.99",
    ]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(
        r.stdout.contains("\"192.0.2.10\" -> \"192.0.2.99\""),
        "{r:?}"
    );

    let r = p.run(&["destroy", "-auto-approve"]);
    assert_eq!(r.code, 0, "{r:?}");
}
