//! The rectification (整改) a bad review opens for the handling agency, on a working-day clock:
//! the callback (回访), the answer, and whether the rater is satisfied.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "rectifications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub rating_id: String,
    pub case_number: String,
    pub agency_code: String,
    pub division_code: String,
    /// `open`, `answered` (waiting for the rater), `closed`, `withdrawn` (the review changed to
    /// a good one).
    pub state: String,
    pub opened_on: Date,
    pub limit_days: i32,
    pub called_back_at: Option<DateTimeUtc>,
    pub called_back_by: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub callback: String,
    #[sea_orm(column_type = "Text")]
    pub answer: String,
    pub answered_at: Option<DateTimeUtc>,
    pub answered_by: Option<String>,
    pub satisfied: Option<bool>,
    /// Told to the agency's administrators once overdue (red).
    pub escalated: bool,
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
