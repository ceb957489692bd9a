//! A deployment on paper: the bootstrap stack and the application stack as
//! CloudFormation would make them in one account and region, with every
//! intrinsic function (`Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::If`, …) of
//! their policies resolved to the names and ARNs the resources would get.
//! The authorization checks (`tests/grants.rs`) evaluate requests against
//! these resolved policies, as AWS would evaluate them after a deploy.
//!
//! Names follow CloudFormation's rules: a resource's own name property
//! where the template sets one, else `<stack>-<LogicalId>-<SUFFIX>`.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

/// The account of the deployment on paper.
pub const ACCOUNT: &str = "111122223333";
/// Its region: a long name, so that length limits are met with room.
pub const REGION: &str = "ap-southeast-2";
/// Its partition.
pub const PARTITION: &str = "aws";
/// The application stack's name (the templates' default).
pub const APP_STACK: &str = "recipe-diff";
/// The bootstrap stack's name (docs/deploy.md).
pub const BOOTSTRAP_STACK: &str = "recipe-diff-bootstrap";

/// One stack of the deployment: its template, the parameter values it was
/// deployed with, and the physical names and attributes of its resources.
pub struct Stack {
    /// The stack's name.
    pub name: String,
    /// The template (CloudFormation's JSON form).
    pub template: Value,
    parameters: Map<String, Value>,
    physical: BTreeMap<String, Physical>,
}

/// What a resource's `Ref` and `Fn::GetAtt` give.
#[derive(Clone, Debug, Default)]
struct Physical {
    reference: Value,
    attributes: Map<String, Value>,
}

impl Stack {
    /// A stack named `name` of `template`, deployed with `overrides` over
    /// the parameters' defaults.
    ///
    /// # Panics
    /// When a resource's name property cannot be resolved.
    pub fn new(name: &str, template: Value, overrides: &[(&str, Value)]) -> Self {
        let mut parameters = Map::new();
        if let Some(declared) = template["Parameters"].as_object() {
            for (key, p) in declared {
                if !p["Default"].is_null() {
                    parameters.insert(key.clone(), p["Default"].clone());
                }
            }
        }
        for (key, value) in overrides {
            parameters.insert((*key).to_owned(), value.clone());
        }
        let mut stack = Stack {
            name: name.to_owned(),
            template,
            parameters,
            physical: BTreeMap::new(),
        };
        // Names first (they depend on parameters and pseudo parameters
        // only), then everything built from them.
        let ids: Vec<String> = stack.resource_ids();
        for id in &ids {
            let physical = stack.physical_of(id);
            stack.physical.insert(id.clone(), physical);
        }
        stack
    }

