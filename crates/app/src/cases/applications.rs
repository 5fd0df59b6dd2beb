//! Applications: start one pre-filled, read, save, submit once, the receipt.

use super::*;

/// An application as its applicant sees it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApplicationView {
    pub id: String,
    pub offering_code: String,
    pub offering_version: i32,
    pub offering_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub data: Map<String, Value>,
    /// Field → where its value was filled in from, for the fields the applicant has not changed.
    pub prefilled: BTreeMap<String, PrefillSource>,
    /// For fields pre-filled from a shared resource: the agency, resource and item it came from.
    pub prefilled_from: BTreeMap<String, String>,
    /// What still stops submission, field → message.
    pub errors: BTreeMap<String, String>,
    /// The guide's materials and the files uploaded for each.
    pub materials: Vec<MaterialNeed>,
    /// Set once submitted.
    pub case_number: Option<String>,
    /// Started at a window for the applicant (one-window acceptance).
    pub at_window: bool,
    pub updated_at: chrono::DateTime<Utc>,
}

pub(crate) async fn view(app: &App, row: ApplicationRow) -> Result<ApplicationView, AppError> {
    let guide = guide_version(app, &row.offering_code, row.offering_version).await?;
    let data = open_data(app, &row.data_sealed)?;
    let mut errors = guide.form.check(&data);
    let mut materials = crate::materials::needs(
        &guide.offering,
        app.store.materials_of(&row.id).await?,
        crate::licences::uses::uses_of_application(app, &row).await?,
    );
    with_shared(app, &guide.offering, &row.id, &mut materials).await?;
    // While a draft, the applicant's licences that can stand in for materials (read once).
    if row.case_number.is_none() && materials.iter().any(|m| m.licence_type.is_some()) {
        let choices = crate::licences::uses::choices(app, &row).await?;
        for m in materials.iter_mut() {
            m.choices =
                choices.iter().filter(|(t, _)| m.licence_type.as_deref() == Some(*t)).map(|(_, c)| c.clone()).collect();
        }
    }
    if let Some(m) = missing_materials(&materials) {
        errors.insert("materials".into(), m);
    }
    let prefilled: BTreeMap<String, PrefillSource> =
        serde_json::from_value(row.prefilled).map_err(AppError::internal)?;
    Ok(ApplicationView {
        materials,
        id: row.id,
        offering_name: guide.offering.name.clone(),
        offering_code: row.offering_code,
        offering_version: row.offering_version,
        prefilled_from: crate::exchange::shared::prefill_origins(
            app,
            &guide.offering,
            prefilled.iter().filter(|(_, s)| **s == PrefillSource::Shared).map(|(f, _)| f.as_str()),
        )
        .await?,
        prefilled,
        errors,
        data,
        case_number: row.case_number.filter(|n| !n.is_empty()),
        at_window: row.started_by.is_some(),
        updated_at: row.updated_at,
    })
}

/// What the platform knows for a form's fields, and from where: the person's real name and
/// phone, the organization acted for, shared resources about them, and the same field of the
/// applicant's earlier applications.
async fn prefill(
    app: &App,
    id: &str,
    a: &Applicant,
    name: &str,
    acting: Option<&access::Acting>,
    offering: &Offering,
) -> Result<(Map<String, Value>, BTreeMap<String, PrefillSource>), AppError> {
    let form = offering.form();
    let shared = if form.fields().any(|f| f.prefill.contains(&PrefillSource::Shared)) {
        crate::exchange::shared::prefill(app, id, &a.person_id, &a.organization, offering).await?
    } else {
        Map::new()
    };
    let mut earlier: Map<String, Value> = Map::new();
    if form.fields().any(|f| f.prefill.contains(&PrefillSource::Earlier)) {
        // Newest first: the first value seen of each field wins.
        for row in app.store.applications_of(&a.person_id, &a.organization, 20).await? {
            for (k, v) in open_data(app, &row.data_sealed)? {
                earlier.entry(k).or_insert(v);
            }
        }
    }
    let mut data = Map::new();
    let mut sources = BTreeMap::new();
    for f in form.fields() {
        for source in &f.prefill {
            let value = match source {
                PrefillSource::PersonName => Some(Value::String(name.to_owned())),
                PrefillSource::PersonPhone => Some(Value::String(people::own_phone(app, &a.person_id).await?)),
                PrefillSource::OrganizationName => acting.map(|o| Value::String(o.name.clone())),
                PrefillSource::OrganizationCreditCode => acting.map(|o| Value::String(o.credit_code.clone())),
                PrefillSource::Earlier => earlier.get(&f.name).cloned(),
                PrefillSource::Shared => shared.get(&f.name).cloned(),
            };
            if let Some(v) = value {
                data.insert(f.name.clone(), v);
                sources.insert(f.name.clone(), *source);
                break;
            }
        }
    }
    Ok((form.keep_shown(data), sources))
}

