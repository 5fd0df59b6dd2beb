//! One entry of a case's audit trail (全过程留痕), chained to the previous one by SM3.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "case_trail")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub case_number: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i64,
    pub at: DateTimeUtc,
    pub actor_id: String,
    pub actor_role: String,
    pub action: String,
    pub before_state: String,
    pub after_state: String,
    pub detail: String,
    pub request_id: String,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
