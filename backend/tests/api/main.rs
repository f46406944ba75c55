//! The backend's integration tests, one binary, a module per feature.

mod extractors;
mod health;
mod helpers;
mod session_tokens;
mod signed_queries;
mod storage;
mod throttling;
mod web_process;
mod webhook_route;
mod webhooks;
