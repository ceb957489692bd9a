//! The OpenAPI document is the contract: schemathesis (from PyPI, installed
//! into `.venv/` by `make test`) generates requests from it against the
//! standalone server on a free loopback port, and every response must be
//! documented (status, content type, headers, schema) and never a 5xx.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::{TOKEN, TempStore, fixture};
use testkit::router::Serving;

fn schemathesis() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/schemathesis");
    assert!(
        path.exists(),
        "schemathesis not found at {}: run `make test` (it installs it into .venv/)",
        path.display()
    );
    path
}

/// The server on a free loopback port over a fresh store with a recipe and
/// a make in it (something to find, so that reads of known ids exercise
/// the 200 responses too).
async fn seeded_server(name: &str) -> (TempStore, Serving) {
    let t = TempStore::new(name);
    seed(t.store.clone()).await;
    let forms = embedded_adapters::LocalForms::new(embedded_adapters::DirObjects::new(
        t.dir().join("bucket"),
    ))
    .expect("upload forms");
    let state = recipe_server::AppState::new(recipe_server::Parts {
        uploads: Some(std::sync::Arc::new(forms)),
        ..common::local_parts(t.store.clone())
    });
    let server =
        Serving::start(|listener, shutdown| recipe_server::serve(listener, state, shutdown)).await;
    (t, server)
}

/// `schemathesis run` with `args`, then the options every run shares (a
/// fixed seed, one worker, plain output, no example database), its reports
/// in `report`, and the write token; stops `server` once it is done.
/// Returns its output, which must be a success.
async fn run_schemathesis(server: Serving, args: &[&str], report: PathBuf) -> String {
    let binary = schemathesis();
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(binary)
            .args(args)
            .args([
                "--seed",
                "20261122",
                // One worker: schemathesis' coverage phase can trip a
                // CPython 3.11 compiler race when it builds strategies on
                // several threads at once.
                "--workers",
                "1",
                "--no-color",
                "--output-sanitize",
                "false",
                "--generation-database",
                "none",
                // An import fetches the page its body links to: its answers
                // hang on the internet (a name resolved, a host answering),
                // and a fuzzer must not make this machine fetch from it.
                // Its contract is tested in imports.rs against a page
                // server on this machine.
                "--exclude-operation-id",
                "importPage",
                "--report-dir",
            ])
            .arg(&report)
            .args(["-H", &format!("Authorization: Bearer {TOKEN}")])
            .output()
            .expect("schemathesis runs")
    })
    .await
    .expect("task");
    server.stop().await;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "schemathesis found problems:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    println!("{stdout}");
    stdout
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_keeps_its_openapi_contract() {
    let (t, server) = seeded_server("schemathesis").await;
    let report = t.dir().join("report");
    let schema = format!("{}/openapi.json", server.base());
    let args = [
        "run",
        &schema,
        "--checks",
        "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance,missing_required_header,unsupported_method,ignored_auth",
        "--max-examples",
        "40",
    ];
    run_schemathesis(server, &args, report).await;
}

/// A recipe with a make, written through the router before serving.
async fn seed(store: std::sync::Arc<embedded_adapters::SqliteStore>) {
    let app = common::app(store);
    for (path, key, body) in [
        (
            "/recipes",
            "seed-recipe",
            fixture("pairs/apple-pie/recipe.json"),
        ),
        (
            "/recipes/1/makes",
            "seed-make",
            fixture("pairs/apple-pie/make.json"),
        ),
    ] {
        let (status, _, response) =
            common::send(&app, common::write("POST", path, key, body)).await;
        assert_eq!(status.as_u16(), 201, "seeding {path}: {response}");
    }
}

