//! Requests evaluated the way AWS authorises them, offline: the identity
//! policies, the permissions boundary and the resource policy together
//! (a KMS key's policy decides whether IAM policies count at all), by
//! `@cloud-copilot/iam-simulate` (`deploy/node/simulate.mjs`, installed
//! from its lock by `scripts/test-tools`).

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::workspace_root;

/// What a request should come to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// The request must be allowed.
    Allow,
    /// The request must be refused (explicitly or for want of an allow).
    Deny,
}

/// One request to evaluate, with the policies that apply to it.
#[derive(Clone, Debug)]
pub struct Request {
    /// Who asks and why, for the report.
    pub name: String,
    /// The principal's ARN (a role session, a role, a service).
    pub principal: String,
    /// `service:Action`.
    pub action: String,
    /// The resource: an ARN, or candidates of which the first of a type
    /// the action takes is used (`"*"` for an action that takes none).
    pub resource: Resource,
    /// The request context (`aws:PrincipalArn`, `kms:ViaService`, …).
    pub context: Value,
    /// The principal's identity policies: `(name, document)`.
    pub identity: Vec<(String, Value)>,
    /// The principal's permissions boundary, if it has one.
    pub boundary: Option<(String, Value)>,
    /// The resource's policy (a key policy, a bucket policy, …), if any.
    pub resource_policy: Option<(String, Value)>,
    /// What the request should come to.
    pub expect: Expect,
}

/// A request's resource.
#[derive(Clone, Debug)]
pub enum Resource {
    /// This ARN.
    Arn(String),
    /// The first of these ARNs that is of a type the action takes.
    FirstOf(Vec<String>),
}

/// What AWS would decide.
#[derive(Clone, Debug)]
pub struct Decision {
    /// The request's name.
    pub name: String,
    /// The resource the request was evaluated on.
    pub resource: String,
    /// `Allowed`, `ExplicitlyDenied`, `ImplicitlyDenied` or `Error`.
    pub decision: String,
    /// The statements that decided it.
    pub deciding: Vec<String>,
    /// What was wrong with the request, when the decision is `Error`.
    pub errors: Option<String>,
}

impl Decision {
    /// Whether the decision is what `expect` says.
    pub fn meets(&self, expect: Expect) -> bool {
        match expect {
            Expect::Allow => self.decision == "Allowed",
            Expect::Deny => matches!(
                self.decision.as_str(),
                "ExplicitlyDenied" | "ImplicitlyDenied"
            ),
        }
    }
}

impl Request {
    fn to_json(&self) -> Value {
        let policy = |(name, doc): &(String, Value)| json!({"name": name, "policy": doc});
        json!({
            "name": self.name,
            "principal": self.principal,
            "action": self.action,
            "resource": match &self.resource {
                Resource::Arn(arn) => json!(arn),
                Resource::FirstOf(candidates) => json!({"candidates": candidates}),
            },
            "accountId": crate::deployment::ACCOUNT,
            "context": self.context,
            "identityPolicies": self.identity.iter().map(policy).collect::<Vec<_>>(),
            "boundary": self.boundary.as_ref().map(|b| vec![policy(b)]),
            "resourcePolicy": self.resource_policy.as_ref().map(policy),
        })
    }
}

/// Evaluates `requests`, one decision each, in order.
///
/// # Panics
/// When the evaluator is not installed (run `scripts/test-tools`) or fails.
pub fn evaluate(requests: &[Request]) -> Vec<Decision> {
    let root = workspace_root();
    let script = root.join("deploy/node/simulate.mjs");
    let installed = root.join("deploy/node/node_modules/@cloud-copilot/iam-simulate");
    assert!(
        installed.exists(),
        "the IAM evaluator is not installed: run scripts/test-tools (npm ci in deploy/node)"
    );
    let input = json!({"requests": requests.iter().map(Request::to_json).collect::<Vec<_>>()});
    let mut child = Command::new("node")
        .arg(&script)
        .current_dir(&root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("node runs (Node.js is needed for the deployment checks)");
    child
        .stdin
        .take()
        .expect("a pipe")
        .write_all(input.to_string().as_bytes())
        .expect("the requests are written");
    let out = child.wait_with_output().expect("node ends");
    assert!(
        out.status.success(),
        "deploy/node/simulate.mjs failed: {}",
        out.status
    );
    let answer: Value = serde_json::from_slice(&out.stdout).expect("the evaluator prints JSON");
    answer["decisions"]
        .as_array()
        .expect("decisions")
        .iter()
        .map(|d| Decision {
            name: d["name"].as_str().unwrap_or_default().to_owned(),
            resource: d["resource"].as_str().unwrap_or_default().to_owned(),
            decision: d["decision"].as_str().unwrap_or_default().to_owned(),
            deciding: d["deciding"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
            errors: (!d["errors"].is_null()).then(|| d["errors"].to_string()),
        })
        .collect()
}

/// Evaluates `requests` and prints each one: the request, the decision and
/// the statements that decided it. Returns a line for every request whose
/// decision is not the expected one.
pub fn check(requests: &[Request]) -> Vec<String> {
    let decisions = evaluate(requests);
    let mut wrong = Vec::new();
    for (request, decision) in requests.iter().zip(&decisions) {
        let ok = decision.meets(request.expect);
        let line = format!(
            "{} {:<6} {} {} on {} -> {} ({}){}",
            if ok { "ok " } else { "BAD" },
            format!("{:?}", request.expect).to_lowercase(),
            request.name,
            request.action,
            decision.resource,
            decision.decision,
            decision.deciding.join("; "),
            decision
                .errors
                .as_deref()
                .map(|e| format!(" error: {e}"))
                .unwrap_or_default(),
        );
        println!("{line}");
        if !ok {
            wrong.push(line);
        }
    }
    wrong
}
