# The two commands of the README, plus the pieces they are made of.
# Local services (PostgreSQL, RabbitMQ) run from Debian packages under .local/ — see deploy/local/.
SHELL := /bin/bash
SERVICES := deploy/local/services.sh
WITH_SERVICES := deploy/local/with-services.sh

.PHONY: demo test build migrate services-up services-down services-status

## demo: services up, build, migrate, start workers + API, ingest the sample extracts, print a summary; Ctrl+C stops it
demo:
	@bash deploy/local/demo.sh

## test: every test (unit + integration against real PostgreSQL and RabbitMQ; services started if needed)
test:
	@bash $(WITH_SERVICES) dotnet test Integration.sln --logger "console;verbosity=normal"

build:
	dotnet build Integration.sln

## migrate: apply the numbered SQL migrations to ConnectionStrings__Registry (or the local services)
migrate:
	@bash $(WITH_SERVICES) dotnet run --project src/Ingest.Workers -- migrate

services-up:
	@bash $(SERVICES) up

services-down:
	@bash $(SERVICES) down

services-status:
	@bash $(SERVICES) status
