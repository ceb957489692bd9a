//! What no deploy may do, whatever its template says (N1): the rules of
//! the bootstrap's Guard hook (`deploy/guard/application-stack.guard`),
//! run with cfn-guard (installed into `.tools/cargo` by
//! `scripts/test-tools`) on the inputs CloudFormation gives a Guard hook:
//! each resource of the application stack with its properties resolved,
//! and the stack's template. The stack as it is passes; a template that
//! expires the uploads, turns point-in-time recovery off or shortens it,
//! shortens the audit, makes a role for someone else or without the
//! boundary, or weakens what keeps the data fails.

use std::path::PathBuf;
use std::process::Command;

use deploy_checks::grants::World;
use deploy_checks::workspace_root;
use serde_json::{Value, json};

/// Whether cfn-guard passes `input` against the hook's rules; the report
/// when it does not.
fn guard(input: &Value) -> Result<(), String> {
    let root = workspace_root();
    let cfn_guard = root.join(".tools/cargo/bin/cfn-guard");
    assert!(
        cfn_guard.exists(),
        "cfn-guard is not installed: run scripts/test-tools"
    );
    let dir = testkit::temp_dir("guard");
    let data: PathBuf = dir.path().join("input.json");
    std::fs::write(&data, input.to_string()).expect("the input is written");
    let out = Command::new(cfn_guard)
        .args([
            "validate",
            "--output-format",
            "json",
            "--show-summary",
            "none",
            "--rules",
        ])
        .arg(root.join("deploy/guard/application-stack.guard"))
        .arg("--data")
        .arg(&data)
        .output()
        .expect("cfn-guard runs");
    // What it printed, its standard output and then its errors.
    let report = String::from_utf8_lossy(&[out.stdout, out.stderr].concat()).into_owned();
    match out.status.code() {
        Some(0) => Ok(()),
        // 19: a rule failed; anything else is a broken rule file or input.
        Some(19) => Err(report),
        other => panic!("cfn-guard could not evaluate ({other:?}): {report}"),
    }
}

/// The input of a resource operation on `id`: its type and its properties
/// resolved, as CloudFormation gives a Guard hook.
fn resource_input(world: &World, id: &str, properties: Value) -> Value {
    json!({
        "HookContext": {
            "AWSAccountID": deploy_checks::deployment::ACCOUNT,
            "TargetType": "RESOURCE",
            "TargetLogicalId": id,
            "InvocationPoint": "UPDATE_PRE_PROVISION"
        },
        "Resources": {
            id: {
                "ResourceType": world.app.resource(id)["Type"],
                "ResourceProperties": properties
            }
        }
    })
}

/// The input of a stack operation: the template.
fn stack_input(template: Value) -> Value {
    json!({
        "HookContext": {"TargetType": "STACK", "InvocationPoint": "UPDATE_PRE_PROVISION"},
        "Template": template
    })
}

fn id_of(world: &World, kind: &str, holds: impl Fn(&Value) -> bool) -> String {
    world
        .app
        .resource_ids()
        .into_iter()
        .find(|id| world.app.resource(id)["Type"] == kind && holds(&world.app.properties(id)))
        .unwrap_or_else(|| panic!("no {kind} of that kind"))
}

/// The id of the `kind` resource whose text property `name` `holds`.
fn id_named(world: &World, kind: &str, name: &str, holds: impl Fn(&str) -> bool) -> String {
    id_of(world, kind, |p| p[name].as_str().is_some_and(&holds))
}

/// A change that removes the property `name`.
fn without(name: &str) -> impl Fn(&mut Value) + '_ {
    move |p| {
        if let Value::Object(map) = p {
            map.remove(name);
        }
    }
}

#[test]
fn every_resource_and_the_stack_as_they_are_pass() {
    let world = World::new();
    let mut checked = 0;
    for id in world.app.resource_ids() {
        let input = resource_input(&world, &id, world.app.properties(&id));
        if let Err(report) = guard(&input) {
            panic!("{id} fails the guard as the template has it:\n{report}");
        }
        checked += 1;
    }
    assert!(checked > 50, "only {checked} resources");
    if let Err(report) = guard(&stack_input(world.app.template.clone())) {
        panic!("the stack fails the guard:\n{report}");
    }
}

