//! A status change of a licence (issue, suspend, revoke…), in order.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "licence_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub licence_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i32,
    pub operation: String,
    pub status: String,
    pub actor_id: String,
    pub reason: String,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
