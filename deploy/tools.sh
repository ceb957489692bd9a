# shellcheck shell=bash
# Installs the deployment tools into project-local, git-ignored places.
# Sourced by scripts/check-template and scripts/package; each function is
# idempotent and quick when its tool is already there (a stamp file newer
# than the pins).
#
#   .tools/sam-venv/      aws-sam-cli, cfn-lint     (deploy/requirements-sam.txt)
#   .tools/checkov-venv/  checkov                   (deploy/requirements-checkov.txt)
#   .tools/node_modules/  @action-validator/cli     (ACTION_VALIDATOR_VERSION below)
#   .venv/                cargo-lambda, ziglang     (deploy/requirements-build.txt)

ACTION_VALIDATOR_VERSION=0.6.0

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

install_action_validator() {
  local manifest=.tools/node_modules/@action-validator/cli/package.json
  if [[ ! -x .tools/node_modules/.bin/action-validator ]] \
    || ! grep -qF "\"version\": \"$ACTION_VALIDATOR_VERSION\"" "$manifest" 2>/dev/null; then
    echo "installing @action-validator/cli@$ACTION_VALIDATOR_VERSION into .tools/…" >&2
    mkdir -p .tools
    npm install --prefix .tools --no-save --no-audit --no-fund --loglevel=error \
      "@action-validator/cli@$ACTION_VALIDATOR_VERSION" >&2
  fi
}
