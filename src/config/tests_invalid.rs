//! One test per diagnostic, over the fixtures in
//! `testdata/config/invalid/`: each asserts the message text and the
//! file:line:col it points at.

use super::load::load_files;
use super::parse::read_file;
use super::tests_valid::fixture;
use super::*;

pub(super) fn diags(name: &str, inputs: &VarInputs) -> Vec<Diagnostic> {
    let path = fixture(&format!("invalid/{name}.hcl"));
    let file = match read_file(&path) {
        Ok(f) => f,
        Err(d) => return d,
    };
    match load_files(vec![file], inputs) {
        Ok(_) => panic!("{name}: expected errors"),
        Err(d) => d,
    }
}

/// The diagnostic with `summary` exists, its detail contains `detail`,
/// and it points at `invalid/NAME.hcl:line:col`.
fn expect(name: &str, summary: &str, detail: &str, line_col: &str) {
    expect_with(name, &VarInputs::default(), summary, detail, line_col);
}

fn expect_with(name: &str, inputs: &VarInputs, summary: &str, detail: &str, line_col: &str) {
    let all = diags(name, inputs);
    let listing = all
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    let d = all
        .iter()
        .find(|d| d.summary == summary)
        .unwrap_or_else(|| panic!("{name}: no {summary:?} in\n{listing}"));
    let text = d.detail.clone().unwrap_or_default();
    assert!(text.contains(detail), "{name}: {text:?} lacks {detail:?}");
    let loc = d.location.as_ref().expect("located").to_string();
    let want = format!("invalid/{name}.hcl:{line_col}");
    assert!(loc.ends_with(&want), "{name}: at {loc}, want {want}");
    assert!(d.is_error());
}

#[test]
fn syntax_error() {
    expect("syntax", "Syntax error", "invalid expression", "7:14");
}

#[test]
fn unknown_block_type() {
    expect(
        "unknown_block_type",
        "Unsupported block type",
        "Blocks of type \"resorce\" are not expected here. Did you mean \"resource\"?",
        "3:1",
    );
}

#[test]
fn unknown_argument() {
    expect(
        "unknown_argument",
        "Unsupported argument",
        "An argument named \"nmae\" is not expected here. Did you mean \"name\"?",
        "4:3",
    );
}

#[test]
fn unknown_nested_block() {
    expect(
        "unknown_nested_block",
        "Unsupported block type",
        "Blocks of type \"orgin\" are not expected here. Did you mean \"origin\"?",
        "5:3",
    );
    assert_eq!(
        diags("unknown_nested_block", &VarInputs::default()).len(),
        1,
        "no follow-up noise"
    );
}

#[test]
fn wrong_type_number() {
    expect(
        "wrong_type_number",
        "Incorrect attribute value type",
        "Inappropriate value for attribute \"port\": a number is required, but got \"abc\".",
        "8:15",
    );
}

#[test]
fn wrong_type_bool() {
    expect(
        "wrong_type_bool",
        "Incorrect attribute value type",
        "Inappropriate value for attribute \"enabled\": a bool is required, but got \"yes\".",
        "5:13",
    );
}

#[test]
fn value_not_in_one_of() {
    expect(
        "not_one_of",
        "Invalid value",
        "\"type\" must be one of \"ip\", \"domain\", \"oss\"; got \"ipv4\". Did you mean \"ip\"?",
        "6:15",
    );
    assert_eq!(
        diags("not_one_of", &VarInputs::default()).len(),
        1,
        "not also missing"
    );
}

#[test]
fn missing_required_argument() {
    expect(
        "missing_required",
        "Missing required argument",
        "The argument \"name\" is required",
        "3:1",
    );
}

#[test]
fn missing_nested_block() {
    expect(
        "missing_block",
        "Insufficient origin blocks",
        "At least 1 \"origin\" block(s) required, found 0.",
        "3:1",
    );
}

#[test]
fn duplicate_argument() {
    expect(
        "duplicate_argument",
        "Duplicate argument",
        "The argument \"name\" was already set",
        "5:3",
    );
}

#[test]
fn duplicate_resource() {
    expect(
        "duplicate_resource",
        "Duplicate resource",
        "A cdn_domain resource named \"a\" was already declared at ",
        "11:1",
    );
    expect(
        "duplicate_resource",
        "Duplicate resource",
        "invalid/duplicate_resource.hcl:3:1.",
        "11:1",
    );
}

