//! `template.yaml` agrees with the code it deploys.
//!
//! The template is read by the `deploy_checks` library with its
//! CloudFormation short tags (`!Ref`, `!GetAtt`, `!Sub`, …) turned into
//! their long JSON forms, so every check below reads the same structure
//! CloudFormation does.

use std::collections::BTreeSet;
use std::path::Path;

use deploy_checks::{
    actions, allowed, arn_text, as_list, cargo_metadata, environment, find_of_type, functions,
    is_s3_read, names_a_resource, number, of_type, output_when, parameter_condition, property,
    resources, routes_secured_by, rust_sources, statements, target, template, variables_read_in,
    workspace_root, write_routes_of_the_contract,
};
use serde_json::{Value, json};

/// What each function's code reads from its environment, by binary. Keep it
/// in step with the crates' `main.rs` (and `lib.rs`): a test below scans
/// their sources for `var("…")` and fails on a name missing here. The
/// limits (`shared::limits::LIMIT_VARIABLES`) are added to the functions
/// marked `true`, which read them through `Limits::from_lookup`.
const ENVIRONMENT: [(&str, &[&str], bool); 4] = [
    ("watcher", &["QUEUE_URL", "LOG_ID_SECRET", "RUST_LOG"], true),
    (
        "sender",
        &["API_URL", "API_TIMEOUT_MS", "LOG_ID_SECRET", "RUST_LOG"],
        true,
    ),
    (
        "recipe-server",
        &[
            "TABLE_NAME",
            "BUCKET_NAME",
            "DEAD_LETTER_QUEUE_URL",
            "WATCHER_FAILURE_QUEUE_URL",
            "OBJECT_ID_SECRET",
            "LOG_ID_SECRET",
            "READ_AUTH",
            "READ_GROUP",
            "SENDER_ROLE",
            "ERASER_ROLE",
            "SMOKE_ROLE",
            "SMOKE_SCOPE",
            "UPLOAD_GROUP",
            "COGNITO_DOMAIN",
            "COGNITO_CLIENT_ID",
            "RUST_LOG",
        ],
        true,
    ),
    (
        "exporter",
        &[
            "TABLE_NAME",
            "ANALYTICS_BUCKET",
            "EXPORT_SECRET",
            "EXPORT_STEP_TEXT",
            "LOG_ID_SECRET",
            "RUST_LOG",
        ],
        false,
    ),
];

/// Services whose actions touch the application's data (or its flow).
const DATA_PLANE: [&str; 8] = [
    "s3",
    "sqs",
    "dynamodb",
    "execute-api",
    "sns",
    "kms",
    "logs",
    "lambda",
];

#[test]
fn every_function_builds_a_workspace_binary_for_graviton() {
    let t = template();
    let metadata = cargo_metadata();
    let functions = functions(&t);
    assert_eq!(
        functions.keys().map(String::as_str).collect::<Vec<_>>(),
        ["exporter", "recipe-server", "sender", "watcher"],
        "one function per Lambda crate"
    );
    for (binary, (name, f)) in &functions {
        assert_eq!(f["Metadata"]["BuildMethod"], "rust-cargolambda", "{name}");
        assert_eq!(property(&t, f, "Runtime"), "provided.al2023", "{name}");
        assert_eq!(
            property(&t, f, "Architectures"),
            &json!(["arm64"]),
            "{name}"
        );
        assert_eq!(property(&t, f, "Handler"), "bootstrap", "{name}");

        // sam build runs `cargo lambda build --bin <Binary>` in CodeUri: that
        // directory's package must have the binary.
        let code_uri = f["Properties"]["CodeUri"]
            .as_str()
            .unwrap_or_else(|| panic!("{name} has a CodeUri"));
        let manifest = workspace_root()
            .join(code_uri)
            .join("Cargo.toml")
            .canonicalize()
            .unwrap_or_else(|_| panic!("{name}: {code_uri}Cargo.toml exists"));
        let package = metadata["packages"]
            .as_array()
            .expect("packages")
            .iter()
            .find(|p| {
                Path::new(p["manifest_path"].as_str().unwrap_or_default())
                    .canonicalize()
                    .ok()
                    == Some(manifest.clone())
            })
            .unwrap_or_else(|| panic!("{name}: {code_uri} is a workspace member"));
        let bins: Vec<&str> = package["targets"]
            .as_array()
            .expect("targets")
            .iter()
            .filter(|target| {
                target["kind"]
                    .as_array()
                    .is_some_and(|k| k.contains(&json!("bin")))
            })
            .filter_map(|target| target["name"].as_str())
            .collect();
        assert!(
            bins.contains(&binary.as_str()),
            "{name}: package {} has bins {bins:?}, not {binary}",
            package["name"]
        );
    }
}