/// Stateful: schemathesis chains calls through OpenAPI links, feeding what
/// one response returns (a recipe id, a version, a make id, a recipe's
/// canonical document) into the next request, so that the sequences reach
/// the states a client reaches (a recipe written, re-put unchanged, a make
/// of it, its diff and insights read back) rather than 404s on random ids.
/// Every response must still conform and never be a 5xx, and a resource a
/// write reports must be readable afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn linked_sequences_of_calls_keep_the_contract() {
    let (t, server) = seeded_server("schemathesis-stateful").await;
    let schema = t.dir().join("openapi-linked.json");
    std::fs::write(&schema, linked_document().to_string()).expect("write the linked document");
    let (schema, base) = (schema.display().to_string(), server.base());
    let args = [
        "run",
        &schema,
        "--url",
        &base,
        "--phases",
        "stateful",
        "--checks",
        "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance,use_after_free,ensure_resource_availability",
        "--max-examples",
        "100",
        "--report",
        "har",
    ];
    let stdout = run_schemathesis(server, &args, t.dir().join("report")).await;
    assert!(
        stdout.contains("Stateful (in"),
        "the stateful phase did not run:\n{stdout}"
    );
    // "API Links:    14 covered / 50 selected / 50 total (12 inferred)"
    let covered = stdout
        .lines()
        .find_map(|line| line.trim().strip_prefix("API Links:"))
        .and_then(|rest| rest.split_whitespace().next()?.parse::<u32>().ok());
    let calls = Calls::from_har(&t.dir().join("report"));
    println!("links covered: {covered:?}; {calls:?}");
    // Hypothesis draws the sequences, so the floors sit well below what
    // runs reach (14 to 23 links covered, 9 to 46 writes accepted and 7 to
    // 52 reads of existing recipes and makes in trials with five seeds)
    // and well above what the phase reaches with the inferred links alone
    // (5 or 6 links, no accepted write).
    assert!(
        covered.is_some_and(|n| n >= 8),
        "too few links were followed ({covered:?}):\n{stdout}"
    );
    assert!(
        calls.writes_accepted >= 3 && calls.named_reads >= 3,
        "the sequences did not get past their first step: {calls:?}"
    );
    assert_eq!(calls.server_errors, 0, "{calls:?}");
}

/// What the stateful run did, from its HAR report.
#[derive(Debug, Default)]
struct Calls {
    total: usize,
    /// Writes answered 200 or 201.
    writes_accepted: usize,
    /// Reads below `/recipes/{recipeId}` answered 200: the id came from
    /// an earlier response.
    named_reads: usize,
    /// Comparisons answered 200: their `id@version` references came from
    /// earlier responses (a random one names nothing).
    comparisons: usize,
    server_errors: usize,
}

impl Calls {
    fn from_har(dir: &std::path::Path) -> Self {
        let har = std::fs::read_dir(dir)
            .expect("the report directory")
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .find(|path| {
                path.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("har"))
            })
            .expect("a HAR report");
        let har: serde_json::Value =
            serde_json::from_slice(&std::fs::read(har).expect("read the HAR report"))
                .expect("the HAR report is JSON");
        let mut calls = Self::default();
        for entry in har["log"]["entries"].as_array().expect("entries") {
            let method = entry["request"]["method"].as_str().unwrap_or("");
            let url = entry["request"]["url"].as_str().unwrap_or("");
            let path = url.split('?').next().unwrap_or("");
            let segments: Vec<&str> = path.split('/').skip(3).collect();
            let status = entry["response"]["status"].as_u64().unwrap_or(0);
            calls.total += 1;
            if status >= 500 {
                calls.server_errors += 1;
            }
            if method != "GET" && (status == 200 || status == 201) {
                calls.writes_accepted += 1;
            }
            if method == "GET" && status == 200 && segments.len() >= 2 && segments[0] == "recipes" {
                calls.named_reads += 1;
            }
            if method == "GET" && status == 200 && segments == ["compare"] {
                calls.comparisons += 1;
            }
        }
        calls
    }
}