/// Marks the materials fetched by data sharing with what will be fetched (or that the applicant
/// chose to upload them).
async fn with_shared(app: &App, offering: &Offering, id: &str, needs: &mut [MaterialNeed]) -> Result<(), AppError> {
    for (material, preview) in crate::exchange::shared::previews(app, offering, id).await? {
        if let Some(n) = needs.iter_mut().find(|n| n.name == material) {
            n.shared = Some(preview);
        }
    }
    Ok(())
}

/// The message naming the required materials without a file, if any.
pub(crate) fn missing_materials(needs: &[MaterialNeed]) -> Option<String> {
    let missing = crate::materials::missing(needs);
    (!missing.is_empty())
        .then(|| format!("请上传或使用电子证照 (please upload, or use a licence): {}", missing.join("、")))
}

/// Starts an application for the published offering `offering_code`, pre-filled.
pub async fn start(app: &App, who: &Principal, offering_code: &str) -> Result<ApplicationView, AppError> {
    let a = applicant(app, who, AgentScope::Apply).await?;
    create(app, a, &who.name, who.acting.as_ref(), offering_code, None).await
}

/// One-window acceptance (前台综合受理): window staff start an application for a walk-in
/// applicant after checking the identity card they show (which raises the applicant to L4). The
/// staff member fills it in and submits it; the case is the applicant's like an online one, received
/// at the staff member's window (which may be in another region: 异地代收).
pub async fn start_for(
    app: &App,
    staff: &Principal,
    person: &str,
    card_number: &str,
    offering_code: &str,
) -> Result<ApplicationView, AppError> {
    crate::staff::verify_in_person(app, staff, person, card_number).await?;
    let person_id = people::find_person(app, person).await?.ok_or(AppError::internal("verified person vanished"))?;
    let name = app.store.person(&person_id).await?.map(|p| p.name).unwrap_or_default();
    let a = Applicant { person_id, organization: String::new() };
    create(app, a, &name, None, offering_code, Some(staff.person_id.clone())).await
}

async fn create(
    app: &App,
    a: Applicant,
    name: &str,
    acting: Option<&access::Acting>,
    offering_code: &str,
    started_by: Option<String>,
) -> Result<ApplicationView, AppError> {
    let guide = crate::catalog::get(&app.store, offering_code.trim()).await.map_err(|e| match e {
        AppError::NotFound { .. } => {
            AppError::field("offering_code", "没有这个已发布的服务事项 (no such published offering)")
        }
        e => e,
    })?;
    let audience = if a.organization.is_empty() { Audience::Person } else { Audience::Organization };
    if !guide.offering.audience.contains(&audience) {
        let message = if a.organization.is_empty() {
            "该事项面向法人，请切换到所代表的单位后申请 (this service is for organizations: act for one first)"
        } else {
            "该事项面向个人，请以个人身份申请 (this service is for persons: stop acting for the organization)"
        };
        return Err(AppError::field("offering_code", message));
    }
    let id = format!("ap_{}", &tongban_crypto::token().map_err(AppError::internal)?[..24]);
    let (data, sources) = prefill(app, &id, &a, name, acting, &guide.offering).await?;
    let now = Utc::now();
    let row = ApplicationRow {
        id,
        applicant_id: a.person_id,
        organization: a.organization,
        offering_code: guide.offering.offering_code.clone(),
        offering_version: guide.version,
        data_sealed: seal_data(app, &data)?,
        prefilled: serde_json::to_value(&sources).map_err(AppError::internal)?,
        started_by,
        case_number: None,
        submit_key: None,
        created_at: now,
        updated_at: now,
    };
    app.store.insert_application(row.clone()).await?;
    view(app, row).await
}

