//! Repository of staff roles.

use crate::entity::staff_role;
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder};

pub type StaffRoleRow = staff_role::Model;

impl Store {
    pub async fn insert_staff_role(&self, r: StaffRoleRow) -> Result<(), StoreError> {
        staff_role::Entity::insert(r.into_active_model()).exec_without_returning(&self.db).await?;
        Ok(())
    }

    /// Live roles: of a person, or of an agency (`None`: every agency).
    pub async fn staff_roles(
        &self,
        person_id: Option<&str>,
        agency: Option<&str>,
    ) -> Result<Vec<StaffRoleRow>, StoreError> {
        let mut q = staff_role::Entity::find().filter(staff_role::Column::RevokedAt.is_null());
        if let Some(p) = person_id {
            q = q.filter(staff_role::Column::PersonId.eq(p));
        }
        if let Some(a) = agency {
            q = q.filter(staff_role::Column::AgencyCode.eq(a));
        }
        Ok(q.order_by_asc(staff_role::Column::GrantedAt).all(&self.db).await?)
    }

    /// A staff role, live or revoked.
    pub async fn staff_role(&self, id: &str) -> Result<Option<StaffRoleRow>, StoreError> {
        Ok(staff_role::Entity::find_by_id(id).one(&self.db).await?)
    }

    pub async fn revoke_staff_role(&self, id: &str, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let done = staff_role::Entity::update_many()
            .col_expr(staff_role::Column::RevokedAt, at.into())
            .filter(staff_role::Column::Id.eq(id))
            .filter(staff_role::Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?;
        Ok(done.rows_affected == 1)
    }
}
