//! `scripts/preflight` against moto: each test starts moto's server, makes
//! on it what an account could hold before a first deploy (the leftovers of
//! a failed one, a bootstrap, an OIDC provider), runs the script with the
//! project's AWS CLI (`.venv/bin/aws`, `AWS_ENDPOINT_URL` pointing at moto,
//! dummy credentials) and checks its findings and its exit status. `gh` is
//! a stand-in script (`PREFLIGHT_GH`) that answers as a signed-in or
//! signed-out GitHub CLI would.
//!
//! Not emulated by moto, so untested here: a stack in ROLLBACK_COMPLETE or
//! another failed state (moto's CloudFormation creates or fails, it never
//! rolls back), a bucket name taken by another account (moto answers
//! HeadBucket with 200 whatever the owner), and AWS's region table not
//! answering for a real region.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Command;

use deploy_checks::{of_type, workspace_root, yaml_file};
use serde_json::Value;
use testkit::{MotoServer, TempDir, temp_dir};

/// The account moto answers as.
const ACCOUNT: &str = "123456789012";

/// A secret's value that no output of the script may contain.
const SECRET_VALUE: &str = "preflight-must-never-print-this";

fn venv_bin() -> PathBuf {
    workspace_root().join(".venv/bin")
}

/// `PATH` with the project's `.venv/bin` first, so that `aws` is its CLI.
fn path_with_venv() -> OsString {
    let aws = venv_bin().join("aws");
    assert!(
        aws.exists(),
        "{} not found: run scripts/test-tools (it installs the AWS CLI from scripts/requirements-test.txt)",
        aws.display()
    );
    let mut paths = vec![venv_bin()];
    paths.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(paths).expect("PATH joins")
}

/// How `gh` answers the script.
enum Gh<'a> {
    /// Not installed.
    Absent,
    /// Installed, not signed in.
    SignedOut,
    /// Signed in, with these repository variables and these variables of
    /// the `production` environment.
    Variables(&'a [(&'a str, &'a str)], &'a [(&'a str, &'a str)]),
}

/// A stand-in for gh in a temporary folder: `auth status` succeeds when
/// the file `signed-in` is there, and `variable list … --jq …` prints the
/// tab-separated lines that gh's `--jq` would.
const GH_STUB: &str = r#"#!/usr/bin/env bash
dir=$(dirname "$0")
case "$1 $2" in
  "auth status") test -e "$dir/signed-in"; exit ;;
  "variable list")
    shift 2
    if [[ $1 == --env ]]; then
      [[ -e $dir/env-$2.tsv ]] || { echo "HTTP 404: Not Found" >&2; exit 1; }
      file=$dir/env-$2.tsv
      shift 2
    else
      file=$dir/repo.tsv
    fi
    [[ "$1 $2 $3" == "--json name,value --jq" ]] || { echo "gh stub: unexpected $*" >&2; exit 3; }
    cat "$file" ;;
  *) echo "gh stub: unexpected $*" >&2; exit 3 ;;
esac
"#;

fn tsv(variables: &[(&str, &str)]) -> String {
    variables
        .iter()
        .map(|(name, value)| format!("{name}\t{value}\n"))
        .collect()
}

/// The gh command for the script, in `dir`.
fn gh_command(gh: &Gh, dir: &TempDir) -> PathBuf {
    let stub = dir.path().join("gh");
    if matches!(gh, Gh::Absent) {
        return stub; // never written: not installed
    }
    std::fs::write(&stub, GH_STUB).expect("gh stub written");
    std::fs::set_permissions(&stub, std::fs::Permissions::from_mode(0o755))
        .expect("gh stub made executable");
    if let Gh::Variables(repository, environment) = gh {
        std::fs::write(dir.path().join("signed-in"), "").expect("gh stub signed in");
        std::fs::write(dir.path().join("repo.tsv"), tsv(repository)).expect("variables");
        if !environment.is_empty() {
            std::fs::write(dir.path().join("env-production.tsv"), tsv(environment))
                .expect("environment variables");
        }
    }
    stub
}

