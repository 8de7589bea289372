# The two commands of README.rst; tools/setup.sh does the work (idempotent, fast when in place).
.PHONY: demo test setup

demo:  ## set up, then serve Odoo with the addon and the SP-API simulator on http://localhost:8069
	bash tools/setup.sh demo

test:  ## set up, then run the whole test suite against a fresh database
	bash tools/setup.sh test

setup:  ## only set up (Debian packages, Odoo, venv, PostgreSQL)
	bash tools/setup.sh env