#[test]
fn every_environment_variable_the_code_reads_is_set() {
    let t = template();
    let functions = functions(&t);
    for (binary, names, reads_limits) in ENVIRONMENT {
        let (name, f) = functions[binary];
        let env = environment(&t, f);
        let mut expected: Vec<&str> = names.to_vec();
        if reads_limits {
            expected.extend(shared::limits::LIMIT_VARIABLES);
        }
        for variable in expected {
            assert!(
                env.contains_key(variable),
                "{name} ({binary}) reads {variable}, which the template does not set"
            );
        }
        for variable in shared::limits::LIMIT_VARIABLES {
            if let Some(value) = env.get(variable) {
                assert!(
                    number(value) > 0.0,
                    "{name}: {variable} is a positive number"
                );
            }
        }
    }
    let server = functions["recipe-server"].1;
    assert_eq!(
        environment(&t, server)["READ_AUTH"],
        json!({"Ref": "ReadAuth"}),
        "the server's read mode is the ReadAuth parameter"
    );
    assert_eq!(
        t["Parameters"]["ReadAuth"]["Default"], "jwt",
        "reads need a JWT unless chosen otherwise"
    );
}

#[test]
fn the_environment_list_covers_what_the_sources_read() {
    for (binary, names, _) in ENVIRONMENT {
        let read = variables_read_in(&workspace_root().join(binary).join("src"));
        for variable in read {
            // The Lambda runtime sets these itself.
            if variable.starts_with("AWS_")
                || variable.starts_with("_X_AMZN")
                || variable.starts_with("LAMBDA_")
            {
                continue;
            }
            assert!(
                names.contains(&variable.as_str())
                    || shared::limits::LIMIT_VARIABLES.contains(&variable.as_str()),
                "{binary} reads {variable}: add it to ENVIRONMENT here and set it in template.yaml"
            );
        }
    }
}

#[test]
fn the_jobs_queue_outlasts_the_sender_and_redrives_poison_to_a_dlq() {
    let t = template();
    let (name, sender) = functions(&t)["sender"];
    let events: Vec<&Value> = sender["Properties"]["Events"]
        .as_object()
        .expect("the sender has events")
        .values()
        .filter(|e| e["Type"] == "SQS")
        .collect();
    assert_eq!(events.len(), 1, "{name} consumes one queue");
    let event = &events[0]["Properties"];
    assert_eq!(
        event["FunctionResponseTypes"],
        json!(["ReportBatchItemFailures"]),
        "partial batch responses are on"
    );
    let max_concurrency = number(&event["ScalingConfig"]["MaximumConcurrency"]);
    assert!(
        max_concurrency >= 2.0,
        "MaximumConcurrency is set (2 at least)"
    );

    let queue_id = target(&event["Queue"]).expect("the event names a queue of the template");
    let queue = &resources(&t)[queue_id]["Properties"];
    let timeout = number(property(&t, sender, "Timeout"));
    let window = event
        .get("MaximumBatchingWindowInSeconds")
        .map_or(0.0, number);
    let visibility = number(&queue["VisibilityTimeout"]);
    assert!(
        visibility >= 6.0 * timeout + window,
        "{queue_id}: visibility {visibility} s < 6 x {timeout} s + {window} s"
    );
    let redrive = &queue["RedrivePolicy"];
    assert!(
        number(&redrive["maxReceiveCount"]) >= 5.0,
        "maxReceiveCount is 5 at least"
    );
    let dlq_id = target(&redrive["deadLetterTargetArn"]).expect("the DLQ is in the template");
    let dlq = &resources(&t)[dlq_id];
    assert_eq!(dlq["Type"], "AWS::SQS::Queue");
    let retention = |q: &Value| q.get("MessageRetentionPeriod").map_or(345_600.0, number);
    assert!(
        retention(&dlq["Properties"]) >= retention(queue),
        "the DLQ keeps messages at least as long as the queue"
    );

    let max_size = number(&queue["MaximumMessageSize"]);
    assert!(
        max_size > shared::job::MAX_INLINE_BYTES as f64,
        "the queue takes inline payloads of MAX_INLINE_BYTES plus the envelope"
    );
    for (id, q) in of_type(&t, "AWS::SQS::Queue") {
        let props = &q["Properties"];
        assert!(
            props["SqsManagedSseEnabled"] == true || props.get("KmsMasterKeyId").is_some(),
            "{id} is encrypted"
        );
        assert!(
            props.get("MaximumMessageSize").is_some(),
            "{id} sets MaximumMessageSize"
        );
    }
}

#[test]
fn the_watcher_fails_over_to_a_destination() {
    let t = template();
    let (name, watcher) = functions(&t)["watcher"];
    let on_failure = &watcher["Properties"]["EventInvokeConfig"]["DestinationConfig"]["OnFailure"];
    let destination =
        target(&on_failure["Destination"]).expect("an on-failure destination of the template");
    assert!(
        resources(&t).contains_key(destination),
        "{name}'s on-failure destination {destination} exists"
    );
}

