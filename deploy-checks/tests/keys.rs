//! Keys we own: one customer-managed KMS key, rotated, encrypts every place
//! the stack keeps data, its policy lets the account administer it but use
//! it only through the stack's services, and a stack may do without it only
//! through a parameter that says it is unfit for health data.

use deploy_checks::{
    as_list, functions, of_type, output_when, parameter_condition, resources, statements, template,
};
use serde_json::{Value, json};

/// The logical id of the stack's key.
const KEY: &str = "DataKey";

/// How a resource names the key: the key when the stack owns one, nothing
/// (the service's own key) when it does not.
fn the_key_or_none(condition: &str) -> Value {
    json!({"Fn::If": [condition, {"Fn::GetAtt": [KEY, "Arn"]}, {"Ref": "AWS::NoValue"}]})
}

/// The key's condition, which is the stack's default.
fn own_key_condition(t: &Value) -> String {
    let key = &resources(t)[KEY];
    assert_eq!(key["Type"], "AWS::KMS::Key");
    let condition = key["Condition"].as_str().expect("the key is conditional");
    let (parameter, by_default) = parameter_condition(t, condition);
    assert!(
        by_default,
        "{parameter}: the stack owns its key unless told otherwise"
    );
    condition.to_owned()
}

#[test]
fn the_key_is_rotated_and_kept() {
    let t = template();
    own_key_condition(&t);
    let key = &resources(&t)[KEY];
    assert_eq!(key["Properties"]["EnableKeyRotation"], true);
    // Kept with the data; only a failed first create removes it (KMS then
    // waits 30 days before it deletes).
    assert_eq!(key["DeletionPolicy"], "RetainExceptOnCreate");
    assert_eq!(key["UpdateReplacePolicy"], "Retain");
}

#[test]
fn every_place_that_keeps_data_is_encrypted_under_the_key() {
    let t = template();
    let condition = own_key_condition(&t);
    let expected = the_key_or_none(&condition);
    // (type, where the key goes in its properties)
    let places: [(&str, &[&str]); 6] = [
        ("AWS::SQS::Queue", &["KmsMasterKeyId"]),
        (
            "AWS::DynamoDB::Table",
            &["SSESpecification", "KMSMasterKeyId"],
        ),
        ("AWS::Logs::LogGroup", &["KmsKeyId"]),
        ("AWS::SecretsManager::Secret", &["KmsKeyId"]),
        ("AWS::SNS::Topic", &["KmsMasterKeyId"]),
        ("AWS::Serverless::Function", &["KmsKeyArn"]),
    ];
    let mut seen = 0;
    for (kind, path) in places {
        let found = of_type(&t, kind);
        assert!(!found.is_empty(), "no {kind} in the template");
        for (id, r) in found {
            let value = path.iter().fold(&r["Properties"], |at, step| &at[step]);
            assert_eq!(value, &expected, "{id}: {}", path.join("."));
            seen += 1;
        }
    }
    // Buckets: the upload bucket under the key; the access-log bucket under
    // SSE-S3, the only encryption S3's access logging delivers to.
    for (id, bucket) in of_type(&t, "AWS::S3::Bucket") {
        let default = &bucket["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"]
            [0]["ServerSideEncryptionByDefault"];
        let is_access_log = of_type(&t, "AWS::S3::Bucket").iter().any(|(_, other)| {
            other["Properties"]["LoggingConfiguration"]["DestinationBucketName"]["Ref"] == id
        });
        if is_access_log {
            assert_eq!(default["SSEAlgorithm"], "AES256", "{id}");
        } else {
            assert_eq!(default["SSEAlgorithm"], "aws:kms", "{id}");
            assert_eq!(default["KMSMasterKeyID"], expected, "{id}");
            seen += 1;
        }
    }
    assert!(seen >= 11, "only {seen} places checked");
}

