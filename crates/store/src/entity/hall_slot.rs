//! An appointment slot of a group on a day, with its capacity and how many it holds: a booking
//! takes a place only while `booked < capacity`, in one statement, so a race has one winner.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "hall_slots")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub hall_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub group_code: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: Date,
    /// HH:MM, China time.
    #[sea_orm(primary_key, auto_increment = false)]
    pub start: String,
    pub capacity: i32,
    pub booked: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
