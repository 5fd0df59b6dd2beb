//! Repository of persons, their sessions, and the population registry. Values arrive sealed and
//! indexed: this layer never sees plaintext personal data.

use crate::entity::{one_time_code, person, registry_person, session};
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder};

pub type PersonRow = person::Model;
pub type SessionRow = session::Model;
pub type CodeRow = one_time_code::Model;

/// How a person is looked up: by the blind index of the id number or of the phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonKey {
    CitizenId,
    Phone,
}

impl Store {
    /// Adds a person; `Duplicate` names the field when the id number or phone is taken.
    pub async fn insert_person(&self, p: PersonRow) -> Result<(), StoreError> {
        let (_turn, txn) = self.write().await?;
        for (key, index, field) in
            [(PersonKey::CitizenId, &p.citizen_id_index, "citizen_id"), (PersonKey::Phone, &p.phone_index, "phone")]
        {
            if find_person(&txn, key, index).await?.is_some() {
                return Err(StoreError::Duplicate(field));
            }
        }
        person::Entity::insert(p.into_active_model()).exec_without_returning(&txn).await?;
        txn.commit().await?;
        Ok(())
    }

    pub async fn person_by(&self, key: PersonKey, index: &str) -> Result<Option<PersonRow>, StoreError> {
        find_person(&self.db, key, index).await
    }

    pub async fn person(&self, id: &str) -> Result<Option<PersonRow>, StoreError> {
        Ok(person::Entity::find_by_id(id).one(&self.db).await?)
    }

    /// Records the outcome of a login attempt: failures so far and the lock, if any.
    pub async fn set_login_state(
        &self,
        id: &str,
        failed_logins: u32,
        locked_until: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        person::ActiveModel {
            id: Set(id.to_owned()),
            failed_logins: Set(failed_logins as i32),
            locked_until: Set(locked_until),
            ..Default::default()
        }
        .update(&self.db)
        .await?;
        Ok(())
    }

