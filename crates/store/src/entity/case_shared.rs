//! A material a case obtained through the exchange gateway (免提交): the data, sealed, and the
//! call's place in the log — or why it could not be fetched.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "case_shared_data")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub case_number: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub material: String,
    pub resource: String,
    pub offering_code: String,
    /// `fetched` or `failed`.
    pub status: String,
    pub data_sealed: Option<String>,
    pub error: String,
    pub call_node: Option<i32>,
    pub call_seq: Option<i64>,
    pub call_hash: Option<String>,
    pub fetched_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
