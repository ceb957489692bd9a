//! The template keeps what an auditor needs: data-bearing resources outlive
//! the stack (and a failed first create leaves none behind), the access
//! log is kept a year or more, every function is traced, and a surge of refused
//! calls raises an alarm.

use deploy_checks::{
    actions, find_of_type, functions, of_type, resources, statements, target, template,
};
use serde_json::Value;

/// The types of resource that hold the application's data or its audit.
const DATA_BEARING: [&str; 7] = [
    "AWS::S3::Bucket",
    "AWS::SQS::Queue",
    "AWS::DynamoDB::Table",
    "AWS::Logs::LogGroup",
    "AWS::Cognito::UserPool",
    "AWS::SecretsManager::Secret",
    "AWS::KMS::Key",
];

#[test]
fn every_data_bearing_resource_is_kept_when_the_stack_goes_or_replaces_it_and_a_failed_create_leaves_none()
 {
    let t = template();
    let mut seen = 0;
    for (id, r) in resources(&t) {
        if !DATA_BEARING.contains(&r["Type"].as_str().unwrap_or_default()) {
            continue;
        }
        seen += 1;
        // Kept when the stack is deleted, except when it is the stack's
        // failed first create that undoes itself: a retry then finds no
        // leftover with the stack's names.
        assert_eq!(
            r["DeletionPolicy"], "RetainExceptOnCreate",
            "{id}: DeletionPolicy"
        );
        assert_eq!(
            r["UpdateReplacePolicy"], "Retain",
            "{id}: UpdateReplacePolicy"
        );
    }
    assert!(seen >= 8, "only {seen} data-bearing resources found");
}

#[test]
fn the_access_log_is_kept_a_year_or_more() {
    let t = template();
    let (_, group) = find_of_type(&t, "AWS::Logs::LogGroup", "the API's access log", |g| {
        g["Properties"]["LogGroupName"]["Fn::Sub"]
            .as_str()
            .is_some_and(|n| n.starts_with("/aws/apigateway/"))
    });
    let parameter = target(&group["Properties"]["RetentionInDays"]).expect("a parameter");
    let days = &t["Parameters"][parameter];
    let at_least_a_year = |v: &Value| v.as_i64().is_some_and(|d| d >= 365);
    assert!(at_least_a_year(&days["Default"]), "{parameter}: {days}");
    let allowed = days["AllowedValues"].as_array().expect("allowed values");
    assert!(allowed.iter().all(at_least_a_year), "{parameter}: {days}");
}

#[test]
fn the_user_pool_is_kept_and_a_failed_create_can_remove_it() {
    let t = template();
    for (id, pool) in of_type(&t, "AWS::Cognito::UserPool") {
        // Deletion protection would stop CloudFormation from undoing a
        // failed first create (the rollback would fail); the pool is kept
        // by its deletion policy, which the guard hook holds.
        assert_eq!(pool["DeletionPolicy"], "RetainExceptOnCreate", "{id}");
        assert_eq!(pool["Properties"]["DeletionProtection"], "INACTIVE", "{id}");
    }
}

#[test]
fn every_function_is_traced_and_may_write_its_traces() {
    let t = template();
    assert_eq!(t["Globals"]["Function"]["Tracing"], "Active");
    for (binary, (id, f)) in functions(&t) {
        assert!(
            f["Properties"].get("Tracing").is_none_or(|v| v == "Active"),
            "{id} ({binary}) turns tracing off"
        );
        let role = target(&f["Properties"]["Role"]).expect("a role");
        let may_trace = statements(&t)
            .iter()
            .any(|(owner, s)| *owner == role && actions(s).contains(&"xray:PutTraceSegments"));
        assert!(may_trace, "{id}'s role {role} cannot write traces");
    }
}

#[test]
fn a_surge_of_refused_calls_raises_an_alarm() {
    let t = template();
    let (filter_id, filter) =
        find_of_type(&t, "AWS::Logs::MetricFilter", "counting 401 and 403", |f| {
            let pattern = f["Properties"]["FilterPattern"]
                .as_str()
                .unwrap_or_default();
            pattern.contains("401") && pattern.contains("403")
        });
    let log = target(&filter["Properties"]["LogGroupName"]).expect("a log group");
    let (_, stage) = find_of_type(&t, "AWS::ApiGatewayV2::Stage", "the API stage", |_| true);
    assert_eq!(
        target(&stage["Properties"]["AccessLogSettings"]["DestinationArn"]),
        Some(log),
        "{filter_id} counts the API's access log"
    );
    let metric = filter["Properties"]["MetricTransformations"][0]["MetricName"]
        .as_str()
        .expect("a metric");
    let alarmed = of_type(&t, "AWS::CloudWatch::Alarm")
        .into_iter()
        .any(|(_, a)| {
            a["Properties"]["MetricName"] == metric && !a["Properties"]["AlarmActions"].is_null()
        });
    assert!(alarmed, "no alarm with actions on {metric}");
}

#[test]
fn every_user_signs_in_with_a_second_factor() {
    let t = template();
    for (id, pool) in of_type(&t, "AWS::Cognito::UserPool") {
        assert_eq!(pool["Properties"]["MfaConfiguration"], "ON", "{id}");
    }
}
