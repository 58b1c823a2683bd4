# The two commands of the README, plus the pieces they are made of.
# Local services (PostgreSQL, RabbitMQ) run from Debian packages under .local/ — see deploy/local/.
SHELL := /bin/bash
SERVICES := deploy/local/services.sh
WITH_SERVICES := deploy/local/with-services.sh
# The workers host's runtime settings (its garbage collector): whatever runs the resolver runs with them.
WORKERS_ENV := $(shell grep -E '^[A-Za-z_][A-Za-z0-9_]*=' deploy/workers-runtime.env)

.PHONY: demo test build migrate schema requeue-failed verify-access-log bench-ingest bench-resolve bench-cold-load bench-lookup bench-coverage bench-accuracy bench-faults synth simulator services-up services-down services-status

ROWS ?= 1000000
RECORDS ?= 1000000
PERSONS ?= 1000000
RPS ?= 200
SECONDS ?= 30

## demo: services up, build, migrate, start workers + API, ingest the sample extracts, print a summary; Ctrl+C stops it
demo:
	@bash deploy/local/demo.sh

## test: every test (unit + integration against real PostgreSQL and RabbitMQ; services started if needed)
test:
	@bash $(WITH_SERVICES) dotnet test Integration.sln --logger "console;verbosity=normal"

build:
	dotnet build Integration.sln

## migrate: apply the numbered SQL migrations as the owner (ConnectionStrings__RegistryOwner, else ConnectionStrings__Registry; or the local services)
migrate:
	@bash $(WITH_SERVICES) dotnet run --project src/Ingest.Workers -- migrate

## schema: refresh src/Registry/Storage/schema.sql (the schema the migrations build, for reading) after adding a migration
schema:
	@bash $(WITH_SERVICES) env REGISTRY_WRITE_SCHEMA=1 dotnet test tests/Integration.Tests --filter "FullyQualifiedName~SchemaSnapshotTests" -v quiet

## requeue-failed: after fixing what made chunks fail (docs/operations.md, "Poison chunks"), move the resolution error
##   queue's messages back to resolution and mark the extracts that failed on them as queued again
requeue-failed:
	@bash $(WITH_SERVICES) dotnet run --project src/Ingest.Workers -c Release -- requeue-failed

## verify-access-log: recompute the access log's hash chain of ConnectionStrings__Registry (or the local services) and name the
##   first broken link; exit 1 when broken. EXPECT=SEQ:HASH (a head printed by an earlier run) also detects a rewritten chain
verify-access-log:
	@dotnet build src/Registry.Api -c Release -v quiet -nologo >/dev/null
	@bash $(WITH_SERVICES) dotnet src/Registry.Api/bin/Release/net10.0/Registry.Api.dll verify-access-log $(if $(EXPECT),--expect $(EXPECT),)

## bench-ingest: generate ROWS rows, measure CsvHelper alone and parse → validate → publish (last line: RESULT ...)
bench-ingest:
	@dotnet build tests/Benchmarks -c Release -v quiet -nologo >/dev/null
	@bash $(WITH_SERVICES) dotnet tests/Benchmarks/bin/Release/net10.0/Benchmarks.dll ingest --rows $(ROWS)

## bench-resolve: RECORDS generated records into an empty registry, then RECORDS/5 more, plus raw COPY speed (last line: RESULT ...);
##   SOURCE=bench (default: small name vocabulary, one agency) or SOURCE=synth (the synthetic population's extracts, PROFILE, default typical);
##   with the workers host's garbage-collector settings (deploy/workers-runtime.env), as it runs the resolver;
##   ORDER=canonical (default, as the workers host: each chunk in its turn) or ORDER=arrival; POPULATION=drawn (default: each row's
##   person drawn from 0.6 x RECORDS people, so more rows meet known people as the registry fills) or POPULATION=steady (half of
##   every million's rows are people seen before: a record's cost as the registry grows, without that change of mix)
bench-resolve:
	@dotnet build tests/Benchmarks -c Release -v quiet -nologo >/dev/null
	@env $(WORKERS_ENV) bash $(WITH_SERVICES) dotnet tests/Benchmarks/bin/Release/net10.0/Benchmarks.dll resolve --records $(RECORDS) --source $(or $(SOURCE),bench) --profile $(SYNTH_PROFILE) --order $(or $(ORDER),canonical) --population $(or $(POPULATION),drawn)

