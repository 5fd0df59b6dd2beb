//! Repository of applications, cases and in-site messages. Every change to a case is written
//! with its audit entry (and the applicant's message) in one transaction.

use crate::audit::{self, TrailDraft};
use crate::entity::{application, case, case_sequence, licence_due, material, message};
use crate::{Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, NullOrdering, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel, Order, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait,
};
use tongban_domain::DivisionCode;
use tongban_domain::cases::CaseNumber;

pub type ApplicationRow = application::Model;
pub type CaseRow = case::Model;
pub type MessageRow = message::Model;
pub type MaterialRow = material::Model;

/// A message to the applicant, written with the change it tells of.
#[derive(Debug, Clone)]
pub struct Notice {
    pub id: String,
    pub person_id: String,
    pub title: String,
    pub body: String,
}

/// How a submitted case is numbered: the day, this node, and the caller's idempotency key.
#[derive(Debug, Clone)]
pub struct Numbering {
    pub day: NaiveDate,
    pub node: u8,
    pub submit_key: Option<String>,
}

/// The result of a submission: the case, and whether this call created it (false: it already
/// existed, the submission was a repeat).
#[derive(Debug, Clone)]
pub struct Submitted {
    pub case: CaseRow,
    pub created: bool,
    /// The texts and e-mails kept with it, for their first attempt.
    pub messages: Vec<crate::outbound::OutboundRow>,
}

/// What a change to a case sets going, written in its transaction: the webhook deliveries and the
/// applicant's texts and e-mails.
#[derive(Debug, Clone, Default)]
pub struct FollowUps {
    pub deliveries: Vec<crate::webhooks::OutboxRow>,
    pub messages: Vec<crate::outbound::OutboundRow>,
    /// The rating figures the case now counts in as rateable (it became concluded, delivered,
    /// refused or denied).
    pub rateable: Option<crate::ratings::FigureKey>,
}

/// Which open cases a queue shows.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    /// The agency handling the current step (or the receiving agency when `receiving`).
    pub agency: String,
    /// Divisions whose code starts with this prefix (a subtree); empty for all.
    pub division_prefix: String,
    pub receiving: bool,
    pub states: Vec<String>,
    pub warning: Option<String>,
    /// Cases claimed by this person only.
    pub claimed_by: Option<String>,
    /// Keyset pagination: after this (due, case number).
    pub after: Option<(Option<NaiveDate>, String)>,
    pub limit: u64,
}

