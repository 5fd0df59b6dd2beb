//! An agency's appeal (申诉) of a bad review as mistaken or malicious, and the platform
//! administrator's decision; an upheld one takes the rating out of the figures.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rating_appeals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub rating_id: String,
    pub case_number: String,
    pub agency_code: String,
    /// `pending`, `upheld`, `rejected`.
    pub state: String,
    #[sea_orm(column_type = "Text")]
    pub reason: String,
    pub appealed_by: String,
    pub appealed_at: DateTimeUtc,
    /// The administrator's reasons.
    #[sea_orm(column_type = "Text")]
    pub decision: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
