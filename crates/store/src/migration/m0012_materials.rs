//! Materials uploaded to an application: the file's metadata here, its bytes in object storage.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("application_materials")
                .col(string("id").primary_key())
                .col(string("application_id"))
                // The name of the guide's material it provides.
                .col(string("material"))
                .col(string("file_name"))
                .col(string("content_type"))
                .col(big_integer("size"))
                // SM3 of the bytes, hex: what was received, checkable against the stored object.
                .col(string("digest"))
                .col(string("object_key"))
                .col(timestamp_with_time_zone("uploaded_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("application_materials_application")
                .table("application_materials")
                .col("application_id")
                .to_owned(),
        )
        .await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
