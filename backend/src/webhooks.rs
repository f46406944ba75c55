//! `POST /webhooks`: every verified delivery is in the durable inbox, with the job that will
//! process it, before Shopify gets its 200.

mod inbox;
mod receive;

pub use inbox::Inbox;
pub use receive::receive;