#[test]
fn the_account_administers_the_key_but_uses_it_only_through_the_stacks_services() {
    let t = template();
    let policy = &resources(&t)[KEY]["Properties"]["KeyPolicy"];
    let uses = [
        "kms:Encrypt",
        "kms:Decrypt",
        "kms:GenerateDataKey",
        "kms:ReEncrypt",
        "kms:CreateGrant",
    ];
    let mut administered = false;
    for s in as_list(&policy["Statement"]) {
        assert_eq!(s["Effect"], "Allow", "{s}");
        let principal = &s["Principal"];
        assert_ne!(principal, "*", "a key policy for anyone: {s}");
        assert_ne!(principal["AWS"], "*", "a key policy for anyone: {s}");
        let actions: Vec<&str> = as_list(&s["Action"])
            .iter()
            .filter_map(|a| a.as_str())
            .collect();
        assert!(!actions.contains(&"kms:*"), "every action: {s}");
        let uses_the_key = actions.iter().any(|a| {
            uses.iter()
                .any(|u| a.starts_with(u) || u.starts_with(a.trim_end_matches('*')))
        });
        if principal.get("AWS").is_some() {
            if uses_the_key {
                let via = &s["Condition"]["StringEquals"]["kms:ViaService"];
                assert!(
                    !as_list(via).is_empty(),
                    "the account uses the key other than through a service: {s}"
                );
            } else {
                administered |= actions.contains(&"kms:PutKeyPolicy");
            }
        } else {
            // A service principal: CloudWatch Logs only for this stack's
            // log groups; CloudWatch only to publish alarms.
            match principal["Service"].to_string() {
                service if service.contains("logs.") => {
                    let groups = &s["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"];
                    for group in as_list(groups) {
                        let arn = group["Fn::Sub"].as_str().unwrap_or_default();
                        assert!(arn.contains("${AWS::StackName}-"), "{arn}");
                    }
                    assert!(!as_list(groups).is_empty(), "{s}");
                }
                service if service.contains("cloudwatch.") => {
                    assert!(!actions.contains(&"kms:Encrypt"), "{s}");
                }
                other => panic!("a service the stack does not need: {other}"),
            }
        }
    }
    assert!(administered, "nobody can administer the key");
}

#[test]
fn every_function_role_may_use_the_key() {
    let t = template();
    let all = statements(&t);
    for (binary, (_, f)) in functions(&t) {
        let role = f["Properties"]["Role"]["Fn::GetAtt"][0]
            .as_str()
            .expect("a role of the stack");
        let uses = all.iter().any(|(owner, s)| {
            owner == role
                && s["Resource"] == json!({"Fn::GetAtt": [KEY, "Arn"]})
                && as_list(&s["Action"]).contains(&&json!("kms:Decrypt"))
        });
        assert!(uses, "{binary}: {role} cannot decrypt with the key");
    }
}

#[test]
fn doing_without_the_key_is_explicit_and_says_it_is_unfit_for_health_data() {
    let t = template();
    let condition = own_key_condition(&t);
    let (parameter, _) = parameter_condition(&t, &condition);
    let description = t["Parameters"][parameter]["Description"]
        .as_str()
        .unwrap_or_default();
    assert!(
        description.to_lowercase().contains("unfit for health data"),
        "{parameter}: {description}"
    );
    let warning = output_when(&t, |c| c == &json!({"Fn::Not": [{"Condition": condition}]}));
    assert!(
        warning.starts_with("WARNING") && warning.contains("unfit for health data"),
        "{warning}"
    );
}

#[test]
fn only_named_principals_use_or_administer_the_key_never_the_account_as_such() {
    let t = template();
    let policy = &resources(&t)[KEY]["Properties"]["KeyPolicy"];
    let mut checked = 0;
    for s in as_list(&policy["Statement"]) {
        if s["Principal"].get("AWS").is_none() {
            continue;
        }
        checked += 1;
        // The account is the principal (so that IAM policies count), and a
        // condition names which of its roles: the stack's own roles, the
        // execution role, the deploy role and the break-glass role.
        let named = s["Condition"]
            .as_object()
            .into_iter()
            .flat_map(|c| c.values())
            .filter_map(|operator| operator.get("aws:PrincipalArn"))
            .flat_map(as_list)
            .filter_map(|arn| arn["Fn::Sub"].as_str())
            .collect::<Vec<_>>();
        assert!(
            !named.is_empty(),
            "{}: any principal of the account: {s}",
            s["Sid"]
        );
        for arn in named {
            assert!(
                arn.contains(":role/") && !arn.ends_with(":root"),
                "{}: {arn} is not a named role",
                s["Sid"]
            );
        }
    }
    assert!(checked >= 3, "only {checked} statements for the account");
}
