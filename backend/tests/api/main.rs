//! The backend's integration tests, one binary, a module per feature.

mod admin_client;
mod backfill;
mod connections;
mod crash;
mod databases;
mod discount_rules;
mod end_to_end;
mod extractors;
mod health;
mod helpers;
mod incremental;
mod ingest;
mod install;
mod oauth;
mod pixel;
mod privacy;
mod segments;
mod session_tokens;
mod signed_queries;
mod simulated;
mod slow_clients;
mod storage;
mod throttling;
mod web_process;
mod webhook_route;
mod webhooks;