    /// The logical ids of the resources the stack makes (those whose
    /// condition holds).
    pub fn resource_ids(&self) -> Vec<String> {
        self.template["Resources"]
            .as_object()
            .map(|r| {
                r.iter()
                    .filter(|(_, res)| res["Condition"].as_str().is_none_or(|c| self.condition(c)))
                    .map(|(id, _)| id.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A resource of the template, by logical id.
    ///
    /// # Panics
    /// When there is none.
    pub fn resource(&self, id: &str) -> &Value {
        let r = &self.template["Resources"][id];
        assert!(!r.is_null(), "{}: no resource {id}", self.name);
        r
    }

    /// A resource's properties with every intrinsic function resolved.
    pub fn properties(&self, id: &str) -> Value {
        self.resolve(&self.resource(id)["Properties"])
    }

    /// The ARN of a resource (its `Arn` attribute, or the `Ref` of those
    /// whose `Ref` is an ARN).
    ///
    /// # Panics
    /// When the resource has no ARN.
    pub fn arn(&self, id: &str) -> String {
        let p = self
            .physical
            .get(id)
            .unwrap_or_else(|| panic!("{}: no resource {id}", self.name));
        p.attributes
            .get("Arn")
            .or(Some(&p.reference))
            .and_then(Value::as_str)
            .filter(|s| s.starts_with("arn:"))
            .unwrap_or_else(|| panic!("{}: {id} has no ARN", self.name))
            .to_owned()
    }

    /// What `Ref` of a resource gives.
    ///
    /// # Panics
    /// When there is no such resource.
    pub fn reference(&self, id: &str) -> String {
        let p = self
            .physical
            .get(id)
            .unwrap_or_else(|| panic!("{}: no resource {id}", self.name));
        p.reference.as_str().unwrap_or_default().to_owned()
    }

    /// Every ARN the stack's resources have, by logical id.
    pub fn arns(&self) -> Vec<(String, String)> {
        let mut found = Vec::new();
        for (id, p) in &self.physical {
            for value in std::iter::once(&p.reference).chain(p.attributes.values()) {
                if let Some(arn) = value.as_str().filter(|s| s.starts_with("arn:")) {
                    found.push((id.clone(), arn.to_owned()));
                }
            }
        }
        found
    }

    /// Whether a condition of the template holds for this deployment.
    ///
    /// # Panics
    /// When the condition is not in the template.
    pub fn condition(&self, name: &str) -> bool {
        let c = &self.template["Conditions"][name];
        assert!(!c.is_null(), "{}: no condition {name}", self.name);
        self.truth(c)
    }

    fn truth(&self, c: &Value) -> bool {
        if let Some(name) = c.get("Condition").and_then(Value::as_str) {
            return self.condition(name);
        }
        if let Some(args) = c.get("Fn::Equals") {
            return self.resolve(&args[0]) == self.resolve(&args[1]);
        }
        if let Some(args) = c.get("Fn::Not") {
            return !self.truth(&args[0]);
        }
        if let Some(args) = c.get("Fn::And").and_then(Value::as_array) {
            return args.iter().all(|a| self.truth(a));
        }
        if let Some(args) = c.get("Fn::Or").and_then(Value::as_array) {
            return args.iter().any(|a| self.truth(a));
        }
        panic!("{}: a condition of an unknown form: {c}", self.name)
    }

    /// `value` with every intrinsic function resolved; `AWS::NoValue`
    /// removes the key or item that holds it.
    ///
    /// # Panics
    /// On an intrinsic function this resolver does not know.
    pub fn resolve(&self, value: &Value) -> Value {
        match value {
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|i| self.resolve(i))
                    .filter(|v| !is_no_value(v))
                    .collect(),
            ),
            Value::Object(map) if map.len() == 1 => {
                let (key, arg) = map.iter().next().expect("one entry");
                match key.as_str() {
                    "Ref" => self.reference_of(arg.as_str().unwrap_or_default()),
                    "Fn::GetAtt" => {
                        let (id, attribute) = match arg {
                            Value::Array(parts) => (
                                parts[0].as_str().unwrap_or_default().to_owned(),
                                parts[1].as_str().unwrap_or_default().to_owned(),
                            ),
                            Value::String(s) => {
                                let (id, attribute) = s.split_once('.').unwrap_or((s, ""));
                                (id.to_owned(), attribute.to_owned())
                            }
                            other => panic!("Fn::GetAtt of {other}"),
                        };
                        self.attribute(&id, &attribute)
                    }
                    "Fn::Sub" => Value::String(self.substitute(arg)),
                    "Fn::If" => {
                        let branch = if self.condition(arg[0].as_str().unwrap_or_default()) {
                            &arg[1]
                        } else {
                            &arg[2]
                        };
                        self.resolve(branch)
                    }
                    "Fn::Join" => {
                        let separator = arg[0].as_str().unwrap_or_default();
                        let parts = self.resolve(&arg[1]);
                        Value::String(
                            parts
                                .as_array()
                                .map(|p| p.iter().map(text).collect::<Vec<_>>().join(separator))
                                .unwrap_or_default(),
                        )
                    }
                    "Fn::Select" => {
                        let index = arg[0].as_u64().or_else(|| arg[0].as_str()?.parse().ok());
                        let list = self.resolve(&arg[1]);
                        index
                            .and_then(|i| list.get(usize::try_from(i).ok()?).cloned())
                            .unwrap_or(Value::Null)
                    }
                    "Fn::Split" => {
                        let separator = arg[0].as_str().unwrap_or_default();
                        let whole = text(&self.resolve(&arg[1]));
                        Value::Array(whole.split(separator).map(|s| json!(s)).collect())
                    }
                    "Fn::GetAZs" => json!([format!("{REGION}a"), format!("{REGION}b")]),
                    "Fn::Equals" | "Fn::Not" | "Fn::And" | "Fn::Or" | "Condition" => {
                        Value::Bool(self.truth(value))
                    }
                    k if k.starts_with("Fn::") => {
                        panic!(
                            "{}: an intrinsic function this resolver does not know: {k}",
                            self.name
                        )
                    }
                    _ => Value::Object(self.resolve_map(map)),
                }
            }
            Value::Object(map) => Value::Object(self.resolve_map(map)),
            other => other.clone(),
        }
    }

    fn resolve_map(&self, map: &Map<String, Value>) -> Map<String, Value> {
        map.iter()
            .map(|(k, v)| (k.clone(), self.resolve(v)))
            .filter(|(_, v)| !is_no_value(v))
            .collect()
    }

    fn reference_of(&self, name: &str) -> Value {
        match name {
            "AWS::AccountId" => json!(ACCOUNT),
            "AWS::Region" => json!(REGION),
            "AWS::Partition" => json!(PARTITION),
            "AWS::URLSuffix" => json!("amazonaws.com"),
            "AWS::StackName" => json!(self.name),
            "AWS::StackId" => json!(format!(
                "arn:{PARTITION}:cloudformation:{REGION}:{ACCOUNT}:stack/{}/00000000-0000-0000-0000-000000000000",
                self.name
            )),
            "AWS::NoValue" => json!({"AWS::NoValue": true}),
            "AWS::NotificationARNs" => json!([]),
            other => {
                if let Some(p) = self.parameters.get(other) {
                    return p.clone();
                }
                if let Some(p) = self.physical.get(other) {
                    return p.reference.clone();
                }
                // Asked for while the names are being made: a resource
                // whose name depends on another's must be made after it.
                if !self.template["Resources"][other].is_null() {
                    return self.physical_of(other).reference;
                }
                panic!("{}: Ref of an unknown name {other}", self.name)
            }
        }
    }

    fn attribute(&self, id: &str, attribute: &str) -> Value {
        let physical = self
            .physical
            .get(id)
            .cloned()
            .unwrap_or_else(|| self.physical_of(id));
        physical
            .attributes
            .get(attribute)
            .cloned()
            .unwrap_or_else(|| panic!("{}: {id} has no attribute {attribute}", self.name))
    }

    fn substitute(&self, arg: &Value) -> String {
        let (template, variables) = match arg {
            Value::String(s) => (s.as_str(), Map::new()),
            Value::Array(parts) => (
                parts[0].as_str().unwrap_or_default(),
                parts[1].as_object().cloned().unwrap_or_default(),
            ),
            other => panic!("Fn::Sub of {other}"),
        };
        let mut out = String::new();
        let mut rest = template;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            // "${!Literal}" is the literal "${Literal}".
            if let Some(literal) = after.strip_prefix('!') {
                let end = literal
                    .find('}')
                    .unwrap_or_else(|| panic!("an unclosed ${{! in {template}"));
                out.push_str("${");
                out.push_str(&literal[..=end]);
                rest = &literal[end + 1..];
                continue;
            }
            let end = after
                .find('}')
                .unwrap_or_else(|| panic!("an unclosed ${{ in {template}"));
            let name = &after[..end];
            let value = if let Some(v) = variables.get(name) {
                self.resolve(v)
            } else if let Some((id, attribute)) = name.split_once('.')
                && !id.starts_with("AWS:")
            {
                self.attribute(id, attribute)
            } else {
                self.reference_of(name)
            };
            out.push_str(&text(&value));
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        out
    }

    /// A resource's generated name: `<stack>-<LogicalId>-<SUFFIX>`, as
    /// CloudFormation makes one.
    fn generated_name(&self, id: &str) -> String {
        format!("{}-{id}-1A2B3C4D5E6F", self.name)
    }

    fn name_property(&self, id: &str, key: &str) -> String {
        let r = self.resource(id);
        match &r["Properties"][key] {
            Value::Null => self.generated_name(id),
            v => text(&self.resolve(v)),
        }
    }

    fn physical_of(&self, id: &str) -> Physical {
        let r = self.resource(id);
        let kind = r["Type"].as_str().unwrap_or_default();
        let here = format!("{REGION}:{ACCOUNT}");
        let mut attributes = Map::new();
        // An attribute of the resource, each a string.
        let mut set = |key: &str, value: &str| {
            attributes.insert(key.into(), json!(value));
        };
        let reference = match kind {
            "AWS::S3::Bucket" => {
                let name = self.name_property(id, "BucketName").to_lowercase();
                set("Arn", &format!("arn:{PARTITION}:s3:::{name}"));
                set("DomainName", &format!("{name}.s3.amazonaws.com"));
                json!(name)
            }
            "AWS::SQS::Queue" => {
                let name = self.name_property(id, "QueueName");
                let url = format!("https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}");
                set("Arn", &format!("arn:{PARTITION}:sqs:{here}:{name}"));
                set("QueueName", &name);
                set("QueueUrl", &url);
                json!(url)
            }
            "AWS::IAM::Role" => {
                let name = self.name_property(id, "RoleName");
                set(
                    "Arn",
                    &format!("arn:{PARTITION}:iam::{ACCOUNT}:role/{name}"),
                );
                set("RoleId", "AROAEXAMPLEROLEID");
                json!(name)
            }
            "AWS::IAM::ManagedPolicy" => {
                let name = self.name_property(id, "ManagedPolicyName");
                let a = format!("arn:{PARTITION}:iam::{ACCOUNT}:policy/{name}");
                set("PolicyArn", &a);
                json!(a)
            }
            "AWS::IAM::OIDCProvider" => {
                let a = format!(
                    "arn:{PARTITION}:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
                );
                set("Arn", &a);
                json!(a)
            }
            "AWS::Logs::LogGroup" => {
                let name = self.name_property(id, "LogGroupName");
                set(
                    "Arn",
                    &format!("arn:{PARTITION}:logs:{here}:log-group:{name}:*"),
                );
                json!(name)
            }
            "AWS::Serverless::Function" | "AWS::Lambda::Function" => {
                let name = self.name_property(id, "FunctionName");
                set(
                    "Arn",
                    &format!("arn:{PARTITION}:lambda:{here}:function:{name}"),
                );
                json!(name)
            }
            "AWS::KMS::Key" => {
                let key = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
                set("Arn", &format!("arn:{PARTITION}:kms:{here}:key/{key}"));
                set("KeyId", key);
                json!(key)
            }
            "AWS::KMS::Alias" => {
                let name = self.name_property(id, "AliasName");
                json!(name)
            }
            "AWS::DynamoDB::Table" => {
                let name = self.name_property(id, "TableName");
                set(
                    "Arn",
                    &format!("arn:{PARTITION}:dynamodb:{here}:table/{name}"),
                );
                set(
                    "StreamArn",
                    &format!(
                        "arn:{PARTITION}:dynamodb:{here}:table/{name}/stream/2026-01-01T00:00:00.000"
                    ),
                );
                json!(name)
            }
            "AWS::SecretsManager::Secret" => {
                let name = self.name_property(id, "Name");
                let a = format!("arn:{PARTITION}:secretsmanager:{here}:secret:{name}-AbCdEf");
                set("Id", &a);
                json!(a)
            }
            "AWS::SNS::Topic" => {
                let name = self.name_property(id, "TopicName");
                let a = format!("arn:{PARTITION}:sns:{here}:{name}");
                set("TopicArn", &a);
                set("TopicName", &name);
                json!(a)
            }
            "AWS::ApiGatewayV2::Api" => {
                let api = "a1b2c3d4e5";
                set("ApiId", api);
                set(
                    "ApiEndpoint",
                    &format!("https://{api}.execute-api.{REGION}.amazonaws.com"),
                );
                json!(api)
            }
            "AWS::Cognito::UserPool" => {
                let pool = format!("{REGION}_AbCdEfGhI");
                set(
                    "Arn",
                    &format!("arn:{PARTITION}:cognito-idp:{here}:userpool/{pool}"),
                );
                set(
                    "ProviderURL",
                    &format!("cognito-idp.{REGION}.amazonaws.com/{pool}"),
                );
                json!(pool)
            }
            "AWS::Cognito::UserPoolClient" => {
                set("ClientSecret", "client-secret");
                set("ClientId", &format!("client-{id}"));
                json!(format!("client-{id}"))
            }
            "AWS::Cognito::UserPoolGroup" => {
                json!(self.name_property(id, "GroupName"))
            }
            "AWS::Cognito::UserPoolDomain" => {
                json!(self.name_property(id, "Domain"))
            }
            "AWS::Lambda::EventSourceMapping" => {
                let mapping = "9a8b7c6d-5e4f-3a2b-1c0d-e9f8a7b6c5d4";
                set(
                    "EventSourceMappingArn",
                    &format!("arn:{PARTITION}:lambda:{here}:event-source-mapping:{mapping}"),
                );
                json!(mapping)
            }
            "AWS::CloudWatch::Alarm" => {
                let name = self.name_property(id, "AlarmName");
                set(
                    "Arn",
                    &format!("arn:{PARTITION}:cloudwatch:{here}:alarm:{name}"),
                );
                json!(name)
            }
            "AWS::CloudFormation::GuardHook" => {
                let a = format!(
                    "arn:{PARTITION}:cloudformation:{here}:type/hook/{}",
                    self.name_property(id, "Alias").replace("::", "-")
                );
                set("HookArn", &a);
                json!(a)
            }
            "AWS::Events::Rule" => {
                let name = self.name_property(id, "Name");
                set("Arn", &format!("arn:{PARTITION}:events:{here}:rule/{name}"));
                json!(name)
            }
            // Glue's and Athena's resources have no Arn attribute in
            // CloudFormation; the ARN here is the one IAM authorises their
            // requests on (the handlers', the functions').
            "AWS::Glue::Database" => {
                let name = text(&self.resolve(&r["Properties"]["DatabaseInput"]["Name"]));
                set(
                    "Arn",
                    &format!("arn:{PARTITION}:glue:{here}:database/{name}"),
                );
                json!(name)
            }
            "AWS::Glue::Table" => {
                let database = text(&self.resolve(&r["Properties"]["DatabaseName"]));
                let name = text(&self.resolve(&r["Properties"]["TableInput"]["Name"]));
                set(
                    "Arn",
                    &format!("arn:{PARTITION}:glue:{here}:table/{database}/{name}"),
                );
                json!(name)
            }
            "AWS::Athena::WorkGroup" => {
                let name = self.name_property(id, "Name");
                set(
                    "Arn",
                    &format!("arn:{PARTITION}:athena:{here}:workgroup/{name}"),
                );
                json!(name)
            }
            _ => json!(self.generated_name(id)),
        };
        Physical {
            reference,
            attributes,
        }
    }
}

fn is_no_value(v: &Value) -> bool {
    v.get("AWS::NoValue").is_some()
}

/// A resolved value as text (`Fn::Sub` and `Fn::Join` put numbers and
/// strings into text alike).
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The ARN of a role session: what a request made with the role's
/// credentials names as its principal.
pub fn session_of(role_arn: &str, session: &str) -> String {
    let name = role_arn.rsplit('/').next().unwrap_or_default();
    format!("arn:{PARTITION}:sts::{ACCOUNT}:assumed-role/{name}/{session}")
}