#[test]
fn the_notification_follows_exactly_the_watched_prefixes() {
    let t = template();
    let (watcher_id, _) = functions(&t)["watcher"];
    let mut prefixes = Vec::new();
    for (bucket, b) in of_type(&t, "AWS::S3::Bucket") {
        let notification = &b["Properties"]["NotificationConfiguration"];
        for kind in [
            "QueueConfigurations",
            "TopicConfigurations",
            "EventBridgeConfiguration",
        ] {
            assert!(
                notification.get(kind).is_none(),
                "{bucket}: only the watcher is notified"
            );
        }
        for config in as_list(&notification["LambdaConfigurations"]) {
            assert_eq!(
                target(&config["Function"]),
                Some(watcher_id),
                "{bucket} notifies the watcher"
            );
            let event = config["Event"].as_str().expect("an event").to_owned();
            let rules = as_list(&config["Filter"]["S3Key"]["Rules"]);
            assert_eq!(
                rules.len(),
                1,
                "{bucket}: one prefix rule, no suffix filter"
            );
            assert_eq!(rules[0]["Name"], "prefix");
            prefixes.push((
                event,
                rules[0]["Value"].as_str().expect("a prefix").to_owned(),
            ));
        }
    }
    // SAM's own S3 events would bypass the check above.
    for (name, f) in of_type(&t, "AWS::Serverless::Function") {
        if let Some(events) = f["Properties"]["Events"].as_object() {
            assert!(
                events.values().all(|e| e["Type"] != "S3"),
                "{name}: notifications are on the bucket"
            );
        }
    }
    // Every creation and every removal (deletions follow the bucket), under
    // exactly the watched prefixes.
    prefixes.sort();
    let mut watched: Vec<(String, String)> = ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]
        .iter()
        .flat_map(|event| {
            shared::keys::WATCHED_PREFIXES
                .iter()
                .map(|prefix| (event.to_string(), prefix.to_string()))
        })
        .collect();
    watched.sort();
    assert_eq!(prefixes, watched);

    let permission = find_of_type(&t, "AWS::Lambda::Permission", "S3's to invoke", |p| {
        p["Properties"]["Principal"] == "s3.amazonaws.com"
    });
    assert_eq!(
        target(&permission.1["Properties"]["FunctionName"]),
        Some(watcher_id)
    );
    assert!(
        permission.1["Properties"].get("SourceArn").is_some()
            && permission.1["Properties"].get("SourceAccount").is_some(),
        "only the upload bucket, in this account, may invoke the watcher"
    );
}

#[test]
fn nothing_the_chain_writes_lands_under_a_watched_prefix() {
    let t = template();
    // No role in the stack may write objects anywhere: the functions only
    // read uploads, and the recipe server removes them for an erasure
    // (docs/deletion.md), which writes nothing that could start the chain.
    // The one put is the cooks': the server signs their upload forms (S3
    // presigned POSTs, authorised as its role's PutObject under a cook's own
    // folders, recipes/cooks/ and makes/cooks/), and the page a cook imports
    // by its link, which the server puts for the cook under the key and
    // conditions a form for the cook would fix (S3Forms::put); no other
    // code of a function puts an object.
    let (_, server) = functions(&t)["recipe-server"];
    let server_role = target(&server["Properties"]["Role"]).expect("the server's role");
    // The other put is the analytics export's: the exporter's, into the
    // analytics bucket (which notifies nobody), one file per table of
    // docs/analysis.md under the table's own folder.
    let (_, exporter) = functions(&t)["exporter"];
    let exporter_role = target(&exporter["Properties"]["Role"]).expect("the exporter's role");
    let export_bucket = analytics_bucket(&t);
    let export_bucket = export_bucket.as_str();
    let export_folders: Vec<String> = analysis_tables()
        .into_iter()
        .map(|(table, _)| format!("arn:${{AWS::Partition}}:s3:::${{{export_bucket}}}/{table}/*"))
        .collect();
    for (owner, s) in statements(&t) {
        if s["Effect"] != "Allow" {
            continue;
        }
        for action in actions(s) {
            let erases = owner == server_role
                && matches!(action, "s3:DeleteObject" | "s3:DeleteObjectVersion");
            let signs_forms = owner == server_role
                && action == "s3:PutObject"
                && as_list(&s["Resource"]).iter().all(|r| {
                    arn_text(r).is_some_and(|arn| {
                        arn.ends_with("/recipes/cooks/*") || arn.ends_with("/makes/cooks/*")
                    })
                });
            // The erasure journal, outside the watched prefixes.
            let journals = owner == server_role
                && action == "s3:PutObject"
                && as_list(&s["Resource"])
                    .iter()
                    .all(|r| arn_text(r).is_some_and(|arn| arn.ends_with("/erasures/*")));
            let exports = owner == exporter_role
                && action == "s3:PutObject"
                && as_list(&s["Resource"]).iter().all(|r| {
                    arn_text(r).is_some_and(|arn| export_folders.iter().any(|f| f == arn))
                });
            let writes_s3 = (action.starts_with("s3:")
                && !is_s3_read(action)
                && !erases
                && !signs_forms
                && !journals
                && !exports)
                || action == "*";
            assert!(
                !writes_s3,
                "{owner} is allowed {action}: the chain must not write to S3"
            );
        }
    }
    // S3's access logs go to another bucket, whatever their prefix.
    let uploads: Vec<&str> = of_type(&t, "AWS::S3::Bucket")
        .into_iter()
        .filter(|(_, b)| b["Properties"].get("NotificationConfiguration").is_some())
        .map(|(id, _)| id)
        .collect();
    assert!(
        !uploads.contains(&export_bucket),
        "{export_bucket}: the analytics export lands in a bucket that notifies the watcher"
    );
    for (id, b) in of_type(&t, "AWS::S3::Bucket") {
        if let Some(destination) =
            b["Properties"]["LoggingConfiguration"].get("DestinationBucketName")
        {
            assert!(
                !uploads.contains(&target(destination).unwrap_or_default()),
                "{id} logs into the upload bucket"
            );
        }
    }
    // Nor does a bucket policy let anyone else's writes in.
    for (id, p) in of_type(&t, "AWS::S3::BucketPolicy") {
        for s in as_list(&p["Properties"]["PolicyDocument"]["Statement"]) {
            if s["Effect"] == "Allow"
                && uploads.contains(&target(&p["Properties"]["Bucket"]).unwrap_or_default())
            {
                panic!("{id} allows {:?} on the upload bucket", actions(s));
            }
        }
    }
    // No function's code puts an object, but the erasure journal's adapter,
    // which writes under erasures/ only (its JOURNAL_PREFIX, not watched),
    // the forms adapter, and the exporter, whose role may put into the
    // analytics bucket only (above).
    let journal = workspace_root().join("adapters/aws/src/journal.rs");
    let journal_text = std::fs::read_to_string(&journal).expect("the journal adapter");
    assert!(journal_text.contains("JOURNAL_PREFIX"));
    assert!(
        !shared::keys::WATCHED_PREFIXES
            .iter()
            .any(|p| p.starts_with("erasures"))
    );
    let forms = workspace_root().join("adapters/aws/src/forms.rs");
    let forms_text = std::fs::read_to_string(&forms).expect("the forms adapter");
    assert_eq!(
        forms_text.matches("put_object(").count(),
        1,
        "the forms adapter puts in one place"
    );
    assert!(
        forms_text.contains("async fn put(&self, request: &FormRequest, file: &[u8])"),
        "the forms adapter puts only what a form request fixes"
    );
    for folder in ["watcher", "sender", "recipe-server", "adapters/aws"] {
        let text = rust_sources(&workspace_root().join(folder).join("src"))
            .replace(&journal_text, "")
            .replace(&forms_text, "");
        assert!(
            !text.contains("put_object("),
            "{folder} puts objects into S3: the chain must not write to the bucket"
        );
    }
}

