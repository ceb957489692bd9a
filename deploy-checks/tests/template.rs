//! `template.yaml` agrees with the code it deploys.
//!
//! The template is read with its CloudFormation short tags (`!Ref`,
//! `!GetAtt`, `!Sub`, …) turned into their long JSON forms, so every check
//! below reads the same structure CloudFormation does.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Map, Value, json};

/// What each function's code reads from its environment, by binary. Keep it
/// in step with the crates' `main.rs` (and `lib.rs`): a test below scans
/// their sources for `var("…")` and fails on a name missing here. The
/// limits (`shared::limits::LIMIT_VARIABLES`) are added to the functions
/// marked `true`, which read them through `Limits::from_lookup`.
const ENVIRONMENT: [(&str, &[&str], bool); 3] = [
    ("watcher", &["QUEUE_URL", "RUST_LOG"], true),
    ("sender", &["API_URL", "API_TIMEOUT_MS", "RUST_LOG"], true),
    (
        "recipe-server",
        &[
            "TABLE_NAME",
            "READ_AUTH",
            "COGNITO_DOMAIN",
            "COGNITO_CLIENT_ID",
            "RUST_LOG",
        ],
        true,
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

/// S3 actions that only read.
fn is_s3_read(action: &str) -> bool {
    ["s3:Get", "s3:List", "s3:Head"]
        .iter()
        .any(|p| action.starts_with(p))
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("deploy-checks sits in the workspace root")
        .to_path_buf()
}

/// The template as CloudFormation's JSON form.
fn template() -> Value {
    let path = workspace_root().join("template.yaml");
    let text = std::fs::read_to_string(&path).expect("template.yaml is readable");
    let yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).expect("template.yaml is YAML");
    to_json(yaml)
}

/// YAML to JSON, short tags to long forms (`!GetAtt A.B` to
/// `{"Fn::GetAtt": ["A", "B"]}`).
fn to_json(yaml: serde_yaml_ng::Value) -> Value {
    use serde_yaml_ng::Value as Y;
    match yaml {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => serde_json::to_value(&n).expect("a YAML number is a JSON number"),
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(to_json).collect()),
        Y::Mapping(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let key = match k {
                        Y::String(s) => s,
                        other => serde_yaml_ng::to_string(&other)
                            .expect("a key prints")
                            .trim()
                            .to_owned(),
                    };
                    (key, to_json(v))
                })
                .collect(),
        ),
        Y::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let name = tag.trim_start_matches('!');
            let value = to_json(tagged.value);
            let long = match name {
                "Ref" | "Condition" => name.to_owned(),
                other => format!("Fn::{other}"),
            };
            let value = match (name, value) {
                ("GetAtt", Value::String(s)) => {
                    let (resource, attribute) =
                        s.split_once('.').expect("!GetAtt names Resource.Attribute");
                    json!([resource, attribute])
                }
                (_, value) => value,
            };
            json!({ long: value })
        }
    }
}

fn resources(t: &Value) -> &Map<String, Value> {
    t["Resources"]
        .as_object()
        .expect("the template has resources")
}

fn of_type<'a>(t: &'a Value, kind: &str) -> Vec<(&'a str, &'a Value)> {
    resources(t)
        .iter()
        .filter(|(_, r)| r["Type"] == kind)
        .map(|(name, r)| (name.as_str(), r))
        .collect()
}

/// The functions by binary name: (logical id, resource).
fn functions(t: &Value) -> BTreeMap<String, (&str, &Value)> {
    of_type(t, "AWS::Serverless::Function")
        .into_iter()
        .map(|(name, f)| {
            let binary = f["Metadata"]["BuildProperties"]["Binary"]
                .as_str()
                .unwrap_or_else(|| panic!("{name} names its Binary in Metadata.BuildProperties"));
            (binary.to_owned(), (name, f))
        })
        .collect()
}

/// A function property, or the Globals' when the function does not set it.
fn property<'a>(t: &'a Value, f: &'a Value, key: &str) -> &'a Value {
    match &f["Properties"][key] {
        Value::Null => &t["Globals"]["Function"][key],
        own => own,
    }
}

/// A function's environment: the Globals' merged with its own, as SAM does.
fn environment(t: &Value, f: &Value) -> Map<String, Value> {
    let mut merged = t["Globals"]["Function"]["Environment"]["Variables"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    if let Some(own) = f["Properties"]["Environment"]["Variables"].as_object() {
        merged.extend(own.clone());
    }
    merged
}

fn number(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().expect("a finite number"),
        Value::String(s) => s.parse().unwrap_or_else(|_| panic!("{s:?} is a number")),
        other => panic!("{other} is not a number"),
    }
}

/// The logical id a `!Ref X` or `!GetAtt X.Arn` points at.
fn target(v: &Value) -> Option<&str> {
    v.get("Ref")
        .and_then(Value::as_str)
        .or_else(|| v.get("Fn::GetAtt")?.get(0)?.as_str())
}

fn as_list(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(items) => items.iter().collect(),
        Value::Null => Vec::new(),
        one => vec![one],
    }
}

