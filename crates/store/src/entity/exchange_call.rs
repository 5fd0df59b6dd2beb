//! One call through the exchange gateway, chained to the node's previous call by SM3.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "exchange_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub node: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i64,
    pub at: DateTimeUtc,
    /// The China date of the call (quotas count per day).
    pub day: String,
    pub client_id: String,
    pub consumer_agency: String,
    pub resource: String,
    pub grant_id: Option<String>,
    pub case_number: Option<String>,
    pub status: i32,
    pub code: String,
    pub upstream_ms: i32,
    pub total_ms: i32,
    pub request_sm3: String,
    pub response_sm3: String,
    /// The request and response, SM4-sealed, when the node keeps bodies.
    pub body_sealed: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