/// What one run of the script printed, and how it ended.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The lines of standard output that start with `kind` ("BLOCKER").
    fn lines(&self, kind: &str) -> Vec<&str> {
        let prefix = format!("{kind}: ");
        self.stdout
            .lines()
            .filter(|l| l.starts_with(&prefix))
            .collect()
    }

    /// Asserts that exactly one `kind` line contains every one of `parts`.
    fn assert_finding(&self, kind: &str, parts: &[&str]) {
        let found: Vec<&str> = self
            .lines(kind)
            .into_iter()
            .filter(|l| parts.iter().all(|p| l.contains(p)))
            .collect();
        assert_eq!(
            found.len(),
            1,
            "expected one {kind} line with {parts:?}, found {found:?}\n{self}"
        );
    }

    /// Asserts that no line of standard output mentions `part`.
    fn assert_silent_on(&self, part: &str) {
        assert!(
            !self.stdout.contains(part),
            "a finding mentions {part}\n{self}"
        );
    }

    /// Asserts that the one blocker is a line with every one of `parts`,
    /// with no warning and gh's check skipped.
    fn assert_sole_blocker(&self, parts: &[&str]) {
        self.assert_finding("BLOCKER", parts);
        self.assert_ends("preflight: 1 blockers, 0 warnings (1 checks skipped)", 1);
    }

    /// Asserts the summary (the last line) and the exit status.
    fn assert_ends(&self, summary: &str, code: i32) {
        assert_eq!(self.stdout.lines().last(), Some(summary), "\n{self}");
        assert_eq!(self.code, code, "exit status\n{self}");
        for output in [&self.stdout, &self.stderr] {
            assert!(
                !output.contains(SECRET_VALUE),
                "a secret was printed\n{self}"
            );
        }
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "--- exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// A moto account in one region, with the project's AWS CLI pointed at it.
struct Account {
    moto: MotoServer,
    region: &'static str,
}

impl Account {
    fn start(region: &'static str) -> Self {
        Self {
            moto: MotoServer::start(),
            region,
        }
    }

    /// A command with only moto's endpoint and dummy credentials: nothing
    /// of the caller's AWS or GitHub set-up leaks in.
    fn command(&self, program: impl Into<PathBuf>) -> Command {
        let mut c = Command::new(program.into());
        for var in [
            "AWS_PROFILE",
            "AWS_DEFAULT_PROFILE",
            "AWS_SESSION_TOKEN",
            "AWS_REGION",
            "AWS_DEFAULT_REGION",
            "GH_TOKEN",
            "GITHUB_TOKEN",
            "GH_REPO",
            "GH_HOST",
        ] {
            c.env_remove(var);
        }
        c.env("PATH", path_with_venv())
            .env("AWS_ENDPOINT_URL", self.moto.endpoint())
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_CONFIG_FILE", "/nonexistent/aws-config")
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                "/nonexistent/aws-credentials",
            )
            .env("AWS_EC2_METADATA_DISABLED", "true")
            // moto is local and never throttles: an error is final, not
            // retried with back-off (the region nobody knows answers 500).
            .env("AWS_MAX_ATTEMPTS", "1")
            .env("AWS_PAGER", "");
        c
    }

    /// `aws ARGS` in this account's region; its standard output.
    fn aws(&self, args: &[&str]) -> String {
        let out = testkit::output_of(
            self.command(venv_bin().join("aws"))
                .args(["--region", self.region])
                .args(args),
            &format!("aws {args:?}"),
        );
        String::from_utf8(out)
            .expect("aws prints UTF-8")
            .trim()
            .to_owned()
    }

    /// `scripts/preflight STACK --region REGION ARGS`.
    fn preflight(&self, stack: &str, args: &[&str], gh: Gh) -> Run {
        let dir = temp_dir("preflight-gh-");
        let out = self
            .command(workspace_root().join("scripts/preflight"))
            .args([stack, "--region", self.region])
            .args(args)
            .env("PREFLIGHT_GH", gh_command(&gh, &dir))
            .current_dir(dir.path())
            .output()
            .expect("scripts/preflight runs");
        Run {
            code: out.status.code().expect("preflight exited, not killed"),
            stdout: String::from_utf8(out.stdout).expect("UTF-8 output"),
            stderr: String::from_utf8(out.stderr).expect("UTF-8 progress"),
        }
    }

    fn bucket(&self, name: &str) {
        let constraint = format!("LocationConstraint={}", self.region);
        self.aws(&[
            "s3api",
            "create-bucket",
            "--bucket",
            name,
            "--create-bucket-configuration",
            &constraint,
        ]);
    }

    fn log_group(&self, name: &str) {
        self.aws(&["logs", "create-log-group", "--log-group-name", name]);
    }

    fn secret(&self, name: &str) {
        self.aws(&[
            "secretsmanager",
            "create-secret",
            "--name",
            name,
            "--secret-string",
            SECRET_VALUE,
        ]);
    }

    fn oidc_provider(&self) -> String {
        self.aws(&[
            "iam",
            "create-open-id-connect-provider",
            "--url",
            "https://token.actions.githubusercontent.com",
            "--client-id-list",
            "sts.amazonaws.com",
            "--thumbprint-list",
            "6938fd4d98bab03faadb97b34396831e3780aea1",
            "--query",
            "OpenIDConnectProviderArn",
            "--output",
            "text",
        ])
    }

    /// Deploys the real deploy/bootstrap.yaml as `NAME`, for `app_stack`.
    fn bootstrap(&self, name: &str, app_stack: &str) {
        let template = format!(
            "file://{}",
            workspace_root().join("deploy/bootstrap.yaml").display()
        );
        let app = format!("ParameterKey=AppStackName,ParameterValue={app_stack}");
        self.aws(&[
            "cloudformation",
            "create-stack",
            "--stack-name",
            name,
            "--template-body",
            &template,
            "--capabilities",
            "CAPABILITY_NAMED_IAM",
            "--parameters",
            "ParameterKey=GitHubOrg,ParameterValue=owner",
            "ParameterKey=GitHubRepo,ParameterValue=recipe-diff",
            &app,
        ]);
        let status = self.aws(&[
            "cloudformation",
            "describe-stacks",
            "--stack-name",
            name,
            "--query",
            "Stacks[0].StackStatus",
            "--output",
            "text",
        ]);
        assert_eq!(status, "CREATE_COMPLETE", "moto deploys the bootstrap");
    }

    fn bucket_name(&self, stack: &str, what: &str) -> String {
        format!("{stack}-{what}-{ACCOUNT}-{}", self.region)
    }

    /// A bucket named `<what>-<stack>-<account>-<region>` (the bootstrap's
    /// guard bucket).
    fn bucket_name_first(&self, what: &str, stack: &str) -> String {
        format!("{what}-{stack}-{ACCOUNT}-{}", self.region)
    }
}

