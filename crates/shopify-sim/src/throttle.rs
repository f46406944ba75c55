//! The leaky bucket the Admin API charges each (app, shop) pair from, and the errors and
//! `extensions.cost` it answers with.
//!
//! Restore rates are shopify.dev's per plan; bucket sizes are 20 times the rate, the ratio seen in
//! real `throttleStatus` payloads (shopify.dev "GraphQL Admin API rate limits"). Time is whatever the caller says
//! it is, so tests move a clock instead of sleeping.

use std::time::Duration;

use serde_json::{Value, json};

use crate::cost::MAX_QUERY_COST;
use crate::errors::GraphqlError;

/// A shop's plan, which sets its API rate limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plan {
    /// Basic, Shopify and development stores.
    Standard,
    /// Advanced.
    Advanced,
    /// Shopify Plus.
    Plus,
    /// Commerce Components.
    Enterprise,
}

impl Plan {
    /// Points restored per second.
    pub fn restore_rate(self) -> u64 {
        match self {
            Self::Standard => 100,
            Self::Advanced => 200,
            Self::Plus => 1_000,
            Self::Enterprise => 2_000,
        }
    }

    /// The bucket's capacity.
    pub fn maximum_available(self) -> u64 {
        self.restore_rate() * 20
    }
}

/// One shop's bucket. Points are kept in thousandths so that restoring for a few milliseconds
/// is exact.
#[derive(Clone, Debug)]
pub struct Bucket {
    plan: Plan,
    available_milli: u64,
    updated: Duration,
}

/// `throttleStatus` as Shopify reports it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ThrottleStatus {
    /// The bucket's capacity.
    pub maximum_available: u64,
    /// Points available now, rounded down as Shopify shows them.
    pub currently_available: u64,
    /// Points restored per second.
    pub restore_rate: u64,
}

/// Why a request was not run.
#[derive(Clone, Debug, PartialEq)]
pub enum Refusal {
    /// The query alone costs more than any bucket allows (`MAX_COST_EXCEEDED`).
    TooCostly {
        /// The requested cost.
        requested: u64,
        /// The bucket afterwards, unchanged.
        status: ThrottleStatus,
    },
    /// Not enough points yet (`THROTTLED`).
    Throttled {
        /// The requested cost.
        requested: u64,
        /// The bucket afterwards, unchanged.
        status: ThrottleStatus,
        /// Whole seconds until the bucket holds `requested` points.
        retry_after_secs: u64,
    },
}

const MILLI: u64 = 1_000;

impl Bucket {
    /// A full bucket at time `now`.
    pub fn new(plan: Plan, now: Duration) -> Self {
        Self { plan, available_milli: plan.maximum_available() * MILLI, updated: now }
    }

    /// The plan the bucket follows.
    pub fn plan(&self) -> Plan {
        self.plan
    }

    /// Charges the requested cost up front, as Shopify does, or says why not.
    pub fn charge(&mut self, requested: u64, now: Duration) -> Result<ThrottleStatus, Refusal> {
        self.restore(now);
        if requested > MAX_QUERY_COST {
            return Err(Refusal::TooCostly { requested, status: self.status() });
        }
        let wanted = requested * MILLI;
        if wanted > self.available_milli {
            let missing = wanted - self.available_milli;
            let per_second = self.plan.restore_rate() * MILLI;
            let retry_after_secs = missing.div_ceil(per_second);
            return Err(Refusal::Throttled { requested, status: self.status(), retry_after_secs });
        }
        self.available_milli -= wanted;
        Ok(self.status())
    }

    /// Gives back what a query was charged beyond what it really cost.
    pub fn refund(&mut self, requested: u64, actual: u64, now: Duration) -> ThrottleStatus {
        self.restore(now);
        let refund = requested.saturating_sub(actual) * MILLI;
        self.available_milli = (self.available_milli + refund).min(self.capacity_milli());
        self.status()
    }

    /// Empties the bucket, as a burst of other traffic from the same app would.
    pub fn drain(&mut self, now: Duration) {
        self.restore(now);
        self.available_milli = 0;
    }

    /// The bucket as of `now`.
    pub fn status_at(&mut self, now: Duration) -> ThrottleStatus {
        self.restore(now);
        self.status()
    }

    fn restore(&mut self, now: Duration) {
        // A clock that goes backwards restores nothing rather than draining the bucket.
        let elapsed = now.saturating_sub(self.updated);
        self.updated = self.updated.max(now);
        let elapsed_millis = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
        let restored = elapsed_millis.saturating_mul(self.plan.restore_rate());
        self.available_milli = self.available_milli.saturating_add(restored).min(self.capacity_milli());
    }

    fn capacity_milli(&self) -> u64 {
        self.plan.maximum_available() * MILLI
    }

    fn status(&self) -> ThrottleStatus {
        ThrottleStatus {
            maximum_available: self.plan.maximum_available(),
            currently_available: self.available_milli / MILLI,
            restore_rate: self.plan.restore_rate(),
        }
    }
}

impl ThrottleStatus {
    /// `extensions.cost` for a response, with `actualQueryCost` null when nothing ran.
    pub fn cost_extension(&self, requested: u64, actual: Option<u64>) -> Value {
        json!({
            "requestedQueryCost": requested,
            "actualQueryCost": actual,
            "throttleStatus": {
                "maximumAvailable": self.maximum_available,
                "currentlyAvailable": self.currently_available,
                "restoreRate": self.restore_rate,
            }
        })
    }
}

impl Refusal {
    /// The error Shopify returns with HTTP 200.
    pub fn error(&self) -> GraphqlError {
        match self {
            Self::TooCostly { requested, .. } => {
                let mut error = GraphqlError::new(
                    "MAX_COST_EXCEEDED",
                    format!(
                        "Query cost is {requested}, which exceeds the single query max cost limit ({MAX_QUERY_COST})."
                    ),
                    Vec::new(),
                );
                error.extensions.insert("cost".to_owned(), (*requested).into());
                error.extensions.insert("maxCost".to_owned(), MAX_QUERY_COST.into());
                error
            }
            Self::Throttled { .. } => GraphqlError::new("THROTTLED", "Throttled", Vec::new()),
        }
    }

    /// The `extensions.cost` that goes with the error.
    pub fn cost_extension(&self) -> Value {
        match self {
            Self::TooCostly { requested, status } | Self::Throttled { requested, status, .. } => {
                status.cost_extension(*requested, None)
            }
        }
    }
}
