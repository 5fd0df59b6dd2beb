//! A sealed batch of the call log: the Merkle root of its calls' digests, signed.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "exchange_seals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub node: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub batch: i64,
    pub first_seq: i64,
    pub last_seq: i64,
    pub root: String,
    pub key_id: String,
    pub signature: String,
    pub sealed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
