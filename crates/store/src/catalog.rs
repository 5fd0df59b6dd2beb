//! Repository of the service catalog: agencies, items, offerings with their drafts, and every
//! published version of each guide.

use crate::divisions::bump_dataset;
use crate::entity::{agency, dataset, item, offering, offering_version, search_synonyms};
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::Value;
use std::collections::HashMap;
use tongban_domain::catalog::Offering;

pub const DATASET: &str = "catalog";
/// The one list of search synonyms.
const SYNONYMS: &str = "default";

/// What a publication did: `changed` is false when the guide equals the latest version, in
/// which case no version is made (re-importing a file is idempotent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublishOutcome {
    pub version: i32,
    pub changed: bool,
}

/// A published guide with its version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedGuide {
    pub offering: Offering,
    pub version: i32,
    pub published_at: DateTime<Utc>,
    /// The catalog revision of this publication.
    pub revision: i64,
}

/// One entry of an offering's change history.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VersionSummary {
    pub version: i32,
    pub note: String,
    pub published_at: DateTime<Utc>,
}

fn to_json(o: &Offering) -> Result<Value, StoreError> {
    serde_json::to_value(o).map_err(|e| StoreError::Corrupt(format!("offering {}: {e}", o.offering_code)))
}

fn from_json(code: &str, v: Value) -> Result<Offering, StoreError> {
    serde_json::from_value(v).map_err(|e| StoreError::Corrupt(format!("stored guide of {code}: {e}")))
}

fn level_str(o: &Offering) -> Result<String, StoreError> {
    match serde_json::to_value(o.level) {
        Ok(Value::String(s)) => Ok(s),
        _ => Err(StoreError::Corrupt(format!("level of {}", o.offering_code))),
    }
}

impl Store {
    /// Publishes `o` as the next version of its offering, in one transaction with its agency,
    /// its item and the catalog revision; clears the draft. Validation is the caller's.
    pub async fn publish_offering(&self, o: &Offering, note: &str) -> Result<PublishOutcome, StoreError> {
        let guide = to_json(o)?;
        let code = o.offering_code.as_str();
        let (_turn, txn) = self.write().await?;
        let existing = offering::Entity::find_by_id(code).one(&txn).await?;
        let latest = existing.as_ref().and_then(|e| e.published_version);
        if let Some(v) = latest {
            let row = offering_version::Entity::find_by_id((code.to_owned(), v)).one(&txn).await?;
            if row.is_some_and(|r| r.guide == guide) {
                txn.commit().await?;
                return Ok(PublishOutcome { version: v, changed: false });
            }
        }
        let version = latest.unwrap_or(0) + 1;
        let now = Utc::now();
        upsert_agency_and_item(&txn, o).await?;
        let revision = bump_dataset(&txn, DATASET, "published").await?;
        let row = offering::ActiveModel {
            offering_code: Set(code.to_owned()),
            name: Set(o.name.clone()),
            item_code: Set(o.item.code.clone()),
            agency_code: Set(o.agency.credit_code.clone()),
            division_code: Set(o.division_code.clone()),
            level: Set(level_str(o)?),
            published_version: Set(Some(version)),
            published_at: Set(Some(now)),
            revision: Set(revision),
            draft: Set(None),
            draft_updated_at: Set(None),
        };
        upsert_offering(&txn, row, existing.is_some()).await?;
        offering_version::Entity::insert(offering_version::ActiveModel {
            offering_code: Set(code.to_owned()),
            version: Set(version),
            guide: Set(guide),
            note: Set(note.to_owned()),
            published_at: Set(now),
        })
        .exec_without_returning(&txn)
        .await?;
        txn.commit().await?;
        Ok(PublishOutcome { version, changed: true })
    }

    /// Saves `o` as the draft of its offering; the published version is untouched.
    pub async fn save_draft(&self, o: &Offering) -> Result<(), StoreError> {
        let draft = to_json(o)?;
        let (_turn, txn) = self.write().await?;
        let existing = offering::Entity::find_by_id(o.offering_code.as_str()).one(&txn).await?;
        let exists = existing.is_some();
        let row = match existing {
            Some(e) => offering::ActiveModel {
                offering_code: Set(e.offering_code),
                draft: Set(Some(draft)),
                draft_updated_at: Set(Some(Utc::now())),
                ..Default::default()
            },
            None => offering::ActiveModel {
                offering_code: Set(o.offering_code.clone()),
                name: Set(o.name.clone()),
                item_code: Set(o.item.code.clone()),
                agency_code: Set(o.agency.credit_code.clone()),
                division_code: Set(o.division_code.clone()),
                level: Set(level_str(o)?),
                published_version: Set(None),
                published_at: Set(None),
                revision: Set(0),
                draft: Set(Some(draft)),
                draft_updated_at: Set(Some(Utc::now())),
            },
        };
        upsert_offering(&txn, row, exists).await?;
        txn.commit().await?;
        Ok(())
    }

