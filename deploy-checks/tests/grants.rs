//! Every grant the deployment needs, proven before a deploy (invariant 10):
//! each request CloudFormation's execution role, the functions, the AWS
//! services the stack wires together and the deploy job must be able to
//! make is evaluated offline the way AWS evaluates it (identity policies,
//! the permissions boundary and the resource policy together, a KMS key's
//! policy deciding whether IAM counts at all), and must be allowed; each
//! denial that SECURITY.md promises must be denied. Each test prints every
//! request, the decision and the statements that decided it.
//!
//! The deployment is on paper (`deploy_checks::deployment`): both
//! templates resolved for one account and region, with the names
//! CloudFormation would give. The evaluator is `@cloud-copilot/iam-simulate`
//! (`deploy/node/simulate.mjs`).

use deploy_checks::deployment::{ACCOUNT, APP_STACK, PARTITION, REGION, Stack};
use deploy_checks::grants::{FUNCTIONS, World};
use deploy_checks::simulate::{Expect, Request, Resource, check};
use std::collections::BTreeSet;

use deploy_checks::{actions, as_list};
use serde_json::{Value, json};

/// Handler permissions CloudFormation's execution role is not given, each
/// with the reason: `(resource type, [(action, why)])`, where `*` at the
/// end of a type or an action matches any rest. A handler lists what every
/// property of its type could need; these are the properties the stack
/// does not use, and the changes a deploy must never make.
const NOT_NEEDED: &[(&str, &[(&str, &str)])] = &[
    (
        "*",
        &[(
            "iam:CreateServiceLinkedRole",
            "no resource of the stack uses a service-linked role (no replicas, contributor insights or custom domains)",
        )],
    ),
    (
        "AWS::ApiGatewayV2::Api",
        &[(
            "s3:getObject",
            "the API is not imported from an OpenAPI file in S3",
        )],
    ),
    (
        "AWS::ApiGatewayV2::Authorizer",
        &[("iam:PassRole", "the JWT authorizer has no credentials role")],
    ),
    (
        "AWS::ApiGatewayV2::Integration",
        &[(
            "iam:PassRole",
            "the Lambda proxy integration has no credentials role",
        )],
    ),
    (
        "AWS::ApiGatewayV2::Stage",
        &[
            (
                "apigateway:TagResource",
                "not an IAM action: API Gateway authorises tagging as PUT on /tags/* (Service Authorization Reference), which the role has",
            ),
            (
                "apigateway:UntagResource",
                "not an IAM action: API Gateway authorises untagging as DELETE on /tags/*, which the role has",
            ),
        ],
    ),
    (
        "AWS::Athena::WorkGroup",
        &[
            (
                "iam:PassRole",
                "no execution role (only Apache Spark workgroups take one)",
            ),
            (
                "s3:*",
                "CreateWorkGroup and UpdateWorkGroup keep the results' location as a setting; Athena reads and writes there when a query runs, with the querying principal's credentials (a real deploy confirms the handler touches no object)",
            ),
            (
                "kms:*",
                "the workgroup keeps the results' key as a setting; S3 uses it when a query's results are written, for the querying principal (a real deploy confirms the handler uses no key)",
            ),
        ],
    ),
    (
        "AWS::Cognito::UserPool",
        &[
            (
                "cognito-idp:AddCustomAttributes",
                "the pool has no custom attributes",
            ),
            ("iam:PassRole", "the pool sends no SMS (no SMS role)"),
            ("kms:*", "the pool has no custom sender key"),
        ],
    ),
    (
        "AWS::Cognito::UserPoolClient",
        &[("iam:*", "the clients have no analytics configuration")],
    ),
    (
        "AWS::Cognito::UserPoolDomain",
        &[
            (
                "cloudfront:*",
                "the domain is Cognito's prefix domain, not a custom domain",
            ),
            (
                "kms:*",
                "the domain is Cognito's prefix domain, not a custom domain",
            ),
        ],
    ),
    (
        "AWS::Cognito::UserPoolGroup",
        &[("iam:*", "the groups have no IAM role")],
    ),
    (
        "AWS::DynamoDB::Table",
        &[
            ("dynamodb:AssociateTableReplica", "a single-region table"),
            ("dynamodb:CreateTableReplica", "a single-region table"),
            (
                "dynamodb:BatchWriteItem",
                "a deploy writes no item (no import)",
            ),
            ("dynamodb:PutItem", "a deploy writes no item (no import)"),
            ("dynamodb:UpdateItem", "a deploy writes no item (no import)"),
            ("dynamodb:DeleteItem", "a deploy deletes no item"),
            ("dynamodb:GetItem", "a deploy reads no item"),
            ("dynamodb:Query", "a deploy reads no item"),
            ("dynamodb:Scan", "a deploy reads no item"),
            ("dynamodb:ImportTable", "the table is not imported from S3"),
            (
                "dynamodb:DescribeImport",
                "the table is not imported from S3",
            ),
            (
                "dynamodb:*KinesisStreamingDestination",
                "no Kinesis stream destination",
            ),
            (
                "dynamodb:DeleteResourcePolicy",
                "a deploy never removes the table's perimeter (its resource policy)",
            ),
            (
                "dynamodb:UpdateContributorInsights",
                "contributor insights are off",
            ),
            ("kinesis:*", "no Kinesis stream destination"),
            ("logs:*", "the table is not imported from S3 (import logs)"),
            ("s3:*", "the table is not imported from S3"),
        ],
    ),
    (
        "AWS::Events::Rule",
        &[(
            "iam:PassRole",
            "the schedule's one target is the exporter, which EventBridge invokes through the function's policy (its Lambda permission), with no role",
        )],
    ),
    (
        "AWS::Glue::Database",
        &[
            (
                "glue:*Connection",
                "not a federated database: no connection",
            ),
            (
                "lakeformation:*",
                "the Data Catalog is governed by IAM (an account's default, IAMAllowedPrincipals), not by Lake Formation (a real deploy in an account governed by Lake Formation needs its grants)",
            ),
        ],
    ),
    (
        "AWS::Glue::Table",
        &[
            (
                "glue:PassConnection",
                "not a federated table: no connection",
            ),
            (
                "glue:GetSchemaVersion",
                "the columns are the table's own, not a schema registry's (no SchemaReference)",
            ),
            (
                "s3:*",
                "not an Iceberg table (no OpenTableFormatInput), whose metadata the handler would write to S3; a Hive table is metadata only",
            ),
            (
                "iam:PassRole",
                "not an Iceberg table or a view: no role to pass",
            ),
            (
                "lakeformation:*",
                "the Data Catalog is governed by IAM (an account's default, IAMAllowedPrincipals), not by Lake Formation (a real deploy in an account governed by Lake Formation needs its grants)",
            ),
        ],
    ),
    (
        "AWS::IAM::Role",
        &[
            (
                "iam:DeleteRolePermissionsBoundary",
                "a role of the stack never loses the permissions boundary",
            ),
            (
                "iam:UpdateAssumeRolePolicy",
                "a role's trust (Lambda) never changes in a deploy; a template that changes it fails",
            ),
        ],
    ),
    (
        "AWS::KMS::Key",
        &[
            ("kms:DisableKey", "a deploy never disables the key"),
            (
                "kms:EnableKey",
                "the key is created enabled and never disabled",
            ),
            (
                "kms:DisableKeyRotation",
                "a deploy never turns the key's rotation off",
            ),
        ],
    ),
    (
        "AWS::Lambda::EventSourceMapping",
        &[("kms:*", "the mapping has no filter criteria to encrypt")],
    ),
    (
        "AWS::Lambda::Function",
        &[
            ("ec2:*", "no function is in a VPC"),
            ("elasticfilesystem:*", "no function mounts EFS"),
            ("s3files:*", "no function mounts S3 Files"),
            ("lambda:AssociateRuntimeAlias", "no runtime alias"),
            (
                "lambda:PassCapacityProvider",
                "no capacity provider (Lambda Managed Instances)",
            ),
            (
                "lambda:*FunctionScalingConfig",
                "no capacity provider (Lambda Managed Instances)",
            ),
            (
                "lambda:*FunctionConcurrency",
                "no reserved concurrency (new accounts have 10 in all)",
            ),
            ("lambda:*CodeSigningConfig", "no code-signing configuration"),
            ("lambda:GetLayerVersion", "no layers"),
        ],
    ),
    (
        "AWS::Logs::LogGroup",
        &[
            ("firehose:*", "no log delivery to Firehose"),
            ("s3:REST.PUT.OBJECT", "not an IAM action"),
            ("logs:CreateLogDelivery", "no log delivery from the group"),
            ("logs:*IndexPolic*", "no field indexes"),
            (
                "logs:PutDataProtectionPolicy",
                "no data protection policy (the logs hold no content)",
            ),
            (
                "logs:DeleteDataProtectionPolicy",
                "no data protection policy (the logs hold no content)",
            ),
            (
                "logs:PutBearerTokenAuthentication",
                "no bearer-token ingestion",
            ),
            (
                "logs:*ResourcePolic*",
                "the groups have no resource policy of their own",
            ),
            (
                "logs:PutLogGroupDeletionProtection",
                "deletion protection would stop the rollback of a failed first create; the guard hook keeps what is kept instead",
            ),
            (
                "logs:DeleteRetentionPolicy",
                "a deploy never removes a group's retention",
            ),
            (
                "logs:DisassociateKmsKey",
                "a deploy never takes the key off a group",
            ),
        ],
    ),
    (
        "AWS::S3::Bucket",
        &[
            ("iam:PassRole", "no replication role"),
            ("s3tables:*", "no S3 Tables"),
            ("s3:*MetadataTableConfiguration", "no metadata tables"),
            ("s3:UpdateBucketMetadata*", "no metadata tables"),
            (
                "s3:PutBucketAbac",
                "no attribute-based access control on the buckets",
            ),
            ("s3:PutAccelerateConfiguration", "no transfer acceleration"),
            ("s3:PutAnalyticsConfiguration", "no analytics configuration"),
            (
                "s3:DeleteBucketAnalyticsConfiguration",
                "no analytics configuration",
            ),
            (
                "s3:PutIntelligentTieringConfiguration",
                "no Intelligent-Tiering configuration",
            ),
            ("s3:PutInventoryConfiguration", "no inventory"),
            ("s3:PutMetricsConfiguration", "no request metrics"),
            ("s3:DeleteBucketMetricsConfiguration", "no request metrics"),
            ("s3:PutBucketReplication", "no replication"),
            ("s3:PutReplicationConfiguration", "no replication"),
            ("s3:DeleteBucketReplication", "no replication"),
            ("s3:PutBucketWebsite", "no website"),
            ("s3:DeleteBucketWebsite", "no website"),
            ("s3:PutBucketObjectLockConfiguration", "no object lock"),
            ("s3:PutObjectLockConfiguration", "no object lock"),
            ("s3:PutBucketAcl", "ACLs are off (BucketOwnerEnforced)"),
            ("s3:PutObjectAcl", "ACLs are off (BucketOwnerEnforced)"),
            ("s3:DeleteObject", "a deploy deletes no object"),
            (
                "s3:DeleteBucketCors",
                "a deploy never removes the upload bucket's CORS rule",
            ),
            (
                "s3:DeleteBucketEncryption",
                "a deploy never removes a bucket's encryption",
            ),
            (
                "s3:DeleteBucketLifecycle",
                "a deploy never removes a bucket's lifecycle",
            ),
        ],
    ),
    (
        "AWS::SecretsManager::Secret",
        &[("secretsmanager:*Regions*", "no replicas in other regions")],
    ),
    (
        "AWS::SNS::Subscription",
        &[(
            "iam:*",
            "no subscription role (the e-mail subscription needs none)",
        )],
    ),
    (
        "AWS::SNS::Topic",
        &[
            ("iam:*", "no delivery-status logging"),
            (
                "sns:PutDataProtectionPolicy",
                "no data protection policy (alarm names only)",
            ),
        ],
    ),
];

