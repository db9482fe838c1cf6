# Thin wrappers around scripts/: each target does its own set-up.
.PHONY: demo test ui bench lock clean
demo:  ## README command 1: the main job on the demo preset
	./scripts/demo.sh
test:  ## README command 2: the full test suite
	./scripts/test.sh
ui:    ## the Dagster UI on the same instance
	./scripts/ui.sh
bench: ## every benchmark on the city preset (long)
	./scripts/bench.sh
lock:  ## re-pin constraints.txt (deliberate upgrades only)
	./scripts/lock.sh
clean: ## stop the embedded warehouse and delete local state
	-./.venv/bin/credit warehouse stop
	rm -rf .local reports dbt_project/target dbt_project/logs expectations/uncommitted