    /// The draft of an offering, if one is being edited.
    pub async fn draft(&self, code: &str) -> Result<Option<Offering>, StoreError> {
        match offering::Entity::find_by_id(code).one(&self.db).await?.and_then(|o| o.draft) {
            Some(v) => Ok(Some(from_json(code, v)?)),
            None => Ok(None),
        }
    }

    /// The latest published guide of an offering.
    pub async fn published(&self, code: &str) -> Result<Option<PublishedGuide>, StoreError> {
        let Some(o) = offering::Entity::find_by_id(code).one(&self.db).await? else { return Ok(None) };
        let Some(v) = o.published_version else { return Ok(None) };
        let Some(row) = offering_version::Entity::find_by_id((code.to_owned(), v)).one(&self.db).await? else {
            return Err(StoreError::Corrupt(format!("offering {code} points at missing version {v}")));
        };
        Ok(Some(PublishedGuide {
            offering: from_json(code, row.guide)?,
            version: v,
            published_at: row.published_at,
            revision: o.revision,
        }))
    }

    /// One published version of an offering.
    pub async fn offering_version(&self, code: &str, version: i32) -> Result<Option<Offering>, StoreError> {
        match offering_version::Entity::find_by_id((code.to_owned(), version)).one(&self.db).await? {
            Some(row) => Ok(Some(from_json(code, row.guide)?)),
            None => Ok(None),
        }
    }

    /// The change history of an offering, newest first.
    pub async fn offering_versions(&self, code: &str) -> Result<Vec<VersionSummary>, StoreError> {
        Ok(offering_version::Entity::find()
            .filter(offering_version::Column::OfferingCode.eq(code))
            .order_by_desc(offering_version::Column::Version)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|r| VersionSummary { version: r.version, note: r.note, published_at: r.published_at })
            .collect())
    }

    /// The search synonyms as saved, with their revision (`None` before the first start).
    pub async fn synonyms(&self) -> Result<Option<(String, i64)>, StoreError> {
        Ok(search_synonyms::Entity::find_by_id(SYNONYMS).one(&self.db).await?.map(|r| (r.list, r.revision)))
    }

    /// Saves the list the platform starts with, unless a list is saved already.
    pub async fn seed_synonyms(&self, list: &str) -> Result<(), StoreError> {
        search_synonyms::Entity::insert(synonyms_row(list, ""))
            .on_conflict(OnConflict::column(search_synonyms::Column::Name).do_nothing().to_owned())
            .exec_without_returning(&self.db)
            .await?;
        Ok(())
    }

    /// Saves the search synonyms `by` a person; their new revision. One statement: two saves at
    /// once each move the revision.
    pub async fn save_synonyms(&self, list: &str, by: &str) -> Result<i64, StoreError> {
        use sea_orm::sea_query::{Expr, ExprTrait};
        let revision = Expr::col((search_synonyms::Entity, search_synonyms::Column::Revision)).add(1);
        search_synonyms::Entity::insert(synonyms_row(list, by))
            .on_conflict(
                OnConflict::column(search_synonyms::Column::Name)
                    .update_columns([
                        search_synonyms::Column::List,
                        search_synonyms::Column::UpdatedAt,
                        search_synonyms::Column::UpdatedBy,
                    ])
                    .value(search_synonyms::Column::Revision, revision)
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await?;
        Ok(self.synonyms().await?.map_or(1, |(_, r)| r))
    }

    /// The catalog's revision: it advances with every publication, in any process.
    pub async fn catalog_revision(&self) -> Result<i64, StoreError> {
        Ok(dataset::Entity::find_by_id(DATASET).one(&self.db).await?.map_or(0, |d| d.revision))
    }

    /// Up to `limit` published guides whose latest publication is after `revision`, oldest
    /// first: what the search index must catch up on.
    pub async fn published_after(&self, revision: i64, limit: u64) -> Result<Vec<PublishedGuide>, StoreError> {
        let rows = offering::Entity::find()
            .filter(offering::Column::Revision.gt(revision))
            .filter(offering::Column::PublishedVersion.is_not_null())
            .order_by_asc(offering::Column::Revision)
            .limit(limit)
            .all(&self.db)
            .await?;
        let codes: Vec<&str> = rows.iter().map(|r| r.offering_code.as_str()).collect();
        let mut guides: HashMap<(String, i32), offering_version::Model> = offering_version::Entity::find()
            .filter(offering_version::Column::OfferingCode.is_in(codes))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|v| ((v.offering_code.clone(), v.version), v))
            .collect();
        rows.into_iter()
            .filter_map(|r| r.published_version.map(|v| (r, v)))
            .map(|(r, v)| {
                let row = guides.remove(&(r.offering_code.clone(), v)).ok_or_else(|| {
                    StoreError::Corrupt(format!("offering {} points at missing version {v}", r.offering_code))
                })?;
                Ok(PublishedGuide {
                    offering: from_json(&r.offering_code, row.guide)?,
                    version: v,
                    published_at: row.published_at,
                    revision: r.revision,
                })
            })
            .collect()
    }

    /// The names of the agencies with these credit codes (unknown codes are left out).
    pub async fn agency_names(&self, codes: &[String]) -> Result<Vec<(String, String)>, StoreError> {
        let rows = agency::Entity::find()
            .filter(agency::Column::CreditCode.is_in(codes.iter().cloned()))
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|a| (a.credit_code, a.name)).collect())
    }

    /// The names of the offerings with these codes (unknown codes are left out).
    pub async fn offering_names(&self, codes: &[String]) -> Result<Vec<(String, String)>, StoreError> {
        let rows = offering::Entity::find()
            .filter(offering::Column::OfferingCode.is_in(codes.iter().cloned()))
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|o| (o.offering_code, o.name)).collect())
    }

    /// Every agency of the catalog, by name: (credit code, name, division code).
    pub async fn agencies(&self) -> Result<Vec<(String, String, String)>, StoreError> {
        let rows = agency::Entity::find().order_by_asc(agency::Column::Name).all(&self.db).await?;
        Ok(rows.into_iter().map(|a| (a.credit_code, a.name, a.division_code)).collect())
    }

    /// How many offerings have a published version.
    pub async fn published_count(&self) -> Result<u64, StoreError> {
        use sea_orm::PaginatorTrait;
        Ok(offering::Entity::find().filter(offering::Column::PublishedVersion.is_not_null()).count(&self.db).await?)
    }
}

