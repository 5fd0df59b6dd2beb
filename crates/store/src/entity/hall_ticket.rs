//! A queue ticket (取号) of a hall's day, from issue to the end of its visit.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "hall_tickets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub hall_id: String,
    pub day: Date,
    /// `A007`: unique in its hall and day.
    pub number: String,
    /// `green`, `appointment`, `walk_in`.
    pub line: String,
    pub group_code: String,
    /// The queue's order: called by ascending rank.
    pub rank: i64,
    /// Blank when issued without a card.
    pub person_id: String,
    pub appointment_id: String,
    pub offering_code: String,
    /// `waiting`, `called`, `done`, `no_show`.
    pub state: String,
    /// The window that called it.
    pub window: String,
    /// Times called (the first call and the recalls).
    pub calls: i32,
    pub issued_at: DateTimeUtc,
    pub called_at: Option<DateTimeUtc>,
    pub finished_at: Option<DateTimeUtc>,
    /// The application accepted at the window, and its case once submitted.
    pub application_id: String,
    pub case_number: String,
    /// The visit was rated (一次一评).
    pub rated: bool,
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
