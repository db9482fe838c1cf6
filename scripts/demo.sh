#!/usr/bin/env bash
# README command 1: simulate the department feeds, ingest them, build every model, run every
# check and publish — into the embedded warehouse unless CREDIT_WAREHOUSE_URL says otherwise.
source "$(dirname "$0")/_env.sh"
exec credit demo "$@"
