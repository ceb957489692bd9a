//! What runs with the deploy role's credentials is what was reviewed:
//! every action pinned to a commit (its version in a comment), the deploy
//! job in a protected environment that the deploy role alone trusts, and
//! the deploy tools installed from locks with every dependency's hash.

use deploy_checks::{workspace_root, yaml_file as yaml};

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
