//! Group commit: one task writes, taking everything that arrived while its last write ran, so a
//! burst costs one commit per batch instead of one per request, and no caller hears back before
//! its item is committed. The webhook inbox and pixel events are written this way.

use std::future::Future;

use tokio::sync::{mpsc, oneshot};

/// Items waiting for the writer before senders wait too.
const QUEUE: usize = 8_192;

type Reply<O> = oneshot::Sender<Result<O, String>>;

/// The writer's mailbox.
pub struct GroupCommit<I, O> {
    sender: mpsc::Sender<(I, Reply<O>)>,
}

impl<I: Send + 'static, O: Send + 'static> GroupCommit<I, O> {
    /// Starts a writer that hands up to `max_batch` items at a time to `write`, which answers one
    /// outcome per item, in order.
    pub fn start<W, F>(max_batch: usize, write: W) -> Self
    where
        W: Fn(Vec<I>) -> F + Send + 'static,
        F: Future<Output = Result<Vec<O>, String>> + Send,
    {
        let (sender, mut receiver) = mpsc::channel::<(I, Reply<O>)>(QUEUE);
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(max_batch);
            while receiver.recv_many(&mut batch, max_batch).await > 0 {
                let (items, replies): (Vec<I>, Vec<Reply<O>>) = batch.drain(..).unzip();
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
        Self { sender }
    }

    /// Hands `item` to the writer; returns once it is committed.
    pub async fn submit(&self, item: I) -> Result<O, String> {
        let (reply, answer) = oneshot::channel();
        self.sender.send((item, reply)).await.map_err(|_| "the writer stopped".to_owned())?;
        answer.await.map_err(|_| "the writer stopped".to_owned())?
    }
}