#[test]
fn no_data_plane_permission_uses_a_wildcard_resource() {
    let t = template();
    let all = statements(&t);
    assert!(!all.is_empty(), "the functions' roles are in the template");
    for (owner, s) in all {
        if s["Effect"] != "Allow" {
            continue;
        }
        for action in actions(s) {
            assert_ne!(action, "*", "{owner} allows every action");
            let service = action.split(':').next().unwrap_or_default();
            if DATA_PLANE.contains(&service) {
                assert!(
                    s.get("NotResource").is_none(),
                    "{owner}: {action} with NotResource"
                );
                for resource in as_list(&s["Resource"]) {
                    assert!(
                        names_a_resource(resource),
                        "{owner}: {action} on {resource} names no specific resource"
                    );
                }
            }
        }
    }
}

#[test]
fn every_function_role_is_its_own_and_logs_to_a_kept_log_group() {
    let t = template();
    for (binary, (name, f)) in functions(&t) {
        let role =
            target(&f["Properties"]["Role"]).unwrap_or_else(|| panic!("{name} has its own role"));
        assert_eq!(resources(&t)[role]["Type"], "AWS::IAM::Role");
        let others = functions(&t)
            .into_iter()
            .filter(|(b, _)| *b != binary)
            .filter(|(_, (_, g))| target(&g["Properties"]["Role"]) == Some(role))
            .count();
        assert_eq!(others, 0, "{name} shares its role");

        let group = target(&f["Properties"]["LoggingConfig"]["LogGroup"])
            .unwrap_or_else(|| panic!("{name} logs to a log group of the template"));
        let group = &resources(&t)[group];
        assert_eq!(group["Type"], "AWS::Logs::LogGroup");
        assert!(
            group["Properties"].get("RetentionInDays").is_some(),
            "{name}'s logs are kept for a set time"
        );
    }
}

/// The routes public whatever ReadAuth says: the dashboard's page, files
/// and sign-in settings (recipe-server's `dashboard::PUBLIC_PATHS`).
const PUBLIC_ROUTES: [&str; 3] = ["GET /", "GET /assets/{file}", "GET /dashboard/config.json"];

#[test]
fn the_public_routes_are_the_servers_public_paths() {
    let t = template();
    let public: BTreeSet<&str> = of_type(&t, "AWS::ApiGatewayV2::Route")
        .into_iter()
        .filter(|(_, r)| r["Properties"]["AuthorizationType"] == "NONE")
        .filter_map(|(_, r)| r["Properties"]["RouteKey"].as_str())
        .collect();
    assert_eq!(public, BTreeSet::from(PUBLIC_ROUTES));

    // The server's own list, read from its source: a path public there but
    // not at the gateway would be refused by the JWT authorizer.
    let source = workspace_root().join("recipe-server/src/dashboard.rs");
    let text = std::fs::read_to_string(source).unwrap_or_default();
    if let Some(at) = text.find("PUBLIC_PATHS: &[&str] = &[") {
        let list = &text[at..];
        let list = &list[list.find("= &[").unwrap_or(0) + 4..list.find("];").unwrap_or(0)];
        let paths: BTreeSet<String> = list
            .split(',')
            .map(|p| p.trim().trim_matches('"'))
            .filter(|p| !p.is_empty())
            .map(|p| format!("GET {p}"))
            .collect();
        let routes: BTreeSet<String> = PUBLIC_ROUTES.iter().map(|r| r.to_string()).collect();
        assert_eq!(
            paths, routes,
            "recipe-server's PUBLIC_PATHS and the public routes differ"
        );
    }
}

