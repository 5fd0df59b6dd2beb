//! An appointment (预约) of a person at a hall for an offering, in a slot.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "appointments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub hall_id: String,
    pub group_code: String,
    pub offering_code: String,
    pub person_id: String,
    pub day: Date,
    pub start: String,
    /// `booked`, `cancelled`, `checked_in`, `no_show`.
    pub state: String,
    /// A draft application the window sees, blank when none.
    pub application_id: String,
    /// Its reminder went out.
    pub reminded: bool,
    /// The ticket it was checked in with.
    pub ticket_id: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
