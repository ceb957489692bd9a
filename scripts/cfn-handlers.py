"""Prints, as JSON, template.yaml as CloudFormation sees it after the SAM
transform (the resources CloudFormation's execution role creates), and for
each of its resource types the permissions that CloudFormation's resource
handlers publish (create, read, update, delete, list), from the resource
schemas that cfn-lint ships.

deploy-checks/tests/grants.rs evaluates the execution role against them;
scripts/check-cfn-role.py checks the role holds nothing beyond them.

    python scripts/cfn-handlers.py template.yaml > handlers.json
"""

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


def transformed(path):
    """The template after the SAM transform. The functions' code is given an
    S3 location, as `sam deploy` does after uploading it."""
    fragment = yaml_parse(Path(path).read_text())
    for resource in fragment["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = "s3://artifacts-bucket/recipe-diff/function.zip"
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    return transform(fragment, {}, NoManagedPolicies())


def handlers(types):
    """Each type's handlers and the permissions they list."""
    schemas = Path(cfnlint.__file__).parent / "data" / "schemas"
    index = json.loads((schemas / "providers" / "us-east-1.json").read_text())
    found = {}
    for kind in types:
        schema = json.loads((schemas / "resources" / f"{index[kind]}.json").read_text())
        found[kind] = {
            name: sorted(set(handler.get("permissions", [])))
            for name, handler in schema.get("handlers", {}).items()
        }
    return found


def main(path):
    template = transformed(path)
    types = sorted({r["Type"] for r in template["Resources"].values()})
    json.dump({"template": template, "handlers": handlers(types)}, sys.stdout, indent=1, default=str)
    print()


if __name__ == "__main__":
    main(sys.argv[1])