/// Evaluates `requests`, printing each, and fails with every one whose
/// decision is not the expected one.
fn assert_as_expected(requests: &[Request]) {
    let wrong = check(requests);
    assert!(
        wrong.is_empty(),
        "{} of {} requests are not as expected:\n{}",
        wrong.len(),
        requests.len(),
        wrong.join("\n")
    );
}

/// Asserts that there are at least `least` requests, and that each
/// decision is the expected one.
fn assert_at_least_as_expected(requests: &[Request], least: usize) {
    assert!(requests.len() >= least, "only {} requests", requests.len());
    assert_as_expected(requests);
}

fn glob(pattern: &str, text: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) if !prefix.contains('*') => {
            text.to_lowercase().starts_with(&prefix.to_lowercase())
        }
        _ if pattern.contains('*') => {
            let (head, tail) = pattern.split_once('*').unwrap_or((pattern, ""));
            let text_l = text.to_lowercase();
            let rest = tail.trim_end_matches('*').to_lowercase();
            text_l.starts_with(&head.to_lowercase()) && text_l[head.len()..].contains(&rest)
        }
        _ => pattern.eq_ignore_ascii_case(text),
    }
}

/// Every exclusion of [`NOT_NEEDED`]: `(resource type, action)`.
fn exclusions() -> Vec<(&'static str, &'static str)> {
    NOT_NEEDED
        .iter()
        .flat_map(|(k, list)| list.iter().map(|(a, _)| (*k, *a)))
        .collect()
}

fn not_needed(kind: &str, action: &str) -> Option<usize> {
    exclusions()
        .iter()
        .position(|(k, a)| glob(k, kind) && glob(a, action))
}

/// The AWS service a resource type belongs to, as it names itself in
/// `kms:ViaService` (`AWS::DynamoDB::Table` -> `dynamodb`).
fn service_of(kind: &str) -> String {
    let service = kind.split("::").nth(1).unwrap_or_default().to_lowercase();
    match service.as_str() {
        "cognito" => "cognito-idp".to_owned(),
        "apigatewayv2" => "apigateway".to_owned(),
        other => other.to_owned(),
    }
}

