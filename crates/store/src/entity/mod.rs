//! The entity model, shared by SQLite and PostgreSQL.

pub mod agency;
pub mod agent_grant;
pub mod anchor;
pub mod application;
pub mod audit_head;
pub mod calendar_day;
pub mod calendar_year;
pub mod case;
pub mod case_sequence;
pub mod dataset;
pub mod division;
pub mod item;
pub mod legal_entry;
pub mod message;
pub mod offering;
pub mod offering_version;
pub mod oidc_client;
pub mod oidc_code;
pub mod oidc_refresh_token;
pub mod one_time_code;
pub mod organization;
pub mod person;
pub mod registry_person;
pub mod session;
pub mod staff_role;
pub mod trail_entry;
