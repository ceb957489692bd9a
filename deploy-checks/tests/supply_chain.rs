//! What runs with the deploy role's credentials is what was reviewed:
//! every action pinned to a commit (its version in a comment), the deploy
//! job in a protected environment that the deploy role alone trusts, and
//! the deploy tools installed from locks with every dependency's hash.

use deploy_checks::{workspace_root, yaml_file as yaml};
use serde_json::Value;

fn read(path: &str) -> String {
    std::fs::read_to_string(workspace_root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
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
    let bootstrap = read("deploy/bootstrap.yaml");
    let trust = bootstrap
        .lines()
        .find(|l| l.contains("token.actions.githubusercontent.com:sub"))
        .expect("the deploy role's OIDC trust names a subject");
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

#[test]
fn the_deploy_tools_are_installed_from_locks_with_every_hash() {
    let tools = read("deploy/tools.sh");
    for lock in [
        "deploy/requirements-sam.txt",
        "deploy/requirements-checkov.txt",
        "deploy/requirements-build.txt",
    ] {
        let text = read(lock);
        let pins: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with(' ') && !l.starts_with('#') && l.contains("=="))
            .collect();
        assert!(!pins.is_empty(), "{lock} pins nothing");
        for pin in &pins {
            assert!(pin.ends_with('\\'), "{lock}: {pin} has no hash");
        }
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
