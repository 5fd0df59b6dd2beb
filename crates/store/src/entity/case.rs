//! A case (办件): a submitted application with its lifecycle position and clock.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cases")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub case_number: String,
    pub application_id: String,
    pub offering_code: String,
    pub offering_version: i32,
    pub offering_name: String,
    pub applicant_id: String,
    pub organization: String,
    pub receiving_agency: String,
    pub receiving_division: String,
    pub deciding_agency: String,
    pub deciding_division: String,
    /// Who acts on the deciding side now: the deciding agency, or another at a joint step.
    pub handling_agency: String,
    pub handling_division: String,
    pub case_kind: String,
    pub state: String,
    pub step: i32,
    pub steps: Json,
    pub accepted: bool,
    pub limit_days: i32,
    pub accepted_on: Option<Date>,
    pub stopped_on: Option<Date>,
    pub pauses: Json,
    pub due: Option<Date>,
    pub warning: String,
    pub claimed_by: Option<String>,
    pub version: i64,
    pub submitted_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
