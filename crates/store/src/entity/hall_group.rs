//! A window group of a hall (综合窗口, a 专窗): the offerings it serves and its appointments per slot.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "hall_groups")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub hall_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    pub name: String,
    /// Offering codes, comma-separated.
    #[sea_orm(column_type = "Text")]
    pub offerings: String,
    pub capacity: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