/// Whether `action` creates the resource it is listed for (so it carries
/// request tags, not resource tags): the key and the pool, which the
/// execution role reaches by their tag.
fn creates(kind: &str, action: &str) -> bool {
    matches!(
        (kind, action),
        ("AWS::KMS::Key", "kms:CreateKey")
            | ("AWS::Cognito::UserPool", "cognito-idp:CreateUserPool")
    )
}

/// The request context CloudFormation's call of `action` for a resource of
/// type `kind` carries.
fn cloudformation_context(world: &World, kind: &str, props: &Value, action: &str) -> Value {
    let (service, name) = action.split_once(':').unwrap_or_default();
    let mut context = json!({});
    // The key is used by the services that hold the data, on the caller's
    // behalf (kms:ViaService).
    if service == "kms" && service_of(kind) != "kms" && name != "ListAliases" {
        context["kms:ViaService"] = json!(format!("{}.{REGION}.amazonaws.com", service_of(kind)));
        context["kms:CallerAccount"] = json!(ACCOUNT);
        if name == "CreateGrant" {
            context["kms:GrantIsForAWSResource"] = json!("true");
        }
    }
    // The execution role reaches keys and pools by the application's tag:
    // a new one carries it (the template's tags), an existing one has it.
    if creates(kind, action) {
        context["aws:RequestTag/app"] = json!("recipe-diff");
        context["aws:TagKeys"] = json!(["app", "stage"]);
    } else if (service == "kms" && name != "ListAliases") || service == "cognito-idp" {
        context["aws:ResourceTag/app"] = json!("recipe-diff");
    }
    if service == "lambda"
        && [
            "CreateEventSourceMapping",
            "UpdateEventSourceMapping",
            "DeleteEventSourceMapping",
        ]
        .contains(&name)
    {
        context["lambda:FunctionArn"] = json!(world.app.arn("SenderFunction"));
    }
    if action == "iam:PassRole" {
        context["iam:PassedToService"] = json!("lambda.amazonaws.com");
    }
    if service == "iam"
        && !props["PermissionsBoundary"].is_null()
        && [
            "CreateRole",
            "PutRolePolicy",
            "DeleteRolePolicy",
            "AttachRolePolicy",
            "DetachRolePolicy",
            "PutRolePermissionsBoundary",
        ]
        .contains(&name)
    {
        context["iam:PermissionsBoundary"] = props["PermissionsBoundary"].clone();
    }
    context
}

#[test]
fn cloudformation_can_create_read_update_and_undo_a_failed_create_of_every_resource() {
    let world = World::new();
    let app = &world.app;
    let key_policy = world.resource_policy(&app.arn("DataKey"));
    let mut requests = Vec::new();
    let mut used = vec![false; exclusions().len()];
    let mut apigateway = BTreeSet::new();
    for id in app.resource_ids() {
        let resource = app.resource(&id);
        let kind = resource["Type"].as_str().unwrap_or_default().to_owned();
        let props = app.properties(&id);
        // A resource kept when the stack or the resource goes is deleted
        // only to undo a failed create (RetainExceptOnCreate); one kept
        // always is never deleted.
        let mut handlers = vec!["create", "read", "update"];
        if resource["DeletionPolicy"] != "Retain" {
            handlers.push("delete");
        }
        let candidates = world.candidates(&id);
        for handler in handlers {
            for action in world.handlers[&kind][handler]
                .as_array()
                .into_iter()
                .flatten()
            {
                let action = action.as_str().unwrap_or_default();
                if let Some(at) = not_needed(&kind, action) {
                    used[at] = true;
                    continue;
                }
                let service = action.split(':').next().unwrap_or_default();
                if service == "apigateway" {
                    // The Service Authorization Reference lists no HTTP API
                    // path (/apis/…/routes) for POST, so the evaluator
                    // cannot take API Gateway's verbs; checked below.
                    apigateway.insert(action.to_uppercase());
                    continue;
                }
                let mut request = world.by_cloudformation(
                    &format!("{handler} {id}"),
                    action,
                    Resource::FirstOf(candidates.clone()),
                    cloudformation_context(&world, &kind, &props, action),
                );
                // The resource's own policy where the action is on it; the
                // key's policy for the key.
                request.resource_policy = if service == "kms" {
                    key_policy.clone()
                } else if service == "iam" {
                    None
                } else {
                    // The policy of a resource of the action's own service
                    // (a Glue table's request is not the bucket's).
                    candidates
                        .iter()
                        .filter(|arn| arn.split(':').nth(2) == Some(service))
                        .find_map(|arn| world.resource_policy(arn))
                };
                requests.push(request);
            }
        }
    }
    // What no handler lists and the stack needs: the secrets', the queues',
    // the topic's and the bucket's encryption under the key goes through
    // their services with CloudFormation's credentials.
    for via_service in ["secretsmanager", "sqs", "sns", "s3"] {
        for action in ["kms:GenerateDataKey", "kms:Decrypt"] {
            let mut request = world.by_cloudformation(
                &format!("data encrypted under the key through {via_service}"),
                action,
                Resource::Arn(app.arn("DataKey")),
                json!({"kms:ViaService": format!("{via_service}.{REGION}.amazonaws.com"), "kms:CallerAccount": ACCOUNT, "aws:ResourceTag/app": "recipe-diff"}),
            );
            request.resource_policy = key_policy.clone();
            requests.push(request);
        }
    }
    let unused: Vec<_> = exclusions()
        .into_iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|((k, a), _)| format!("{k} {a}"))
        .collect();
    assert!(
        unused.is_empty(),
        "exclusions no handler of the stack lists (remove them): {unused:?}"
    );

    // API Gateway's verbs, on the HTTP API's paths and its tags.
    let role = World::role_policies(&world.bootstrap, "CfnExecutionRole");
    let http_api = role
        .iter()
        .flat_map(|(_, doc)| as_list(&doc["Statement"]).into_iter().cloned())
        .find(|st| st["Sid"] == "HttpApi")
        .expect("the execution role has an HttpApi statement");
    let verbs: BTreeSet<String> = actions(&http_api)
        .into_iter()
        .map(str::to_uppercase)
        .collect();
    assert!(
        apigateway.is_subset(&verbs),
        "API Gateway verbs the handlers use: {apigateway:?}; the role: {verbs:?}"
    );
    let paths: Vec<&str> = as_list(&http_api["Resource"])
        .into_iter()
        .filter_map(Value::as_str)
        .collect();
    for path in ["::/apis", "::/apis/*", "::/tags/*"] {
        assert!(
            paths.iter().any(|p| p.ends_with(path)),
            "the execution role's API Gateway paths {paths:?} lack {path}"
        );
    }

    assert!(requests.len() > 150, "only {} requests", requests.len());
    assert_as_expected(&requests);
}

/// An object key under a watched prefix, and its ARN in the upload bucket.
fn upload(world: &World, key: &str) -> String {
    format!("{}/{key}", world.app.arn("UploadBucket"))
}

/// The ARN API Gateway authorises a call of `route` ("DELETE/recipes/pie")
/// on the HTTP API's default stage as.
fn route(world: &World, route: &str) -> String {
    let api = world.app.reference("HttpApi");
    format!("arn:{PARTITION}:execute-api:{REGION}:{ACCOUNT}:{api}/$default/{route}")
}