#[test]
fn a_failed_deploys_leftovers_are_each_reported_with_the_fix() {
    let aws = Account::start("eu-west-1");
    let stack = "rd-fail";
    // What a rolled-back first deploy leaves (its retained resources), and
    // an OIDC provider from another project. A stack in ROLLBACK_COMPLETE
    // is not among them: moto's CloudFormation never rolls back.
    aws.bucket(&aws.bucket_name(stack, "uploads"));
    aws.log_group("/aws/lambda/rd-fail-recipe-server");
    aws.log_group("/aws/apigateway/rd-fail-api");
    aws.secret("rd-fail-object-id-secret");
    aws.aws(&[
        "secretsmanager",
        "delete-secret",
        "--secret-id",
        "rd-fail-object-id-secret",
        "--recovery-window-in-days",
        "7",
    ]);
    aws.secret("rd-fail-smoke-reader");
    let key = aws.aws(&[
        "kms",
        "create-key",
        "--query",
        "KeyMetadata.KeyId",
        "--output",
        "text",
    ]);
    aws.aws(&[
        "kms",
        "create-alias",
        "--alias-name",
        "alias/rd-fail-data",
        "--target-key-id",
        &key,
    ]);
    let pool = aws.aws(&[
        "cognito-idp",
        "create-user-pool",
        "--pool-name",
        "rd-fail-users",
        "--query",
        "UserPool.Id",
        "--output",
        "text",
    ]);
    aws.aws(&[
        "cognito-idp",
        "create-user-pool-domain",
        "--domain",
        "rd-fail-123456789012",
        "--user-pool-id",
        &pool,
    ]);
    aws.aws(&[
        "iam",
        "create-role",
        "--role-name",
        "github-deploy-rd-fail",
        "--assume-role-policy-document",
        r#"{"Version":"2012-10-17","Statement":[]}"#,
    ]);
    aws.aws(&[
        "iam",
        "create-policy",
        "--policy-name",
        "boundary-rd-fail",
        "--policy-document",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#,
    ]);
    let oidc = aws.oidc_provider();
    // Near misses, which are not the stack's names.
    aws.log_group("/aws/lambda/rd-fail-watcher-old");
    aws.secret("rd-fail-smoke-reader-old");
    aws.bucket(&aws.bucket_name("rd-failed", "logs"));

    let run = aws.preflight(stack, &[], Gh::Absent);

    run.assert_finding(
        "BLOCKER",
        &[
            "bucket rd-fail-uploads-123456789012-eu-west-1 exists",
            "Fix:",
        ],
    );
    run.assert_finding(
        "BLOCKER",
        &[
            "log group /aws/lambda/rd-fail-recipe-server exists",
            "aws logs delete-log-group --log-group-name /aws/lambda/rd-fail-recipe-server --region eu-west-1",
        ],
    );
    run.assert_finding("BLOCKER", &["log group /aws/apigateway/rd-fail-api exists"]);
    run.assert_finding(
        "BLOCKER",
        &[
            "secret rd-fail-object-id-secret is scheduled for deletion",
            "restore-secret --secret-id rd-fail-object-id-secret",
            "--force-delete-without-recovery",
        ],
    );
    run.assert_finding(
        "BLOCKER",
        &[
            "secret rd-fail-smoke-reader exists",
            "delete-secret --secret-id rd-fail-smoke-reader --force-delete-without-recovery",
        ],
    );
    run.assert_finding(
        "BLOCKER",
        &["KMS alias alias/rd-fail-data exists", &key, "delete-alias"],
    );
    run.assert_finding(
        "BLOCKER",
        &[
            "Cognito domain rd-fail-123456789012 exists",
            &format!("delete-user-pool-domain --domain rd-fail-123456789012 --user-pool-id {pool}"),
        ],
    );
    run.assert_finding(
        "BLOCKER",
        &[
            "IAM role github-deploy-rd-fail exists",
            "not from bootstrap stack rd-fail-bootstrap",
        ],
    );
    run.assert_finding("BLOCKER", &["IAM policy boundary-rd-fail exists"]);
    run.assert_finding(
        "WARNING",
        &[
            "GitHub's OIDC provider already",
            &format!("ExistingOidcProviderArn={oidc}"),
        ],
    );
    assert!(oidc.ends_with(":oidc-provider/token.actions.githubusercontent.com"));
    run.assert_finding("SKIPPED", &["GitHub repository variables", "not installed"]);
    for absent in [
        "rd-fail-logs-",
        "rd-fail-builds-",
        "rd-failed",
        "/aws/lambda/rd-fail-watcher",
        "/aws/lambda/rd-fail-sender",
        "cfn-execution-rd-fail",
        "-old",
    ] {
        run.assert_silent_on(absent);
    }
    assert!(
        run.stderr
            .contains("application stack rd-fail: not deployed yet")
    );
    run.assert_ends("preflight: 9 blockers, 1 warnings (1 checks skipped)", 1);
}

