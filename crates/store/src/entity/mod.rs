//! The entity model, shared by SQLite and PostgreSQL.

pub mod calendar_day;
pub mod calendar_year;
pub mod dataset;
pub mod division;
