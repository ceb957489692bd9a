//! The deployment's principals and policies, resolved for one deployment on
//! paper ([`crate::deployment`]), and the requests they make: what
//! CloudFormation's execution role, each function and the deploy job must
//! be able to do, built into [`Request`]s for the offline evaluator. The
//! expectations themselves are the tests in `tests/grants.rs`.

use std::collections::BTreeSet;
use std::process::Command;

use serde_json::{Map, Value, json};

use crate::deployment::{
    ACCOUNT, APP_STACK, BOOTSTRAP_STACK, PARTITION, REGION, Stack, session_of,
};
use crate::simulate::{Expect, Request, Resource};
use crate::{as_list, workspace_root, yaml_file};

/// The bootstrap stack and the application stack (as CloudFormation sees
/// it after the SAM transform), deployed in one account and region, and
/// the permissions CloudFormation's resource handlers publish for the
/// application's resource types.
pub struct World {
    /// `deploy/bootstrap.yaml`, deployed as docs/deploy.md says.
    pub bootstrap: Stack,
    /// `template.yaml` after the SAM transform, deployed with the
    /// bootstrap's permissions boundary.
    pub app: Stack,
    /// Resource type -> handler (`create`, `read`, …) -> permissions.
    pub handlers: Value,
}

/// A policy: its name (for the report) and its document.
pub type Policy = (String, Value);

/// The function binaries and their logical ids in the application stack.
pub const FUNCTIONS: [(&str, &str); 4] = [
    ("watcher", "WatcherFunction"),
    ("sender", "SenderFunction"),
    ("recipe-server", "RecipeServerFunction"),
    ("exporter", "ExporterFunction"),
];

impl World {
    /// Both stacks, resolved.
    ///
    /// # Panics
    /// When the SAM translator is not installed (run `scripts/test-tools`).
    pub fn new() -> Self {
        let bootstrap = Stack::new(
            BOOTSTRAP_STACK,
            yaml_file("deploy/bootstrap.yaml"),
            &[
                ("GitHubOrg", json!("cook-co")),
                ("GitHubRepo", json!("recipe-diff")),
                ("AppStackName", json!(APP_STACK)),
            ],
        );
        let transformed = transformed_template();
        let boundary = bootstrap.reference("AppPermissionsBoundary");
        let app = Stack::new(
            APP_STACK,
            transformed["template"].clone(),
            &[
                ("PermissionsBoundaryArn", json!(boundary)),
                // Every conditional resource made: the alarm subscription.
                ("AlarmEmail", json!("kitchen@example.com")),
            ],
        );
        World {
            bootstrap,
            app,
            handlers: transformed["handlers"].clone(),
        }
    }

    /// The resolved inline policies of a role of `stack`: `(name, document)`.
    pub fn role_policies(stack: &Stack, role: &str) -> Vec<(String, Value)> {
        let props = stack.properties(role);
        as_list(&props["Policies"])
            .into_iter()
            .map(|p| {
                (
                    format!("{role}/{}", p["PolicyName"].as_str().unwrap_or_default()),
                    p["PolicyDocument"].clone(),
                )
            })
            .collect()
    }

    /// The permissions boundary every application role carries.
    pub fn boundary(&self) -> (String, Value) {
        let props = self.bootstrap.properties("AppPermissionsBoundary");
        ("boundary".to_owned(), props["PolicyDocument"].clone())
    }

    /// The application's role `role`: its ARN, its policies and its boundary.
    pub fn app_role(&self, role: &str) -> (String, Vec<Policy>, Option<Policy>) {
        let props = self.app.properties(role);
        let boundary = props
            .get("PermissionsBoundary")
            .filter(|b| b.is_string())
            .map(|_| self.boundary());
        (
            self.app.arn(role),
            Self::role_policies(&self.app, role),
            boundary,
        )
    }

    /// The function `binary`'s logical id, ARN and role's logical id.
    ///
    /// # Panics
    /// When there is no such function.
    pub fn function(&self, binary: &str) -> (String, String, String) {
        let (_, id) = FUNCTIONS
            .iter()
            .find(|(b, _)| *b == binary)
            .unwrap_or_else(|| panic!("no function {binary}"));
        let role = self.app.resource(id)["Properties"]["Role"]["Fn::GetAtt"][0]
            .as_str()
            .unwrap_or_else(|| panic!("{id}'s role is a role of the stack"))
            .to_owned();
        ((*id).to_owned(), self.app.arn(id), role)
    }