/// The six variables deploy.yml needs, as a bootstrap for `stack` in
/// eu-west-1 on moto sets them.
fn variables_of(stack: &str) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_REGION", "eu-west-1".to_owned()),
        ("STACK_NAME", stack.to_owned()),
        (
            "DEPLOY_ROLE_ARN",
            format!("arn:aws:iam::{ACCOUNT}:role/github-deploy-{stack}"),
        ),
        (
            "CFN_EXECUTION_ROLE_ARN",
            format!("arn:aws:iam::{ACCOUNT}:role/cfn-execution-{stack}"),
        ),
        (
            "ARTIFACTS_BUCKET",
            format!("{stack}-builds-{ACCOUNT}-eu-west-1"),
        ),
        (
            "PERMISSIONS_BOUNDARY_ARN",
            format!("arn:aws:iam::{ACCOUNT}:policy/boundary-{stack}"),
        ),
    ]
}

fn borrowed<'a>(variables: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    variables.iter().map(|(n, v)| (*n, v.as_str())).collect()
}

#[test]
fn a_clean_account_has_no_findings() {
    let aws = Account::start("eu-west-1");
    let variables = variables_of("rd-clean");
    let run = aws.preflight("rd-clean", &[], Gh::Variables(&borrowed(&variables), &[]));
    assert_eq!(run.stdout, "preflight: 0 blockers, 0 warnings\n", "\n{run}");
    run.assert_ends("preflight: 0 blockers, 0 warnings", 0);

    // gh there but signed out: said, not passed in silence.
    let run = aws.preflight("rd-clean", &[], Gh::SignedOut);
    run.assert_finding("SKIPPED", &["GitHub repository variables", "gh auth login"]);
    run.assert_ends("preflight: 0 blockers, 0 warnings (1 checks skipped)", 0);
}

