//! The states a stored row can be in. Each is a Rust enum and one word in a `TEXT` column, so the
//! code matches on variants while the tables stay readable in `psql` or `sqlite3`. The
//! `20261207040000_states_are_checked` migrations make both engines refuse any other word.

use std::fmt;

/// Declares an enum stored as one of a fixed set of words, with its serde and TypeScript names
/// the same words, and generic sqlx impls so `on_pool!` binds and reads it on either engine.
macro_rules! stored_as_text {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident => $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, ts_rs::TS)]
        pub enum $name {
            $( $(#[$variant_meta])* #[serde(rename = $text)] $variant, )+
        }

        impl $name {
            /// Every state, in declaration order.
            pub const ALL: &[Self] = &[$(Self::$variant),+];

            /// The word stored and sent for it.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)+
                }
            }

            /// The state a stored word names.
            pub fn from_word(word: &str) -> Result<Self, UnknownState> {
                match word {
                    $($text => Ok(Self::$variant),)+
                    other => Err(UnknownState { kind: stringify!($name), word: other.chars().take(40).collect() }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str(self.as_str())
            }
        }

        impl<DB: sqlx::Database> sqlx::Type<DB> for $name
        where
            String: sqlx::Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <String as sqlx::Type<DB>>::type_info()
            }

            fn compatible(type_info: &DB::TypeInfo) -> bool {
                <String as sqlx::Type<DB>>::compatible(type_info)
            }
        }

        impl<'q, DB: sqlx::Database> sqlx::Encode<'q, DB> for $name
        where
            String: sqlx::Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buffer: &mut DB::ArgumentBuffer<'q>,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <String as sqlx::Encode<'q, DB>>::encode(self.as_str().to_owned(), buffer)
            }
        }

        impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for $name
        where
            String: sqlx::Decode<'r, DB>,
        {
            fn decode(value: DB::ValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
                Ok(Self::from_word(&<String as sqlx::Decode<'r, DB>>::decode(value)?)?)
            }
        }
    };
}

/// A stored word no variant names: the row was written by hand or by a newer release.
#[derive(Debug, thiserror::Error)]
#[error("`{word}` is not a {kind}")]
pub struct UnknownState {
    kind: &'static str,
    word: String,
}

stored_as_text! {
    /// Where a job is.
    pub enum JobState {
        /// Waiting to run (again).
        Queued => "queued",
        /// Claimed by a worker.
        Running => "running",
        /// Finished.
        Done => "done",
        /// Failed too often; kept for a person to look at.
        Dead => "dead",
    }
}

stored_as_text! {
    /// Where a setup step of an install is.
    pub enum StepState {
        /// Not run yet, or to run again (the pixel after its settings changed).
        Pending => "pending",
        /// Under way (the backfill, which takes minutes).
        Running => "running",
        /// Done.
        Done => "done",
        /// Not needed: `shopify.app.toml` declares it, so Shopify did it at deploy.
        Skipped => "skipped",
        /// Failed; the detail says why and the next provisioning retries it.
        Failed => "failed",
    }
}

stored_as_text! {
    /// Where the push of a segment's tags is.
    #[derive(Default)]
    pub enum PushState {
        /// Nothing pushed yet: a segment without a push row, or one only reconciled so far.
        #[default]
        Never => "never",
        /// A push is queued.
        Queued => "queued",
        /// Shopify's throttle or a running bulk operation holds it back for now.
        Waiting => "waiting",
        /// Pushing now.
        Running => "running",
        /// Every change is in Shopify.
        Done => "done",
        /// Stopped; the detail says why.
        Failed => "failed",
    }
}

stored_as_text! {
    /// Where the write of the discount rules to Shopify is.
    #[derive(Default)]
    pub enum SyncState {
        /// Never written. Never stored: a store without a sync row is in it.
        #[default]
        Never => "never",
        /// Shopify has the rules as stored.
        Synced => "synced",
        /// The last write failed; a job retries it.
        Failed => "failed",
    }
}

stored_as_text! {
    /// Where a store's latest product metafield run is.
    pub enum RunState {
        /// Writing; a run that stopped resumes from its checkpoint.
        Running => "running",
        /// Every changed product written.
        Done => "done",
        /// Stopped for good; the detail says why.
        Failed => "failed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_reads_back_from_its_word() {
        for state in JobState::ALL {
            assert_eq!(JobState::from_word(state.as_str()).unwrap(), *state);
        }
        for state in StepState::ALL {
            assert_eq!(StepState::from_word(state.as_str()).unwrap(), *state);
        }
        for state in PushState::ALL {
            assert_eq!(PushState::from_word(state.as_str()).unwrap(), *state);
        }
        for state in SyncState::ALL {
            assert_eq!(SyncState::from_word(state.as_str()).unwrap(), *state);
        }
        for state in RunState::ALL {
            assert_eq!(RunState::from_word(state.as_str()).unwrap(), *state);
        }
    }

    #[test]
    fn an_unknown_word_is_an_error_that_names_it() {
        let error = PushState::from_word("exploded").unwrap_err();
        assert_eq!(error.to_string(), "`exploded` is not a PushState");
        assert_eq!(serde_json::to_string(&StepState::Skipped).unwrap(), "\"skipped\"");
    }
}
