//! Uses of electronic licences (用证): each one a licence used instead of a material of an
//! application, with the annotated copy (加注件) the handling agency receives. And the holder's
//! citizen id as a blind index on licences, so that a licence issued to a person without an
//! account yet (an imported one) reaches their wallet once they have one.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("licence_uses")
                .col(string("id").primary_key())
                .col(string("licence_id"))
                .col(string("application_id"))
                .col(string("offering_code"))
                .col(string("material"))
                .col(string("using_agency"))
                .col(string("use_reason"))
                // The annotated copy as JSON: the sealed licence, the annotation and its seal.
                .col(text("copy"))
                .col(timestamp_with_time_zone("used_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("licence_uses_material")
                .table("licence_uses")
                .col("application_id")
                .col("material")
                .unique()
                .to_owned(),
        )
        .await?;
        m.alter_table(Table::alter().table("licences").add_column(string_null("holder_index")).to_owned()).await?;
        m.create_index(Index::create().name("licences_holder_index").table("licences").col("holder_index").to_owned())
            .await?;
        m.create_index(Index::create().name("licence_uses_licence").table("licence_uses").col("licence_id").to_owned())
            .await?;
        m.create_index(
            Index::create().name("licence_uses_offering").table("licence_uses").col("offering_code").to_owned(),
        )
        .await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