/// Every policy statement in the template, with where it is.
fn statements(t: &Value) -> Vec<(String, &Value)> {
    let mut found = Vec::new();
    for (name, r) in resources(t) {
        let props = &r["Properties"];
        let mut documents = Vec::new();
        match r["Type"].as_str() {
            Some("AWS::IAM::Role") => {
                for p in as_list(&props["Policies"]) {
                    documents.push(&p["PolicyDocument"]);
                }
            }
            Some("AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy") => {
                documents.push(&props["PolicyDocument"]);
            }
            Some("AWS::Serverless::Function") => {
                for p in as_list(&props["Policies"]) {
                    if p.get("Statement").is_some() {
                        documents.push(p);
                    }
                }
            }
            _ => {}
        }
        for document in documents {
            for s in as_list(&document["Statement"]) {
                found.push((name.clone(), s));
            }
        }
    }
    found
}

fn actions(statement: &Value) -> Vec<&str> {
    as_list(&statement["Action"])
        .into_iter()
        .map(|a| a.as_str().expect("actions are strings"))
        .collect()
}

/// A resource's ARN text: a literal, or a `!Sub` template.
fn arn_text(resource: &Value) -> Option<&str> {
    match resource {
        Value::String(s) => Some(s),
        _ => match resource.get("Fn::Sub")? {
            Value::String(s) => Some(s),
            Value::Array(parts) => parts.first()?.as_str(),
            _ => None,
        },
    }
}

/// Whether a resource names something specific: a `!Ref`/`!GetAtt` of a
/// resource, or an ARN whose resource part is more than a wildcard.
fn names_a_resource(resource: &Value) -> bool {
    if target(resource).is_some() {
        return true;
    }
    let Some(arn) = arn_text(resource) else {
        return false;
    };
    if arn == "*" {
        return false;
    }
    // arn:partition:service:region:account:resource
    let resource_part = arn.splitn(6, ':').nth(5).unwrap_or("");
    !resource_part.is_empty() && resource_part != "*" && !resource_part.starts_with("*/")
}

fn cargo_metadata() -> Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .current_dir(workspace_root())
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON")
}

#[test]
fn every_function_builds_a_workspace_binary_for_graviton() {
    let t = template();
    let metadata = cargo_metadata();
    let functions = functions(&t);
    assert_eq!(
        functions.keys().map(String::as_str).collect::<Vec<_>>(),
        ["recipe-server", "sender", "watcher"],
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

/// Names in `var("NAME")`, `var_os("NAME")` and `lookup("NAME")` calls in
/// a crate's sources.
fn variables_read_in(dir: &Path) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(variables_read_in(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            for call in ["var(\"", "var_os(\"", "lookup(\""] {
                for (at, _) in text.match_indices(call) {
                    let rest = &text[at + call.len()..];
                    if let Some(end) = rest.find('"') {
                        found.insert(rest[..end].to_owned());
                    }
                }
            }
        }
    }
    found
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
            assert_eq!(
                config["Event"], "s3:ObjectCreated:*",
                "{bucket}: every creation"
            );
            let rules = as_list(&config["Filter"]["S3Key"]["Rules"]);
            assert_eq!(
                rules.len(),
                1,
                "{bucket}: one prefix rule, no suffix filter"
            );
            assert_eq!(rules[0]["Name"], "prefix");
            prefixes.push(rules[0]["Value"].as_str().expect("a prefix").to_owned());
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
    prefixes.sort();
    let mut watched: Vec<String> = shared::keys::WATCHED_PREFIXES
        .iter()
        .map(|p| p.to_string())
        .collect();
    watched.sort();
    assert_eq!(prefixes, watched);

    let permission = of_type(&t, "AWS::Lambda::Permission")
        .into_iter()
        .find(|(_, p)| p["Properties"]["Principal"] == "s3.amazonaws.com")
        .expect("S3 may invoke the watcher");
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
    // read uploads.
    for (owner, s) in statements(&t) {
        if s["Effect"] != "Allow" {
            continue;
        }
        for action in actions(s) {
            let writes_s3 = (action.starts_with("s3:") && !is_s3_read(action)) || action == "*";
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

/// The write operations of the API's contract, as route keys.
fn write_routes_of_the_contract() -> BTreeSet<String> {
    let path = workspace_root().join("recipe-server/openapi.json");
    let text = std::fs::read_to_string(path).expect("recipe-server/openapi.json is readable");
    let doc: Value = serde_json::from_str(&text).expect("the OpenAPI document is JSON");
    let mut routes = BTreeSet::new();
    for (path, operations) in doc["paths"].as_object().expect("paths") {
        for method in operations.as_object().expect("operations").keys() {
            if ["post", "put", "patch", "delete"].contains(&method.as_str()) {
                routes.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    routes
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
    let expected: BTreeSet<String> = write_routes_of_the_contract()
        .into_iter()
        .map(|r| r.replace("{recipeId}", "*"))
        .collect();
    assert_eq!(
        invokable, expected,
        "the sender may invoke the write routes and nothing else"
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