pub async fn get_application(app: &App, who: &Principal, id: &str) -> Result<ApplicationView, AppError> {
    let row = own_application(app, who, id, AgentScope::Apply).await?;
    view(app, row).await
}

/// An application with the form it is filled in on, for its applicant's pages.
pub async fn application_with_form(app: &App, who: &Principal, id: &str) -> Result<(ApplicationView, Form), AppError> {
    let v = get_application(app, who, id).await?;
    let form = guide_version(app, &v.offering_code, v.offering_version).await?.form.form.clone();
    Ok((v, form))
}

/// The application behind a case with its form, for whoever may read the case.
pub async fn case_application(
    app: &App,
    who: &Principal,
    case_number: &str,
) -> Result<(ApplicationView, Form), AppError> {
    let case = readable_case(app, who, case_number).await?;
    let row = app.store.application(&case.application_id).await?.ok_or(NO_APPLICATION)?;
    let v = view(app, row).await?;
    let form = guide_version(app, &v.offering_code, v.offering_version).await?.form.form.clone();
    Ok((v, form))
}

/// The applicant's applications, newest first.
pub async fn my_applications(app: &App, who: &Principal) -> Result<Vec<ApplicationView>, AppError> {
    let a = applicant(app, who, AgentScope::Apply).await?;
    let mut out = Vec::new();
    for row in app.store.applications_of(&a.person_id, &a.organization, 100).await? {
        out.push(view(app, row).await?);
    }
    Ok(out)
}

/// Replaces a draft's data (hidden and unknown fields dropped); a field whose value the applicant
/// changed is no longer marked as pre-filled. Incomplete data is kept: the errors come back.
pub async fn save(app: &App, who: &Principal, id: &str, data: Map<String, Value>) -> Result<ApplicationView, AppError> {
    let row = own_application(app, who, id, AgentScope::Apply).await?;
    if row.case_number.is_some() {
        return Err(AppError::Conflict {
            field: "id", message: "申请已提交，不能再修改 (already submitted)".into()
        });
    }
    let guide = guide_version(app, &row.offering_code, row.offering_version).await?;
    let data = guide.form.form.keep_shown(data);
    let old = open_data(app, &row.data_sealed)?;
    let mut sources: BTreeMap<String, PrefillSource> =
        serde_json::from_value(row.prefilled.clone()).map_err(AppError::internal)?;
    sources.retain(|k, _| data.get(k).is_some_and(|v| old.get(k) == Some(v)));
    let sealed = seal_data(app, &data)?;
    let prefilled = serde_json::to_value(&sources).map_err(AppError::internal)?;
    let now = Utc::now();
    if !app.store.save_application(id, sealed.clone(), prefilled.clone(), now).await? {
        return Err(AppError::Conflict {
            field: "id", message: "申请已提交，不能再修改 (already submitted)".into()
        });
    }
    view(app, ApplicationRow { data_sealed: sealed, prefilled, updated_at: now, ..row }).await
}

/// The receipt of a submission (回执).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Receipt {
    pub case_number: String,
    /// The day the case is due if accepted today (the clock starts at acceptance).
    pub due: NaiveDate,
    pub provisional: bool,
    pub next: String,
    /// False when this was a repeat of an earlier submission.
    pub created: bool,
    /// Submitted by the window staff member who applied for a walk-in applicant.
    pub at_window: bool,
}