fn via(service: &str) -> Value {
    json!({"kms:ViaService": format!("{service}.{REGION}.amazonaws.com"), "kms:CallerAccount": ACCOUNT})
}

/// A request: `(action, resource, extra context)`.
type Call<'a> = (&'a str, &'a str, Value);

/// The requests of a list of calls, each made by `by` (a principal of the
/// deployment).
fn calls<'a>(
    by: impl Fn(&str, &str, Value) -> Request + 'a,
) -> impl Fn(Vec<Call>) -> Vec<Request> + 'a {
    move |calls| {
        calls
            .into_iter()
            .map(|(action, resource, extra)| by(action, resource, extra))
            .collect()
    }
}

/// Calls made by `binary`'s code.
fn code_of<'a>(world: &'a World, binary: &'a str) -> impl Fn(Vec<Call>) -> Vec<Request> + 'a {
    calls(move |action, resource, extra| world.by_function(binary, action, resource, extra))
}

/// Calls Lambda makes for `binary` (`why`).
fn lambda_for<'a>(
    world: &'a World,
    binary: &'a str,
    why: &'a str,
) -> impl Fn(Vec<Call>) -> Vec<Request> + 'a {
    calls(move |action, resource, extra| world.by_lambda_for(binary, why, action, resource, extra))
}

/// What each function's code and Lambda on its behalf do at run time.
fn runtime_requests(world: &World) -> Vec<Request> {
    let app = &world.app;
    let key = app.arn("DataKey");
    let bucket = app.arn("UploadBucket");
    let jobs = app.arn("JobsQueue");
    let failures = app.arn("WatcherFailureQueue");
    let dead = app.arn("JobsDeadLetterQueue");
    let table = app.arn("RecipeTable");
    let log_stream = |binary: &str| {
        format!(
            "arn:{PARTITION}:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/{APP_STACK}-{binary}:log-stream:2026/12/07/[$LATEST]0123456789abcdef"
        )
    };
    let mut r = Vec::new();
    for (binary, _) in FUNCTIONS {
        let settings = lambda_for(world, binary, "its settings, encrypted under the key");
        r.extend(settings(vec![("kms:Decrypt", &key, via("lambda"))]));
        let stream = log_stream(binary);
        let code = code_of(world, binary);
        r.extend(code(vec![
            ("logs:CreateLogStream", &stream, json!({})),
            ("logs:PutLogEvents", &stream, json!({})),
            ("xray:PutTraceSegments", "*", json!({})),
        ]));
    }
    // The watcher reads uploads and sends jobs.
    let watcher = code_of(world, "watcher");
    for k in ["recipes/pie.json", "makes/cooks/0123-abcd/pie-1.json"] {
        let object = upload(world, k);
        r.extend(watcher(vec![
            ("s3:GetObject", &object, json!({})),
            ("s3:GetObjectVersion", &object, json!({})),
        ]));
    }
    r.extend(watcher(vec![
        (
            "s3:ListBucket",
            &bucket,
            json!({"s3:prefix": "makes/pie-1.json"}),
        ),
        ("kms:Decrypt", &key, via("s3")),
        ("sqs:SendMessage", &jobs, json!({})),
        ("kms:GenerateDataKey", &key, via("sqs")),
    ]));
    let on_failure = lambda_for(world, "watcher", "on-failure destination");
    r.extend(on_failure(vec![
        ("sqs:SendMessage", &failures, json!({})),
        ("kms:GenerateDataKey", &key, via("sqs")),
        ("kms:Decrypt", &key, via("sqs")),
    ]));
    // The sender's event source mapping polls the jobs queue; its code reads
    // claim checks and calls the write routes.
    let polling = lambda_for(world, "sender", "event source mapping");
    r.extend(polling(vec![
        ("sqs:ReceiveMessage", &jobs, json!({})),
        ("sqs:DeleteMessage", &jobs, json!({})),
        ("sqs:GetQueueAttributes", &jobs, json!({})),
        ("sqs:ChangeMessageVisibility", &jobs, json!({})),
        ("kms:Decrypt", &key, via("sqs")),
    ]));
    let sender = code_of(world, "sender");
    r.extend(sender(vec![
        ("sqs:ChangeMessageVisibility", &jobs, json!({})),
        (
            "s3:GetObject",
            &upload(world, "makes/pie-1.json"),
            json!({}),
        ),
        (
            "s3:GetObjectVersion",
            &upload(world, "recipes/pie.json"),
            json!({}),
        ),
        ("kms:Decrypt", &key, via("s3")),
    ]));
    for (method, path) in [
        ("POST", "recipes"),
        ("PUT", "recipes"),
        ("POST", "recipes/pie/makes"),
        ("POST", "rejections"),
        ("POST", "deletions"),
    ] {
        r.extend(sender(vec![(
            "execute-api:Invoke",
            &route(world, &format!("{method}/{path}")),
            json!({}),
        )]));
    }
    // The recipe server: its table, erasure's purges, the upload forms.
    let server = code_of(world, "recipe-server");
    for action in [
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:ConditionCheckItem",
        "dynamodb:Query",
        "dynamodb:DescribeTable",
    ] {
        r.extend(server(vec![(action, &table, json!({}))]));
    }
    r.extend(server(vec![
        ("kms:Decrypt", &key, via("dynamodb")),
        ("kms:GenerateDataKey", &key, via("dynamodb")),
    ]));
    for k in ["recipes/pie.json", "makes/pie-1.json"] {
        let object = upload(world, k);
        r.extend(server(vec![
            ("s3:DeleteObject", &object, json!({})),
            ("s3:DeleteObjectVersion", &object, json!({})),
        ]));
    }
    r.extend(server(vec![(
        "s3:ListBucketVersions",
        &bucket,
        json!({"s3:prefix": "makes/pie-1.json"}),
    )]));
    let purge = [
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:ChangeMessageVisibility",
    ];
    for action in purge {
        r.extend(server(vec![(action, &dead, json!({}))]));
    }
    r.extend(server(vec![("kms:Decrypt", &key, via("sqs"))]));
    // Erasure purges the watcher's failed events too, and journals itself
    // under erasures/ (outside the watched prefixes).
    for action in purge {
        r.extend(server(vec![(action, &failures, json!({}))]));
    }
    let journal = upload(world, "erasures/recipe-0123abcd.json");
    r.extend(server(vec![
        ("s3:PutObject", &journal, json!({})),
        ("s3:GetObject", &journal, json!({})),
        ("s3:ListBucket", &bucket, json!({"s3:prefix": "erasures/"})),
        // A cook's upload through a form the server signed: S3 authorises
        // it as the server role's PutObject of that one key.
        (
            "s3:PutObject",
            &upload(world, "makes/cooks/0123-abcd/pie-1.json"),
            json!({}),
        ),
        // A page a cook imports by its link (POST /imports): the server
        // puts it under the cook's recipes folder itself.
        (
            "s3:PutObject",
            &upload(
                world,
                "recipes/cooks/0123-abcd/lemon-drizzle-cake-1a2b3c4d.html",
            ),
            json!({}),
        ),
        ("kms:GenerateDataKey", &key, via("s3")),
    ]));
    // The exporter reads the table page by page and puts the four files.
    let exporter = code_of(world, "exporter");
    r.extend(exporter(vec![
        ("dynamodb:GetItem", &table, json!({})),
        ("dynamodb:Query", &table, json!({})),
        ("kms:Decrypt", &key, via("dynamodb")),
    ]));
    for file in EXPORT_FILES {
        r.extend(exporter(vec![(
            "s3:PutObject",
            &export_file(world, file),
            json!({}),
        )]));
    }
    r.extend(exporter(vec![("kms:GenerateDataKey", &key, via("s3"))]));
    r
}