async fn upsert_agency_and_item<C: ConnectionTrait>(db: &C, o: &Offering) -> Result<(), StoreError> {
    let level = match serde_json::to_value(o.agency.level) {
        Ok(Value::String(s)) => s,
        _ => return Err(StoreError::Corrupt(format!("agency level of {}", o.offering_code))),
    };
    agency::Entity::insert(agency::ActiveModel {
        credit_code: Set(o.agency.credit_code.clone()),
        name: Set(o.agency.name.clone()),
        division_code: Set(o.agency.division_code.clone()),
        level: Set(level),
    })
    .on_conflict(
        OnConflict::column(agency::Column::CreditCode)
            .update_columns([agency::Column::Name, agency::Column::DivisionCode, agency::Column::Level])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    let handling = match serde_json::to_value(o.item.handling) {
        Ok(Value::String(s)) => s,
        _ => return Err(StoreError::Corrupt(format!("handling of {}", o.offering_code))),
    };
    item::Entity::insert(item::ActiveModel {
        code: Set(o.item.code.clone()),
        name: Set(o.item.name.clone()),
        item_type: Set(o.item.item_type.clone()),
        main_item: Set(o.item.main_item.clone()),
        sub_item: Set(o.item.sub_item.clone()),
        handling: Set(handling),
        competent_department: Set(o.item.competent_department.clone()),
    })
    .on_conflict(
        OnConflict::column(item::Column::Code)
            .update_columns([
                item::Column::Name,
                item::Column::ItemType,
                item::Column::MainItem,
                item::Column::SubItem,
                item::Column::Handling,
                item::Column::CompetentDepartment,
            ])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Inserts the row, or updates the columns it sets.
async fn upsert_offering<C: ConnectionTrait>(
    db: &C,
    row: offering::ActiveModel,
    exists: bool,
) -> Result<(), StoreError> {
    if exists {
        offering::Entity::update(row).exec(db).await?;
    } else {
        offering::Entity::insert(row).exec_without_returning(db).await?;
    }
    Ok(())
}

/// The synonyms' row as first saved (revision 1), `by` a person or (empty) the platform.
fn synonyms_row(list: &str, by: &str) -> search_synonyms::ActiveModel {
    search_synonyms::Model {
        name: SYNONYMS.into(),
        list: list.into(),
        revision: 1,
        updated_at: Utc::now(),
        updated_by: by.into(),
    }
    .into()
}
