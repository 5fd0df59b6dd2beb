//! A registered OpenID Connect client (a department system).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "oidc_clients")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub client_id: String,
    pub name: String,
    pub secret_hash: String,
    /// Space-separated.
    pub redirect_uris: String,
    /// Space-separated (`authorization_code`, `refresh_token`, `client_credentials`).
    pub grant_types: String,
    /// `public` or `pairwise`.
    pub subject_type: String,
    pub created_at: DateTimeUtc,
    /// The agency whose system the client is (a data consumer at the exchange gateway).
    pub agency_code: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
