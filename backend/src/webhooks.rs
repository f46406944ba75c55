//! `POST /webhooks`: every verified delivery is in the durable inbox, with the job that will
//! process it, before Shopify gets its 200; `process` turns it into state and events.

mod inbox;
pub mod process;
mod receive;

pub use inbox::Inbox;
pub use receive::receive;
