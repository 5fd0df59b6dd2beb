//! A request for a data resource; once granted, the grant itself (scope, quota, expiry).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "data_requests")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub resource: String,
    pub resource_version: i32,
    pub provider_agency: String,
    pub consumer_agency: String,
    pub requested_by: String,
    pub purpose: String,
    pub legal_basis: String,
    /// JSON array of offering codes (实施编码).
    pub offerings: String,
    /// JSON array of item names.
    pub items: String,
    pub quota_per_day: i32,
    pub expires_on: Date,
    pub state: String,
    /// The day the current stage began (its clock starts the next working day).
    pub stage_from: Option<Date>,
    /// The working days the current stage may take.
    pub stage_days: i32,
    pub reasons: String,
    pub version: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