#[test]
fn invalid_domain_name() {
    expect(
        "invalid_domain",
        "Invalid domain name",
        "\"bad_name.example.com\" is not a valid domain name",
        "4:10",
    );
}

#[test]
fn origin_ip_address() {
    expect(
        "origin_ip",
        "Invalid origin address",
        "An origin of type \"ip\" needs an IP address, but got \"origin.example.com\".",
        "7:15",
    );
}

#[test]
fn origin_host_name() {
    expect(
        "origin_domain",
        "Invalid origin address",
        "An origin of type \"domain\" needs a host name, but got \"not a host\".",
        "11:15",
    );
}

#[test]
fn origin_port_range() {
    expect(
        "origin_port",
        "Invalid port",
        "from 1 to 65535, but got 70000.",
        "8:15",
    );
}

#[test]
fn undeclared_resource() {
    expect(
        "undeclared_resource",
        "Reference to undeclared resource",
        "A resource \"cdn_domain\" \"wbe\" has not been declared. Did you mean \"web\"?",
        "7:15",
    );
}

#[test]
fn undeclared_variable() {
    expect("undeclared_variable", "Reference to undeclared input variable", "An input variable with the name \"regoin\" has not been declared. Did you mean \"region\"?", "8:13");
}

#[test]
fn undeclared_local() {
    expect(
        "undeclared_local",
        "Reference to undeclared local value",
        "A local value with the name \"zome\" has not been declared. Did you mean \"zone\"?",
        "8:15",
    );
}

#[test]
fn cycle_among_locals() {
    expect(
        "local_cycle",
        "Cycle in local values",
        "local.a -> local.b -> local.c -> local.a",
        "4:3",
    );
    assert_eq!(
        diags("local_cycle", &VarInputs::default()).len(),
        1,
        "one error per cycle"
    );
}

#[test]
fn cycle_among_resources() {
    expect(
        "resource_cycle",
        "Cycle between resources",
        "cdn_domain.a -> cdn_domain.b -> cdn_domain.a",
        "3:1",
    );
    assert_eq!(
        diags("resource_cycle", &VarInputs::default()).len(),
        1,
        "one error per cycle"
    );
}

#[test]
fn unknown_function() {
    expect(
        "unknown_function",
        "Call to unknown function",
        "There is no function named \"lowr\". Did you mean \"lower\"?",
        "4:10",
    );
}

#[test]
fn unknown_vendor() {
    expect(
        "unknown_vendor",
        "Unknown provider",
        "There is no provider \"alyun\"; known providers: aliyun, baishan, ctg. Did you mean \"aliyun\"?",
        "1:10",
    );
}

#[test]
fn duplicate_provider() {
    expect(
        "duplicate_provider",
        "Duplicate provider configuration",
        "\"aliyun.eu\" was already declared at ",
        "5:1",
    );
}

#[test]
fn provider_not_chosen() {
    expect(
        "provider_not_chosen",
        "Provider configuration not chosen",
        "(declared: aliyun.eu, aliyun.us)",
        "9:1",
    );
}

#[test]
fn computed_attribute_set() {
    expect(
        "computed_attribute",
        "Computed attribute cannot be set",
        "\"cname\" is set by the vendor",
        "5:3",
    );
}

#[test]
fn required_variable_without_value() {
    expect(
        "required_variable",
        "No value for required variable",
        "The variable \"region\" has no default value",
        "3:1",
    );
}

#[test]
fn unsupported_attribute_of_resource() {
    expect(
        "unsupported_attribute_ref",
        "Unsupported attribute",
        "This object has no attribute named \"cnmae\". Did you mean \"cname\"?",
        "7:29",
    );
}

#[test]
fn duplicate_local() {
    expect(
        "duplicate_local",
        "Duplicate local value",
        "A local value named \"zone\" was already defined at ",
        "8:3",
    );
}

#[test]
fn sensitive_value_never_shown() {
    expect(
        "sensitive_value",
        "Invalid function argument",
        "a number is required, but got (sensitive value)",
        "13:15",
    );
    // The default is in the file's source text (which a renderer shows as
    // written); the message itself never carries it.
    for d in diags("sensitive_value", &VarInputs::default()) {
        assert!(!d.to_string().contains("t0ps3cret"), "{d}");
    }
    let inputs = VarInputs {
        vars: vec![("token".into(), "an0ther-s3cret".into())],
        ..Default::default()
    };
    for d in diags("sensitive_value", &inputs) {
        assert!(!format!("{d} {d:?}").contains("an0ther"), "{d}");
    }
}

