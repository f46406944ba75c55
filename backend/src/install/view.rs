//! What the workspace and connection API answers, typed for the admin's generated TypeScript.

use serde::Serialize;
use ts_rs::TS;

use crate::clock::UnixTime;
use crate::db::ConnectLink;
use crate::shop_domain::ShopDomain;

/// A store connected with a custom app's token.
#[derive(Serialize, TS)]
pub struct CustomConnected {
    #[ts(as = "String")]
    pub shop: ShopDomain,
    /// The scopes the token grants.
    pub scopes: Vec<String>,
}

/// A custom-app store whose token was replaced.
#[derive(Serialize, TS)]
pub struct Rotated {
    #[ts(as = "String")]
    pub shop: ShopDomain,
    pub rotated: bool,
}

/// A store of the workspace and how Seglink reaches it.
#[derive(Serialize, TS)]
pub struct ConnectedStore {
    #[ts(as = "String")]
    pub shop: ShopDomain,
    /// `managed` (installed from Shopify) or `custom` (a custom app's token).
    pub connection: String,
    pub active: bool,
    /// It owns the workspace.
    pub owner: bool,
}

/// `GET /api/connections`.
#[derive(Serialize, TS)]
pub struct ConnectedStores {
    pub stores: Vec<ConnectedStore>,
}

/// A connect link and what became of it.
#[derive(Serialize, TS)]
pub struct LinkView {
    pub id: String,
    /// The one store that may use it.
    #[ts(as = "String")]
    pub for_shop: ShopDomain,
    #[ts(as = "String")]
    pub created_by: ShopDomain,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
    pub used_at: Option<UnixTime>,
    pub revoked_at: Option<UnixTime>,
}

impl From<&ConnectLink> for LinkView {
    fn from(link: &ConnectLink) -> Self {
        Self {
            id: link.id.clone(),
            for_shop: link.for_shop.clone(),
            created_by: link.created_by.clone(),
            created_at: link.created_at,
            expires_at: link.expires_at,
            used_at: link.used_at,
            revoked_at: link.revoked_at,
        }
    }
}

/// A link just made: the only answer that carries its token.
#[derive(Serialize, TS)]
pub struct NewLinkView {
    #[serde(flatten)]
    #[ts(flatten)]
    pub link: LinkView,
    pub token: String,
    /// The page the other store opens, with the token in its fragment.
    pub url: String,
}

/// `GET /api/connect-links`.
#[derive(Serialize, TS)]
pub struct LinkList {
    pub links: Vec<LinkView>,
}

/// A store moved by a connect link.
#[derive(Serialize, TS)]
pub struct Moved {
    #[ts(as = "String")]
    pub shop: ShopDomain,
    /// The workspace it is in now.
    pub workspace: String,
}

/// A new server key: shown in this answer only, stored hashed.
#[derive(Serialize, TS)]
pub struct ServerKey {
    pub server_key: String,
}
