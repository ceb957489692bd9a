"""Checks that CloudFormation's execution role (deploy/bootstrap.yaml,
CfnExecutionRole) holds nothing beyond what the stack needs: no `service:*`
action, and every action it allows is one that CloudFormation's resource
handlers for the types of the transformed template.yaml list among their
permissions (the resource schemas that cfn-lint ships). A pattern such as
`s3:GetBucket*` must match at least one of them.

It cannot prove the converse (that each needed action is there): a handler
lists every action any property could need. That is proved by a deploy.

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


def role_actions(path):
    bootstrap = yaml_parse(Path(path).read_text())
    role = bootstrap["Resources"]["CfnExecutionRole"]["Properties"]
    for policy in role["Policies"]:
        for statement in policy["PolicyDocument"]["Statement"]:
            if statement["Effect"] != "Allow":
                continue
            actions = statement["Action"]
            for action in actions if isinstance(actions, list) else [actions]:
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
    for problem in problems:
        print(f"CfnExecutionRole: {problem}")
    print(f"CfnExecutionRole: {checked} actions checked against the handlers of {len(types)} resource types")
    return 1 if problems or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