/// The analytics export's files, as the exporter writes them: one per
/// table of docs/analysis.md, each under its table's folder (the Glue
/// table's location).
const EXPORT_FILES: [&str; 4] = [
    "recipes/recipes.parquet",
    "versions/versions.parquet",
    "makes/makes.parquet",
    "changes/changes.parquet",
];

/// An object's ARN in the analytics bucket.
fn export_file(world: &World, key: &str) -> String {
    format!("{}/{key}", world.app.arn("AnalyticsBucket"))
}

#[test]
fn every_function_can_make_the_calls_its_code_and_lambda_make_for_it() {
    let world = World::new();
    assert_at_least_as_expected(&runtime_requests(&world), 50);
}

/// `service` assuming `role` of `stack`, decided by the role's trust.
fn assuming(world: &World, stack: &Stack, service: &str, role: &str, context: &Value) -> Request {
    let trust = stack.properties(role)["AssumeRolePolicyDocument"].clone();
    world.by_service(
        service,
        "sts:AssumeRole",
        &stack.arn(role),
        context.clone(),
        Some((format!("{role} trust"), trust)),
    )
}

#[test]
fn the_services_the_stack_wires_together_can_reach_each_other() {
    let world = World::new();
    let app = &world.app;
    let key = app.arn("DataKey");
    let mut r = Vec::new();
    // Lambda assumes each function's role.
    let from_here = json!({"aws:SourceAccount": ACCOUNT});
    for (_, id) in FUNCTIONS {
        let role = app.resource(id)["Properties"]["Role"]["Fn::GetAtt"][0]
            .as_str()
            .unwrap_or_default();
        r.push(assuming(
            &world,
            app,
            "lambda.amazonaws.com",
            role,
            &from_here,
        ));
    }
    let bootstrap = &world.bootstrap;
    // CloudFormation's hooks assume the guard hook's role, which reads the
    // rules.
    let hooks = "hooks.cloudformation.amazonaws.com";
    r.push(assuming(
        &world,
        bootstrap,
        hooks,
        "GuardHookRole",
        &from_here,
    ));
    // CloudFormation assumes its execution role.
    let cloudformation = "cloudformation.amazonaws.com";
    r.push(assuming(
        &world,
        bootstrap,
        cloudformation,
        "CfnExecutionRole",
        &json!({}),
    ));
    // CloudWatch Logs' use of the key for this stack's log groups is
    // conditioned on the encryption context (kms:EncryptionContext:…),
    // which the evaluator cannot take yet; keys.rs checks that statement.
    // Alarms publish to the encrypted topic.
    let topic = app.reference("AlarmTopic");
    let alarm = app.arn("JobsDeadLetterAlarm");
    r.push(world.by_service("cloudwatch.amazonaws.com", "sns:Publish", &topic, json!({"aws:SourceAccount": ACCOUNT, "aws:SourceArn": alarm, "aws:SecureTransport": "true"}), None));
    for action in ["kms:GenerateDataKey", "kms:Decrypt"] {
        r.push(world.by_service(
            "cloudwatch.amazonaws.com",
            action,
            &key,
            json!({"aws:SourceAccount": ACCOUNT, "aws:SourceArn": alarm}),
            None,
        ));
    }
    // S3 invokes the watcher, API Gateway the recipe server and the
    // export's schedule (an EventBridge rule) the exporter.
    let schedule = export_schedule(&world);
    for (function, service, source) in [
        (
            "WatcherFunction",
            "s3.amazonaws.com",
            app.arn("UploadBucket"),
        ),
        (
            "RecipeServerFunction",
            "apigateway.amazonaws.com",
            route(&world, "GET/recipes"),
        ),
        ("ExporterFunction", "events.amazonaws.com", schedule.clone()),
    ] {
        r.push(invoking(&world, function, service, &source));
    }
    // S3 writes the access logs of both buckets.
    let logs = app.arn("AccessLogBucket");
    r.push(world.by_service("logging.s3.amazonaws.com", "s3:PutObject", &format!("{logs}/uploads/2026-12-07-00-00-00-0123456789ABCDEF"), json!({"aws:SourceAccount": ACCOUNT, "aws:SourceArn": app.arn("UploadBucket"), "aws:SecureTransport": "true"}), None));
    r.push(world.by_service("logging.s3.amazonaws.com", "s3:PutObject", &format!("{logs}/export/2026-12-07-00-00-00-0123456789ABCDEF"), json!({"aws:SourceAccount": ACCOUNT, "aws:SourceArn": app.arn("AnalyticsBucket"), "aws:SecureTransport": "true"}), None));
    // Only the export's own schedule invokes the exporter, and a bucket's
    // access log goes under its own folder only.
    let other_rule = format!("arn:{PARTITION}:events:{REGION}:{ACCOUNT}:rule/someone-elses-rule");
    r.push(denied(
        invoking(
            &world,
            "ExporterFunction",
            "events.amazonaws.com",
            &other_rule,
        ),
        "only the export's schedule invokes the exporter",
    ));
    r.push(denied(
        world.by_service("logging.s3.amazonaws.com", "s3:PutObject", &format!("{logs}/uploads/2026-12-07-00-00-00-0123456789ABCDEF"), json!({"aws:SourceAccount": ACCOUNT, "aws:SourceArn": app.arn("AnalyticsBucket"), "aws:SecureTransport": "true"}), None),
        "each bucket's access log under its own folder",
    ));
    assert_at_least_as_expected(&r, 14);
}

/// The ARN of the EventBridge rule that invokes the exporter (SAM makes
/// it of the function's `Schedule` event).
fn export_schedule(world: &World) -> String {
    let app = &world.app;
    let exporter = app.arn("ExporterFunction");
    let rules: Vec<String> = app
        .resource_ids()
        .into_iter()
        .filter(|id| app.resource(id)["Type"] == "AWS::Events::Rule")
        .filter(|id| {
            as_list(&app.properties(id)["Targets"])
                .iter()
                .any(|target| target["Arn"] == json!(exporter))
        })
        .map(|id| app.arn(&id))
        .collect();
    let [rule] = &rules[..] else {
        panic!("one rule invokes the exporter: {rules:?}")
    };
    rule.clone()
}