#[test]
fn writes_need_iam_and_reads_a_jwt_unless_public_reads_are_chosen() {
    let t = template();
    let routes = of_type(&t, "AWS::ApiGatewayV2::Route");
    let iam: BTreeSet<String> = routes
        .iter()
        .filter(|(_, r)| r["Properties"]["AuthorizationType"] == "AWS_IAM")
        .map(|(_, r)| {
            r["Properties"]["RouteKey"]
                .as_str()
                .expect("a route key")
                .to_owned()
        })
        .collect();
    assert_eq!(
        iam,
        write_routes_of_the_contract(),
        "exactly the contract's writes are IAM-only"
    );

    for (id, r) in &routes {
        let props = &r["Properties"];
        let key = props["RouteKey"].as_str().expect("a route key");
        match &props["AuthorizationType"] {
            Value::String(kind) if kind == "NONE" => {
                assert!(PUBLIC_ROUTES.contains(&key), "{id} ({key}) is public")
            }
            Value::String(kind) if kind == "AWS_IAM" => {}
            // A cook's route needs a signed-in user even when reads are
            // public: the contract's routes with only Cognito's security
            // besides the local token.
            Value::String(kind) if kind == "JWT" => {
                assert!(
                    routes_secured_by("cognito").contains(key),
                    "{id} ({key}) is JWT"
                );
                assert_eq!(
                    props["AuthorizerId"],
                    json!({"Ref": "CognitoAuthorizer"}),
                    "{id}"
                );
            }
            other => {
                // Only the catch-all read route may depend on ReadAuth.
                assert_eq!(key, "$default", "{id}");
                assert_eq!(
                    other,
                    &json!({"Fn::If": ["PublicReads", "NONE", "JWT"]}),
                    "{id}"
                );
                assert_eq!(
                    t["Conditions"]["PublicReads"],
                    json!({"Fn::Equals": [{"Ref": "ReadAuth"}, "public"]})
                );
            }
        }
    }

    // The sender may call exactly those routes.
    let (_, sender) = functions(&t)["sender"];
    let role = target(&sender["Properties"]["Role"]).expect("the sender's role");
    let mut invokable = BTreeSet::new();
    for (owner, s) in statements(&t) {
        if owner == role && actions(s).contains(&"execute-api:Invoke") {
            for resource in as_list(&s["Resource"]) {
                let arn = arn_text(resource).expect("an execute-api ARN");
                let route = arn.split_once("/$default/").expect("the $default stage").1;
                let (method, path) = route.split_once('/').expect("METHOD/path");
                invokable.insert(format!("{method} /{path}"));
            }
        }
    }
    // Erasure (and its replay) is for the eraser role, never the chain.
    let expected: BTreeSet<String> = write_routes_of_the_contract()
        .into_iter()
        .filter(|r| !r.starts_with("DELETE ") && !r.starts_with("POST /erasures/"))
        .map(|r| r.replace("{recipeId}", "*"))
        .collect();
    assert_eq!(
        invokable, expected,
        "the sender may invoke the write routes (not the erasures) and nothing else"
    );
}

#[test]
fn every_skipped_security_check_says_why() {
    let t = template();
    for (id, r) in resources(&t) {
        for skip in as_list(&r["Metadata"]["checkov"]["skip"]) {
            let reason = skip["comment"].as_str().unwrap_or_default();
            assert!(
                reason.split_whitespace().count() >= 5,
                "{id} skips {} without a reason",
                skip["id"]
            );
        }
    }
}

#[test]
fn public_reads_are_off_by_default_and_warned_of_when_chosen() {
    let t = template();
    let (parameter, by_default) = parameter_condition(&t, "PublicReads");
    assert!(!by_default, "{parameter}: reads are public only by choice");
    let warning = output_when(&t, |c| c == "PublicReads");
    assert!(warning.starts_with("WARNING"), "{warning}");
}