## bench-cold-load: a fresh registry of RECORDS match records (bench-resolve's rows), then a new worker's candidate index loaded
##   from it cold, twice (last line: RESULT cold_load_s=… records_per_s=… index_bytes_per_record=…); the issue's target is RECORDS=10000000
bench-cold-load:
	@dotnet build tests/Benchmarks -c Release -v quiet -nologo >/dev/null
	@env $(WORKERS_ENV) bash $(WITH_SERVICES) dotnet tests/Benchmarks/bin/Release/net10.0/Benchmarks.dll cold-load --records $(RECORDS)

## bench-lookup: PERSONS persons in a fresh database, the real API host, RPS requests/s for SECONDS against household 360 and search (last line: RESULT ...)
bench-lookup:
	@dotnet build tests/Benchmarks -c Release -v quiet -nologo >/dev/null
	@dotnet build src/Registry.Api -c Release -v quiet -nologo >/dev/null
	@bash $(WITH_SERVICES) dotnet tests/Benchmarks/bin/Release/net10.0/Benchmarks.dll lookup --persons $(PERSONS) --rps $(RPS) --seconds $(SECONDS)

## bench-coverage: bench-lookup's registry of PERSONS persons, its coverage aggregates checked exactly against a full recount (after
##   the fill and after CHANGES changes through the triggers), then COVERAGE_RPS (default 20) requests/s for SECONDS against
##   REYNOSA's coverage (JSON and page) as a coordinator (last line: RESULT municipality_p95_ms=… recount=exact|DIFFERENT)
COVERAGE_RPS ?= 20
CHANGES ?= 2000
bench-coverage:
	@dotnet build tests/Benchmarks -c Release -v quiet -nologo >/dev/null
	@dotnet build src/Registry.Api -c Release -v quiet -nologo >/dev/null
	@bash $(WITH_SERVICES) dotnet tests/Benchmarks/bin/Release/net10.0/Benchmarks.dll coverage --persons $(PERSONS) --rps $(COVERAGE_RPS) --seconds $(SECONDS) --changes $(CHANGES)

## bench-accuracy: PROFILE=clean|typical|hard|colombia|sparse (default hard) synthetic extracts of RECORDS rows (default 100000; SEED=) or
## DATASET=febrl1|febrl2, through the real workers host and feeds into a fresh database; pairwise precision/recall/F1 against
## ground truth and the review queue (last line: RESULT precision=… recall=… f1=… review=… records=…)
PROFILE ?= hard
SEED ?= 20261123
DATASET ?=
ACCURACY_RECORDS = $(if $(filter command line environment,$(origin RECORDS)),$(RECORDS),100000)
bench-accuracy:
	@dotnet build src/Ingest.Workers -c Release -v quiet -nologo >/dev/null
	@dotnet build tests/Benchmarks -c Release -v quiet -nologo >/dev/null
	@env $(WORKERS_ENV) bash $(WITH_SERVICES) dotnet tests/Benchmarks/bin/Release/net10.0/Benchmarks.dll accuracy --profile $(PROFILE) --records $(ACCURACY_RECORDS) --seed $(SEED) $(if $(DATASET),--dataset $(DATASET),) $(if $(TRAINED),--trained,)