/// `service` invoking the function `function` on behalf of `source`,
/// decided by the function's policy: its Lambda::Permission resources.
fn invoking(world: &World, function: &str, service: &str, source: &str) -> Request {
    let app = &world.app;
    let statements: Vec<Value> = app
        .resource_ids()
        .into_iter()
        .filter(|id| app.resource(id)["Type"] == "AWS::Lambda::Permission")
        .map(|id| app.properties(&id))
        .filter(|p| p["FunctionName"] == json!(app.reference(function)))
        .map(|p| {
            let mut condition = json!({"ArnLike": {"aws:SourceArn": p["SourceArn"]}});
            if !p["SourceAccount"].is_null() {
                condition["StringEquals"] = json!({"aws:SourceAccount": p["SourceAccount"]});
            }
            json!({
                "Effect": "Allow",
                "Principal": {"Service": p["Principal"]},
                "Action": p["Action"],
                "Resource": app.arn(function),
                "Condition": condition
            })
        })
        .collect();
    assert!(
        !statements.is_empty(),
        "{function} has no invoke permission"
    );
    world.by_service(
        service,
        "lambda:InvokeFunction",
        &app.arn(function),
        json!({"aws:SourceAccount": ACCOUNT, "aws:SourceArn": source}),
        Some((
            format!("{function} policy"),
            json!({"Version": "2012-10-17", "Statement": statements}),
        )),
    )
}

fn deploy_job_requests(world: &World) -> Vec<Request> {
    let b = &world.bootstrap;
    let app = &world.app;
    let stack = format!(
        "arn:{PARTITION}:cloudformation:{REGION}:{ACCOUNT}:stack/{APP_STACK}/0f1e2d3c-aaaa-bbbb-cccc-0123456789ab"
    );
    let artifacts = b.arn("ArtifactsBucket");
    let cfn_role = b.arn("CfnExecutionRole");
    let key = app.arn("DataKey");
    let change_set = json!({"cloudformation:ChangeSetName": "samcli-deploy1765100000"});
    let mut create = change_set.clone();
    create["cloudformation:RoleArn"] = json!(cfn_role);
    let build = format!("{artifacts}/recipe-diff/0123456789abcdef.template");
    let smoke = |k: &str| format!("{}/{k}", app.arn("UploadBucket"));
    let smoke_recipe = smoke("recipes/smoke/smoke-20261207.json");
    let smoke_make = smoke("makes/smoke/smoke-20261207-make.json");
    let secret = app.reference("SmokeReaderSecret");
    let clean_up = route(world, "DELETE/recipes/smoke-20261207");
    // (what, action, resource, extra context)
    let requests: Vec<(&str, &str, &str, Value)> = vec![
        (
            "sam deploy: a change set",
            "cloudformation:CreateChangeSet",
            &stack,
            create,
        ),
        // CreateChangeSet on the SAM transform's ARN is in no resource type
        // of the Service Authorization Reference, so the evaluator cannot
        // take it; the deploy role names the transform
        // (ServerlessTransform). IAM authorises the change-set actions on
        // the stack.
        (
            "sam deploy",
            "cloudformation:DescribeChangeSet",
            &stack,
            change_set.clone(),
        ),
        (
            "sam deploy",
            "cloudformation:ExecuteChangeSet",
            &stack,
            change_set,
        ),
        (
            "sam deploy",
            "cloudformation:DescribeStacks",
            &stack,
            json!({}),
        ),
        (
            "sam deploy",
            "cloudformation:DescribeStackEvents",
            &stack,
            json!({}),
        ),
        (
            "sam deploy",
            "cloudformation:GetTemplateSummary",
            &stack,
            json!({}),
        ),
        (
            "a stack left in ROLLBACK_COMPLETE is deleted",
            "cloudformation:DeleteStack",
            &stack,
            json!({"cloudformation:RoleArn": cfn_role}),
        ),
        (
            "sam deploy hands the deploy to CloudFormation",
            "iam:PassRole",
            &cfn_role,
            json!({"iam:PassedToService": "cloudformation.amazonaws.com"}),
        ),
        (
            "sam deploy uploads the build",
            "s3:PutObject",
            &build,
            json!({}),
        ),
        ("sam deploy", "s3:ListBucket", &artifacts, json!({})),
        // The smoke test: two uploads, its identity's secret, its clean-up.
        (
            "smoke test upload",
            "s3:PutObject",
            &smoke_recipe,
            json!({}),
        ),
        ("smoke test upload", "s3:PutObject", &smoke_make, json!({})),
        ("smoke test upload", "kms:GenerateDataKey", &key, via("s3")),
        (
            "smoke test identity",
            "secretsmanager:GetSecretValue",
            &secret,
            json!({}),
        ),
        (
            "smoke test identity",
            "kms:Decrypt",
            &key,
            via("secretsmanager"),
        ),
        (
            "smoke test clean-up",
            "execute-api:Invoke",
            &clean_up,
            json!({}),
        ),
    ];
    requests
        .into_iter()
        .map(|(what, action, resource, extra)| world.by_deploy_job(what, action, resource, extra))
        .collect()
}

#[test]
fn the_deploy_job_can_deploy_recover_a_failed_first_deploy_and_run_the_smoke_test() {
    let world = World::new();
    assert_at_least_as_expected(&deploy_job_requests(&world), 15);
}

fn denied(mut request: Request, why: &str) -> Request {
    request.expect = Expect::Deny;
    request.name = format!("{} [{why}]", request.name);
    request
}

/// A request that must be denied: `(what, action, resource, extra
/// context, why)`.
type Denial<'a> = (&'a str, &'a str, &'a str, Value, &'a str);

/// The requests of a list of denials, each made by `by` (a principal of
/// the deployment) and expected to be denied.
fn refused<'a>(
    by: impl Fn(&str, &str, &str, Value) -> Request + 'a,
) -> impl Fn(Vec<Denial>) -> Vec<Request> + 'a {
    move |denials| {
        denials
            .into_iter()
            .map(|(what, action, resource, extra, why)| {
                denied(by(what, action, resource, extra), why)
            })
            .collect()
    }
}

