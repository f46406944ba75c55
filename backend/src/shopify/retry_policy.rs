//! When to send an Admin API request again, and after how long. Shopify throttles with HTTP 200
//! and `THROTTLED`, or with 429 and `Retry-After` in seconds (not milliseconds, as Shopify's own
//! Node client reads it); a query over the cost limit never succeeds (shopify.dev
//! "GraphQL Admin API rate limits"; docs/backend.md, "Talking to Shopify").

use std::time::Duration;

use serde_json::Value;

/// Give up after this many attempts in all.
pub const MAX_ATTEMPTS: u32 = 6;
/// Never wait longer than this between attempts.
pub const MAX_WAIT: Duration = Duration::from_secs(60);
const BASE_BACKOFF: Duration = Duration::from_millis(500);

/// The bucket as the last response reported it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ThrottleStatus {
    /// Points in the bucket.
    pub currently_available: f64,
    /// Points restored per second.
    pub restore_rate: f64,
}

impl ThrottleStatus {
    /// `extensions.cost.throttleStatus` of a response body, if it has one.
    pub fn from_response(body: &Value) -> Option<Self> {
        let status = body.pointer("/extensions/cost/throttleStatus")?;
        Some(Self {
            currently_available: status.get("currentlyAvailable")?.as_f64()?,
            restore_rate: status.get("restoreRate")?.as_f64().filter(|rate| *rate > 0.0)?,
        })
    }

    /// How long to wait before a request that costs `cost` fits in the bucket.
    pub fn wait_for(&self, cost: f64) -> Duration {
        let missing = (cost - self.currently_available).max(0.0);
        Duration::from_secs_f64(missing / self.restore_rate).min(MAX_WAIT)
    }
}

/// What to do with a response.
#[derive(Clone, Debug, PartialEq)]
pub enum Decision {
    /// It succeeded, or failed in a way a retry cannot change: hand it to the caller.
    Done,
    /// Send the same request again after this long.
    RetryAfter(Duration),
    /// It failed for good; the reason is for the log and the caller.
    Fail(String),
}

/// Decides after attempt number `attempt` (1 for the first) got `status` and `body`.
/// `retry_after` is the `Retry-After` header; `idempotent` says whether the request may run
/// twice (queries may; a mutation that may have run must not be repeated blindly after a 5xx);
/// `jitter` is a number in 0..1 from the caller, so tests can fix it.
pub fn decide(
    attempt: u32,
    status: u16,
    body: &Value,
    retry_after: Option<&str>,
    requested_cost: f64,
    idempotent: bool,
    jitter: f64,
) -> Decision {
    let code = body.pointer("/errors/0/extensions/code").and_then(Value::as_str);
    if code == Some("MAX_COST_EXCEEDED") {
        return Decision::Fail("the query costs more than Shopify allows in one request".to_owned());
    }
    let wait = match (status, code) {
        (200, Some("THROTTLED")) => ThrottleStatus::from_response(body)
            .map_or_else(|| backoff(attempt, jitter), |bucket| bucket.wait_for(requested_cost)),
        (429, _) => retry_after
            .and_then(|seconds| seconds.trim().parse::<f64>().ok())
            .filter(|seconds| seconds.is_finite() && *seconds >= 0.0)
            .map_or_else(
                || backoff(attempt, jitter),
                |seconds| Duration::from_secs_f64(seconds).min(MAX_WAIT),
            ),
        (502..=504, _) if idempotent => backoff(attempt, jitter),
        (500..=599, _) => return Decision::Fail(format!("Shopify answered {status}")),
        _ => return Decision::Done,
    };
    if attempt >= MAX_ATTEMPTS {
        return Decision::Fail(format!("still refused after {attempt} attempts"));
    }
    Decision::RetryAfter(wait)
}

/// Exponential from 0.5 s, with "full jitter" between half and all of it, capped.
fn backoff(attempt: u32, jitter: f64) -> Duration {
    let exponential = BASE_BACKOFF.saturating_mul(1 << attempt.saturating_sub(1).min(16)).min(MAX_WAIT);
    exponential.mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn throttled(available: u64) -> Value {
        json!({
            "errors": [{ "message": "Throttled", "extensions": { "code": "THROTTLED" } }],
            "extensions": { "cost": { "requestedQueryCost": 252, "actualQueryCost": null,
                "throttleStatus": { "maximumAvailable": 2000, "currentlyAvailable": available, "restoreRate": 100 } } },
        })
    }

    #[test]
    fn throttled_requests_wait_until_the_bucket_holds_their_cost() {
        assert_eq!(
            decide(1, 200, &throttled(52), None, 252.0, false, 0.0),
            Decision::RetryAfter(Duration::from_secs(2))
        );
        assert_eq!(
            decide(1, 200, &throttled(300), None, 252.0, false, 0.0),
            Decision::RetryAfter(Duration::ZERO)
        );
    }

    #[test]
    fn retry_after_is_read_as_seconds() {
        assert_eq!(
            decide(1, 429, &json!({}), Some("2"), 10.0, false, 0.0),
            Decision::RetryAfter(Duration::from_secs(2))
        );
        assert_eq!(
            decide(1, 429, &json!({}), Some("0.5"), 10.0, false, 0.0),
            Decision::RetryAfter(Duration::from_millis(500))
        );
        assert_eq!(
            decide(1, 429, &json!({}), Some("86400"), 10.0, false, 0.0),
            Decision::RetryAfter(MAX_WAIT)
        );
        assert_eq!(
            decide(1, 429, &json!({}), Some("soon"), 10.0, false, 0.0),
            Decision::RetryAfter(Duration::from_millis(250))
        );
    }

    #[test]
    fn server_errors_are_retried_only_when_the_request_may_run_twice() {
        assert_eq!(
            decide(3, 503, &json!({}), None, 1.0, true, 1.0),
            Decision::RetryAfter(Duration::from_secs(2))
        );
        assert!(matches!(decide(1, 503, &json!({}), None, 10.0, false, 0.5), Decision::Fail(_)));
        assert!(matches!(decide(1, 500, &json!({}), None, 1.0, true, 0.5), Decision::Fail(_)));
    }

    #[test]
    fn some_failures_are_final_and_every_retry_ends() {
        let too_costly = json!({ "errors": [{ "extensions": { "code": "MAX_COST_EXCEEDED" } }] });
        assert!(matches!(decide(1, 200, &too_costly, None, 2002.0, true, 0.5), Decision::Fail(_)));
        assert!(matches!(decide(MAX_ATTEMPTS, 200, &throttled(0), None, 10.0, true, 0.5), Decision::Fail(_)));
        assert_eq!(decide(1, 200, &json!({ "data": {} }), None, 1.0, false, 0.5), Decision::Done);
        assert_eq!(
            decide(1, 401, &json!({}), None, 1.0, true, 0.5),
            Decision::Done,
            "the caller refreshes the token"
        );
    }

    #[test]
    fn backoff_grows_with_jitter_and_stops_growing() {
        assert_eq!(backoff(1, 0.0), Duration::from_millis(250));
        assert_eq!(backoff(1, 1.0), Duration::from_millis(500));
        assert_eq!(backoff(4, 1.0), Duration::from_secs(4));
        assert_eq!(backoff(40, 1.0), MAX_WAIT);
    }
}