## bench-faults: issue 25's fault table on this checkout's single-node services (deploy/local/services.sh; the REGISTRY_*_PORT
##   variables pick them): FAULT_RECORDS synthetic rows (default 46686, profile typical, SEED) of seven feeds through the real
##   workers host, clean twice, then TRIALS (default 3) of each fault mid-run — workers kill -9 (back 3 s later), RabbitMQ kill -9
##   (back after 15 s), PostgreSQL stopped 20 s and 120 s; exact counts and the same persons as a clean run (last line: RESULT ...).
##   It stops and kills these servers: not for a checkout whose services others use. FAULTS_ARGS: e.g. --faults pg20 --pg-stop-mode immediate
TRIALS ?= 3
FAULT_RECORDS ?= 46686
FAULTS_ARGS ?=
bench-faults:
	@dotnet build src/Ingest.Workers -c Release -v quiet -nologo >/dev/null
	@dotnet build tests/Benchmarks -c Release -v quiet -nologo >/dev/null
	@env $(WORKERS_ENV) bash $(WITH_SERVICES) dotnet tests/Benchmarks/bin/Release/net10.0/Benchmarks.dll faults --records $(FAULT_RECORDS) --seed $(SEED) --trials $(TRIALS) $(FAULTS_ARGS)

## synth: write a synthetic population's agency extracts (one folder per feed, inbox layout) + ground truth to OUT
## (default .local/synth); RECORDS (default 10000), PROFILE (clean|typical|hard), SEED, FEEDS (all or code,code)
OUT ?= .local/synth
FEEDS ?= ssa-consultas,dif-alimentaria
SYNTH_RECORDS = $(if $(filter command line environment,$(origin RECORDS)),$(RECORDS),10000)
SYNTH_PROFILE = $(if $(filter command line environment,$(origin PROFILE)),$(PROFILE),typical)
synth:
	@dotnet build tests/Benchmarks -c Release -v quiet -nologo >/dev/null
	@dotnet tests/Benchmarks/bin/Release/net10.0/Benchmarks.dll synth --out $(OUT) --records $(SYNTH_RECORDS) --profile $(SYNTH_PROFILE) --seed $(SEED) --feeds $(FEEDS)

## simulator: the agency API simulator alone on SIMULATOR_URL (what api-pull feeds pull in the demo and tests)
SIMULATOR_URL ?= http://127.0.0.1:5082
simulator:
	@dotnet run --project tests/AgencySimulator -c Release -- --urls $(SIMULATOR_URL)

services-up:
	@bash $(SERVICES) up

services-down:
	@bash $(SERVICES) down

services-status:
	@bash $(SERVICES) status

# A cluster on one machine (issue 25; deploy/cluster/cluster.sh, docs/operations-cluster.md): PostgreSQL primary +
# streaming standby, three RabbitMQ nodes, two workers and two API processes (Release builds), on loopback.
.PHONY: cluster-up cluster-down cluster-test
CLUSTER := deploy/cluster/cluster.sh
CLUSTER_RECORDS ?= 12000
# e.g. --rabbit-node 2, --exact, --tolerance-per-10k N, --wave-timeout S (tests/Benchmarks/ClusterTest.cs)
CLUSTER_TEST_ARGS ?=

## cluster-up: build the hosts (Release), start the cluster (idempotent); settings: eval "$(deploy/cluster/cluster.sh env)"
cluster-up:
	@dotnet build src/Ingest.Workers -c Release -v quiet -nologo >/dev/null
	@dotnet build src/Registry.Api -c Release -v quiet -nologo >/dev/null
	@bash $(CLUSTER) up

cluster-down:
	@bash $(CLUSTER) down

## cluster-test: CLUSTER_RECORDS synthetic rows through the cluster in three waves, one fault each (PostgreSQL
##   failover, a RabbitMQ node killed, a workers process killed), against a fault-free reference run; PASS/FAIL
cluster-test:
	@dotnet build tests/Benchmarks -c Release -v quiet -nologo >/dev/null
	@dotnet build src/Registry.Api -c Release -v quiet -nologo >/dev/null
	@bash $(CLUSTER) up
	@eval "$$(bash $(CLUSTER) env)" && dotnet tests/Benchmarks/bin/Release/net10.0/Benchmarks.dll cluster --records $(CLUSTER_RECORDS) $(CLUSTER_TEST_ARGS)