/// Submits a complete draft: it becomes a case with its number. Submitting again (a double
/// click, a retry with the same `Idempotency-Key`) returns the same case.
pub async fn submit(
    app: &App,
    who: &Principal,
    id: &str,
    idempotency_key: Option<&str>,
    request_id: &str,
) -> Result<Receipt, AppError> {
    if let Some(k) = idempotency_key
        && (k.is_empty() || k.len() > 200 || !k.is_ascii())
    {
        return Err(AppError::field("Idempotency-Key", "应为 1 至 200 个 ASCII 字符 (1 to 200 ASCII characters)"));
    }
    let row = own_application(app, who, id, AgentScope::Apply).await?;
    let guide = guide_version(app, &row.offering_code, row.offering_version).await?;
    let offering = &guide.offering;
    let today = china_today();
    let limit = offering.committed_limit;
    if row.case_number.as_deref().is_some_and(|n| !n.is_empty()) {
        // Already submitted: answer as before without re-checking anything.
        return receipt_of_existing(app, who, &row, limit, today).await;
    }
    let at_window = started_by(app, &row, who).await?;
    let assurance = if at_window {
        let person = app.store.person(&row.applicant_id).await?;
        person.and_then(|p| Assurance::parse(&p.assurance)).unwrap_or(Assurance::L1)
    } else {
        who.assurance
    };
    if assurance < SUBMIT_ASSURANCE {
        return Err(AppError::AssuranceRequired { level: SUBMIT_ASSURANCE });
    }
    // Received where the application came in: online, the offering's own agency; at a window, the
    // window's agency and division (异地代收 when that is another region's).
    let (receiving_agency, receiving_division) = if at_window {
        let window = crate::access::roles(app, &who.person_id)
            .await?
            .into_iter()
            .find(|r| r.role == StaffRole::WindowStaff)
            .ok_or(AppError::Forbidden)?;
        (window.agency_code, window.division_code)
    } else {
        (offering.agency.credit_code.clone(), offering.division_code.clone())
    };
    let mut errors = guide.form.check(&open_data(app, &row.data_sealed)?);
    let mut needs = crate::materials::needs(
        offering,
        app.store.materials_of(&row.id).await?,
        crate::licences::uses::uses_of_application(app, &row).await?,
    );
    with_shared(app, offering, &row.id, &mut needs).await?;
    if let Some(m) = missing_materials(&needs) {
        errors.insert("materials".into(), m);
    }
    if !errors.is_empty() {
        return Err(AppError::Validation { fields: errors });
    }
    crate::licences::uses::restamp(app, &row, offering).await?;
    let steps = offering.steps_after_acceptance();
    let now = Utc::now();
    let case = CaseRow {
        case_number: String::new(),
        application_id: row.id.clone(),
        offering_code: row.offering_code.clone(),
        offering_version: row.offering_version,
        offering_name: offering.name.clone(),
        applicant_id: row.applicant_id.clone(),
        organization: row.organization.clone(),
        receiving_agency,
        receiving_division,
        deciding_agency: offering.agency.credit_code.clone(),
        deciding_division: offering.division_code.clone(),
        handling_agency: offering.agency.credit_code.clone(),
        handling_division: offering.division_code.clone(),
        case_kind: serde_json::to_value(offering.case_kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        state: CaseState::Submitted.as_str().into(),
        step: 0,
        steps: json!(steps),
        accepted: false,
        limit_days: i32::try_from(limit).map_err(AppError::internal)?,
        accepted_on: None,
        stopped_on: None,
        pauses: json!([]),
        due: None,
        warning: lifecycle::Warning::Green.as_str().into(),
        claimed_by: None,
        version: 1,
        submitted_at: now,
        updated_at: now,
    };
    let trail = TrailDraft {
        at: now,
        actor_id: who.person_id.clone(),
        actor_role: role_name(who, !at_window),
        action: "submit".into(),
        before_state: "draft".into(),
        after_state: CaseState::Submitted.as_str().into(),
        detail: json!({"offering_version": row.offering_version}).to_string(),
        request_id: request_id.to_owned(),
    };
    let notice = Notice {
        id: crate::notify::message_id()?,
        person_id: row.applicant_id.clone(),
        title: format!("您的申请已提交：{}", offering.name),
        body: "窗口将在 5 个工作日内完成预审，并告知受理结果或需补正的全部内容。".into(),
    };
    let numbering = Numbering { day: today, node: app.cases.node, submit_key: idempotency_key.map(str::to_owned) };
    let hooks = crate::webhooks::hooks_for(app, &case.receiving_agency, &case.deciding_agency).await?;
    let (title, body) = (notice.title.clone(), notice.body.clone());
    let to = crate::notify::recipient(app, &row.applicant_id, None).await?;
    // The webhook deliveries and the text and e-mail name the case by the number it gets.
    let follow = |c: &CaseRow| {
        let title = format!("{title}（办件编号 {}）", c.case_number);
        let link = app.notify.link(&format!("/cases/{}", c.case_number));
        let messages = crate::notify::case_changed(app, &to, &c.case_number, (title, body), link)
            .map_err(|e| StoreError::Corrupt(format!("case notice: {e}")))?;
        Ok(FollowUps { deliveries: crate::webhooks::deliveries(&hooks, c, "case.submitted"), messages, rateable: None })
    };
    let submitted = app.store.submit_application(case, numbering, trail, notice, follow).await?;
    crate::notify::first_attempt(app, submitted.messages);
    // 免提交: the shared materials fetched for the case, after its commit; a failure is kept
    // for staff to see and never undoes the submission.
    if submitted.created
        && let Err(e) = crate::exchange::shared::fetch_for_case(app, &submitted.case, offering).await
    {
        tracing::warn!(case = %submitted.case.case_number, error = %e, "fetching shared materials failed");
    }
    let due = expected_due(app, today, limit).await?;
    Ok(Receipt {
        case_number: submitted.case.case_number,
        due: due.due,
        provisional: due.provisional,
        next: next_step_text(CaseState::Submitted),
        created: submitted.created,
        at_window,
    })
}

pub(crate) async fn receipt_of_existing(
    app: &App,
    who: &Principal,
    row: &ApplicationRow,
    limit: u32,
    today: NaiveDate,
) -> Result<Receipt, AppError> {
    let number = row.case_number.clone().unwrap_or_default();
    let case = app.store.case(&number).await?.ok_or(NO_CASE)?;
    let clock = clock_of(app, &case, today).await?;
    let due = match clock {
        Some(c) => c.due,
        None => expected_due(app, today, limit).await?,
    };
    let state = CaseState::parse(&case.state).unwrap_or(CaseState::Submitted);
    Ok(Receipt {
        case_number: number,
        due: due.due,
        provisional: due.provisional,
        next: next_step_text(state),
        created: false,
        at_window: row.started_by.as_deref() == Some(who.person_id.as_str()),
    })
}

/// When a case is due: by its clock once accepted, otherwise as if accepted today (the receipt).
pub async fn expected_due_of(app: &App, c: &CaseView) -> Result<Option<tongban_domain::Deadline>, AppError> {
    if let Some(k) = c.clock {
        return Ok(Some(k.due));
    }
    if c.state.is_final() {
        return Ok(None);
    }
    expected_due(app, china_today(), c.limit).await.map(Some)
}

/// The due day if the case were accepted on `day`.
pub(crate) async fn expected_due(app: &App, day: NaiveDate, limit: u32) -> Result<tongban_domain::Deadline, AppError> {
    app.calendar.with(&app.store, |c| c.deadline(day, limit, &[])).await
}