/// The served OpenAPI document with links between its operations, for the
/// stateful phase.
///
/// The links live here rather than in the contract because they describe
/// how to test, not what the API promises. The optional `X-Correlation-Id`
/// header is dropped from the copy: schemathesis takes a header named like
/// an id for a reference to a resource that nothing produces, and then
/// never starts a sequence with a write.
fn linked_document() -> serde_json::Value {
    use serde_json::{Value, json};
    let mut doc: Value =
        serde_json::from_str(recipe_server::openapi_json()).expect("the OpenAPI document is JSON");
    let by_recipe = |recipe_id: &str| {
        json!({
            "Recipe": {"operationId": "getRecipe", "parameters": {"recipeId": recipe_id}},
            "Versions": {"operationId": "listVersions", "parameters": {"recipeId": recipe_id}},
            "Makes": {"operationId": "listMakes", "parameters": {"recipeId": recipe_id}},
            "Insights": {"operationId": "getInsights", "parameters": {"recipeId": recipe_id}},
        })
    };
    let written_version = {
        let mut links = by_recipe("$response.body#/recipeId");
        links["Erase"] = json!({"operationId": "eraseRecipe",
            "parameters": {"recipeId": "$response.body#/recipeId"}});
        links["ThisVersion"] = json!({"operationId": "getRecipe", "parameters": {
            "recipeId": "$response.body#/recipeId", "version": "$response.body#/version"}});
        links
    };
    let make = json!({"recipeId": "$response.body#/recipeId", "makeId": "$response.body#/makeId"});
    let listed_make =
        json!({"recipeId": "$request.path.recipeId", "makeId": "$response.body#/items/0/makeId"});
    let links = [
        (
            "/recipes",
            "get",
            &["200"][..],
            by_recipe("$response.body#/items/0/recipeId"),
        ),
        ("/recipes", "post", &["200", "201"], written_version.clone()),
        ("/recipes", "put", &["200", "201"], written_version),
        (
            "/recipes/{recipeId}",
            "get",
            &["200"],
            json!({
                // The recipe's own canonical document is a valid make of
                // it, and putting it again is an unchanged version.
                "MakeOfIt": {"operationId": "postMake",
                    "parameters": {"recipeId": "$response.body#/recipeId"},
                    "requestBody": "$response.body#/document"},
                "PutAgain": {"operationId": "putRecipe", "requestBody": "$response.body#/document"},
                "Makes": {"operationId": "listMakes",
                    "parameters": {"recipeId": "$response.body#/recipeId"}},
                // This version against the current one (runtime
                // expressions embedded in a string, `id@version`).
                "CompareWithCurrent": {"operationId": "compareVersions", "parameters": {
                    "from": "{$response.body#/recipeId}@{$response.body#/version}",
                    "to": "{$response.body#/recipeId}@{$response.body#/currentVersion}"}},
            }),
        ),
        (
            "/recipes/{recipeId}/versions",
            "get",
            &["200"],
            json!({
                "Version": {"operationId": "getRecipe", "parameters": {
                    "recipeId": "$request.path.recipeId",
                    "version": "$response.body#/items/0/version"}},
                "CompareFirst": {"operationId": "compareVersions", "parameters": {
                    "from": "{$request.path.recipeId}@{$response.body#/items/0/version}",
                    "to": "{$request.path.recipeId}@{$response.body#/items/0/version}"}},
            }),
        ),
        (
            "/recipes/{recipeId}/makes/{makeId}",
            "get",
            &["200"],
            // A make's content stored as the recipe's next version: an
            // adoption, as the chain sees its upload.
            json!({"AdoptIt": {"operationId": "postRecipe", "requestBody": "$response.body#/document"}}),
        ),
        (
            "/recipes/{recipeId}/makes",
            "get",
            &["200"],
            json!({
                "Make": {"operationId": "getMake", "parameters": listed_make.clone()},
                "Differences": {"operationId": "getDifferences", "parameters": listed_make},
            }),
        ),
        (
            "/recipes/{recipeId}/makes",
            "post",
            &["200", "201"],
            json!({
                "Make": {"operationId": "getMake", "parameters": make.clone()},
                "Differences": {"operationId": "getDifferences", "parameters": make.clone()},
                "Insights": {"operationId": "getInsights",
                    "parameters": {"recipeId": "$response.body#/recipeId"}},
                // Erased, then read (use_after_free: a 404 is expected).
                "Erase": {"operationId": "eraseMake", "parameters": make},
            }),
        ),
        (
            "/rejections",
            "post",
            &["200", "201"],
            json!({"Rejections": {"operationId": "listRejections"}}),
        ),
    ];
    for (path, method, statuses, operation_links) in links {
        for status in statuses {
            let response = &mut doc["paths"][path][method]["responses"][*status];
            assert!(
                response.is_object(),
                "{method} {path} has no {status} response"
            );
            response["links"] = operation_links.clone();
        }
    }
    for item in doc["paths"].as_object_mut().expect("paths").values_mut() {
        for operation in item.as_object_mut().expect("path item").values_mut() {
            if let Some(parameters) = operation
                .get_mut("parameters")
                .and_then(Value::as_array_mut)
            {
                parameters.retain(|p| p["name"] != "X-Correlation-Id");
            }
        }
    }
    // Real documents next to the generated ones, so that sequences also
    // start from writes that succeed (random documents are nearly always
    // refused, which the other test covers).
    let document =
        |path: &str| -> Value { serde_json::from_slice(&fixture(path)).expect("a JSON fixture") };
    for (path, method, documents) in [
        (
            "/recipes",
            "post",
            ["pairs/apple-pie/recipe.json", "pairs/big/recipe.json"],
        ),
        (
            "/recipes",
            "put",
            ["pairs/apple-pie/recipe.json", "pairs/big/recipe.json"],
        ),
        (
            "/recipes/{recipeId}/makes",
            "post",
            ["pairs/apple-pie/make.json", "pairs/big/make.json"],
        ),
    ] {
        let schema =
            &mut doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"];
        let generated = schema.take();
        *schema = json!({"anyOf": [
            {"const": document(documents[0])},
            {"const": document(documents[1])},
            generated,
        ]});
    }
    doc
}