    /// Counts one failed login, atomically (parallel attempts each count); when the count reaches
    /// `max_failures` the account is locked until `lock_until` and the count starts again.
    /// Returns whether this failure locked the account.
    pub async fn record_login_failure(
        &self,
        id: &str,
        max_failures: u32,
        lock_until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        use sea_orm::sea_query::{Expr, ExprTrait};
        person::Entity::update_many()
            .col_expr(person::Column::FailedLogins, Expr::col(person::Column::FailedLogins).add(1))
            .filter(person::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        let locked = person::Entity::update_many()
            .col_expr(person::Column::FailedLogins, 0.into())
            .col_expr(person::Column::LockedUntil, lock_until.into())
            .filter(person::Column::Id.eq(id))
            .filter(person::Column::FailedLogins.gte(max_failures as i32))
            .exec(&self.db)
            .await?;
        Ok(locked.rows_affected == 1)
    }

    pub async fn set_password_hash(&self, id: &str, hash: &str) -> Result<(), StoreError> {
        person::ActiveModel { id: Set(id.to_owned()), password_hash: Set(hash.to_owned()), ..Default::default() }
            .update(&self.db)
            .await?;
        Ok(())
    }

    pub async fn set_assurance(&self, id: &str, level: &str) -> Result<(), StoreError> {
        person::ActiveModel { id: Set(id.to_owned()), assurance: Set(level.to_owned()), ..Default::default() }
            .update(&self.db)
            .await?;
        Ok(())
    }

    /// Sets the second factor: the active secret and one being set up (sealed), either cleared
    /// with `None`, and the last step used (a code of that step or before is refused).
    pub async fn set_totp(
        &self,
        id: &str,
        active: Option<&str>,
        pending: Option<&str>,
        last_step: Option<i64>,
    ) -> Result<(), StoreError> {
        person::ActiveModel {
            id: Set(id.to_owned()),
            totp_sealed: Set(active.map(str::to_owned)),
            totp_pending_sealed: Set(pending.map(str::to_owned)),
            totp_last_step: Set(last_step),
            ..Default::default()
        }
        .update(&self.db)
        .await?;
        Ok(())
    }

    /// Records the step of an accepted code; false when `step` is not after the last one (a
    /// replayed code), so that of two logins with one code only one succeeds.
    pub async fn use_totp_step(&self, id: &str, step: i64) -> Result<bool, StoreError> {
        let done = person::Entity::update_many()
            .col_expr(person::Column::TotpLastStep, step.into())
            .filter(person::Column::Id.eq(id))
            .filter(
                sea_orm::Condition::any()
                    .add(person::Column::TotpLastStep.is_null())
                    .add(person::Column::TotpLastStep.lt(step)),
            )
            .exec(&self.db)
            .await?;
        Ok(done.rows_affected == 1)
    }

    /// The channels notices of the person's cases go by.
    pub async fn set_notice_channels(&self, id: &str, channels: &str) -> Result<(), StoreError> {
        person::ActiveModel { id: Set(id.to_owned()), notice_channels: Set(channels.to_owned()), ..Default::default() }
            .update(&self.db)
            .await?;
        Ok(())
    }

    /// Every person's sealed fields, for re-sealing under a new key.
    pub async fn persons_sealed(&self) -> Result<Vec<PersonRow>, StoreError> {
        Ok(person::Entity::find().order_by_asc(person::Column::Id).all(&self.db).await?)
    }

    /// Replaces a person's sealed values (after a key rotation), each re-sealed from the row.
    pub async fn set_sealed(&self, p: &PersonRow) -> Result<(), StoreError> {
        person::ActiveModel {
            id: Set(p.id.clone()),
            citizen_id_sealed: Set(p.citizen_id_sealed.clone()),
            phone_sealed: Set(p.phone_sealed.clone()),
            email_sealed: Set(p.email_sealed.clone()),
            totp_sealed: Set(p.totp_sealed.clone()),
            totp_pending_sealed: Set(p.totp_pending_sealed.clone()),
            ..Default::default()
        }
        .update(&self.db)
        .await?;
        Ok(())
    }

    pub async fn insert_session(&self, s: SessionRow) -> Result<(), StoreError> {
        session::Entity::insert(s.into_active_model()).exec_without_returning(&self.db).await?;
        Ok(())
    }

    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionRow>, StoreError> {
        Ok(session::Entity::find_by_id(token_hash).one(&self.db).await?)
    }

    pub async fn touch_session(&self, token_hash: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        session::ActiveModel { token_hash: Set(token_hash.to_owned()), last_seen_at: Set(at), ..Default::default() }
            .update(&self.db)
            .await?;
        Ok(())
    }

    /// A person's sessions that are not revoked and not past their absolute expiry, newest first.
    pub async fn sessions_of(&self, person_id: &str, now: DateTime<Utc>) -> Result<Vec<SessionRow>, StoreError> {
        Ok(session::Entity::find()
            .filter(session::Column::PersonId.eq(person_id))
            .filter(session::Column::RevokedAt.is_null())
            .filter(session::Column::ExpiresAt.gt(now))
            .order_by_desc(session::Column::CreatedAt)
            .all(&self.db)
            .await?)
    }

    /// Revokes one of `person_id`'s sessions; false when it has no such live session.
    pub async fn revoke_session(
        &self,
        person_id: &str,
        token_hash: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = session::Entity::update_many()
            .col_expr(session::Column::RevokedAt, at.into())
            .filter(session::Column::TokenHash.eq(token_hash))
            .filter(session::Column::PersonId.eq(person_id))
            .filter(session::Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?;
        Ok(done.rows_affected == 1)
    }

    /// Stores the code just sent for `purpose`, replacing an earlier one.
    pub async fn put_code(&self, code: CodeRow) -> Result<(), StoreError> {
        one_time_code::Entity::insert(code.into_active_model())
            .on_conflict(
                OnConflict::columns([one_time_code::Column::PersonId, one_time_code::Column::Purpose])
                    .update_columns([
                        one_time_code::Column::CodeHash,
                        one_time_code::Column::SentAt,
                        one_time_code::Column::ExpiresAt,
                        one_time_code::Column::Attempts,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await?;
        Ok(())
    }

    pub async fn code(&self, person_id: &str, purpose: &str) -> Result<Option<CodeRow>, StoreError> {
        Ok(one_time_code::Entity::find_by_id((person_id.to_owned(), purpose.to_owned())).one(&self.db).await?)
    }

    /// Uses up one try of a code, atomically; false when it has had `max_tries` already.
    pub async fn take_code_try(&self, person_id: &str, purpose: &str, max_tries: u32) -> Result<bool, StoreError> {
        use sea_orm::sea_query::{Expr, ExprTrait};
        let done = one_time_code::Entity::update_many()
            .col_expr(one_time_code::Column::Attempts, Expr::col(one_time_code::Column::Attempts).add(1))
            .filter(one_time_code::Column::PersonId.eq(person_id))
            .filter(one_time_code::Column::Purpose.eq(purpose))
            .filter(one_time_code::Column::Attempts.lt(max_tries as i32))
            .exec(&self.db)
            .await?;
        Ok(done.rows_affected == 1)
    }

    pub async fn delete_code(&self, person_id: &str, purpose: &str) -> Result<(), StoreError> {
        one_time_code::Entity::delete_by_id((person_id.to_owned(), purpose.to_owned())).exec(&self.db).await?;
        Ok(())
    }

    /// Revokes every live session of a person; returns how many.
    pub async fn revoke_all_sessions(&self, person_id: &str, at: DateTime<Utc>) -> Result<u64, StoreError> {
        let done = session::Entity::update_many()
            .col_expr(session::Column::RevokedAt, at.into())
            .filter(session::Column::PersonId.eq(person_id))
            .filter(session::Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?;
        Ok(done.rows_affected)
    }

    /// Adds or updates registry entries (citizen id index → name index) — with `replace`, in place
    /// of every entry there was, in one transaction; returns how many.
    pub async fn import_registry(
        &self,
        rows: &[(String, String)],
        at: DateTime<Utc>,
        replace: bool,
    ) -> Result<usize, StoreError> {
        let (_turn, txn) = self.write().await?;
        if replace {
            registry_person::Entity::delete_many().exec(&txn).await?;
        }
        for chunk in rows.chunks(500) {
            let models = chunk.iter().map(|(citizen, name)| registry_person::ActiveModel {
                citizen_id_index: Set(citizen.clone()),
                name_index: Set(name.clone()),
                loaded_at: Set(at),
            });
            registry_person::Entity::insert_many(models)
                .on_conflict(
                    OnConflict::column(registry_person::Column::CitizenIdIndex)
                        .update_columns([registry_person::Column::NameIndex, registry_person::Column::LoadedAt])
                        .to_owned(),
                )
                .exec_without_returning(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(rows.len())
    }

    /// Removes the registry entries of these citizen id indexes; how many there were.
    pub async fn delete_registry_entries(&self, indexes: &[String]) -> Result<u64, StoreError> {
        let (_turn, txn) = self.write().await?;
        let mut n = 0;
        for chunk in indexes.chunks(500) {
            let done = registry_person::Entity::delete_many()
                .filter(registry_person::Column::CitizenIdIndex.is_in(chunk.iter().cloned()))
                .exec(&txn)
                .await?;
            n += done.rows_affected;
        }
        txn.commit().await?;
        Ok(n)
    }

    pub async fn registry_count(&self) -> Result<u64, StoreError> {
        use sea_orm::PaginatorTrait;
        Ok(registry_person::Entity::find().count(&self.db).await?)
    }

    /// The registry's name index for a citizen id index.
    pub async fn registry_name(&self, citizen_id_index: &str) -> Result<Option<String>, StoreError> {
        Ok(registry_person::Entity::find_by_id(citizen_id_index).one(&self.db).await?.map(|r| r.name_index))
    }
}

async fn find_person(
    db: &impl sea_orm::ConnectionTrait,
    key: PersonKey,
    index: &str,
) -> Result<Option<PersonRow>, StoreError> {
    let column = match key {
        PersonKey::CitizenId => person::Column::CitizenIdIndex,
        PersonKey::Phone => person::Column::PhoneIndex,
    };
    Ok(person::Entity::find().filter(column.eq(index)).one(db).await?)
}
