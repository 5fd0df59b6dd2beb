//! Staff roles: a person's role at an agency over a division subtree (the platform
//! administrator's over everything).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("staff_roles")
                .col(string("id").primary_key())
                .col(string("person_id"))
                .col(string("role"))
                // Empty for the platform administrator.
                .col(string("agency_code"))
                .col(string("division_code"))
                .col(string("granted_by"))
                .col(timestamp_with_time_zone("granted_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("staff_roles_person")
                        .from("staff_roles", "person_id")
                        .to("persons", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("staff_roles_person").table("staff_roles").col("person_id").to_owned())
            .await?;
        m.create_index(Index::create().name("staff_roles_agency").table("staff_roles").col("agency_code").to_owned())
            .await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