/// `id`'s properties with `change` made to them fail the guard.
fn fails(world: &World, id: &str, what: &str, change: impl Fn(&mut Value)) {
    let mut properties = world.app.properties(id);
    change(&mut properties);
    let report = guard(&resource_input(world, id, properties))
        .err()
        .unwrap_or_else(|| panic!("{what}: the guard let it through"));
    println!("{what}: refused\n{report}");
}

#[test]
fn a_template_that_expires_the_uploads_is_refused() {
    let world = World::new();
    let uploads = id_named(&world, "AWS::S3::Bucket", "BucketName", |n| {
        n.contains("-uploads-")
    });
    fails(&world, &uploads, "current objects expire", |p| {
        p["LifecycleConfiguration"]["Rules"][0]["ExpirationInDays"] = json!(1);
    });
    fails(&world, &uploads, "old versions go after a day", |p| {
        p["LifecycleConfiguration"]["Rules"][0]["NoncurrentVersionExpiration"]["NoncurrentDays"] =
            json!(1);
    });
    fails(&world, &uploads, "versioning suspended", |p| {
        p["VersioningConfiguration"]["Status"] = json!("Suspended");
    });
}

#[test]
fn a_template_that_shortens_the_tables_history_or_drops_its_perimeter_is_refused() {
    let world = World::new();
    let table = id_of(&world, "AWS::DynamoDB::Table", |_| true);
    fails(&world, &table, "point-in-time recovery off", |p| {
        p["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] = json!(false);
    });
    fails(&world, &table, "a day of history", |p| {
        p["PointInTimeRecoverySpecification"]["RecoveryPeriodInDays"] = json!(1);
    });
    fails(
        &world,
        &table,
        "no resource policy",
        without("ResourcePolicy"),
    );
}

#[test]
fn a_template_that_shortens_the_audit_is_refused() {
    let world = World::new();
    let audit = id_named(&world, "AWS::Logs::LogGroup", "LogGroupName", |n| {
        n.starts_with("/aws/apigateway/")
    });
    fails(&world, &audit, "the access log kept a day", |p| {
        p["RetentionInDays"] = json!(1);
    });
    fails(
        &world,
        &audit,
        "the access log's retention removed",
        without("RetentionInDays"),
    );
}

#[test]
fn a_role_for_anyone_but_lambda_or_without_the_boundary_is_refused() {
    let world = World::new();
    let role = id_of(&world, "AWS::IAM::Role", |_| true);
    fails(&world, &role, "a role trusting another account", |p| {
        p["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] =
            json!({"AWS": "arn:aws:iam::999999999999:root"});
    });
    fails(
        &world,
        &role,
        "a role trusting Lambda and another account",
        |p| {
            p["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["AWS"] =
                json!("arn:aws:iam::999999999999:root");
        },
    );
    fails(
        &world,
        &role,
        "a role without the boundary",
        without("PermissionsBoundary"),
    );
}

#[test]
fn a_template_that_would_delete_what_holds_data_is_refused() {
    let world = World::new();
    for (kind, policy) in [
        ("AWS::DynamoDB::Table", "DeletionPolicy"),
        ("AWS::Logs::LogGroup", "DeletionPolicy"),
        ("AWS::KMS::Key", "UpdateReplacePolicy"),
    ] {
        let mut template = world.app.template.clone();
        let resources = template["Resources"].as_object_mut().expect("resources");
        let (id, resource) = resources
            .iter_mut()
            .find(|(_, r)| r["Type"] == kind)
            .unwrap_or_else(|| panic!("no {kind}"));
        let id = id.clone();
        resource[policy] = json!("Delete");
        let report = guard(&stack_input(template))
            .err()
            .unwrap_or_else(|| panic!("{id} with {policy}: Delete went through"));
        println!("{id} with {policy}: Delete refused\n{report}");
    }
}
