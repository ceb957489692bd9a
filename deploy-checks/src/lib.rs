//! Checks that the deployment (`template.yaml`) agrees with the code it
//! deploys: binaries, environment variables, queue timings, the bucket
//! notification's prefixes and the least-privilege policies. The checks are
//! the tests in `tests/template.rs`; this library reads what they check:
//! the template in CloudFormation's JSON form (its short tags, `!Ref`,
//! `!GetAtt`, `!Sub`, …, turned into their long forms, so every check reads
//! the same structure CloudFormation does), its resources, functions,
//! policies and ARNs, the workspace's packages, and the API's contract.

pub mod deployment;
pub mod grants;
pub mod simulate;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Map, Value, json};

/// S3 actions that only read.
pub fn is_s3_read(action: &str) -> bool {
    ["s3:Get", "s3:List", "s3:Head"]
        .iter()
        .any(|p| action.starts_with(p))
}

/// The workspace's root folder (where `template.yaml` is).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("deploy-checks sits in the workspace root")
        .to_path_buf()
}

/// The template as CloudFormation's JSON form.
///
/// # Panics
/// When `template.yaml` is missing or not YAML.
pub fn template() -> Value {
    yaml_file("template.yaml")
}

/// A YAML file of the workspace (`path` from its root) as CloudFormation's
/// JSON form ([`to_json`]).
///
/// # Panics
/// When the file is missing or not YAML.
pub fn yaml_file(path: &str) -> Value {
    let text = std::fs::read_to_string(workspace_root().join(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    let yaml: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{path} is not YAML: {e}"));
    to_json(yaml)
}

/// YAML to JSON, short tags to long forms (`!GetAtt A.B` to
/// `{"Fn::GetAtt": ["A", "B"]}`).
///
/// # Panics
/// When a `!GetAtt` does not name `Resource.Attribute`.
pub fn to_json(yaml: serde_yaml_ng::Value) -> Value {
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

/// The template's resources by logical id.
///
/// # Panics
/// When the template has no resources.
pub fn resources(t: &Value) -> &Map<String, Value> {
    t["Resources"]
        .as_object()
        .expect("the template has resources")
}

/// The resources of CloudFormation type `kind`: (logical id, resource).
pub fn of_type<'a>(t: &'a Value, kind: &str) -> Vec<(&'a str, &'a Value)> {
    resources(t)
        .iter()
        .filter(|(_, r)| r["Type"] == kind)
        .map(|(name, r)| (name.as_str(), r))
        .collect()
}

/// The first resource of CloudFormation type `kind` for which `holds` is
/// true: (logical id, resource).
///
/// # Panics
/// When there is none; the message names `what` was looked for.
pub fn find_of_type<'a>(
    t: &'a Value,
    kind: &str,
    what: &str,
    holds: impl Fn(&Value) -> bool,
) -> (&'a str, &'a Value) {
    of_type(t, kind)
        .into_iter()
        .find(|(_, r)| holds(r))
        .unwrap_or_else(|| panic!("no {kind} is {what}"))
}

/// The functions by binary name: (logical id, resource).
///
/// # Panics
/// When a function names no binary in `Metadata.BuildProperties`.
pub fn functions(t: &Value) -> BTreeMap<String, (&str, &Value)> {
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
pub fn property<'a>(t: &'a Value, f: &'a Value, key: &str) -> &'a Value {
    match &f["Properties"][key] {
        Value::Null => &t["Globals"]["Function"][key],
        own => own,
    }
}

/// A function's environment: the Globals' merged with its own, as SAM does.
pub fn environment(t: &Value, f: &Value) -> Map<String, Value> {
    let mut merged = t["Globals"]["Function"]["Environment"]["Variables"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    if let Some(own) = f["Properties"]["Environment"]["Variables"].as_object() {
        merged.extend(own.clone());
    }
    merged
}

/// A number, written as one or as a string (CloudFormation takes both).
///
/// # Panics
/// When the value is not a number.
pub fn number(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().expect("a finite number"),
        Value::String(s) => s.parse().unwrap_or_else(|_| panic!("{s:?} is a number")),
        other => panic!("{other} is not a number"),
    }
}

/// The logical id a `!Ref X` or `!GetAtt X.Arn` points at.
pub fn target(v: &Value) -> Option<&str> {
    v.get("Ref")
        .and_then(Value::as_str)
        .or_else(|| v.get("Fn::GetAtt")?.get(0)?.as_str())
}

/// A value that may be one item or a list, as a list (`null`: empty).
pub fn as_list(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(items) => items.iter().collect(),
        Value::Null => Vec::new(),
        one => vec![one],
    }
}

/// Every policy statement in the template, with where it is (a
/// conditional statement as it is when its condition holds).
pub fn statements(t: &Value) -> Vec<(String, &Value)> {
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
                // `!If [Condition, statement, !Ref AWS::NoValue]`: the
                // statement, as it is when the condition holds.
                let s = s.get("Fn::If").map_or(s, |branches| &branches[1]);
                found.push((name.clone(), s));
            }
        }
    }
    found
}

