//! A window of a hall: the agency whose staff work it, the groups it calls from, who is at it.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "hall_windows")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub hall_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub number: String,
    pub agency_code: String,
    /// Group codes, comma-separated.
    pub groups: String,
    /// The staff member signed in at it.
    pub staff_id: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
