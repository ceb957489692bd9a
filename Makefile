# `make test` runs every test; it installs what the suite needs into
# project-local, git-ignored places first (see scripts/test).
.PHONY: test lint bench compare compare-ingredients fuzz

test:
	scripts/test

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

bench:
	cargo bench -p shared --bench diff

compare:
	bench/compare

# Ingredient-line parsers side by side on the labelled NYT lines (bench/ingredient-lines/run).
compare-ingredients:
	bench/ingredient-lines/run

fuzz:
	scripts/fuzz

# The four Lambda functions for arm64 (cargo-lambda + zig; see scripts/package).
.PHONY: package
package:
	scripts/package
