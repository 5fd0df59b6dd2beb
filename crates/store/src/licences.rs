//! Repository of seal keys and electronic licences. A licence is written with its first event in
//! one transaction; a status change with its event likewise, guarded by the status it changes.
//! Each event is also a step of the licence's own SM3-chained trail (keyed by its identifier) in
//! the same transaction, anchored in the global chain as a case's steps are.

use crate::entity::{application, licence, licence_due, licence_event, licence_use, seal_key};
use crate::{Store, StoreError};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

pub type SealKeyRow = seal_key::Model;
pub type LicenceRow = licence::Model;
pub type LicenceEventRow = licence_event::Model;
pub type LicenceUseRow = licence_use::Model;
pub type LicenceDueRow = licence_due::Model;

impl Store {
    /// The agency's current seal key.
    pub async fn seal_key(&self, agency_code: &str) -> Result<Option<SealKeyRow>, StoreError> {
        Ok(seal_key::Entity::find()
            .filter(seal_key::Column::AgencyCode.eq(agency_code))
            .filter(seal_key::Column::RetiredAt.is_null())
            .order_by_desc(seal_key::Column::CreatedAt)
            .one(&self.db)
            .await?)
    }

    /// Adds a key; false when its id is taken (another node made it first).
    pub async fn insert_seal_key(&self, k: SealKeyRow) -> Result<bool, StoreError> {
        let db = self.write_turn().await;
        let added = seal_key::Entity::insert(k.into_active_model())
            .on_conflict(OnConflict::column(seal_key::Column::KeyId).do_nothing().to_owned())
            .exec_without_returning(&*db)
            .await?;
        Ok(added == 1)
    }

    /// Retires a key: it seals no more, and stays on the trust list.
    pub async fn retire_seal_key(&self, key_id: &str, at: chrono::DateTime<chrono::Utc>) -> Result<bool, StoreError> {
        let db = self.write_turn().await;
        let done = seal_key::Entity::update_many()
            .col_expr(seal_key::Column::RetiredAt, Expr::value(at))
            .filter(seal_key::Column::KeyId.eq(key_id))
            .filter(seal_key::Column::RetiredAt.is_null())
            .exec(&*db)
            .await?;
        Ok(done.rows_affected == 1)
    }

    pub async fn seal_key_by_id(&self, key_id: &str) -> Result<Option<SealKeyRow>, StoreError> {
        Ok(seal_key::Entity::find_by_id(key_id).one(&self.db).await?)
    }

    /// Every seal key, retired ones too (earlier licences stay verifiable), oldest first.
    pub async fn seal_keys(&self) -> Result<Vec<SealKeyRow>, StoreError> {
        Ok(seal_key::Entity::find().order_by_asc(seal_key::Column::CreatedAt).all(&self.db).await?)
    }

    /// Writes a new licence with its issue event — and, renewing, moves the licence it replaces
    /// from status `from` with `replaced`'s event; false when the case or the identifier already
    /// has one, or the replaced licence's status was no longer `from`.
    pub async fn insert_licence(
        &self,
        l: LicenceRow,
        event: LicenceEventRow,
        replaced: Option<(&str, LicenceEventRow)>,
        told: Option<(crate::cases::Notice, Vec<crate::outbound::OutboundRow>)>,
    ) -> Result<bool, StoreError> {
        let (_turn, txn) = self.write().await?;
        if let Some((from, e)) = replaced
            && !change_status(&txn, from, e).await?
        {
            txn.rollback().await?;
            return Ok(false);
        }
        // Taken (the identifier, or the case's licence): nothing written. No check before the
        // insert — another node's transaction could insert between the two.
        let (l_case, l_at) = (l.case_number.clone(), l.issued_at);
        let made = licence::Entity::insert(l.into_active_model())
            .on_conflict(OnConflict::new().do_nothing().to_owned())
            .exec_without_returning(&txn)
            .await?;
        if made != 1 {
            txn.rollback().await?;
            return Ok(false);
        }
        // A case's licence issued: it is no longer due.
        if let Some(n) = &l_case {
            licence_due::Entity::delete_by_id(n.as_str()).exec(&txn).await?;
        }
        trail(&txn, &event, "", true).await?;
        licence_event::Entity::insert(event.into_active_model()).exec_without_returning(&txn).await?;
        // The holder is told with the licence: the in-site message and its text and e-mail.
        if let (Some((notice, messages)), Some(n)) = (told, &l_case) {
            crate::cases::insert_notice(&txn, notice, n, l_at).await?;
            crate::outbound::enqueue(&txn, messages).await?;
        }
        txn.commit().await?;
        drop(_turn);
        self.anchor_soon().await;
        Ok(true)
    }