#[test]
fn healthy_stacks_own_their_names_and_the_variables_match_the_bootstrap() {
    let aws = Account::start("eu-west-1");
    let stack = "rd-live";
    // The real bootstrap template; it makes the OIDC provider, the
    // artifacts bucket, both roles and the boundary policy.
    aws.bootstrap("rd-live-bootstrap", stack);
    // An application stack that owns some of the stack's names.
    let template = format!(
        r#"{{"Resources": {{
  "Logs": {{"Type": "AWS::Logs::LogGroup", "Properties": {{"LogGroupName": "/aws/lambda/{stack}-watcher"}}}},
  "Uploads": {{"Type": "AWS::S3::Bucket", "Properties": {{"BucketName": "{}"}}}}}}}}"#,
        aws.bucket_name(stack, "uploads")
    );
    aws.aws(&[
        "cloudformation",
        "create-stack",
        "--stack-name",
        stack,
        "--template-body",
        &template,
    ]);

    let mut repository = variables_of(stack);
    // Until the guard hook's rules are uploaded (docs/deploy.md), every
    // deploy would be refused.
    let run = aws.preflight(stack, &[], Gh::Variables(&borrowed(&repository), &[]));
    run.assert_finding(
        "BLOCKER",
        &[
            "the guard hook's rules are not uploaded",
            &format!(
                "aws s3 cp deploy/guard/application-stack.guard s3://{}/application-stack.guard",
                aws.bucket_name_first("guard", stack)
            ),
        ],
    );
    let rules = workspace_root().join("deploy/guard/application-stack.guard");
    aws.aws(&[
        "s3",
        "cp",
        &rules.display().to_string(),
        &format!(
            "s3://{}/application-stack.guard",
            aws.bucket_name_first("guard", stack)
        ),
    ]);

    // A stale role in the repository's variables, the right one in the
    // environment's (which wins); a wrong execution role; no boundary.
    let deploy_role = repository[2].1.clone();
    repository[2].1 = "arn:aws:iam::123456789012:role/old-deploy-role".to_owned();
    repository[3].1 = "arn:aws:iam::123456789012:role/cfn-execution-other".to_owned();
    repository.pop();
    let run = aws.preflight(
        stack,
        &[],
        Gh::Variables(
            &borrowed(&repository),
            &[("DEPLOY_ROLE_ARN", deploy_role.as_str())],
        ),
    );
    run.assert_finding(
        "BLOCKER",
        &[
            "repository variable CFN_EXECUTION_ROLE_ARN is 'arn:aws:iam::123456789012:role/cfn-execution-other'",
            "gh variable set CFN_EXECUTION_ROLE_ARN --body 'arn:aws:iam::123456789012:role/cfn-execution-rd-live'",
        ],
    );
    run.assert_finding(
        "BLOCKER",
        &[
            "repository variable PERMISSIONS_BOUNDARY_ARN is not set",
            "gh variable set PERMISSIONS_BOUNDARY_ARN --body 'arn:aws:iam::123456789012:policy/boundary-rd-live'",
        ],
    );
    for owned in [
        "rd-live-uploads-",
        "rd-live-builds-",
        "/aws/lambda/rd-live-watcher",
        "github-deploy-rd-live",
        "boundary-rd-live exists",
        "OIDC",
        "DEPLOY_ROLE_ARN",
    ] {
        run.assert_silent_on(owned);
    }
    assert!(
        run.stderr
            .contains("application stack rd-live: CREATE_COMPLETE (a deploy updates it)"),
        "\n{run}"
    );
    assert!(
        run.stderr
            .contains("GitHub OIDC provider: settled by bootstrap stack rd-live-bootstrap"),
        "\n{run}"
    );
    run.assert_ends("preflight: 2 blockers, 0 warnings", 1);

    // The same bootstrap named for another stack: its roles would manage
    // none of this one's names.
    let run = aws.preflight(
        "rd-other",
        &["--bootstrap-stack", "rd-live-bootstrap"],
        Gh::Absent,
    );
    // Its IAM names are taken by nothing, so only the mismatch blocks.
    run.assert_sole_blocker(&[
        "bootstrap stack rd-live-bootstrap was made for AppStackName=rd-live, not rd-other",
    ]);
}

