# Two commands for a fresh machine (see README.md):
#   make demo   the main job: Neo4j up, seed loaded, every named question answered, HTML views and the site written
#   make test   ruff, mypy, import-linter, deptry, and the whole test suite against a real Neo4j
#   make test-docker  the Docker paths (docker-compose.yml and its web service, kg db up --backend docker,
#               testcontainers), a pytest run of their own, on images tests/docker/build-images builds offline
#   make fuzz   the fuzz targets of tests/fuzz/ run long (over 100,000 generated cases), written to docs/security.md
#   make bench  the benchmarks, written to docs/benchmarks.md, docs/benchmarks-exports.md, docs/benchmarks-web.md
#               and docs/benchmarks-xref.md
#   make vendor rebuild kg/resources/vendor/sigma.min.js (sigma.js, graphology, ForceAtlas2) and its
#               licences from the npm packages pinned in vendor/sigma/ (needs Node.js, npm and the registry;
#               the bundle is committed, so nothing else needs them)
#   make soak   kg serve --workers 2 under a bounded load for 10 minutes while Neo4j is stopped and started
#               twice (bench/soak.py); its figures into docs/security.md (make test-soak runs a short one)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= out

.PHONY: setup demo test lint jars bench soak clean-venv docker-images test-docker test-install test-soak fuzz vendor

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

setup: $(BIN)/.installed

# the article texts quotes are checked against (outside the repository; see README.md)
KG_TEXTS ?= $(abspath $(wildcard ../shared/sources))
export KG_TEXTS

demo: setup
	$(BIN)/kg db up
	$(BIN)/kg load
	$(BIN)/kg query run-all --out $(OUT)/answers
	$(BIN)/kg viz --out $(OUT)/graph.html
	$(BIN)/kg viz --query denied-then-admitted --out $(OUT)/denied-then-admitted.html
	$(BIN)/kg site --out $(OUT)/site
	@echo "the site: python3 -m http.server -d $(OUT)/site 8001, then http://127.0.0.1:8001/"
	@echo "the web app: $(BIN)/kg serve, then http://127.0.0.1:8000/"

# ruff and mypy; the layers and the absence of import circles (import-linter, the contracts in
# pyproject.toml, drawn in docs/architecture.md); every module kg imports declared (deptry)
lint: setup
	$(BIN)/ruff check kg tests
	$(BIN)/mypy kg tests
	$(BIN)/lint-imports --no-cache
	$(BIN)/deptry .

# Neo4j's jars (from Maven Central, cached in ~/.cache/kg) are fetched, and the archive of its classes
# made, before the suite, not inside it
jars: setup
	$(BIN)/python -c "from kg.server.local import install; install(print)"

# the suite in TEST_WORKERS processes (pytest-xdist), each with its own Neo4j; a module's tests stay
# in one process, in order (their fixtures are the module's); TEST_WORKERS=0 runs it in this one
TEST_WORKERS ?= 2
test: lint jars
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --durations=15

# The images the Docker tests run (users' defaults stay the official neo4j and python images); built
# without any image registry, and kept while their inputs are unchanged (see README.md, "Docker").
NEO4J_SERIES   := $(shell sed -n 's/^NEO4J_SERIES = "\(.*\)"/\1/p' kg/versions.py)
KG_NEO4J_IMAGE ?= kg/neo4j:$(NEO4J_SERIES)-community
KG_GUIDE_IMAGE ?= kg/guide-python:bookworm
KG_WEB_IMAGE   ?= kg/web-python:bookworm
DOCKER_IMAGES  := KG_NEO4J_IMAGE=$(KG_NEO4J_IMAGE) KG_GUIDE_IMAGE=$(KG_GUIDE_IMAGE) KG_WEB_IMAGE=$(KG_WEB_IMAGE)
# the Docker tests, and the seed and question tests on the testcontainers fixture's container
DOCKER_TESTS   := tests/server/test_docker.py tests/seed/test_seed.py tests/questions/test_queries.py tests/content

# The wheel installed from the package index in fresh venvs outside the checkout, with the pip Python
# ships and with the newest, then every command once (tests/install/); slow, so a run of its own
test-install: jars
	KG_TEST_INSTALL=1 $(BIN)/pytest tests/install

# Generated bad input run long: every target of tests/fuzz/ with its long budget (over 100,000 cases
# in all, about an hour on two cores), its figures written into docs/security.md; FUZZ_SCALE scales it
FUZZ_SCALE ?= 1
fuzz: jars
	$(BIN)/python bench/fuzz.py --scale $(FUZZ_SCALE)

docker-images: setup
	$(DOCKER_IMAGES) bash tests/docker/build-images

test-docker: docker-images
	KG_TEST_BACKEND=docker $(DOCKER_IMAGES) $(BIN)/pytest $(DOCKER_TESTS); rc=$$?; \
	bash tests/docker/leftovers || rc=1; exit $$rc

bench: setup
	$(BIN)/python -m pip install -q -e '.[dev,bench]'
	$(BIN)/python bench/run.py
	$(BIN)/python bench/exports.py
	$(BIN)/python bench/web.py
	$(BIN)/python bench/xref.py

# a local Neo4j of its own; exit 1 when a criterion is not met (the section says which)
soak: jars
	$(BIN)/python bench/soak.py

# the short soak (one outage, some 40 s), a run of its own as the install paths are (.ci/run calls it)
test-soak: jars
	KG_TEST_SOAK=1 $(BIN)/pytest tests/web/test_soak.py

# the one bundle of the large views' renderer, from vendor/sigma/package-lock.json's exact versions
vendor:
	cd vendor/sigma && npm ci --no-audit --no-fund && npm run build

clean-venv:
	rm -rf $(VENV)