    /// The cases whose licence is due, oldest first.
    pub async fn licences_due(&self, limit: u64) -> Result<Vec<LicenceDueRow>, StoreError> {
        Ok(licence_due::Entity::find().order_by_asc(licence_due::Column::DueSince).limit(limit).all(&self.db).await?)
    }

    /// Whether a case's licence is still due.
    pub async fn licence_due(&self, case_number: &str) -> Result<bool, StoreError> {
        Ok(licence_due::Entity::find_by_id(case_number).count(&self.db).await? > 0)
    }

    /// Records a failed attempt to issue a case's licence; with `None`, the case turned out to
    /// produce none, and is no longer due.
    pub async fn licence_due_failed(&self, case_number: &str, error: Option<&str>) -> Result<(), StoreError> {
        let db = self.write_turn().await;
        match error {
            None => {
                licence_due::Entity::delete_by_id(case_number).exec(&*db).await?;
            }
            Some(e) => {
                licence_due::Entity::update_many()
                    .col_expr(licence_due::Column::Attempts, Expr::col(licence_due::Column::Attempts).add(1))
                    .col_expr(licence_due::Column::LastError, Expr::value(e.chars().take(500).collect::<String>()))
                    .filter(licence_due::Column::CaseNumber.eq(case_number))
                    .exec(&*db)
                    .await?;
            }
        }
        Ok(())
    }

    pub async fn licence(&self, id: &str) -> Result<Option<LicenceRow>, StoreError> {
        Ok(licence::Entity::find_by_id(id).one(&self.db).await?)
    }

    pub async fn licence_of_case(&self, case_number: &str) -> Result<Option<LicenceRow>, StoreError> {
        Ok(licence::Entity::find().filter(licence::Column::CaseNumber.eq(case_number)).one(&self.db).await?)
    }

    /// The licences issued to the citizen id of blind index `index` not yet bound to an account.
    pub async fn unbound_licences(&self, index: &str) -> Result<Vec<LicenceRow>, StoreError> {
        Ok(licence::Entity::find()
            .filter(licence::Column::HolderIndex.eq(index))
            .filter(licence::Column::HolderPerson.is_null())
            .all(&self.db)
            .await?)
    }

    /// Binds an unbound licence to the account `person_id`.
    pub async fn bind_licence(&self, id: &str, person_id: &str) -> Result<bool, StoreError> {
        let db = self.write_turn().await;
        let done = licence::Entity::update_many()
            .col_expr(licence::Column::HolderPerson, Expr::value(person_id))
            .filter(licence::Column::Id.eq(id))
            .filter(licence::Column::HolderPerson.is_null())
            .exec(&*db)
            .await?;
        Ok(done.rows_affected == 1)
    }

    /// A person's own licences, or an organization's (`organization` non-empty), newest first.
    pub async fn licences_of(&self, person_id: &str, organization: &str) -> Result<Vec<LicenceRow>, StoreError> {
        let q = if organization.is_empty() {
            licence::Entity::find().filter(licence::Column::HolderPerson.eq(person_id))
        } else {
            licence::Entity::find().filter(licence::Column::HolderOrganization.eq(organization))
        };
        Ok(q.order_by_desc(licence::Column::IssuedAt).all(&self.db).await?)
    }

    /// The identifiers and statuses of the licences not valid (status other than 01).
    pub async fn licence_statuses_not_valid(&self) -> Result<Vec<(String, String)>, StoreError> {
        Ok(licence::Entity::find()
            .select_only()
            .column(licence::Column::Id)
            .column(licence::Column::Status)
            .filter(licence::Column::Status.ne("01"))
            .order_by_asc(licence::Column::Id)
            .into_tuple()
            .all(&self.db)
            .await?)
    }

    /// Valid licences whose validity ended before `today`, at most `limit`.
    pub async fn licences_ended(&self, today: chrono::NaiveDate, limit: u64) -> Result<Vec<LicenceRow>, StoreError> {
        Ok(licence::Entity::find()
            .filter(licence::Column::Status.eq("01"))
            .filter(licence::Column::ValidTo.lt(today))
            .limit(limit)
            .all(&self.db)
            .await?)
    }

    pub async fn licence_events(&self, id: &str) -> Result<Vec<LicenceEventRow>, StoreError> {
        Ok(licence_event::Entity::find()
            .filter(licence_event::Column::LicenceId.eq(id))
            .order_by_asc(licence_event::Column::Seq)
            .all(&self.db)
            .await?)
    }

    /// Moves a licence from status `from` to `event.status` with the event; false when its status
    /// was no longer `from`.
    pub async fn change_licence_status(&self, from: &str, event: LicenceEventRow) -> Result<bool, StoreError> {
        let (_turn, txn) = self.write().await?;
        if !change_status(&txn, from, event).await? {
            txn.rollback().await?;
            return Ok(false);
        }
        txn.commit().await?;
        drop(_turn);
        self.anchor_soon().await;
        Ok(true)
    }