#[test]
fn names_too_long_or_refused_are_blockers() {
    let aws = Account::start("ap-southeast-1");
    // 27 characters, the most the bootstrap allows, in a 14-character
    // region (the longest AWS has): every bucket name fits S3's 63, the
    // uploads bucket's exactly.
    let stack = "recipe-diff-production-eu1x";
    assert_eq!(stack.len(), 27);
    let run = aws.preflight(stack, &[], Gh::Absent);
    run.assert_silent_on("characters, S3 allows 63");
    run.assert_ends("preflight: 0 blockers, 0 warnings (1 checks skipped)", 0);

    // A longer region name than any AWS has today would not fit.
    let far = Account::start("ap-southeasterly-1");
    let run = far.preflight(stack, &[], Gh::Absent);
    run.assert_finding(
        "BLOCKER",
        &[
            &format!("bucket name {stack}-uploads-123456789012-ap-southeasterly-1 has 67 characters, S3 allows 63"),
            "at most 23 characters",
        ],
    );

    // 28 characters: past the bootstrap's AppStackName pattern.
    let long = format!("{stack}y");
    let run = aws.preflight(&long, &[], Gh::Absent);
    run.assert_finding(
        "BLOCKER",
        &[&format!(
            "stack name '{long}' (28 characters) does not match"
        )],
    );
    assert!(run.code == 1 && run.lines("BLOCKER").len() >= 2, "\n{run}");

    // Cognito refuses domain prefixes with aws, amazon or cognito in them.
    let run = aws.preflight("laws-recipes", &[], Gh::Absent);
    run.assert_sole_blocker(&["Cognito domain prefix laws-recipes-123456789012 contains 'aws'"]);
}

#[test]
fn regions_without_the_services_are_found() {
    // moto's copy of AWS's region table has no Cognito user pools in
    // cn-north-1, and the script's arm64 list has no China region.
    let aws = Account::start("cn-north-1");
    let run = aws.preflight("rd-region", &[], Gh::Absent);
    run.assert_finding("BLOCKER", &["has no cognito-idp in cn-north-1"]);
    run.assert_silent_on("has no lambda");
    run.assert_silent_on("has no apigateway");
    run.assert_finding(
        "WARNING",
        &["cn-north-1 is not in this script's list of regions with Lambda arm64"],
    );
    assert_eq!(run.code, 1, "\n{run}");

    // A region nobody knows: the region table gives nothing, and every
    // check that AWS cannot answer is a warning, never a silent pass.
    let aws = Account::start("xx-test-1");
    let run = aws.preflight("rd-region", &[], Gh::Absent);
    assert!(
        run.stderr.contains("AWS's region table did not answer"),
        "\n{run}"
    );
    run.assert_finding("WARNING", &["xx-test-1 is not in this script's list"]);
    run.assert_finding(
        "WARNING",
        &["could not check secret rd-region-smoke-reader"],
    );
    run.assert_finding(
        "WARNING",
        &["could not check log group /aws/lambda/rd-region-watcher"],
    );
    assert_eq!(run.code, 0, "\n{run}");
}

