//! One published version of an offering's guide (办事指南), kept forever.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "offering_versions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub offering_code: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub version: i32,
    pub guide: Json,
    pub note: String,
    pub published_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
