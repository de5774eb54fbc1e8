/**
 * Jest setup of the unit and e2e projects: their tests run on the embedded (SQLite) store in a
 * temporary DATA_DIR. A run with EVENTSTORE_CONNECTION_STRING set for the contract's EventStoreDB
 * leg (as CI does) must not send them — nor the CLI commands and api processes they start, which
 * read process.env — to EventStoreDB. Jest gives each test file its own copy of process.env, so
 * this removes the variable for that file and its child processes only; the contract project
 * does not load this file.
 */
delete process.env.EVENTSTORE_CONNECTION_STRING;
