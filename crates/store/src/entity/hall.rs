//! A service hall (政务服务中心) in a division, run by an agency, with its opening hours and the
//! rules of its appointments and queue [configurable, per hall].
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "halls")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: String,
    pub division_code: String,
    /// The agency that runs it (its administrators manage the hall).
    pub agency_code: String,
    pub address: String,
    /// `09:00-12:00,13:30-17:00`, China time, on working days.
    pub hours: String,
    pub slot_minutes: i32,
    /// Slots of a day are released this many days before it, at `release_at` (HH:MM).
    pub days_ahead: i32,
    pub release_at: String,
    /// The head start of a checked-in appointment over walk-ins.
    pub appointment_ahead_minutes: i32,
    /// How often a ticket may be called again before it is a no-show.
    pub max_recalls: i32,
    /// The service time assumed before any was measured.
    pub default_service_secs: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