    /// The resource policy that AWS evaluates with a request on `arn`: the
    /// key's policy, a bucket's, a queue's, the table's or the topic's
    /// (trust policies are given where a role is assumed).
    pub fn resource_policy(&self, arn: &str) -> Option<(String, Value)> {
        let app = &self.app;
        for id in app.resource_ids() {
            let r = app.resource(&id);
            let kind = r["Type"].as_str().unwrap_or_default();
            match kind {
                "AWS::KMS::Key" if arn == app.arn(&id) => {
                    return Some((
                        format!("{id} key policy"),
                        app.properties(&id)["KeyPolicy"].clone(),
                    ));
                }
                "AWS::S3::BucketPolicy" => {
                    let props = app.properties(&id);
                    let bucket = props["Bucket"].as_str().unwrap_or_default();
                    let bucket_arn = format!("arn:{PARTITION}:s3:::{bucket}");
                    if arn == bucket_arn || arn.starts_with(&format!("{bucket_arn}/")) {
                        return Some((id, props["PolicyDocument"].clone()));
                    }
                }
                "AWS::SQS::QueuePolicy" => {
                    let props = app.properties(&id);
                    let urls: Vec<&str> = as_list(&props["Queues"])
                        .into_iter()
                        .filter_map(Value::as_str)
                        .collect();
                    let queue = arn.rsplit(':').next().unwrap_or_default();
                    if arn.starts_with("arn:aws:sqs:")
                        && urls.iter().any(|u| u.ends_with(&format!("/{queue}")))
                    {
                        return Some((id, props["PolicyDocument"].clone()));
                    }
                }
                "AWS::DynamoDB::Table"
                    if arn == app.arn(&id) || arn.starts_with(&format!("{}/", app.arn(&id))) =>
                {
                    let props = app.properties(&id);
                    return props["ResourcePolicy"]
                        .get("PolicyDocument")
                        .map(|doc| (format!("{id} resource policy"), doc.clone()));
                }
                "AWS::SNS::TopicPolicy" => {
                    let props = app.properties(&id);
                    if as_list(&props["Topics"])
                        .iter()
                        .any(|t| t.as_str() == Some(arn))
                    {
                        return Some((id, props["PolicyDocument"].clone()));
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// The context a request on `arn` carries from the resource: its tags
    /// (the key and the pool carry the application's tag, which policies
    /// read).
    fn resource_context(&self, arn: &str, context: &mut Map<String, Value>) {
        let tagged = self
            .app
            .resource_ids()
            .into_iter()
            .filter(|id| {
                matches!(
                    self.app.resource(id)["Type"].as_str(),
                    Some("AWS::KMS::Key" | "AWS::Cognito::UserPool")
                )
            })
            .any(|id| self.app.arn(&id) == arn);
        if tagged {
            context
                .entry("aws:ResourceTag/app")
                .or_insert_with(|| json!("recipe-diff"));
        }
    }

    /// A request by a function's code: its role's session, with the context
    /// Lambda gives requests from the function's execution environment.
    pub fn by_function(&self, binary: &str, action: &str, resource: &str, extra: Value) -> Request {
        let (_, function_arn, role) = self.function(binary);
        let (role_arn, identity, boundary) = self.app_role(&role);
        let mut context = base_context(&role_arn);
        context.insert("lambda:SourceFunctionArn".into(), json!(function_arn));
        merge(&mut context, extra);
        self.resource_context(resource, &mut context);
        Request {
            name: format!("{binary}'s code"),
            principal: session_of(&role_arn, &format!("{APP_STACK}-{binary}")),
            action: action.to_owned(),
            resource: Resource::Arn(resource.to_owned()),
            context: Value::Object(context),
            identity,
            boundary,
            resource_policy: self.resource_policy(resource),
            expect: Expect::Allow,
        }
    }

    /// A request Lambda makes for a function outside its execution
    /// environment with the function's role (an event source mapping's
    /// polling, an on-failure destination): no `lambda:SourceFunctionArn`
    /// (AWS Lambda developer guide, "Using source function ARN to control
    /// function access behavior").
    pub fn by_lambda_for(
        &self,
        binary: &str,
        why: &str,
        action: &str,
        resource: &str,
        extra: Value,
    ) -> Request {
        let mut request = self.by_function(binary, action, resource, extra);
        if let Value::Object(context) = &mut request.context {
            context.remove("lambda:SourceFunctionArn");
        }
        request.name = format!("Lambda for the {binary} ({why})");
        request
    }

    /// A request by CloudFormation with its execution role.
    pub fn by_cloudformation(
        &self,
        what: &str,
        action: &str,
        resource: Resource,
        extra: Value,
    ) -> Request {
        let role = self.bootstrap.arn("CfnExecutionRole");
        let mut context = base_context(&role);
        merge(&mut context, extra);
        let resource_policy = match &resource {
            Resource::Arn(arn) => self.resource_policy(arn),
            Resource::FirstOf(_) => None,
        };
        Request {
            name: format!("CloudFormation ({what})"),
            principal: session_of(&role, "AWSCloudFormation"),
            action: action.to_owned(),
            resource,
            context: Value::Object(context),
            identity: Self::role_policies(&self.bootstrap, "CfnExecutionRole"),
            boundary: None,
            resource_policy,
            expect: Expect::Allow,
        }
    }

    /// A request by the deploy job with the deploy role.
    pub fn by_deploy_job(&self, what: &str, action: &str, resource: &str, extra: Value) -> Request {
        let role = self.bootstrap.arn("GitHubDeployRole");
        let mut context = base_context(&role);
        merge(&mut context, extra);
        self.resource_context(resource, &mut context);
        Request {
            name: format!("the deploy job ({what})"),
            principal: session_of(&role, "recipe-diff-deploy-1234567890"),
            action: action.to_owned(),
            resource: Resource::Arn(resource.to_owned()),
            context: Value::Object(context),
            identity: Self::role_policies(&self.bootstrap, "GitHubDeployRole"),
            boundary: None,
            resource_policy: self.resource_policy(resource),
            expect: Expect::Allow,
        }
    }

    /// A request by an AWS service principal on a resource of the stack,
    /// decided by the resource's policy (`policy`, or the one
    /// [`World::resource_policy`] finds).
    pub fn by_service(
        &self,
        service: &str,
        action: &str,
        resource: &str,
        context: Value,
        policy: Option<(String, Value)>,
    ) -> Request {
        Request {
            name: format!("the service {service}"),
            principal: service.to_owned(),
            action: action.to_owned(),
            resource: Resource::Arn(resource.to_owned()),
            context,
            identity: Vec::new(),
            boundary: None,
            resource_policy: policy.or_else(|| self.resource_policy(resource)),
            expect: Expect::Allow,
        }
    }

    /// A request by a principal of the account outside the stack that holds
    /// every IAM permission (`AdministratorAccess`).
    pub fn by_account_administrator(&self, action: &str, resource: &str, extra: Value) -> Request {
        let role = format!("arn:{PARTITION}:iam::{ACCOUNT}:role/Administrator");
        let mut context = base_context(&role);
        merge(&mut context, extra);
        self.resource_context(resource, &mut context);
        Request {
            name: "an account administrator outside the stack".to_owned(),
            principal: session_of(&role, "someone"),
            action: action.to_owned(),
            resource: Resource::Arn(resource.to_owned()),
            context: Value::Object(context),
            identity: vec![(
                "AdministratorAccess".to_owned(),
                json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
            )],
            boundary: None,
            resource_policy: self.resource_policy(resource),
            expect: Expect::Deny,
        }
    }

    /// Every ARN a resource of the application stack has, then those of the
    /// resources its properties name, then the function code's object in
    /// the artifacts bucket: where CloudFormation's handler for the
    /// resource acts.
    pub fn candidates(&self, id: &str) -> Vec<String> {
        let app = &self.app;
        let mut found: Vec<String> = Vec::new();
        let mut push = |arn: String| {
            if !found.contains(&arn) {
                found.push(arn);
            }
        };
        for (owner, arn) in app.arns() {
            if owner == id {
                // A log group's Arn attribute ends ":*"; requests name the
                // group itself.
                if let Some(group) = arn.strip_suffix(":*") {
                    push(group.to_owned());
                }
                push(arn);
            }
        }
        let kind = app.resource(id)["Type"].as_str().unwrap_or_default();
        let props = app.properties(id);
        for arn in api_gateway_arns(app, id, kind, &props) {
            push(arn);
        }
        let mut named = BTreeSet::new();
        referenced(&app.resource(id)["Properties"], &mut named);
        for other in named {
            for (owner, arn) in app.arns() {
                if owner == other {
                    if let Some(group) = arn.strip_suffix(":*") {
                        push(group.to_owned());
                    }
                    push(arn);
                }
            }
        }
        if let Some(bucket) = props["Code"]["S3Bucket"].as_str() {
            let key = props["Code"]["S3Key"].as_str().unwrap_or_default();
            let _ = bucket;
            push(format!(
                "arn:{PARTITION}:s3:::{}/{key}",
                self.bootstrap.reference("ArtifactsBucket")
            ));
        }
        found
    }
}

impl Default for World {
    fn default() -> Self {
        Self::new()
    }
}

/// The context every signed request carries.
fn base_context(principal_role: &str) -> Map<String, Value> {
    let mut context = Map::new();
    context.insert("aws:PrincipalArn".into(), json!(principal_role));
    context.insert("aws:PrincipalAccount".into(), json!(ACCOUNT));
    context.insert("aws:SecureTransport".into(), json!("true"));
    context
}

fn merge(context: &mut Map<String, Value>, extra: Value) {
    if let Value::Object(extra) = extra {
        context.extend(extra);
    }
}

/// The logical ids a template value names (`Ref`, `Fn::GetAtt`, `${Id}` and
/// `${Id.Attribute}` in `Fn::Sub`).
fn referenced(value: &Value, into: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match key.as_str() {
                    "Ref" => {
                        if let Some(id) = v.as_str().filter(|s| !s.starts_with("AWS::")) {
                            into.insert(id.to_owned());
                        }
                    }
                    "Fn::GetAtt" => {
                        if let Some(id) = v.get(0).and_then(Value::as_str) {
                            into.insert(id.to_owned());
                        }
                    }
                    "Fn::Sub" => {
                        let text = v
                            .as_str()
                            .or_else(|| v.get(0)?.as_str())
                            .unwrap_or_default();
                        for part in text.split("${").skip(1) {
                            let name = part.split('}').next().unwrap_or_default();
                            let id = name.split('.').next().unwrap_or_default();
                            if !id.starts_with("AWS::") && !id.starts_with('!') {
                                into.insert(id.to_owned());
                            }
                        }
                        referenced(v, into);
                    }
                    _ => referenced(v, into),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| referenced(i, into)),
        _ => {}
    }
}

/// API Gateway's ARNs for an HTTP API's parts (`/apis/ID`, its routes,
/// stages, …, and `/tags/…`), which its handlers act on.
fn api_gateway_arns(app: &Stack, id: &str, kind: &str, props: &Value) -> Vec<String> {
    let base = format!("arn:{PARTITION}:apigateway:{REGION}::");
    let api = props["ApiId"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| {
            if kind == "AWS::ApiGatewayV2::Api" {
                app.reference(id)
            } else {
                String::new()
            }
        });
    if api.is_empty() || !kind.starts_with("AWS::ApiGatewayV2::") {
        return Vec::new();
    }
    let part = match kind {
        "AWS::ApiGatewayV2::Route" => format!("/routes/{}", app.reference(id)),
        "AWS::ApiGatewayV2::Stage" => "/stages/$default".to_owned(),
        "AWS::ApiGatewayV2::Integration" => format!("/integrations/{}", app.reference(id)),
        "AWS::ApiGatewayV2::Authorizer" => format!("/authorizers/{}", app.reference(id)),
        _ => String::new(),
    };
    vec![
        format!("{base}/apis/{api}{part}"),
        format!("{base}/apis/{api}"),
        format!("{base}/apis"),
        format!(
            "{base}/tags/{}",
            format!("{base}/apis/{api}{part}").replace('/', "%2F")
        ),
    ]
}

/// `template.yaml` after the SAM transform, and its types' handler
/// permissions (`scripts/cfn-handlers.py`, run with the SAM CLI's Python).
///
/// # Panics
/// When the SAM CLI's venv is missing (run `scripts/test-tools`) or the
/// script fails.
pub fn transformed_template() -> Value {
    let root = workspace_root();
    let python = root.join(".tools/sam-venv/bin/python");
    assert!(
        python.exists(),
        "the SAM translator is not installed: run scripts/test-tools"
    );
    let out = testkit::output_of(
        Command::new(python)
            .arg(root.join("scripts/cfn-handlers.py"))
            .arg(root.join("template.yaml"))
            .current_dir(&root),
        "scripts/cfn-handlers.py",
    );
    serde_json::from_slice(&out).expect("scripts/cfn-handlers.py prints JSON")
}