/// A policy statement's actions.
///
/// # Panics
/// When an action is not a string.
pub fn actions(statement: &Value) -> Vec<&str> {
    as_list(&statement["Action"])
        .into_iter()
        .map(|a| a.as_str().expect("actions are strings"))
        .collect()
}

/// A resource's ARN text: a literal, or a `!Sub` template.
pub fn arn_text(resource: &Value) -> Option<&str> {
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
pub fn names_a_resource(resource: &Value) -> bool {
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

/// `cargo metadata` of the workspace (no dependencies), as JSON.
///
/// # Panics
/// When `cargo metadata` fails.
pub fn cargo_metadata() -> Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = testkit::output_of(
        Command::new(cargo)
            .args([
                "metadata",
                "--no-deps",
                "--format-version",
                "1",
                "--offline",
            ])
            .current_dir(workspace_root()),
        "cargo metadata",
    );
    serde_json::from_slice(&out).expect("cargo metadata prints JSON")
}

/// The text of every `.rs` file below `dir`, one after another.
pub fn rust_sources(dir: &Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            text.push_str(&rust_sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            text.push_str(&std::fs::read_to_string(&path).unwrap_or_default());
            text.push('\n');
        }
    }
    text
}

/// Names in `var("NAME")`, `var_os("NAME")` and `lookup("NAME")` calls in
/// a crate's sources.
pub fn variables_read_in(dir: &Path) -> BTreeSet<String> {
    let text = rust_sources(dir);
    let mut found = BTreeSet::new();
    for call in ["var(\"", "var_os(\"", "lookup(\""] {
        for (at, _) in text.match_indices(call) {
            let rest = &text[at + call.len()..];
            if let Some(end) = rest.find('"') {
                found.insert(rest[..end].to_owned());
            }
        }
    }
    found
}

/// The write operations of the API's contract, as route keys: those its
/// security lets be signed with SigV4 (the chain's writes and erasures).
///
/// # Panics
/// When `recipe-server/openapi.snap.json` is missing or not an OpenAPI document.
pub fn write_routes_of_the_contract() -> BTreeSet<String> {
    routes_secured_by("sigv4")
}

/// The operations of the API's contract whose security names `scheme`, as
/// route keys.
///
/// # Panics
/// When `recipe-server/openapi.snap.json` is missing or not an OpenAPI document.
pub fn routes_secured_by(scheme: &str) -> BTreeSet<String> {
    let path = workspace_root().join("recipe-server/openapi.snap.json");
    let text = std::fs::read_to_string(path).expect("recipe-server/openapi.snap.json is readable");
    let doc: Value = serde_json::from_str(&text).expect("the OpenAPI document is JSON");
    let mut routes = BTreeSet::new();
    for (path, operations) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in operations.as_object().expect("operations") {
            let secured = operation["security"]
                .as_array()
                .is_some_and(|ways| ways.iter().any(|way| way.get(scheme).is_some()));
            if secured {
                routes.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    routes
}

/// The `Allow` statements of the policies of resource `owner`.
pub fn allowed<'a>(t: &'a Value, owner: &str) -> Vec<&'a Value> {
    statements(t)
        .into_iter()
        .filter(|(name, s)| name == owner && s["Effect"] == "Allow")
        .map(|(_, s)| s)
        .collect()
}

/// A condition of the form `!Equals [!Ref Parameter, value]`: the
/// parameter's name, and whether the condition holds for its default.
///
/// # Panics
/// When the condition has another form.
pub fn parameter_condition<'a>(t: &'a Value, condition: &str) -> (&'a str, bool) {
    let equals = t["Conditions"][condition]["Fn::Equals"]
        .as_array()
        .unwrap_or_else(|| panic!("{condition} compares a parameter with a value"));
    let parameter = equals[0]["Ref"]
        .as_str()
        .unwrap_or_else(|| panic!("{condition} compares a parameter"));
    (
        parameter,
        t["Parameters"][parameter]["Default"] == equals[1],
    )
}

/// The text of the output shown only when `holds(condition)` is true for
/// its condition.
///
/// # Panics
/// When no output is conditional so.
pub fn output_when(t: &Value, holds: impl Fn(&Value) -> bool) -> &str {
    t["Outputs"]
        .as_object()
        .expect("the template has outputs")
        .values()
        .find(|o| {
            o["Condition"]
                .as_str()
                .is_some_and(|c| holds(&t["Conditions"][c]) || holds(&json!(c)))
        })
        .and_then(|o| o["Value"].as_str())
        .expect("an output under that condition")
}
