# Thin wrappers; the README documents each target.
VENV      := .venv
BIN       := $(VENV)/bin
STAMP     := $(VENV)/.installed
PY        := $(BIN)/python

.PHONY: setup test lint demo bench runbooks templates package vendor clean

setup: $(STAMP)

# Re-install when the dependency list changes.
$(STAMP): pyproject.toml
	@py="$$(scripts/find-python)" && echo "using $$py" && \
	  { [ -x $(PY) ] || "$$py" -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@# checkov (template scanning) pins a boto3 the rest cannot use: a venv of its own, range in pyproject.toml
	$(PY) -m venv $(VENV)/checkov
	$(VENV)/checkov/bin/pip install --quiet --upgrade pip
	$(VENV)/checkov/bin/pip install --quiet "$$($(PY) -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["tool"]["ecr-access"]["isolated-dev-tools"]["checkov"])')"
	@touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: $(STAMP) lint
	$(BIN)/pytest -n auto --dist loadfile

# Both rules and both runbooks on an embedded AWS account (moto, in process): no AWS account needed.
demo: $(STAMP)
	@$(BIN)/ecr-access demo

# Render remediation/*.yaml and their attachments (dist/runbooks/*.zip) from src/ecr_access/remediation
# (a test fails when the documents drift).
runbooks: $(STAMP)
	$(PY) -m ecr_access.remediation.documents

# Render conformance-pack.yaml and deploy/*.yaml (they embed the runbooks and IAM policies).
templates: runbooks
	$(PY) -m ecr_access.deployment.templates

# One reproducible zip per rule in dist/lambda/ (the rule, the engine modules it imports, rdklib),
# and the runbooks' attachments in dist/runbooks/.
package: runbooks
	$(PY) -m ecr_access.packaging.lambda_zip

# Copy the engine into each rule folder (git-ignored) so that `rdk deploy` ships it.
vendor: $(STAMP)
	$(PY) -m ecr_access.packaging.lambda_zip --vendor

bench: $(STAMP)
	$(PY) bench/exposure.py
	$(PY) bench/permissions.py
	$(PY) bench/rule_calls.py
	$(PY) bench/hostile.py
	$(PY) bench/cold_start.py
	$(PY) bench/pull_history.py
	$(PY) bench/large_account.py
	$(PY) bench/org_cost.py
	$(PY) bench/exemption_tags.py
	$(PY) bench/scan_org.py
	$(PY) bench/model_cost.py

clean:
	rm -rf $(VENV) build dist *.egg-info src/*.egg-info .pytest_cache .ruff_cache .hypothesis rules/*/ecr_access
