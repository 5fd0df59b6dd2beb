//! The entity model, shared by SQLite and PostgreSQL.

pub mod agency;
pub mod calendar_day;
pub mod calendar_year;
pub mod dataset;
pub mod division;
pub mod item;
pub mod offering;
pub mod offering_version;
pub mod one_time_code;
pub mod person;
pub mod registry_person;
pub mod session;