#[test]
fn only_the_recipe_server_holds_the_tombstones_key_and_logs_have_their_own() {
    let t = template();
    let secret_of = |value: &Value| {
        value["Fn::Sub"]
            .as_str()
            .and_then(|s| s.strip_prefix("{{resolve:secretsmanager:${"))
            .and_then(|s| s.split('}').next())
            .map(str::to_owned)
    };
    let mut log_secrets = BTreeSet::new();
    for (binary, (id, f)) in functions(&t) {
        let env = environment(&t, f);
        let tombstones = env.get("OBJECT_ID_SECRET");
        assert_eq!(
            tombstones.is_some(),
            binary == "recipe-server",
            "{id} ({binary}): only the recipe server holds the tombstones' key"
        );
        let logs = env
            .get("LOG_ID_SECRET")
            .and_then(secret_of)
            .unwrap_or_else(|| {
                panic!("{id} ({binary}) names objects in its logs by LOG_ID_SECRET")
            });
        if let Some(tombstones) = tombstones.and_then(secret_of) {
            assert_ne!(
                tombstones, logs,
                "{id}: the logs' key is not the tombstones'"
            );
        }
        log_secrets.insert(logs);
    }
    assert_eq!(
        log_secrets.len(),
        1,
        "every function names an object alike: {log_secrets:?}"
    );

    // The export's pseudonyms (makes.logged_by) have a key of their own,
    // the exporter's alone, made as the tombstones' is: 64 hexadecimal
    // digits.
    let mut export_secrets = BTreeSet::new();
    for (binary, (id, f)) in functions(&t) {
        let env = environment(&t, f);
        let export = env.get("EXPORT_SECRET");
        assert_eq!(
            export.is_some(),
            binary == "exporter",
            "{id} ({binary}): only the exporter holds the export's key"
        );
        if let Some(secret) = export {
            let secret = secret_of(secret)
                .unwrap_or_else(|| panic!("{id}: EXPORT_SECRET resolves a secret of the stack"));
            assert!(
                !log_secrets.contains(&secret),
                "{id}: the export's key is not the logs'"
            );
            for (_, (_, other)) in functions(&t) {
                if let Some(tombstones) = environment(&t, other)
                    .get("OBJECT_ID_SECRET")
                    .and_then(secret_of)
                {
                    assert_ne!(
                        secret, tombstones,
                        "{id}: the export's key is not the tombstones'"
                    );
                }
            }
            export_secrets.insert(secret);
        }
    }
    let export_secrets: Vec<String> = export_secrets.into_iter().collect();
    let [export] = &export_secrets[..] else {
        panic!("one export key: {export_secrets:?}")
    };
    let generated = |id: &str| &resources(&t)[id]["Properties"]["GenerateSecretString"];
    assert_eq!(resources(&t)[export]["Type"], "AWS::SecretsManager::Secret");
    assert_eq!(
        generated(export),
        generated("ObjectIdSecret"),
        "{export} is generated as the tombstones' key is"
    );
}

/// docs/analysis.md's tables: each file's name (`recipes` for
/// `recipes.parquet`) and its columns with their types (`string`,
/// `uint32`, …, nullability left out), in the order the page lists them.
/// The column names are the contract of the export's readers.
fn analysis_tables() -> Vec<(String, Vec<(String, String)>)> {
    let page = std::fs::read_to_string(workspace_root().join("docs/analysis.md"))
        .expect("docs/analysis.md");
    let section = page
        .split_once("## The tables")
        .map(|(_, rest)| rest.split("\n## ").next().unwrap_or(rest))
        .expect("docs/analysis.md has a section \"The tables\"");
    let mut tables: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for line in section.lines() {
        if let Some(file) = line
            .strip_prefix('`')
            .and_then(|l| l.split_once(".parquet`"))
            .map(|(file, _)| file)
        {
            tables.push((file.to_owned(), Vec::new()));
            continue;
        }
        let Some(row) = line.strip_prefix("| `") else {
            continue;
        };
        let cells: Vec<&str> = row.split('|').collect();
        let quoted = format!("`{}", cells[0]);
        let names: Vec<&str> = quoted.split('`').skip(1).step_by(2).collect();
        let types: Vec<&str> = cells[1]
            .split(',')
            .map(str::trim)
            .filter(|t| *t != "null")
            .collect();
        let (_, columns) = tables.last_mut().expect("a row under a table's file name");
        for (at, name) in names.iter().enumerate() {
            let kind = match types.len() {
                1 => types[0],
                n if n == names.len() => types[at],
                _ => panic!("docs/analysis.md: the row of {names:?} has the types {types:?}"),
            };
            columns.push(((*name).to_owned(), kind.to_owned()));
        }
    }
    assert_eq!(tables.len(), 4, "docs/analysis.md's tables: {tables:?}");
    for (table, columns) in &tables {
        assert!(
            !columns.is_empty(),
            "docs/analysis.md: {table} has no columns"
        );
    }
    tables
}

/// The Glue (Hive) type Athena reads a column of docs/analysis.md's type
/// as. Athena has no unsigned integers: a Parquet uint32 or uint64 is
/// read as bigint (a uint64 above 2^63 - 1 would not fit, and no count
/// of the store comes near).
fn glue_type(kind: &str) -> &'static str {
    match kind {
        "string" => "string",
        "uint32" | "uint64" => "bigint",
        "double" => "double",
        "boolean" => "boolean",
        other => panic!("docs/analysis.md: a column type with no Glue type here: {other}"),
    }
}

/// The analytics bucket: the one the exporter is told to write to.
fn analytics_bucket(t: &Value) -> String {
    let (_, exporter) = functions(t)["exporter"];
    let bucket = target(&environment(t, exporter)["ANALYTICS_BUCKET"])
        .expect("ANALYTICS_BUCKET names a bucket of the template")
        .to_owned();
    assert_eq!(resources(t)[&bucket]["Type"], "AWS::S3::Bucket");
    bucket
}