pub(crate) async fn insert_notice(
    txn: &impl ConnectionTrait,
    n: Notice,
    case_number: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    message::Entity::insert(
        MessageRow {
            id: n.id,
            person_id: n.person_id,
            case_number: Some(case_number.to_owned()),
            title: n.title,
            body: n.body,
            created_at: at,
            read_at: None,
        }
        .into_active_model(),
    )
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

/// The next daily sequence of `division` at `node` on `day`: one upsert, atomic on both backends.
async fn next_sequence(
    txn: &impl ConnectionTrait,
    division: &str,
    day: NaiveDate,
    node: i32,
) -> Result<i64, StoreError> {
    let backend = txn.get_database_backend();
    let mut upsert = case_sequence::Entity::insert(
        case_sequence::Model { division: division.to_owned(), day, node, next: 1 }.into_active_model(),
    )
    .on_conflict(
        OnConflict::columns([case_sequence::Column::Division, case_sequence::Column::Day, case_sequence::Column::Node])
            .value(case_sequence::Column::Next, Expr::col((case_sequence::Entity, case_sequence::Column::Next)).add(1))
            .to_owned(),
    )
    .build(backend);
    // One round trip: both backends return the row an upsert wrote.
    upsert.sql.push_str(r#" RETURNING "next""#);
    let row =
        txn.query_one_raw(upsert).await?.ok_or_else(|| StoreError::Corrupt("case sequence row missing".into()))?;
    Ok(row.try_get::<i64>("", "next")?)
}

impl Store {
    pub async fn insert_application(&self, a: ApplicationRow) -> Result<(), StoreError> {
        let db = self.write_turn().await;
        application::Entity::insert(a.into_active_model()).exec_without_returning(&*db).await?;
        Ok(())
    }

    pub async fn application(&self, id: &str) -> Result<Option<ApplicationRow>, StoreError> {
        Ok(application::Entity::find_by_id(id).one(&self.db).await?)
    }

    /// Saves a draft's data; false when it is no longer a draft (or does not exist).
    pub async fn save_application(
        &self,
        id: &str,
        data_sealed: String,
        prefilled: serde_json::Value,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let db = self.write_turn().await;
        let done = application::Entity::update_many()
            .col_expr(application::Column::DataSealed, Expr::value(data_sealed))
            .col_expr(application::Column::Prefilled, Expr::value(prefilled))
            .col_expr(application::Column::UpdatedAt, Expr::value(at))
            .filter(application::Column::Id.eq(id))
            .filter(application::Column::CaseNumber.is_null())
            .exec(&*db)
            .await?;
        Ok(done.rows_affected == 1)
    }

    /// The applicant's applications (for one organization, or `""` for themselves), newest first.
    pub async fn applications_of(
        &self,
        applicant_id: &str,
        organization: &str,
        limit: u64,
    ) -> Result<Vec<ApplicationRow>, StoreError> {
        let mut q = application::Entity::find();
        q = if organization.is_empty() {
            q.filter(application::Column::ApplicantId.eq(applicant_id)).filter(application::Column::Organization.eq(""))
        } else {
            q.filter(application::Column::Organization.eq(organization))
        };
        Ok(q.order_by_desc(application::Column::UpdatedAt).limit(limit).all(&self.db).await?)
    }

    /// Submits the draft `case.application_id` as `case` (its number is allocated here: the
    /// receiving division, `day`, `node` and the next sequence), with the first trail entry, the
    /// receipt message, and the webhook deliveries and the text and e-mail that `follow` makes of
    /// the numbered case, in one transaction. A repeat (the application already has a case)
    /// returns that case unchanged.
    pub async fn submit_application(
        &self,
        mut case: CaseRow,
        numbering: Numbering,
        trail: TrailDraft,
        notice: Notice,
        follow: impl FnOnce(&CaseRow) -> Result<FollowUps, StoreError>,
    ) -> Result<Submitted, StoreError> {
        let division = DivisionCode::parse(&case.receiving_division)
            .map_err(|e| StoreError::Corrupt(format!("receiving division: {e}")))?;
        let Numbering { day, node, submit_key } = numbering;
        // On PostgreSQL the number is taken in a statement of its own, so the day's sequence row
        // is locked for that statement only, not until this transaction commits; a submission
        // that then rolls back leaves a gap (numbers are unique, not dense). On SQLite the single
        // writer serializes anyway, and one commit is cheaper than two.
        let taken = match self.backend() {
            crate::Backend::Postgres => Some(next_sequence(&self.db, division.as_str(), day, i32::from(node)).await?),
            crate::Backend::Sqlite => None,
        };
        let (_turn, txn) = self.write().await?;
        // Then the draft is claimed with its number; of two concurrent submissions of one draft
        // the second finds it claimed and rolls back.
        let seq = match taken {
            Some(seq) => seq,
            None => next_sequence(&txn, division.as_str(), day, i32::from(node)).await?,
        };
        let number = u32::try_from(seq)
            .ok()
            .and_then(|s| CaseNumber::new(&division, day, node, s))
            .ok_or(StoreError::Duplicate("case_number"))?;
        case.case_number = number.as_str().to_owned();
        let claimed = application::Entity::update_many()
            .col_expr(application::Column::CaseNumber, Expr::value(&case.case_number))
            .col_expr(application::Column::SubmitKey, Expr::value(submit_key))
            .filter(application::Column::Id.eq(&case.application_id))
            .filter(application::Column::CaseNumber.is_null())
            .exec(&txn)
            .await?;
        if claimed.rows_affected == 0 {
            txn.rollback().await?;
            let existing = case::Entity::find()
                .filter(case::Column::ApplicationId.eq(&case.application_id))
                .one(&self.db)
                .await?
                .ok_or_else(|| StoreError::Corrupt(format!("application {} has no case", case.application_id)))?;
            return Ok(Submitted { case: existing, created: false, messages: Vec::new() });
        }
        case::Entity::insert(case.clone().into_active_model()).exec_without_returning(&txn).await?;
        insert_notice(&txn, notice, &case.case_number, trail.at).await?;
        let FollowUps { deliveries, messages, .. } = follow(&case)?;
        crate::webhooks::enqueue(&txn, deliveries).await?;
        crate::outbound::enqueue(&txn, messages.clone()).await?;
        audit::append(&txn, &case.case_number, trail, true).await?;
        txn.commit().await?;
        drop(_turn);
        self.anchor_soon().await;
        Ok(Submitted { case, created: true, messages })
    }

    pub async fn case(&self, case_number: &str) -> Result<Option<CaseRow>, StoreError> {
        Ok(case::Entity::find_by_id(case_number).one(&self.db).await?)
    }

    /// Writes `case` if its stored version is still `expected_version` (the new row carries the
    /// next one), with its trail entries (in order) and message; false when someone else changed
    /// it first.
    /// Writes a change to a case if it is still at `expected_version` (false otherwise), with
    /// its trail entries, the applicant's message, the webhook deliveries, texts and e-mails and — `licence_due` —
    /// the mark that its licence is to be issued, all in one transaction.
    pub async fn update_case(
        &self,
        case: CaseRow,
        expected_version: i64,
        trail: Vec<TrailDraft>,
        notice: Option<Notice>,
        follow: FollowUps,
        licence_due: bool,
    ) -> Result<bool, StoreError> {
        let (_turn, txn) = self.write().await?;
        let done = case::Entity::update_many()
            .set(case.clone().into_active_model().reset_all())
            .filter(case::Column::CaseNumber.eq(&case.case_number))
            .filter(case::Column::Version.eq(expected_version))
            .exec(&txn)
            .await?;
        if done.rows_affected != 1 {
            txn.rollback().await?;
            return Ok(false);
        }
        if let Some(n) = notice {
            insert_notice(&txn, n, &case.case_number, case.updated_at).await?;
        }
        crate::webhooks::enqueue(&txn, follow.deliveries).await?;
        crate::outbound::enqueue(&txn, follow.messages).await?;
        if let Some(key) = &follow.rateable {
            let rateable = tongban_domain::ratings::Counts { rateable: 1, ..Default::default() };
            crate::ratings::add_counts(&txn, key, rateable).await?;
        }
        if licence_due {
            let due = licence_due::Model {
                case_number: case.case_number.clone(),
                due_since: case.updated_at,
                attempts: 0,
                last_error: None,
            };
            licence_due::Entity::insert(due.into_active_model()).exec_without_returning(&txn).await?;
        }
        for entry in trail {
            audit::append(&txn, &case.case_number, entry, false).await?;
        }
        txn.commit().await?;
        drop(_turn);
        self.anchor_soon().await;
        Ok(true)
    }

    /// The cases of an applicant (for themselves: `organization` empty) or of an organization.
    pub async fn cases_of(
        &self,
        applicant_id: &str,
        organization: &str,
        limit: u64,
    ) -> Result<Vec<CaseRow>, StoreError> {
        let mut q = case::Entity::find();
        q = if organization.is_empty() {
            q.filter(case::Column::ApplicantId.eq(applicant_id)).filter(case::Column::Organization.eq(""))
        } else {
            q.filter(case::Column::Organization.eq(organization))
        };
        Ok(q.order_by_desc(case::Column::SubmittedAt).limit(limit).all(&self.db).await?)
    }

    /// A page of a staff queue, by due date (undated — not yet accepted — first) then number.
    pub async fn queue(&self, f: &QueueFilter) -> Result<Vec<CaseRow>, StoreError> {
        let (agency, division) = if f.receiving {
            (case::Column::ReceivingAgency, case::Column::ReceivingDivision)
        } else {
            (case::Column::HandlingAgency, case::Column::HandlingDivision)
        };
        let mut q = case::Entity::find().filter(agency.eq(&f.agency));
        if !f.division_prefix.is_empty() {
            q = q.filter(division.starts_with(&f.division_prefix));
        }
        if !f.states.is_empty() {
            q = q.filter(case::Column::State.is_in(f.states.clone()));
        }
        if let Some(w) = &f.warning {
            q = q.filter(case::Column::Warning.eq(w));
        }
        if let Some(p) = &f.claimed_by {
            q = q.filter(case::Column::ClaimedBy.eq(p));
        }
        if let Some((due, number)) = &f.after {
            let same_due = match due {
                Some(d) => case::Column::Due.eq(*d),
                None => case::Column::Due.is_null(),
            };
            let later = match due {
                Some(d) => Condition::all().add(case::Column::Due.gt(*d)),
                None => Condition::all().add(case::Column::Due.is_not_null()),
            };
            q = q.filter(
                Condition::any()
                    .add(later)
                    .add(Condition::all().add(same_due).add(case::Column::CaseNumber.gt(number))),
            );
        }
        // Undated (not yet accepted) first on both backends: PostgreSQL would put NULL last.
        Ok(q.order_by_with_nulls(case::Column::Due, Order::Asc, NullOrdering::First)
            .order_by_asc(case::Column::CaseNumber)
            .limit(f.limit)
            .all(&self.db)
            .await?)
    }

    /// Cases of the places `(agency, division prefix)` — on either side, or at a joint step —
    /// whose number or service name contains `text`, newest first.
    pub async fn find_cases(
        &self,
        places: &[(String, String)],
        text: &str,
        limit: u64,
    ) -> Result<Vec<CaseRow>, StoreError> {
        use case::Column as C;
        let mut at = Condition::any();
        for (agency, prefix) in places {
            for (a, d) in [
                (C::ReceivingAgency, C::ReceivingDivision),
                (C::DecidingAgency, C::DecidingDivision),
                (C::HandlingAgency, C::HandlingDivision),
            ] {
                at = at.add(Condition::all().add(a.eq(agency)).add(d.starts_with(prefix)));
            }
        }
        if places.is_empty() {
            return Ok(Vec::new());
        }
        let matches = Condition::any().add(C::CaseNumber.contains(text)).add(C::OfferingName.contains(text));
        Ok(case::Entity::find()
            .filter(at)
            .filter(matches)
            .order_by_desc(C::SubmittedAt)
            .limit(limit)
            .all(&self.db)
            .await?)
    }

    /// The cases a person has acted on (their 已办), the latest action first.
    pub async fn cases_acted_by(&self, person_id: &str, limit: u64) -> Result<Vec<CaseRow>, StoreError> {
        use crate::entity::trail_entry;
        let numbers: Vec<(String, DateTime<Utc>)> = trail_entry::Entity::find()
            .select_only()
            .column(trail_entry::Column::CaseNumber)
            .column_as(trail_entry::Column::At.max(), "last")
            .filter(trail_entry::Column::ActorId.eq(person_id))
            .group_by(trail_entry::Column::CaseNumber)
            .order_by_desc(Expr::col("last"))
            .limit(limit)
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut rows = case::Entity::find()
            .filter(case::Column::CaseNumber.is_in(numbers.iter().map(|(n, _)| n.clone())))
            .all(&self.db)
            .await?;
        rows.sort_by_key(|c| numbers.iter().position(|(n, _)| *n == c.case_number));
        Ok(rows)
    }

    /// Running (accepted, undecided) cases of an agency within a division prefix, by colour.
    pub async fn warning_counts(&self, agency: &str, division_prefix: &str) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(case::Entity::find()
            .select_only()
            .column(case::Column::Warning)
            .column_as(case::Column::CaseNumber.count(), "n")
            .filter(case::Column::DecidingAgency.eq(agency))
            .filter(case::Column::DecidingDivision.starts_with(division_prefix))
            .filter(case::Column::Accepted.eq(true))
            .filter(case::Column::StoppedOn.is_null())
            .group_by(case::Column::Warning)
            .into_tuple::<(String, i64)>()
            .all(&self.db)
            .await?)
    }

    /// Open cases whose clock runs (for the supervision job), a page after `after`.
    pub async fn running_cases(&self, after: &str, limit: u64) -> Result<Vec<CaseRow>, StoreError> {
        Ok(case::Entity::find()
            .filter(case::Column::Accepted.eq(true))
            .filter(case::Column::StoppedOn.is_null())
            .filter(case::Column::CaseNumber.gt(after))
            .order_by_asc(case::Column::CaseNumber)
            .limit(limit)
            .all(&self.db)
            .await?)
    }

    /// Sets the supervision colour and due date computed by the job (not an action: no trail),
    /// unless the case changed since `version` was read; whether it was set.
    pub async fn set_case_clock(
        &self,
        case_number: &str,
        version: i64,
        due: Option<NaiveDate>,
        warning: &str,
    ) -> Result<bool, StoreError> {
        let db = self.write_turn().await;
        let done = case::Entity::update_many()
            .col_expr(case::Column::Due, Expr::value(due))
            .col_expr(case::Column::Warning, Expr::value(warning))
            .filter(case::Column::CaseNumber.eq(case_number))
            .filter(case::Column::Version.eq(version))
            .exec(&*db)
            .await?;
        Ok(done.rows_affected == 1)
    }

    pub async fn insert_material(&self, m: MaterialRow) -> Result<(), StoreError> {
        let db = self.write_turn().await;
        material::Entity::insert(m.into_active_model()).exec_without_returning(&*db).await?;
        Ok(())
    }

    /// An application's files, oldest first.
    pub async fn materials_of(&self, application_id: &str) -> Result<Vec<MaterialRow>, StoreError> {
        Ok(material::Entity::find()
            .filter(material::Column::ApplicationId.eq(application_id))
            .order_by_asc(material::Column::UploadedAt)
            .all(&self.db)
            .await?)
    }

    /// Removes a file of a draft; false when there is no such file or the application is submitted.
    /// Removes a file of a draft; the object key of the file removed.
    pub async fn delete_material(&self, application_id: &str, id: &str) -> Result<Option<String>, StoreError> {
        let (_turn, txn) = self.write().await?;
        let draft = application::Entity::find_by_id(application_id)
            .filter(application::Column::CaseNumber.is_null())
            .one(&txn)
            .await?
            .is_some();
        let file = material::Entity::find_by_id(id)
            .filter(material::Column::ApplicationId.eq(application_id))
            .one(&txn)
            .await?;
        let Some(file) = file.filter(|_| draft) else { return Ok(None) };
        material::Entity::delete_by_id(id).exec(&txn).await?;
        txn.commit().await?;
        Ok(Some(file.object_key))
    }

    pub async fn insert_message(&self, m: MessageRow) -> Result<(), StoreError> {
        message::Entity::insert(m.into_active_model()).exec_without_returning(&self.db).await?;
        Ok(())
    }

    /// Marks the person's unread messages read at `at`; returns how many.
    pub async fn mark_messages_read(&self, person_id: &str, at: DateTime<Utc>) -> Result<u64, StoreError> {
        let db = self.write_turn().await;
        let done = message::Entity::update_many()
            .col_expr(message::Column::ReadAt, Expr::value(at))
            .filter(message::Column::PersonId.eq(person_id))
            .filter(message::Column::ReadAt.is_null())
            .exec(&*db)
            .await?;
        Ok(done.rows_affected)
    }

    pub async fn messages_of(&self, person_id: &str, limit: u64) -> Result<Vec<MessageRow>, StoreError> {
        Ok(message::Entity::find()
            .filter(message::Column::PersonId.eq(person_id))
            .order_by_desc(message::Column::CreatedAt)
            .limit(limit)
            .all(&self.db)
            .await?)
    }
}
