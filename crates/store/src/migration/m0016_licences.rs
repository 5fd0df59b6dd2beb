//! Electronic licences: the seal keys of issuing agencies (secrets sealed by the caller), the
//! licences issued with their sealed canonical form, and each licence's status changes.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("seal_keys")
                .col(string("key_id").primary_key())
                // `platform` for the root key that signs the trust list.
                .col(string("agency_code"))
                .col(string("agency_name"))
                .col(string("public_key"))
                // The SM2 secret, sealed (SM4-GCM).
                .col(string("secret_sealed"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("retired_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("licences")
                .col(string("id").primary_key())
                .col(string("type_code"))
                .col(string("issuer_code"))
                // The holder: a person's account, or an organization's credit code.
                .col(string_null("holder_person"))
                .col(string("holder_organization"))
                .col(string("status"))
                // The exported form: the licence and its seal, as JSON.
                .col(text("sealed"))
                .col(string_null("case_number").unique_key())
                .col(date_null("valid_to"))
                .col(timestamp_with_time_zone("issued_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("licences_person").table("licences").col("holder_person").to_owned())
            .await?;
        m.create_table(
            Table::create()
                .table("licence_events")
                .col(string("licence_id"))
                .col(integer("seq"))
                .col(string("operation"))
                .col(string("status"))
                .col(string("actor_id"))
                .col(string("reason"))
                .col(timestamp_with_time_zone("at"))
                .primary_key(Index::create().col("licence_id").col("seq"))
                .to_owned(),
        )
        .await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
