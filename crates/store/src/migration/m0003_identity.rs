//! Unified identity: persons with their sealed personal data and blind indexes, login sessions,
//! and the population registry that real-name verification checks against.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("persons")
                .col(string("id").primary_key())
                .col(string("name"))
                // Personal data is sealed (SM4-GCM); the blind indexes (SM3-HMAC) find it.
                .col(string("citizen_id_sealed"))
                .col(string("citizen_id_index").unique_key())
                .col(string("phone_sealed"))
                .col(string("phone_index").unique_key())
                .col(string_null("email_sealed"))
                .col(string("assurance"))
                .col(string("password_hash"))
                .col(integer("failed_logins"))
                .col(timestamp_with_time_zone_null("locked_until"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("sessions")
                // The SM3 digest of the cookie's token: the token itself is never stored.
                .col(string("token_hash").primary_key())
                .col(string("person_id"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("last_seen_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(string("address"))
                .col(string("user_agent"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("sessions_person")
                        .from("sessions", "person_id")
                        .to("persons", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("sessions_person").table("sessions").col("person_id").to_owned()).await?;
        m.create_table(
            Table::create()
                .table("registry_people")
                // Blind indexes only: the registry stands in for 人口库 and holds no plaintext.
                .col(string("citizen_id_index").primary_key())
                .col(string("name_index"))
                .col(timestamp_with_time_zone("loaded_at"))
                .to_owned(),
        )
        .await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