#[test]
fn the_denials_security_md_promises_hold() {
    let world = World::new();
    let app = &world.app;
    let key = app.arn("DataKey");
    let table = app.arn("RecipeTable");
    let jobs = app.arn("JobsQueue");
    let make = upload(&world, "makes/cooks/0123-abcd/pie-1.json");
    let deploy_job =
        refused(|what, action, resource, extra| world.by_deploy_job(what, action, resource, extra));
    let cloudformation = refused(|what, action, resource, extra| {
        world.by_cloudformation(what, action, Resource::Arn(resource.to_owned()), extra)
    });
    let mut r = Vec::new();
    // The deploy job reads no data.
    r.extend(deploy_job(vec![
        (
            "reading an upload",
            "s3:GetObject",
            &make,
            json!({}),
            "the deploy role reads no data",
        ),
        (
            "reading the table",
            "dynamodb:Query",
            &table,
            json!({}),
            "the deploy role reads no data",
        ),
        (
            "reading jobs",
            "sqs:ReceiveMessage",
            &jobs,
            json!({}),
            "the deploy role reads no data",
        ),
        (
            "uploading outside smoke/",
            "s3:PutObject",
            &upload(&world, "makes/pie.json"),
            json!({}),
            "the deploy role writes under */smoke/ only",
        ),
        (
            "erasing a cook's recipe",
            "execute-api:Invoke",
            &route(&world, "DELETE/recipes/pie"),
            json!({}),
            "the deploy role erases smoke-… recipes only",
        ),
    ]));
    // CloudFormation's role reads no data.
    r.extend(cloudformation(vec![
        (
            "reading an upload",
            "s3:GetObject",
            &make,
            json!({}),
            "the execution role reads no data",
        ),
        (
            "reading the table",
            "dynamodb:GetItem",
            &table,
            json!({}),
            "the execution role reads no data",
        ),
        (
            "decrypting directly",
            "kms:Decrypt",
            &key,
            json!({"aws:ResourceTag/app": "recipe-diff"}),
            "the key is used only through the stack's services",
        ),
    ]));
    // Everyone else in the account, even an administrator, is outside.
    r.push(world.by_account_administrator("s3:GetObject", &make, json!({})));
    r.push(world.by_account_administrator("s3:PutObject", &make, json!({})));
    r.push(world.by_account_administrator("kms:Decrypt", &key, via("s3")));
    r.push(world.by_account_administrator("sqs:SendMessage", &jobs, json!({})));
    r.push(world.by_account_administrator("sqs:ReceiveMessage", &jobs, json!({})));
    r.push(world.by_account_administrator("dynamodb:GetItem", &table, json!({})));
    r.push(world.by_account_administrator("dynamodb:Query", &table, json!({})));
    // The analytics export: only the exporter puts it, only under the
    // tables' folders, and it reads nothing but the table by key; nobody
    // outside the stack reads it.
    let export = export_file(&world, "makes/makes.parquet");
    let analytics = app.arn("AnalyticsBucket");
    r.push(world.by_account_administrator("s3:GetObject", &export, json!({})));
    r.push(world.by_account_administrator("s3:PutObject", &export, json!({})));
    r.push(world.by_account_administrator(
        "s3:ListBucket",
        &analytics,
        json!({"s3:prefix": "makes/"}),
    ));
    let exporter = refused(|what, action, resource, extra| {
        let mut request = world.by_function("exporter", action, resource, extra);
        request.name = format!("{} ({what})", request.name);
        request
    });
    let object_id_secret = app.reference("ObjectIdSecret");
    let export_secret = app.reference("ExportSecret");
    let results = export_file(&world, "athena-results/0123abcd.csv");
    let stray = export_file(&world, "elsewhere.parquet");
    let mut exporter_denials: Vec<Denial> = Vec::new();
    for action in [
        "dynamodb:Scan",
        "dynamodb:BatchGetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:ExportTableToPointInTime",
    ] {
        exporter_denials.push((
            "the table",
            action,
            &table,
            json!({}),
            "the exporter reads items by key only",
        ));
    }
    exporter_denials.extend([
        (
            "the export",
            "s3:GetObject",
            export.as_str(),
            json!({}),
            "the exporter never reads the export",
        ),
        (
            "the export",
            "s3:DeleteObject",
            &export,
            json!({}),
            "the exporter never deletes",
        ),
        (
            "the export",
            "s3:ListBucket",
            &analytics,
            json!({"s3:prefix": "makes/"}),
            "the exporter never lists",
        ),
        (
            "Athena's results",
            "s3:PutObject",
            &results,
            json!({}),
            "the exporter puts under the tables' folders only",
        ),
        (
            "outside the tables' folders",
            "s3:PutObject",
            &stray,
            json!({}),
            "the exporter puts under the tables' folders only",
        ),
        (
            "an upload",
            "s3:GetObject",
            &make,
            json!({}),
            "the exporter has nothing of the upload bucket",
        ),
        (
            "an upload",
            "s3:PutObject",
            &make,
            json!({}),
            "the exporter has nothing of the upload bucket",
        ),
        (
            "the jobs queue",
            "sqs:SendMessage",
            &jobs,
            json!({}),
            "the exporter has no queue",
        ),
        (
            "the tombstones' key",
            "secretsmanager:GetSecretValue",
            &object_id_secret,
            json!({}),
            "the exporter reads no secret (CloudFormation resolves its own into its settings)",
        ),
        (
            "its own key",
            "secretsmanager:GetSecretValue",
            &export_secret,
            json!({}),
            "the exporter reads no secret (CloudFormation resolves its own into its settings)",
        ),
    ]);
    r.extend(exporter(exporter_denials));
    for (binary, action) in [
        ("recipe-server", "s3:PutObject"),
        ("recipe-server", "s3:GetObject"),
        ("watcher", "s3:GetObject"),
        ("sender", "s3:GetObject"),
    ] {
        r.push(denied(
            world.by_function(binary, action, &export, json!({})),
            "only the exporter reaches the export, and only to put it",
        ));
    }
    // Only the watcher sends jobs.
    for binary in ["sender", "recipe-server"] {
        let sends = world.by_function(binary, "sqs:SendMessage", &jobs, json!({}));
        r.push(denied(
            sends,
            "only the watcher's role sends to the jobs queue",
        ));
    }
    // A function's credentials used anywhere but in its own function.
    let mut stolen = world.by_function("recipe-server", "dynamodb:Query", &table, json!({}));
    if let Value::Object(c) = &mut stolen.context {
        c.remove("lambda:SourceFunctionArn");
    }
    r.push(denied(
        stolen,
        "a role of the stack is useless outside the stack's functions",
    ));
    let mut elsewhere = world.by_function("watcher", "s3:GetObject", &make, json!({}));
    if let Value::Object(c) = &mut elsewhere.context {
        c.insert(
            "lambda:SourceFunctionArn".into(),
            json!(format!(
                "arn:{PARTITION}:lambda:{REGION}:{ACCOUNT}:function:{APP_STACK}-evil"
            )),
        );
    }
    r.push(denied(
        elsewhere,
        "a role of the stack is useless in any other function",
    ));
    // A role a template mints to trust someone else carries the boundary,
    // and is useless outside the application's functions.
    let boundary = world.boundary();
    let minted = format!("arn:{PARTITION}:iam::{ACCOUNT}:role/{APP_STACK}-Minted-0123456789AB");
    for (action, resource, extra) in [
        ("s3:GetObject", make.clone(), json!({})),
        ("dynamodb:Query", table.clone(), json!({})),
        ("kms:Decrypt", key.clone(), via("s3")),
        ("kms:Decrypt", key.clone(), via("dynamodb")),
        ("sqs:ReceiveMessage", app.arn("JobsQueue"), json!({})),
        (
            "sqs:ReceiveMessage",
            app.arn("JobsDeadLetterQueue"),
            json!({}),
        ),
        // (kms:Decrypt through SQS stays open to it, as it is to Lambda's
        // polling; it decrypts nothing without a message, and only the
        // sender's role may take one.)
    ] {
        let mut context = json!({"aws:PrincipalArn": minted, "aws:PrincipalAccount": ACCOUNT, "aws:SecureTransport": "true"});
        if resource == key {
            context["aws:ResourceTag/app"] = json!("recipe-diff");
        }
        if let (Value::Object(c), Value::Object(e)) = (&mut context, extra) {
            c.extend(e);
        }
        r.push(Request {
            name: "a role minted by a template, assumed from outside [the boundary]".to_owned(),
            principal: format!("arn:{PARTITION}:sts::{ACCOUNT}:assumed-role/{APP_STACK}-Minted-0123456789AB/outsider"),
            action: action.to_owned(),
            resource: Resource::Arn(resource.clone()),
            context,
            identity: vec![(
                "minted".to_owned(),
                json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "dynamodb:Query", "kms:Decrypt", "sqs:ReceiveMessage"], "Resource": "*"}]}),
            )],
            boundary: Some(boundary.clone()),
            resource_policy: world.resource_policy(&resource),
            expect: Expect::Deny,
        });
    }
    // The account's root user is no user of the key.
    r.push(Request {
        name: "the account's root user [the key names who may use it]".to_owned(),
        principal: format!("arn:{PARTITION}:iam::{ACCOUNT}:root"),
        action: "kms:Decrypt".to_owned(),
        resource: Resource::Arn(key.clone()),
        context: json!({"aws:PrincipalArn": format!("arn:{PARTITION}:iam::{ACCOUNT}:root"), "aws:PrincipalAccount": ACCOUNT, "kms:ViaService": format!("s3.{REGION}.amazonaws.com"), "kms:CallerAccount": ACCOUNT, "aws:ResourceTag/app": "recipe-diff"}),
        identity: Vec::new(),
        boundary: None,
        resource_policy: world.resource_policy(&key),
        expect: Expect::Deny,
    });
    // CloudFormation's role reaches no other application's key or pool,
    // and the deploy job imports nothing.
    let other_key =
        format!("arn:{PARTITION}:kms:{REGION}:{ACCOUNT}:key/11111111-2222-3333-4444-555555555555");
    let other_pool =
        format!("arn:{PARTITION}:cognito-idp:{REGION}:{ACCOUNT}:userpool/{REGION}_Other1234");
    let billing = json!({"aws:ResourceTag/app": "billing"});
    r.extend(cloudformation(vec![
        (
            "another application's key",
            "kms:PutKeyPolicy",
            &other_key,
            billing.clone(),
            "keys by the application's tag",
        ),
        (
            "another application's pool",
            "cognito-idp:CreateUserPoolClient",
            &other_pool,
            billing,
            "pools by the application's tag",
        ),
        (
            "another application's pool",
            "cognito-idp:CreateResourceServer",
            &other_pool,
            json!({}),
            "pools by the application's tag",
        ),
        (
            "an untagged key",
            "kms:CreateKey",
            "*",
            json!({}),
            "a new key carries the application's tag",
        ),
        (
            "a role without the boundary",
            "iam:CreateRole",
            &format!("arn:{PARTITION}:iam::{ACCOUNT}:role/{APP_STACK}-Admin"),
            json!({}),
            "roles only with the boundary",
        ),
    ]));
    let stack = |name: &str| {
        format!(
            "arn:{PARTITION}:cloudformation:{REGION}:{ACCOUNT}:stack/{name}/0f1e2d3c-aaaa-bbbb-cccc-0123456789ab"
        )
    };
    let import = json!({
        "cloudformation:ImportResourceTypes": ["AWS::KMS::Key"],
        "cloudformation:RoleArn": world.bootstrap.arn("CfnExecutionRole")
    });
    r.extend(deploy_job(vec![
        (
            "an import change set",
            "cloudformation:CreateChangeSet",
            &stack(APP_STACK),
            import,
            "no imports",
        ),
        (
            "another stack",
            "cloudformation:CreateChangeSet",
            &stack("billing"),
            json!({}),
            "the application stack only",
        ),
    ]));
    // Lambda's own requests for a function reach only their one queue.
    r.push(denied(
        world.by_lambda_for(
            "sender",
            "polling another queue",
            "sqs:ReceiveMessage",
            &app.arn("JobsDeadLetterQueue"),
            json!({}),
        ),
        "outside a function, the jobs queue only",
    ));
    r.push(denied(
        world.by_lambda_for(
            "recipe-server",
            "the key directly",
            "kms:Decrypt",
            &key,
            json!({}),
        ),
        "outside a function, never the key directly",
    ));
    // No traffic in clear text.
    r.push(denied(
        world.by_function(
            "watcher",
            "s3:GetObject",
            &make,
            json!({"aws:SecureTransport": "false"}),
        ),
        "TLS only",
    ));
    assert_as_expected(&r);
}

