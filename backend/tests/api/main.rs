//! The backend's integration tests, one binary, a module per feature.

mod admin_client;
mod admin_document;
mod backfill;
mod connections;
mod crash;
mod discount_rules;
mod end_to_end;
mod extractors;
mod health;
mod helpers;
mod incremental;
mod install;
mod oauth;
mod pixel;
mod privacy;
mod processing;
mod segments;
mod session_tokens;
mod signed_queries;
mod slow_clients;
mod storage;
mod throttling;
mod trial;
mod web_process;
mod webhook_route;
mod webhooks;
