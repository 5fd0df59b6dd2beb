//! The one migration set, applied alike to SQLite and PostgreSQL.

use sea_orm_migration::prelude::*;

mod m0001_foundation;
mod m0002_catalog;
mod m0003_identity;
mod m0004_phone_codes;
mod m0005_totp;
mod m0006_organizations;
mod m0007_staff;
mod m0008_oidc_clients;
mod m0009_oidc_grants;
mod m0010_oidc_acting;
mod m0011_cases;
mod m0012_materials;
mod m0013_webhooks;
mod m0014_audit_pending;
mod m0015_joint_cases;
mod m0016_licences;
mod m0017_licence_uses;
mod m0018_oidc_refresh_family;
mod m0019_licences_due;
mod m0020_outbound_messages;
mod m0021_search_synonyms;
mod m0022_notices_and_done;
mod m0023_exchange;
mod m0024_exchange_figures;
mod m0025_leases;
mod m0026_ratings;
mod m0027_inquiries;
mod m0028_rating_appeals;
mod m0029_hall;
mod m0030_ratings_by_person;
mod m0031_audit_seals;
mod m0032_exchange_log_index;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_foundation::Migration),
            Box::new(m0002_catalog::Migration),
            Box::new(m0003_identity::Migration),
            Box::new(m0004_phone_codes::Migration),
            Box::new(m0005_totp::Migration),
            Box::new(m0006_organizations::Migration),
            Box::new(m0007_staff::Migration),
            Box::new(m0008_oidc_clients::Migration),
            Box::new(m0009_oidc_grants::Migration),
            Box::new(m0010_oidc_acting::Migration),
            Box::new(m0011_cases::Migration),
            Box::new(m0012_materials::Migration),
            Box::new(m0013_webhooks::Migration),
            Box::new(m0014_audit_pending::Migration),
            Box::new(m0015_joint_cases::Migration),
            Box::new(m0016_licences::Migration),
            Box::new(m0017_licence_uses::Migration),
            Box::new(m0018_oidc_refresh_family::Migration),
            Box::new(m0019_licences_due::Migration),
            Box::new(m0020_outbound_messages::Migration),
            Box::new(m0021_search_synonyms::Migration),
            Box::new(m0022_notices_and_done::Migration),
            Box::new(m0023_exchange::Migration),
            Box::new(m0024_exchange_figures::Migration),
            Box::new(m0025_leases::Migration),
            Box::new(m0026_ratings::Migration),
            Box::new(m0027_inquiries::Migration),
            Box::new(m0028_rating_appeals::Migration),
            Box::new(m0029_hall::Migration),
            Box::new(m0030_ratings_by_person::Migration),
            Box::new(m0031_audit_seals::Migration),
            Box::new(m0032_exchange_log_index::Migration),
        ]
    }
}
