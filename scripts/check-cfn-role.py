"""Checks that CloudFormation's execution role (deploy/bootstrap.yaml,
CfnExecutionRole) holds nothing beyond what the stack needs: no `service:*`
action, and every action it allows is one that CloudFormation's resource
handlers for the types of the transformed template.yaml list among their
permissions (the resource schemas that cfn-lint ships). A pattern such as
`s3:GetBucket*` must match at least one of them.

It also refuses a `*` resource for an action that takes a resource: such a
statement reaches every resource of its kind in the account (another
application's key or user pool), unless a condition scopes it to this
application's (a tag on create or on the resource, or the function of an
event source mapping).

That each needed action is there, on the stack's own ARNs and through the
key's policy, is deploy-checks/tests/grants.rs (the handlers' permissions
evaluated offline as AWS would).

    python scripts/check-cfn-role.py template.yaml deploy/bootstrap.yaml
"""

import fnmatch
import json
import os
import sys
from pathlib import Path

import cfnlint
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class NoManagedPolicies:
    """The template names no managed policy, so none is looked up."""

    def load(self):
        return {}


def template_types(path):
    fragment = yaml_parse(Path(path).read_text())
    for resource in fragment["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            # The translator wants an S3 location; the build's is not known.
            resource["Properties"]["CodeUri"] = "s3://bucket/key.zip"
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    translated = transform(fragment, {}, NoManagedPolicies())
    return sorted({r["Type"] for r in translated["Resources"].values()})


def handler_permissions(types):
    schemas = Path(cfnlint.__file__).parent / "data" / "schemas"
    index = json.loads((schemas / "providers" / "us-east-1.json").read_text())
    permissions = set()
    for kind in types:
        schema = json.loads((schemas / "resources" / f"{index[kind]}.json").read_text())
        for handler in schema.get("handlers", {}).values():
            permissions.update(p.lower() for p in handler.get("permissions", []))
    return permissions


def as_list(value):
    """A policy field that is one value or a list of them, as a list."""
    return value if isinstance(value, list) else [value]


def allowing_statements(path):
    """The role's statements that allow (its Deny statements take nothing)."""
    bootstrap = yaml_parse(Path(path).read_text())
    role = bootstrap["Resources"]["CfnExecutionRole"]["Properties"]
    for policy in role["Policies"]:
        for statement in policy["PolicyDocument"]["Statement"]:
            if statement["Effect"] == "Allow":
                yield statement


def role_actions(path):
    for statement in allowing_statements(path):
        for action in as_list(statement["Action"]):
            yield statement.get("Sid", "?"), action


# Needed, and in no handler's list: API Gateway delivers an HTTP API's
# access log through CloudWatch Logs' log deliveries, made with the
# deployer's permissions ("Permissions for CloudWatch logging", API
# Gateway's developer guide, HTTP APIs).
ACCESS_LOG_DELIVERY = {
    "logs:createlogdelivery",
    "logs:getlogdelivery",
    "logs:updatelogdelivery",
    "logs:deletelogdelivery",
    "logs:listlogdeliveries",
    "logs:putresourcepolicy",
    "logs:describeresourcepolicies",
    "logs:describeloggroups",
}


# Actions that take no resource in the Service Authorization Reference ("*"
# is the only resource they can have) and create or change nothing of
# another application's. (kms:CreateKey, cognito-idp:CreateUserPool and the
# event source mappings' actions take none either, but what they make must
# be the application's: those need a scoping condition.)
NO_RESOURCE = {
    "lambda:listeventsourcemappings",
    "cloudwatch:describealarms",
    "secretsmanager:getrandompassword",
    "kms:listaliases",
    "cognito-idp:describeuserpooldomain",
} | ACCESS_LOG_DELIVERY

# Condition keys that scope a "*" statement to this application's resources.
SCOPING_KEYS = ("aws:requesttag/", "aws:resourcetag/", "lambda:functionarn")


def unscoped_wildcards(path):
    """Statements of the role that allow an action taking a resource on "*"
    with no condition scoping it to the application's resources."""
    for statement in allowing_statements(path):
        if "*" not in as_list(statement.get("Resource", [])):
            continue
        keys = [key.lower() for operator in (statement.get("Condition") or {}).values() for key in operator]
        scoped = any(key.startswith(SCOPING_KEYS) for key in keys)
        for action in as_list(statement["Action"]):
            if action.lower() not in NO_RESOURCE and not scoped:
                yield statement.get("Sid", "?"), action


def main(template, bootstrap):
    types = template_types(template)
    needed = handler_permissions(types) | ACCESS_LOG_DELIVERY
    problems = []
    checked = 0
    for sid, action in role_actions(bootstrap):
        checked += 1
        if action == "*" or action.endswith(":*"):
            problems.append(f"{sid}: {action} allows every action of its service")
        elif not fnmatch.filter(needed, action.lower()):
            problems.append(f"{sid}: {action} is needed by no handler of {len(types)} resource types")
    for sid, action in unscoped_wildcards(bootstrap):
        problems.append(f"{sid}: {action} on every resource (\"*\") with no condition naming the application's")
    for problem in problems:
        print(f"CfnExecutionRole: {problem}")
    print(f"CfnExecutionRole: {checked} actions checked against the handlers of {len(types)} resource types")
    return 1 if problems or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