fn load_fixture(name: &str, inputs: &VarInputs) -> Result<Config, Vec<Diagnostic>> {
    load_files(
        vec![read_file(&fixture(&format!("invalid/{name}.hcl"))).unwrap()],
        inputs,
    )
}

#[test]
fn unknown_value_in_function_is_a_plan_time_error() {
    // Loads (web's cname may be known by plan time) ...
    let c = load_fixture("after_apply_function", &VarInputs::default()).unwrap();
    let a = Address::new("cdn_domain", "a");
    let ok = c
        .evaluate(&a, &|_, _| Lookup::Known(serde_json::json!("web.cdn.test")))
        .unwrap();
    assert_eq!(ok.value["origins"][0]["address"], "WEB.CDN.TEST");
    // ... but not when it is known only after apply.
    let err = c.evaluate(&a, &|_, _| Lookup::Unknown).unwrap_err();
    assert_eq!(err[0].summary, "Value known only after apply");
    assert_eq!(
        err[0].detail.as_deref(),
        Some("cdn_domain.web.cname is known only after apply and cannot be used in function upper().")
    );
    assert!(err[0]
        .location
        .as_ref()
        .unwrap()
        .to_string()
        .ends_with("after_apply_function.hcl:7:21"));
    let err = c.evaluate(&a, &|_, _| Lookup::NoSuchAttribute).unwrap_err();
    assert_eq!(err[0].summary, "Unsupported attribute");
}

#[test]
fn var_for_undeclared_variable() {
    let inputs = VarInputs {
        vars: vec![("regoin".into(), "eu".into())],
        ..Default::default()
    };
    let d = load_fixture("after_apply_function", &inputs).unwrap_err();
    assert_eq!(d[0].summary, "Value for undeclared variable");
    assert!(d[0]
        .detail
        .as_ref()
        .unwrap()
        .contains("A variable named \"regoin\" was assigned with -var"));
}

#[test]
fn var_value_of_wrong_type() {
    let inputs = VarInputs {
        vars: vec![("region".into(), "x".into())],
        ..Default::default()
    };
    let c = load_fixture("required_variable", &inputs);
    assert!(c.is_ok(), "a string variable takes any -var text");
    let d = load_dir(
        &fixture("valid"),
        &VarInputs {
            vars: vec![
                ("origin_ips".into(), "[\"192.0.2.1\"]".into()),
                ("port".into(), "abc".into()),
            ],
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(d[0].summary, "Invalid value for input variable");
    assert_eq!(
        d[0].detail.as_deref(),
        Some("The value for variable \"port\" from -var is not suitable for type number: a number is required, but got \"abc\".")
    );
}

#[test]
fn undeclared_provider() {
    expect(
        "undeclared_provider",
        "Reference to undeclared provider",
        "There is no provider configuration \"aliyun.ue\" (declared: aliyun).",
        "4:14",
    );
}

#[test]
fn unknown_resource_type() {
    expect(
        "unknown_resource_type",
        "Unsupported resource type",
        "The resource type \"cdn_domian\" is not supported. Did you mean \"cdn_domain\"?",
        "3:10",
    );
}

#[test]
fn unknown_values_in_conditions_and_arithmetic() {
    let c = load_fixture("after_apply_operators", &VarInputs::default()).unwrap();
    let a = Address::new("cdn_domain", "a");
    let errs = c.evaluate(&a, &|_, _| Lookup::Unknown).unwrap_err();
    let details: Vec<&str> = errs.iter().filter_map(|d| d.detail.as_deref()).collect();
    assert_eq!(
        details,
        [
            "cdn_domain.web.enabled is known only after apply and cannot be used in a condition.",
            "cdn_domain.web.origins[0].port is known only after apply and cannot be used in an arithmetic operation.",
        ]
    );
    let known = c
        .evaluate(&a, &|_, p| match p[0].as_str() {
            "enabled" => Lookup::Known(serde_json::json!(false)),
            _ => Lookup::Known(serde_json::json!(8080)),
        })
        .unwrap();
    assert_eq!(known.value["name"], "b.example.com");
    assert_eq!(known.value["origins"][0]["port"], 8081);
}