/// The script's source, where a template's name must appear as a quoted
/// bash string (`"${stack}-uploads-${account}-${region}"`).
fn script() -> String {
    std::fs::read_to_string(workspace_root().join("scripts/preflight")).expect("scripts/preflight")
}

#[test]
fn every_fixed_name_in_the_templates_is_checked() {
    let script = script();
    // The resource types whose names are unique in an account or region
    // and that can outlive a failed deploy, with the property naming them.
    let named = [
        ("AWS::S3::Bucket", "BucketName"),
        ("AWS::Logs::LogGroup", "LogGroupName"),
        ("AWS::SecretsManager::Secret", "Name"),
        ("AWS::KMS::Alias", "AliasName"),
        ("AWS::Cognito::UserPoolDomain", "Domain"),
        ("AWS::IAM::Role", "RoleName"),
        ("AWS::IAM::ManagedPolicy", "ManagedPolicyName"),
    ];
    let mut checked = BTreeSet::new();
    for file in ["template.yaml", "deploy/bootstrap.yaml"] {
        let t = yaml_file(file);
        for (kind, property) in named {
            for (id, resource) in of_type(&t, kind) {
                let name = &resource["Properties"][property];
                let pattern = match name {
                    Value::Null => continue, // CloudFormation names it: no collision
                    Value::String(s) => s.as_str(),
                    other => other["Fn::Sub"].as_str().unwrap_or_else(|| {
                        panic!("{file} {id}: {property} is not a !Sub string: {other}")
                    }),
                };
                let bash = pattern
                    .replace("${AWS::StackName}", "${stack}")
                    .replace("${AppStackName}", "${stack}")
                    .replace("${AWS::AccountId}", "${account}")
                    .replace("${AWS::Region}", "${region}");
                assert!(
                    script.contains(&format!("\"{bash}\"")),
                    "{file} {id} is named {pattern}: scripts/preflight must check \"{bash}\" for leftovers"
                );
                checked.insert(bash);
            }
        }
    }
    assert!(checked.len() >= 14, "only {checked:?}");

    // The stack name's rule is the bootstrap's.
    let bootstrap = yaml_file("deploy/bootstrap.yaml");
    let pattern = bootstrap["Parameters"]["AppStackName"]["AllowedPattern"]
        .as_str()
        .expect("AppStackName has an AllowedPattern");
    assert!(
        script.contains(&format!("[[ ! $stack =~ {pattern} ]]")),
        "scripts/preflight must check the stack name against {pattern}"
    );

    // Every variable it checks is read by deploy.yml, and comes from a
    // bootstrap output that exists.
    let workflow = std::fs::read_to_string(workspace_root().join(".github/workflows/deploy.yml"))
        .expect("deploy.yml");
    let list = script
        .split_once("variables=\"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(list, _)| list)
        .expect("scripts/preflight lists variables=\"NAME:Output …\"");
    let pairs: Vec<&str> = list.split_whitespace().collect();
    assert_eq!(pairs.len(), 6, "{pairs:?}");
    for pair in pairs {
        let (variable, output) = pair.split_once(':').expect("NAME:Output");
        assert!(
            workflow.contains(&format!("vars.{variable}")),
            "deploy.yml does not read vars.{variable}"
        );
        assert!(
            bootstrap["Outputs"][output].is_object(),
            "deploy/bootstrap.yaml has no output {output}"
        );
    }
}
