//! A case's rating (一事一评): level, indicators (JSON), comment, and what it is counted under.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "ratings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    #[sea_orm(unique)]
    pub case_number: String,
    pub channel: String,
    /// The rater (kept for the callback even when the rating is shown anonymously).
    pub person_id: String,
    pub anonymous: bool,
    pub level: i32,
    #[sea_orm(column_type = "Text")]
    pub indicators: String,
    #[sea_orm(column_type = "Text")]
    pub comment: String,
    pub agency_code: String,
    pub offering_code: String,
    pub division_code: String,
    /// The month it is counted in (China time), `YYYY-MM`.
    pub month: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Times it was changed (once at most).
    pub changes: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