    /// Records a use of a licence for a material of an application, replacing an earlier use
    /// for the same material.
    pub async fn put_licence_use(&self, u: LicenceUseRow) -> Result<(), StoreError> {
        let (_turn, txn) = self.write().await?;
        licence_use::Entity::delete_many()
            .filter(licence_use::Column::ApplicationId.eq(&u.application_id))
            .filter(licence_use::Column::Material.eq(&u.material))
            .exec(&txn)
            .await?;
        licence_use::Entity::insert(u.into_active_model()).exec_without_returning(&txn).await?;
        txn.commit().await?;
        Ok(())
    }

    pub async fn licence_use(&self, id: &str) -> Result<Option<LicenceUseRow>, StoreError> {
        Ok(licence_use::Entity::find_by_id(id).one(&self.db).await?)
    }

    /// The licences used by an application, in the order used.
    pub async fn licence_uses_of_application(&self, application_id: &str) -> Result<Vec<LicenceUseRow>, StoreError> {
        Ok(licence_use::Entity::find()
            .filter(licence_use::Column::ApplicationId.eq(application_id))
            .order_by_asc(licence_use::Column::UsedAt)
            .all(&self.db)
            .await?)
    }

    /// Every use of a licence, newest first.
    pub async fn licence_uses_of_licence(&self, licence_id: &str) -> Result<Vec<LicenceUseRow>, StoreError> {
        Ok(licence_use::Entity::find()
            .filter(licence_use::Column::LicenceId.eq(licence_id))
            .order_by_desc(licence_use::Column::UsedAt)
            .all(&self.db)
            .await?)
    }

    /// Withdraws a use from a draft; false when there is none or the application was submitted.
    pub async fn delete_licence_use(&self, application_id: &str, id: &str) -> Result<bool, StoreError> {
        let db = self.write_turn().await;
        let done = licence_use::Entity::delete_many()
            .filter(licence_use::Column::Id.eq(id))
            .filter(licence_use::Column::ApplicationId.eq(application_id))
            .filter(
                licence_use::Column::ApplicationId.in_subquery(
                    Query::select()
                        .column(application::Column::Id)
                        .from(application::Entity)
                        .and_where(application::Column::CaseNumber.is_null())
                        .to_owned(),
                ),
            )
            .exec(&*db)
            .await?;
        Ok(done.rows_affected == 1)
    }

    /// How many materials licences stood in for in submitted applications, of one offering or of
    /// all (减材料).
    pub async fn materials_saved(&self, offering_code: Option<&str>) -> Result<u64, StoreError> {
        let mut q = licence_use::Entity::find().filter(
            licence_use::Column::ApplicationId.in_subquery(
                Query::select()
                    .column(application::Column::Id)
                    .from(application::Entity)
                    .and_where(application::Column::CaseNumber.is_not_null())
                    .and_where(application::Column::CaseNumber.ne(""))
                    .to_owned(),
            ),
        );
        if let Some(code) = offering_code {
            q = q.filter(licence_use::Column::OfferingCode.eq(code));
        }
        Ok(q.count(&self.db).await?)
    }
}

async fn change_status(
    txn: &sea_orm::DatabaseTransaction,
    from: &str,
    mut event: LicenceEventRow,
) -> Result<bool, StoreError> {
    let done = licence::Entity::update_many()
        .col_expr(licence::Column::Status, Expr::value(event.status.clone()))
        .filter(licence::Column::Id.eq(&event.licence_id))
        .filter(licence::Column::Status.eq(from))
        .exec(txn)
        .await?;
    if done.rows_affected != 1 {
        return Ok(false);
    }
    let seq =
        licence_event::Entity::find().filter(licence_event::Column::LicenceId.eq(&event.licence_id)).count(txn).await?;
    event.seq = i32::try_from(seq).unwrap_or(i32::MAX) + 1;
    trail(txn, &event, from, false).await?;
    licence_event::Entity::insert(event.into_active_model()).exec_without_returning(txn).await?;
    Ok(true)
}

/// The event as a step of the licence's trail: the operation (01 新发 …) and the status it leaves.
async fn trail(
    txn: &sea_orm::DatabaseTransaction,
    e: &LicenceEventRow,
    before: &str,
    first: bool,
) -> Result<(), StoreError> {
    let step = crate::audit::TrailDraft {
        at: e.at,
        actor_id: e.actor_id.clone(),
        actor_role: "licence".into(),
        action: format!("licence_{}", e.operation),
        before_state: before.into(),
        after_state: e.status.clone(),
        detail: serde_json::json!({ "operation": e.operation, "reason": e.reason }).to_string(),
        request_id: String::new(),
    };
    crate::audit::append(txn, &e.licence_id, step, first).await?;
    Ok(())
}
