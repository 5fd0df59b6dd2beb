//! One entry of the population registry (人口库 stand-in), as blind indexes.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "registry_people")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub citizen_id_index: String,
    pub name_index: String,
    pub loaded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