#[test]
fn the_exporter_reads_the_table_and_puts_only_the_four_files() {
    let t = template();
    let (name, exporter) = functions(&t)["exporter"];
    let role = target(&exporter["Properties"]["Role"]).expect("the exporter's role");
    let env = environment(&t, exporter);
    let bucket = analytics_bucket(&t);
    let table = target(&env["TABLE_NAME"]).expect("TABLE_NAME names the table of the template");
    assert_eq!(resources(&t)[table]["Type"], "AWS::DynamoDB::Table");
    let log_group = target(&exporter["Properties"]["LoggingConfig"]["LogGroup"])
        .expect("the exporter's log group");

    // Exactly these actions on exactly these resources: nothing on the
    // upload bucket, the queues or a secret, no other read of the table,
    // no read, listing or deletion of the export.
    let mut expected = BTreeSet::new();
    let mut grant = |actions: &[&str], resource: Value| {
        for action in actions {
            expected.insert((action.to_string(), resource.to_string()));
        }
    };
    grant(
        &["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
        json!("*"),
    );
    grant(
        &["logs:CreateLogStream", "logs:PutLogEvents"],
        json!({"Fn::GetAtt": [log_group, "Arn"]}),
    );
    grant(
        &["dynamodb:GetItem", "dynamodb:Query"],
        json!({"Fn::GetAtt": [table, "Arn"]}),
    );
    for (file, _) in analysis_tables() {
        grant(
            &["s3:PutObject"],
            json!({"Fn::Sub": format!("arn:${{AWS::Partition}}:s3:::${{{bucket}}}/{file}/*")}),
        );
    }
    grant(
        &["kms:Decrypt", "kms:GenerateDataKey"],
        json!({"Fn::GetAtt": ["DataKey", "Arn"]}),
    );
    let mut granted = BTreeSet::new();
    for s in allowed(&t, role) {
        assert!(
            s.get("NotAction").is_none() && s.get("NotResource").is_none(),
            "{role}: {s}"
        );
        assert!(
            s.get("Condition").is_none(),
            "{role}: a condition widens nothing here: {s}"
        );
        for action in actions(s) {
            for resource in as_list(&s["Resource"]) {
                granted.insert((action.to_owned(), resource.to_string()));
            }
        }
    }
    assert_eq!(granted, expected, "{name}'s role {role}");

    // Its one policy, and none elsewhere: the key's statement only when the
    // stack has its own key.
    let props = &resources(&t)[role]["Properties"];
    assert!(
        props.get("ManagedPolicyArns").is_none(),
        "{role}: no managed policy"
    );
    for kind in ["AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"] {
        for (id, p) in of_type(&t, kind) {
            assert!(
                !as_list(&p["Properties"]["Roles"])
                    .iter()
                    .any(|r| target(r) == Some(role)),
                "{id} adds to {role}"
            );
        }
    }
    let key_condition = resources(&t)["DataKey"]["Condition"]
        .as_str()
        .expect("the key's condition");
    for p in as_list(&props["Policies"]) {
        for s in as_list(&p["PolicyDocument"]["Statement"]) {
            let uses_the_key = s.to_string().contains("kms:");
            if uses_the_key {
                assert_eq!(
                    s["Fn::If"][0], key_condition,
                    "{role}: the key only when there is one"
                );
                assert_eq!(s["Fn::If"][2], json!({"Ref": "AWS::NoValue"}));
            }
        }
    }
}

#[test]
fn the_glue_tables_are_the_columns_of_docs_analysis() {
    let t = template();
    let bucket = analytics_bucket(&t);
    let databases = of_type(&t, "AWS::Glue::Database");
    let [(database, db)] = databases[..] else {
        panic!("one Glue database: {databases:?}")
    };
    // Glue names: lowercase letters, digits and underscores; the stack's
    // name with its hyphens made underscores.
    assert_eq!(
        db["Properties"]["DatabaseInput"]["Name"],
        json!({"Fn::Join": ["_", {"Fn::Split": ["-", {"Fn::Sub": "${AWS::StackName}-analytics"}]}]}),
        "{database}"
    );
    let documented = analysis_tables();
    let mut seen = BTreeSet::new();
    for (id, table) in of_type(&t, "AWS::Glue::Table") {
        let props = &table["Properties"];
        assert_eq!(props["DatabaseName"], json!({"Ref": database}), "{id}");
        assert_eq!(props["CatalogId"], json!({"Ref": "AWS::AccountId"}), "{id}");
        let input = &props["TableInput"];
        let name = input["Name"]
            .as_str()
            .unwrap_or_else(|| panic!("{id} has a name"));
        let (_, columns) = documented
            .iter()
            .find(|(file, _)| file == name)
            .unwrap_or_else(|| panic!("{id}: {name} is no table of docs/analysis.md"));
        assert_eq!(input["TableType"], "EXTERNAL_TABLE", "{id}");
        assert_eq!(input["Parameters"]["classification"], "parquet", "{id}");
        let storage = &input["StorageDescriptor"];
        assert_eq!(
            storage["Location"],
            json!({"Fn::Sub": format!("s3://${{{bucket}}}/{name}/")}),
            "{id}: the exporter's folder of {name}"
        );
        assert_eq!(
            storage["InputFormat"], "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            "{id}"
        );
        assert_eq!(
            storage["OutputFormat"],
            "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
            "{id}"
        );
        assert_eq!(
            storage["SerdeInfo"]["SerializationLibrary"],
            "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
            "{id}"
        );
        let glue: Vec<(String, String)> = as_list(&storage["Columns"])
            .iter()
            .map(|c| {
                (
                    c["Name"].as_str().unwrap_or_default().to_owned(),
                    c["Type"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        let expected: Vec<(String, String)> = columns
            .iter()
            .map(|(column, kind)| (column.clone(), glue_type(kind).to_owned()))
            .collect();
        assert_eq!(glue, expected, "{id}: the columns of {name}.parquet");
        assert!(seen.insert(name.to_owned()), "{id}: {name} twice");
    }
    let files: BTreeSet<String> = documented.into_iter().map(|(file, _)| file).collect();
    assert_eq!(seen, files, "a Glue table for each file of the export");
}

#[test]
fn the_workgroup_enforces_encrypted_results_in_the_analytics_bucket() {
    let t = template();
    let bucket = analytics_bucket(&t);
    let workgroups = of_type(&t, "AWS::Athena::WorkGroup");
    let [(id, workgroup)] = workgroups[..] else {
        panic!("one Athena workgroup: {workgroups:?}")
    };
    let config = &workgroup["Properties"]["WorkGroupConfiguration"];
    // A client's own settings (another place, no encryption) are ignored.
    assert_eq!(config["EnforceWorkGroupConfiguration"], true, "{id}");
    assert_eq!(config["PublishCloudWatchMetricsEnabled"], true, "{id}");
    let results = &config["ResultConfiguration"];
    assert_eq!(
        results["OutputLocation"],
        json!({"Fn::Sub": format!("s3://${{{bucket}}}/athena-results/")}),
        "{id}: results in the analytics bucket, beside no table's files"
    );
    assert!(
        analysis_tables()
            .iter()
            .all(|(file, _)| file != "athena-results"),
        "a table's folder is the results'"
    );
    // Under the stack's key when it has one, else SSE-S3: never in clear.
    let condition = resources(&t)["DataKey"]["Condition"]
        .as_str()
        .expect("the key's condition");
    let encryption = &results["EncryptionConfiguration"];
    assert_eq!(
        encryption["EncryptionOption"],
        json!({"Fn::If": [condition, "SSE_KMS", "SSE_S3"]}),
        "{id}"
    );
    assert_eq!(
        encryption["KmsKey"],
        json!({"Fn::If": [condition, {"Fn::GetAtt": ["DataKey", "Arn"]}, {"Ref": "AWS::NoValue"}]}),
        "{id}"
    );
}

#[test]
fn the_exporter_runs_on_its_schedule_and_keeps_step_text_out_by_default() {
    let t = template();
    let (name, exporter) = functions(&t)["exporter"];
    let events: Vec<&Value> = exporter["Properties"]["Events"]
        .as_object()
        .map(|e| e.values().collect())
        .unwrap_or_default();
    let [event] = events[..] else {
        panic!("{name} has one event: {events:?}")
    };
    assert_eq!(event["Type"], "Schedule", "{name}: an EventBridge schedule");
    assert_eq!(
        event["Properties"]["Schedule"],
        json!({"Ref": "ExportSchedule"}),
        "{name}"
    );
    assert_eq!(t["Parameters"]["ExportSchedule"]["Default"], "rate(1 day)");
    let step_text = &t["Parameters"]["ExportStepText"];
    assert_eq!(
        step_text["Default"], "false",
        "free text stays out unless asked for"
    );
    assert_eq!(step_text["AllowedValues"], json!(["false", "true"]));
    assert_eq!(
        environment(&t, exporter)["EXPORT_STEP_TEXT"],
        json!({"Ref": "ExportStepText"})
    );
    // A whole-table read: Lambda's longest run.
    assert_eq!(number(property(&t, exporter, "Timeout")), 900.0, "{name}");
}

#[test]
fn an_erasure_leaves_the_export_within_a_period_and_a_day() {
    let t = template();
    let bucket = analytics_bucket(&t);
    let props = &resources(&t)[&bucket]["Properties"];
    // Each run replaces the four files; a replaced file (a noncurrent
    // version) is kept a day, and nothing else of the export lasts longer
    // (docs/deletion.md).
    assert_eq!(
        props["VersioningConfiguration"]["Status"], "Enabled",
        "{bucket}"
    );
    let rules = as_list(&props["LifecycleConfiguration"]["Rules"]);
    assert!(
        rules.iter().any(|r| r["Status"] == "Enabled"
            && r.get("Prefix").is_none()
            && r.get("Filter").is_none()
            && number(&r["NoncurrentVersionExpiration"]["NoncurrentDays"]) <= 1.0),
        "{bucket}: replaced files expire after a day"
    );
    assert!(
        props.get("NotificationConfiguration").is_none(),
        "{bucket} notifies nobody"
    );
    // Athena's results (copies of what was queried) expire too, and no
    // rule expires the export's current files.
    assert!(
        rules.iter().any(|r| r["Status"] == "Enabled"
            && r["Prefix"] == "athena-results/"
            && r.get("ExpirationInDays").is_some()),
        "{bucket}: Athena's results expire"
    );
    for r in &rules {
        if r.get("ExpirationInDays").is_some() {
            assert_eq!(r["Prefix"], "athena-results/", "{bucket}: {r}");
        }
    }
}
