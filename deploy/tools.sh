# shellcheck shell=bash
# Installs the deployment tools into project-local, git-ignored places.
# Sourced by scripts/check-template and scripts/package; each function is
# idempotent and quick when its tool is already there (a stamp file newer
# than the pins).
#
#   .tools/sam-venv/      aws-sam-cli, cfn-lint     (deploy/requirements-sam.txt)
#   .tools/checkov-venv/  checkov                   (deploy/requirements-checkov.txt)
#   deploy/node/node_modules/  @action-validator/cli, @cloud-copilot/iam-simulate,
#                              typescript (the dashboard's type check)
#                              (deploy/node/package-lock.json, npm ci)
#   .venv/                cargo-lambda, ziglang     (deploy/requirements-build.txt)

# install_venv DIR REQUIREMENTS: a venv at DIR with REQUIREMENTS installed.
# The deploy tools' requirements are complete locks with every hash
# (requirements-*.in says how they are made): --require-hashes refuses any
# file that is not the one locked, and --no-deps installs exactly the lock.
install_venv() {
  local dir=$1 requirements=$2
  if [[ ! -x $dir/bin/python ]]; then
    echo "creating $dir…" >&2
    python3 -m venv "$dir"
  fi
  if [[ ! -f $dir/.installed || $requirements -nt $dir/.installed ]]; then
    echo "installing $requirements into $dir…" >&2
    "$dir/bin/python" -m pip install -q --disable-pip-version-check --require-hashes --no-deps -r "$requirements"
    touch "$dir/.installed"
  fi
}

install_sam() { install_venv .tools/sam-venv deploy/requirements-sam.txt; }
install_checkov() { install_venv .tools/checkov-venv deploy/requirements-checkov.txt; }

install_cargo_lambda() {
  if [[ ! -x .venv/bin/python ]]; then
    python3 -m venv .venv
  fi
  if [[ ! -f .venv/.installed-build || deploy/requirements-build.txt -nt .venv/.installed-build ]]; then
    echo "installing cargo-lambda and zig into .venv…" >&2
    .venv/bin/python -m pip install -q --disable-pip-version-check --require-hashes --no-deps -r deploy/requirements-build.txt
    touch .venv/.installed-build
  fi
}

# The Node tools (deploy/node/package.json: the workflow linter and the
# offline IAM evaluator of deploy-checks/tests/grants.rs), installed by
# `npm ci` exactly as package-lock.json records them, every file checked
# against its integrity hash.
install_node_tools() {
  if [[ ! -f deploy/node/node_modules/.installed || deploy/node/package-lock.json -nt deploy/node/node_modules/.installed ]]; then
    echo "installing the Node tools from deploy/node/package-lock.json (npm ci)…" >&2
    npm ci --prefix deploy/node --no-audit --no-fund --loglevel=error >&2
    touch deploy/node/node_modules/.installed
  fi
}
