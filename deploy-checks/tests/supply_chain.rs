//! What runs with the deploy role's credentials is what was reviewed:
//! every action pinned to a commit (its version in a comment), the deploy
//! job in a protected environment that the deploy role alone trusts, and
//! the deploy tools installed from locks with every dependency's hash.

use deploy_checks::{workspace_root, yaml_file as yaml};
use serde_json::Value;

fn read(path: &str) -> String {
    std::fs::read_to_string(workspace_root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Asserts that the file `path` contains `text`; `why` says what it would
/// be missing.
fn assert_contains(path: &str, text: &str, why: &str) {
    assert!(read(path).contains(text), "{why}");
}

/// The line of the deploy role's OIDC trust (`deploy/bootstrap.yaml`)
/// that names the subject a token must have.
fn oidc_subject() -> String {
    read("deploy/bootstrap.yaml")
        .lines()
        .find(|l| l.contains("token.actions.githubusercontent.com:sub"))
        .expect("the deploy role's OIDC trust names a subject")
        .to_owned()
}

/// Where the first of `steps` that `holds` stands; `what` says what it is.
fn step(steps: &[String], what: &str, holds: impl Fn(&str) -> bool) -> usize {
    steps
        .iter()
        .position(|s| holds(s))
        .unwrap_or_else(|| panic!("{what}"))
}

#[test]
fn every_action_is_pinned_to_a_commit_with_its_version_named() {
    let mut seen = 0;
    for workflow in [".github/workflows/ci.yml", ".github/workflows/deploy.yml"] {
        for line in read(workflow).lines() {
            let Some((_, used)) = line.split_once("uses: ") else {
                continue;
            };
            if used.starts_with("./") {
                continue;
            }
            seen += 1;
            let (action, comment) = used.split_once(" # ").unwrap_or((used, ""));
            let (_, reference) = action.split_once('@').expect("action@reference");
            assert!(
                reference.len() == 40 && reference.bytes().all(|b| b.is_ascii_hexdigit()),
                "{workflow}: {used} is not pinned to a commit"
            );
            assert!(
                comment.starts_with('v'),
                "{workflow}: {used} does not name its version"
            );
        }
    }
    assert!(seen >= 5, "only {seen} actions found");
}

#[test]
fn only_the_protected_environments_jobs_may_assume_the_deploy_role() {
    let workflow = yaml(".github/workflows/deploy.yml");
    let environment = workflow["jobs"]["deploy"]["environment"]
        .as_str()
        .expect("the deploy job runs in an environment");
    let trust = oidc_subject();
    assert!(
        trust.contains(":environment:${GitHubEnvironment}"),
        "the trust is not pinned to the environment: {trust}"
    );
    let template = yaml("deploy/bootstrap.yaml");
    assert_eq!(
        template["Parameters"]["GitHubEnvironment"]["Default"], environment,
        "the workflow's environment and the bootstrap's differ"
    );
}

/// The number of packages the pip lock `path` pins, each of which must
/// carry its hashes (a pin line ends with a continuation into them).
fn hashed_pins(path: &str) -> usize {
    let text = read(path);
    let pins: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with(' ') && !l.starts_with('#') && l.contains("=="))
        .collect();
    for pin in &pins {
        assert!(pin.ends_with('\\'), "{path}: {pin} has no hash");
    }
    pins.len()
}

#[test]
fn the_deploy_tools_are_installed_from_locks_with_every_hash() {
    let tools = read("deploy/tools.sh");
    for lock in [
        "deploy/requirements-sam.txt",
        "deploy/requirements-checkov.txt",
        "deploy/requirements-build.txt",
    ] {
        assert!(hashed_pins(lock) > 0, "{lock} pins nothing");
        let name = lock.trim_start_matches("deploy/");
        assert!(
            tools.lines().any(|l| l.contains("--require-hashes"))
                && (tools.contains(lock) || tools.contains(name)),
            "deploy/tools.sh does not install {lock} with --require-hashes"
        );
    }
}

#[test]
fn the_deploy_role_reads_with_a_machine_identity_and_holds_no_cognito_action() {
    use deploy_checks::{actions, allowed, as_list, find_of_type, template};
    let bootstrap = yaml("deploy/bootstrap.yaml");
    let deploy = allowed(&bootstrap, "GitHubDeployRole");
    assert!(!deploy.is_empty(), "the deploy role's statements");
    for s in &deploy {
        for action in actions(s) {
            assert!(
                !action.starts_with("cognito-idp:"),
                "the deploy role may {action}: it could make or become a user"
            );
        }
    }
    let reads_secret = deploy
        .iter()
        .find(|s| actions(s).contains(&"secretsmanager:GetSecretValue"));
    let resource = reads_secret.map_or(Value::Null, |s| s["Resource"].clone());
    assert!(
        resource["Fn::Sub"]
            .as_str()
            .is_some_and(|arn| arn.ends_with(":secret:${AppStackName}-smoke-reader-*")),
        "the deploy role reads the smoke reader's secret and no other: {resource}"
    );

    // The identity is a client-credentials client with one scope, which is
    // the scope the server lets read the smoke test's recipes only.
    let t = template();
    let (_, smoke) = find_of_type(
        &t,
        "AWS::Cognito::UserPoolClient",
        "a client-credentials client",
        |c| c["Properties"]["AllowedOAuthFlows"] == serde_json::json!(["client_credentials"]),
    );
    let scopes = as_list(&smoke["Properties"]["AllowedOAuthScopes"]);
    assert_eq!(scopes.len(), 1, "{scopes:?}");
    let (_, server) = find_of_type(&t, "AWS::Serverless::Function", "the server", |f| {
        f["Metadata"]["BuildProperties"]["Binary"] == "recipe-server"
    });
    assert_eq!(
        &server["Properties"]["Environment"]["Variables"]["SMOKE_SCOPE"], scopes[0],
        "the server's SMOKE_SCOPE is the smoke client's scope"
    );
    // No user flow: the client signs no user in.
    for flow in as_list(&smoke["Properties"]["ExplicitAuthFlows"]) {
        assert_eq!(flow, "ALLOW_REFRESH_TOKEN_AUTH");
    }
}

/// The steps of a job of a workflow, as text (`run` and `uses`).
fn steps(workflow: &Value, job: &str) -> Vec<String> {
    workflow["jobs"][job]["steps"]
        .as_array()
        .unwrap_or_else(|| panic!("job {job} has steps"))
        .iter()
        .map(|s| {
            format!(
                "{} {}",
                s["uses"].as_str().unwrap_or_default(),
                s["run"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

#[test]
fn no_job_that_can_mint_credentials_compiles_anything() {
    let mut minting = 0;
    for path in [".github/workflows/ci.yml", ".github/workflows/deploy.yml"] {
        let workflow = yaml(path);
        for (job, spec) in workflow["jobs"].as_object().expect("jobs") {
            let may_mint = spec["permissions"]["id-token"] == "write"
                || workflow["permissions"]["id-token"] == "write";
            if !may_mint {
                continue;
            }
            minting += 1;
            for step in steps(&workflow, job) {
                for compiler in [
                    "cargo ",
                    "cargo-lambda",
                    "scripts/package",
                    "sam build",
                    "make ",
                    "npm ",
                    "rustup",
                ] {
                    assert!(
                        !step.contains(compiler),
                        "{path}: job {job} holds id-token: write and runs `{compiler}`: {step}"
                    );
                }
            }
        }
    }
    assert_eq!(
        minting, 1,
        "exactly one job (the deploy) may mint an OIDC token"
    );
}

#[test]
fn the_deploy_job_deploys_exactly_what_the_build_job_built() {
    let workflow = yaml(".github/workflows/deploy.yml");
    let build = &workflow["jobs"]["build"];
    assert!(
        build["permissions"].get("id-token").is_none(),
        "the build job can mint no OIDC token"
    );
    let built = steps(&workflow, "build").join("\n");
    assert!(
        built.contains("scripts/package --sam"),
        "the build job builds"
    );
    assert!(
        built.contains("sha256sum") && built.contains("upload-artifact@"),
        "and uploads the build with its digests"
    );
    let manifest = build["outputs"]["manifest"].as_str().unwrap_or_default();
    assert!(
        manifest.contains("steps.digests.outputs.manifest"),
        "the build job outputs the digest of its manifest"
    );

    let deploy = &workflow["jobs"]["deploy"];
    assert_eq!(deploy["needs"], "build");
    let deployed = steps(&workflow, "deploy");
    let download = step(&deployed, "the deploy job downloads the build", |s| {
        s.contains("download-artifact@")
    });
    let verify = step(
        &deployed,
        "the deploy job checks every file's digest",
        |s| s.contains("sha256sum -c") && s.contains("--strict"),
    );
    let sam_deploy = step(&deployed, "the deploy job deploys", |s| {
        s.contains("sam deploy")
    });
    assert!(
        download < verify && verify < sam_deploy,
        "download, verify, then deploy"
    );
    let checked_against = deploy["steps"][verify]["env"]["MANIFEST"]
        .as_str()
        .unwrap_or_default();
    assert!(
        checked_against.contains("needs.build.outputs.manifest"),
        "the manifest is checked against the build job's own output: {checked_against}"
    );
}

#[test]
fn only_main_deploys_in_the_workflow_and_in_the_trust() {
    let workflow = yaml(".github/workflows/deploy.yml");
    for (job, spec) in workflow["jobs"].as_object().expect("jobs") {
        assert_eq!(
            spec["if"], "github.ref == 'refs/heads/main'",
            "deploy.yml: job {job} runs from any ref (workflow_dispatch)"
        );
    }
    let trust = oidc_subject();
    assert!(
        trust.contains(":ref:refs/heads/${GitHubBranch}"),
        "the trust does not name the branch: {trust}"
    );
    assert_eq!(
        yaml("deploy/bootstrap.yaml")["Parameters"]["GitHubBranch"]["Default"],
        "main"
    );
}

#[test]
fn a_failed_first_deploy_is_cleared_before_deploying() {
    let workflow = yaml(".github/workflows/deploy.yml");
    let deployed = steps(&workflow, "deploy");
    let clear = step(
        &deployed,
        "the deploy job deletes a stack left in ROLLBACK_COMPLETE",
        |s| s.contains("ROLLBACK_COMPLETE") && s.contains("delete-stack"),
    );
    let sam_deploy = step(&deployed, "sam deploy", |s| s.contains("sam deploy"));
    assert!(clear < sam_deploy);
    assert!(
        deployed[clear].contains("--role-arn"),
        "through the execution role: {}",
        deployed[clear]
    );
}

#[test]
fn every_variable_the_deploy_needs_is_checked_before_it_starts() {
    let workflow = yaml(".github/workflows/deploy.yml");
    let text = read(".github/workflows/deploy.yml");
    let check = steps(&workflow, "deploy")
        .into_iter()
        .find(|s| s.contains("is not set"))
        .expect("a step checks the repository variables");
    // Every variable used without a default is required.
    let mut required = Vec::new();
    for (at, _) in text.match_indices("vars.") {
        let rest = &text[at + 5..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_uppercase() || *c == '_')
            .collect();
        let has_default = rest[name.len()..].trim_start().starts_with("||");
        if !has_default && name != "ALARM_EMAIL" && !required.contains(&name) {
            required.push(name);
        }
    }
    assert!(required.len() >= 5, "{required:?}");
    for name in required {
        assert!(
            check.contains(&name),
            "the variables check does not check {name}"
        );
    }
}

#[test]
fn the_toolchain_and_the_node_tools_are_pinned() {
    let toolchain = read("rust-toolchain.toml");
    let channel = toolchain
        .lines()
        .find_map(|l| l.strip_prefix("channel = "))
        .expect("rust-toolchain.toml names a channel")
        .trim_matches('"');
    assert!(
        channel.split('.').count() == 3 && channel.split('.').all(|p| p.parse::<u32>().is_ok()),
        "the toolchain is pinned to a release, not {channel}"
    );
    let lock: Value =
        serde_json::from_str(&read("deploy/node/package-lock.json")).expect("a JSON lock");
    let packages = lock["packages"].as_object().expect("packages");
    assert!(
        packages.len() > 2,
        "the lock lists the tools and their dependencies"
    );
    for (path, p) in packages {
        if path.is_empty() {
            continue;
        }
        assert!(
            p["integrity"]
                .as_str()
                .is_some_and(|i| i.starts_with("sha512-")),
            "{path} has no integrity hash in the lock"
        );
    }
    assert_contains(
        "deploy/tools.sh",
        "npm ci --prefix deploy/node",
        "the Node tools install with npm ci from the lock",
    );
}

#[test]
fn the_test_tools_are_installed_from_a_lock_with_every_hash() {
    assert!(
        hashed_pins("scripts/requirements-test.txt") > 20,
        "the lock lists the tools and their dependencies"
    );
    assert_contains(
        "scripts/test-tools",
        "--require-hashes --no-deps -r scripts/requirements-test.txt",
        "scripts/test-tools does not install the lock with --require-hashes --no-deps",
    );
}

#[test]
fn advisories_are_checked_when_the_database_can_be_reached_and_a_skip_says_so() {
    assert_contains(
        "scripts/test",
        "check advisories",
        "make test checks RustSec advisories",
    );
    assert_contains(
        "scripts/test",
        "SKIPPED: the RustSec advisory database could not be fetched",
        "an unreachable database is a skip that says so",
    );
}
