# Sightline — `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := bash
GO ?= go
BIN := bin/sightline
PG := bash ops/postgres.sh
export SIGHTLINE_DATA_DIR ?= $(CURDIR)/.sightline
TEST_FLAGS ?= -count=1 -timeout 30m

.PHONY: help build run test oracle fuzz soak lint bench pg-start pg-stop clean image

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

# Builds and tests use go-enry with a lazy package init and goccy/go-json
# (Arrow's) on encoding/json (ops/enry writes both, from the module cache,
# into .build/enry), and cloud.google.com/go/storage's disable_grpc_modules
# tag (no gRPC DirectPath/xDS: sightline uses its HTTP client): every
# command then starts in a few ms instead of ~40. Plain `go build` works
# too, answers the same, and starts slower. ops/enry's BuildTags is the tag.
# The binary is static (CGO_ENABLED=0, as in the Dockerfile): no dynamic
# loader and libc to map and relocate at every start.
ENRY_MODFILE := .build/enry/go.mod
BUILD_TAGS := disable_grpc_modules
BUILD_FLAGS := -modfile=$(CURDIR)/$(ENRY_MODFILE) -tags=$(BUILD_TAGS)

$(ENRY_MODFILE): go.mod go.sum $(wildcard ops/enry/*.go ops/enry/*.tmpl)
	GOFLAGS= $(GO) run ./ops/enry -out .build/enry >/dev/null
	@touch $@

build: $(ENRY_MODFILE) ## build bin/sightline (with go-enry's lazy init and the lean build of ops/enry)
	CGO_ENABLED=0 $(GO) build $(BUILD_FLAGS) -o $(BIN) .

IMAGE ?= sightline:dev
image: ## build the container image IMAGE (sightline:dev) from Dockerfile with docker or podman (ENGINE=... to choose)
	@bash ops/image.sh $(IMAGE)

run: build ## the pipeline end to end with no configuration: private Postgres, file:// bucket, this repository's history
	@$(PG) exec bash ops/demo.sh $(BIN)

# Tests run on a Postgres with fsync off (SIGHTLINE_PG_FAST=1): faster, and
# nothing in a test database needs to survive a crash of the machine.
# Tests build as `make build` does (GOFLAGS gets the -modfile and tags,
# CGO_ENABLED=0), so that they exercise what ships (and ops/enry's
# TestStartupInits links sightline from the same build cache); ops/enry's
# tests compare both builds.
test: lint oracle $(ENRY_MODFILE) ## lint, install the LSIF oracle, then every test on the private Postgres (or TEST_DATABASE_URL when set), then a short fuzz run
	@export GOFLAGS="$(BUILD_FLAGS) $$GOFLAGS" CGO_ENABLED=0; \
	if [ -n "$$TEST_DATABASE_URL" ]; then \
		$(GO) test $(TEST_FLAGS) ./...; \
	else \
		SIGHTLINE_PG_FAST=1 $(PG) exec $(GO) test $(TEST_FLAGS) ./...; \
	fi
	GOFLAGS="$(BUILD_FLAGS) $$GOFLAGS" CGO_ENABLED=0 $(MAKE) --no-print-directory fuzz

# The LSIF reference implementation (npm) that TestCodenavOracle compares
# codenav with; its setup is idempotent.
LSIF_ORACLE ?= ../shared/tools/lsif-oracle
oracle: ## install the LSIF oracle's npm package (needs node and npm, and ../shared beside the repository)
	@test -x $(LSIF_ORACLE)/setup || { echo "make: $(LSIF_ORACLE)/setup is missing: check out ../shared beside this repository, or set LSIF_ORACLE" >&2; exit 1; }
	@$(LSIF_ORACLE)/setup

# Fuzzing is bounded by executions, not by time: with go1.26 a time-bounded
# run can fail with a bare "context deadline exceeded" and no crasher when the
# deadline passes on a loaded machine (golang/go#75804, fixed in go1.27).
# Each count is about 10 s of fuzzing on a quiet 2-core machine. Minimizing
# a new interesting input takes up to 60 s by default, and a count cannot
# bound it: one execution of a query holding a 2,000-character regexp takes
# 50-120 ms, so 10 s each.
FUZZTIME ?=
FUZZ_FLAGS = -run '^$$' -fuzzminimizetime 10s
fuzz: ## fuzz the query parser, the LSIF and the SCIP converters and the packed codenav decoders (about 10 s each; FUZZTIME=5m make fuzz for longer)
	$(GO) test $(FUZZ_FLAGS) -fuzz '^FuzzParse$$' -fuzztime $(or $(FUZZTIME),100000x) ./sources/search/query/
	$(GO) test $(FUZZ_FLAGS) -fuzz '^FuzzConvert$$' -fuzztime $(or $(FUZZTIME),120000x) ./sources/lsif/
	$(GO) test $(FUZZ_FLAGS) -fuzz '^FuzzConvert$$' -fuzztime $(or $(FUZZTIME),200000x) ./sources/scip/
	$(GO) test $(FUZZ_FLAGS) -fuzz '^FuzzDecode$$' -fuzztime $(or $(FUZZTIME),300000x) ./sinks/codeintel/packed/

# The soak test is opt-in: `go test ./...` (make test) skips it.
SOAK_SEED ?= 1
SOAK_ITERATIONS ?= 5
soak: ## fault-injection soak: insights and LSIF uploads over S3 and GCS with random 503s, resets, truncations (SOAK_SEED=1, SOAK_ITERATIONS=5)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		SIGHTLINE_SOAK=1 SIGHTLINE_SOAK_SEED=$(SOAK_SEED) SIGHTLINE_SOAK_ITERATIONS=$(SOAK_ITERATIONS) \
			$(GO) test -count=1 -timeout 30m -v -run '^TestSoak$$' ./ops/e2e/soak/; \
	else \
		SIGHTLINE_PG_FAST=1 SIGHTLINE_SOAK=1 SIGHTLINE_SOAK_SEED=$(SOAK_SEED) SIGHTLINE_SOAK_ITERATIONS=$(SOAK_ITERATIONS) \
			$(PG) exec $(GO) test -count=1 -timeout 30m -v -run '^TestSoak$$' ./ops/e2e/soak/; \
	fi

lint: ## gofmt, go vet, staticcheck (pinned in go.mod) and no SQL in job packages (jobs/nosql_test.go)
	@unformatted=$$(gofmt -l $$(find . -name '*.go' -not -path './.sightline/*' -not -path './.build/*')); \
		if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	$(GO) test -count=1 -run '^(TestNoSQLInJobs|TestSQLIn)$$' ./jobs/

# The fleet benchmark runs over SIGHTLINE_FLEET_REPOS generated repositories:
# 100 here (the issue's 1,000 take about an hour to generate on 2 cores the
# first time); SIGHTLINE_FLEET_REPOS=1000 make bench for the full size.
SIGHTLINE_FLEET_REPOS ?= 100
bench: $(ENRY_MODFILE) ## benchmarks (go test -bench) on the private Postgres; figures go in docs/benchmarks.md (SIGHTLINE_FLEET_REPOS=100)
	GOFLAGS="$(BUILD_FLAGS) $$GOFLAGS" CGO_ENABLED=0 SIGHTLINE_FLEET_REPOS=$(SIGHTLINE_FLEET_REPOS) SIGHTLINE_PG_FAST=1 $(PG) exec $(GO) test -p 1 -run '^$$' -bench . -benchmem -timeout 60m ./...

pg-start: ## start the private Postgres and print its URL
	@$(PG) start

pg-stop: ## stop the private Postgres
	@$(PG) stop

clean: pg-stop ## stop the private Postgres and remove bin/, .build/ and the data directory
	rm -rf bin .build $(SIGHTLINE_DATA_DIR)
