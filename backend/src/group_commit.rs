//! Group commit: one task writes, taking everything that arrived while its last write ran, so a
//! burst costs one commit per batch instead of one per request, and no caller hears back before
//! its item is committed. The webhook inbox and pixel events are written this way.
//!
//! A caller waits at most its deadline. When the database is down or locked past it the caller
//! answers 503 and the sender retries; the item may still be written after (the writer cannot
//! take back what it started), which is why everything written this way is idempotent. An item
//! whose caller gave up before the writer reached it is not written at all.

use std::future::Future;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use crate::db::DbError;

/// Items waiting for the writer before senders wait too.
const QUEUE: usize = 8_192;

/// Why an item was not committed.
#[derive(Clone, Debug, thiserror::Error)]
pub enum NotCommitted {
    /// The database could not be reached or stayed locked: worth retrying soon.
    #[error("storage is unavailable: {0}")]
    Unavailable(String),
    /// The write failed for another reason.
    #[error("{0}")]
    Failed(String),
}

impl From<DbError> for NotCommitted {
    fn from(error: DbError) -> Self {
        if error.is_unavailable() {
            Self::Unavailable(error.to_string())
        } else {
            Self::Failed(error.to_string())
        }
    }
}

type Reply<O> = oneshot::Sender<Result<O, NotCommitted>>;

/// The writer's mailbox.
pub struct GroupCommit<I, O> {
    sender: mpsc::Sender<(I, Reply<O>)>,
    deadline: Duration,
}

impl<I: Send + 'static, O: Send + 'static> GroupCommit<I, O> {
    /// Starts a writer that hands up to `max_batch` items at a time to `write`, which answers one
    /// outcome per item, in order. Callers wait at most `deadline`.
    pub fn start<W, F>(max_batch: usize, deadline: Duration, write: W) -> Self
    where
        W: Fn(Vec<I>) -> F + Send + 'static,
        F: Future<Output = Result<Vec<O>, NotCommitted>> + Send,
    {
        let (sender, mut receiver) = mpsc::channel::<(I, Reply<O>)>(QUEUE);
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(max_batch);
            while receiver.recv_many(&mut batch, max_batch).await > 0 {
                let (items, replies): (Vec<I>, Vec<Reply<O>>) =
                    batch.drain(..).filter(|(_, reply)| !reply.is_closed()).unzip();
                if items.is_empty() {
                    continue;
                }
                match write(items).await {
                    Ok(outcomes) => {
                        for (reply, outcome) in replies.into_iter().zip(outcomes) {
                            let _ = reply.send(Ok(outcome));
                        }
                    }
                    Err(error) => {
                        for reply in replies {
                            let _ = reply.send(Err(error.clone()));
                        }
                    }
                }
            }
        });
        Self { sender, deadline }
    }

    /// Hands `item` to the writer; returns once it is committed, or with `Unavailable` when that
    /// takes longer than the deadline.
    pub async fn submit(&self, item: I) -> Result<O, NotCommitted> {
        let (reply, answer) = oneshot::channel();
        let committed = async {
            self.sender.send((item, reply)).await.map_err(|_| stopped())?;
            answer.await.map_err(|_| stopped())?
        };
        tokio::time::timeout(self.deadline, committed).await.unwrap_or_else(|_| {
            Err(NotCommitted::Unavailable(format!("not committed within {} ms", self.deadline.as_millis())))
        })
    }
}

fn stopped() -> NotCommitted {
    NotCommitted::Failed("the writer stopped".to_owned())
}