/// A request by a role of the bootstrap assumed by a person (MFA).
fn by_operator(world: &World, role: &str, action: &str, resource: &str, extra: Value) -> Request {
    let arn = world.bootstrap.arn(role);
    let mut context = json!({"aws:PrincipalArn": arn, "aws:PrincipalAccount": ACCOUNT, "aws:SecureTransport": "true", "aws:MultiFactorAuthPresent": "true"});
    if resource == world.app.arn("DataKey") {
        context["aws:ResourceTag/app"] = json!("recipe-diff");
    }
    if let (Value::Object(c), Value::Object(e)) = (&mut context, extra) {
        c.extend(e);
    }
    Request {
        name: format!("a person as {role}"),
        principal: deploy_checks::deployment::session_of(&arn, "alice"),
        action: action.to_owned(),
        resource: Resource::Arn(resource.to_owned()),
        context,
        identity: World::role_policies(&world.bootstrap, role),
        boundary: None,
        resource_policy: world.resource_policy(resource),
        expect: Expect::Allow,
    }
}

/// Calls made by a person as `role` of the bootstrap.
fn operator<'a>(world: &'a World, role: &'a str) -> impl Fn(Vec<Call>) -> Vec<Request> + 'a {
    calls(move |action, resource, extra| by_operator(world, role, action, resource, extra))
}

#[test]
fn the_named_operators_can_do_their_one_job() {
    let world = World::new();
    let app = &world.app;
    let key = app.arn("DataKey");
    let make = upload(&world, "makes/pie-1.json");
    // The eraser erases, and replays the journal after a restore.
    let eraser = operator(&world, "EraserRole");
    let mut r = eraser(vec![
        (
            "execute-api:Invoke",
            &route(&world, "POST/erasures/replay"),
            json!({}),
        ),
        (
            "execute-api:Invoke",
            &route(&world, "DELETE/recipes/pie"),
            json!({}),
        ),
    ]);
    // Break-glass reaches the data and administers the key: the stack
    // is never locked out of its own key.
    let break_glass = operator(&world, "BreakGlassRole");
    r.extend(break_glass(vec![
        ("kms:Decrypt", &key, via("s3")),
        ("kms:PutKeyPolicy", &key, json!({})),
        ("s3:GetObject", &make, json!({})),
        (
            "sqs:ReceiveMessage",
            &app.arn("JobsDeadLetterQueue"),
            json!({}),
        ),
        (
            "sqs:ReceiveMessage",
            &app.arn("WatcherFailureQueue"),
            json!({}),
        ),
        (
            "dynamodb:RestoreTableToPointInTime",
            &app.arn("RecipeTable"),
            json!({}),
        ),
    ]));
    // The eraser does nothing else.
    let mut reads = by_operator(&world, "EraserRole", "s3:GetObject", &make, json!({}));
    reads.expect = Expect::Deny;
    r.push(reads);
    assert_as_expected(&r);
}
