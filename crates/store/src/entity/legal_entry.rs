//! One entry of the legal-person registry (法人库 stand-in).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "legal_registry")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub credit_code: String,
    pub name: String,
    pub legal_rep_index: String,
    pub loaded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
