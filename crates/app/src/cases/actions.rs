//! Acting on a case, and the staff queues.

use super::*;

pub fn transition_error(e: TransitionError) -> AppError {
    match e {
        TransitionError::Invalid { fields } => {
            AppError::Validation { fields: fields.into_iter().map(|(f, r)| (f.to_owned(), r)).collect() }
        }
        e @ TransitionError::NotAllowed { .. } => AppError::Conflict { field: "action", message: e.to_string() },
    }
}

/// Takes `action` on a case with an optional comment. `version`, when given, must be the one
/// the actor saw (409 otherwise). Checks who may act, the state machine, then writes the new
/// position, the clock, the trail entry and the applicant's message together.
pub async fn act(
    app: &App,
    who: &Principal,
    case_number: &str,
    action: CaseAction,
    comment: Option<String>,
    version: Option<i64>,
    request_id: &str,
) -> Result<CaseView, AppError> {
    let comment = comment.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty());
    // The action's fields and the comment are checked together: every error at once.
    let mut invalid = match action.validate() {
        Err(TransitionError::Invalid { fields }) => fields.into_iter().map(|(f, r)| (f.to_owned(), r)).collect(),
        _ => std::collections::BTreeMap::new(),
    };
    if comment.as_ref().is_some_and(|c| c.chars().count() > MAX_COMMENT) {
        invalid.insert("comment".into(), format!("不能超过 {MAX_COMMENT} 个字 (at most {MAX_COMMENT} characters)"));
    }
    if !invalid.is_empty() {
        return Err(AppError::Validation { fields: invalid });
    }
    let case = readable_case(app, who, case_number).await?;
    let state = CaseState::parse(&case.state).ok_or_else(|| AppError::Internal("case state".into()))?;
    let steps = steps_of(&case)?;
    let position = Lifecycle::restore(
        state,
        u16::try_from(case.step).map_err(AppError::internal)?,
        u16::try_from(steps.len()).map_err(AppError::internal)?,
        case.accepted,
    )
    .ok_or_else(|| AppError::Internal(format!("case {} has an impossible position", case.case_number)))?;
    let applicant_acts = match action.actor(state) {
        Actor::Applicant => {
            if !is_applicant(app, who, &case).await? {
                return Err(AppError::Forbidden);
            }
            true
        }
        Actor::Staff(roles, side) => {
            // The deciding side acts through whoever handles the current step: at a joint step
            // of a joint case (联办件), that agency's approvers; otherwise the deciding agency's.
            let [receiving, handling] = sides(&case);
            let places = match side {
                Side::Receiving => vec![receiving],
                Side::Deciding => vec![handling],
                Side::Either => vec![deciding(&case), receiving],
            };
            let allowed = staff_covers_any(app, who, roles, &places).await;
            if !allowed {
                return Err(AppError::Forbidden);
            }
            recuse(who, &case)?;
            false
        }
    };
    // Only once it is theirs to take: a stale version tells nothing to anyone else.
    if version.is_some_and(|v| v != case.version) {
        return Err(AppError::stale());
    }
    let decided = position.apply(&action).map_err(transition_error)?;
    // 即办件: the decision concludes the case on the spot, in the same transaction.
    let immediate = matches!(action, CaseAction::Approve | CaseAction::Deny { .. })
        && guide_version(app, &case.offering_code, case.offering_version).await?.offering.case_kind
            == CaseKind::Immediate;
    let next = if immediate { decided.apply(&CaseAction::Conclude).map_err(transition_error)? } else { decided };
    let today = china_today();
    let mut pauses = pauses_of(&case)?;
    let mut new = case.clone();
    match &action {
        CaseAction::Accept => new.accepted_on = Some(today),
        CaseAction::RequestSupplement { .. } if next.accepted() => pauses.push(Pause { from: today, until: None }),
        CaseAction::StartProcedure { name } => {
            // Only a special procedure of the guide, and only one not counted in the limit, stops the clock.
            let guide = guide_version(app, &case.offering_code, case.offering_version).await?;
            let Some(p) = guide.offering.special_procedures.iter().find(|p| p.name == name.trim()) else {
                let known: Vec<&str> = guide.offering.special_procedures.iter().map(|p| p.name.as_str()).collect();
                return Err(AppError::field(
                    "name",
                    format!(
                        "应为办事指南列明的特殊环节之一 (one of the guide's special procedures): {}",
                        known.join("、")
                    ),
                ));
            };
            if !p.counted {
                pauses.push(Pause { from: today, until: None });
            }
        }
        CaseAction::Supplement | CaseAction::EndProcedure => {
            if let Some(p) = pauses.iter_mut().find(|p| p.until.is_none()) {
                p.until = Some(today);
            }
        }
        CaseAction::Approve | CaseAction::Deny { .. } => new.stopped_on = Some(today),
        CaseAction::Withdraw if case.accepted => new.stopped_on = Some(today),
        _ => {}
    }
    if next.state().is_final() {
        // A withdrawal during a supplement or a procedure ends the pause with the case.
        pauses.iter_mut().filter(|p| p.until.is_none()).for_each(|p| p.until = Some(today));
    }
    new.state = next.state().as_str().into();
    new.step = i32::from(next.step());
    let (agency, division) =
        steps.get(usize::from(next.step())).and_then(ReviewStep::place).unwrap_or_else(|| deciding(&case));
    (new.handling_agency, new.handling_division) = (agency.to_owned(), division.to_owned());
    new.accepted = next.accepted();
    new.pauses = serde_json::to_value(&pauses).map_err(AppError::internal)?;
    new.version = case.version + 1;
    new.updated_at = Utc::now();
    if let Some(clock) = clock_of(app, &new, today).await? {
        new.due = Some(clock.due.due);
        new.warning = clock.warning.as_str().into();
    }
    let mut detail = serde_json::to_value(&action).map_err(AppError::internal)?;
    if let Some(obj) = detail.as_object_mut() {
        if let Some(c) = &comment {
            obj.insert("comment".into(), Value::String(c.clone()));
        }
        // A review step's action names the step, and at a joint step its agency.
        if state == CaseState::UnderReview
            && let Some(step) = steps.get(usize::from(position.step()))
        {
            obj.insert("step".into(), Value::String(step.name().to_owned()));
            if let ReviewStep::Joint { agency_name, .. } = step {
                obj.insert("step_agency".into(), Value::String(agency_name.clone()));
            }
        }
    }
    if action == CaseAction::Supplement {
        // The answer records what was supplied: the files uploaded since the notice, by digest.
        let trail = app.store.trail(&case.case_number).await?;
        let since = trail.iter().rev().find(|e| e.action == "request_supplement").map_or(case.submitted_at, |e| e.at);
        let files: Vec<Value> = app
            .store
            .materials_of(&case.application_id)
            .await?
            .into_iter()
            .filter(|m| m.uploaded_at >= since)
            .map(|m| json!({"material": m.material, "file_name": m.file_name, "digest": m.digest}))
            .collect();
        if files.is_empty() && comment.is_none() {
            return Err(AppError::field(
                "comment",
                "请上传补正材料或说明补正情况 (upload what the notice asks for, or say how it was supplied)",
            ));
        }
        if let Some(obj) = detail.as_object_mut() {
            obj.insert("files".into(), Value::Array(files));
        }
    }
    let mut trail = vec![TrailDraft {
        at: new.updated_at,
        actor_id: who.person_id.clone(),
        actor_role: role_name(who, applicant_acts),
        action: action.as_str().into(),
        before_state: case.state.clone(),
        after_state: decided.state().as_str().into(),
        detail: detail.to_string(),
        request_id: request_id.to_owned(),
    }];
    if immediate {
        trail.push(TrailDraft {
            action: CaseAction::Conclude.as_str().into(),
            before_state: decided.state().as_str().into(),
            after_state: new.state.clone(),
            detail: json!({"action": "conclude", "immediate": true}).to_string(),
            ..trail[0].clone()
        });
    }
    let notice = (!applicant_acts).then(|| -> Result<Notice, AppError> {
        Ok(Notice {
            id: crate::notify::message_id()?,
            person_id: case.applicant_id.clone(),
            title: match &action {
                CaseAction::RequestSupplement { missing } => {
                    format!("办件 {} 需补正：{}", case.case_number, missing_in_short(missing))
                }
                _ => format!("办件 {} {}：{}", case.case_number, action.name_zh(), next.state().name_zh()),
            },
            body: match &action {
                // The notice itself lists everything missing (一次性告知).
                CaseAction::RequestSupplement { missing } => format!(
                    "需补正的内容：\n{}\n{}",
                    missing.iter().enumerate().map(|(i, m)| format!("{}. {m}", i + 1)).collect::<Vec<_>>().join("\n"),
                    next_step_text(next.state())
                ),
                _ => next_step_text(next.state()),
            },
        })
    });
    let hooks = crate::webhooks::hooks_for(app, &new.receiving_agency, &new.deciding_agency).await?;
    let notice = notice.transpose()?;
    let messages = match &notice {
        Some(n) => {
            let to = crate::notify::recipient(app, &case.applicant_id, Some(&case.case_number)).await?;
            let link = app.notify.link(&format!("/cases/{}", case.case_number));
            crate::notify::case_changed(app, &to, &case.case_number, (n.title.clone(), n.body.clone()), link)?
        }
        None => Vec::new(),
    };
    // A case that may now be rated counts as rateable in the month it became so (未评率).
    let rateable = tongban_domain::ratings::rateable(next.state()) && !tongban_domain::ratings::rateable(state);
    let follow = FollowUps {
        deliveries: crate::webhooks::deliveries(&hooks, &new, &format!("case.{}", action.as_str())),
        messages: messages.clone(),
        rateable: rateable.then(|| tongban_store::ratings::FigureKey {
            // The figures of the deciding agency and division, by offering.
            month: tongban_domain::ratings::month_of(new.updated_at),
            agency_code: new.deciding_agency.clone(),
            offering_code: new.offering_code.clone(),
            division_code: new.deciding_division.clone(),
        }),
    };
    // 出证: concluding an approved case whose offering produces a licence marks the licence due in
    // the same transaction; it is issued right after the commit, and a failure is retried by the
    // supervision sweep until it succeeds.
    let approved = state == CaseState::Approved || decided.state() == CaseState::Approved;
    let licence_due = next.state() == CaseState::Concluded
        && approved
        && crate::licences::licence_type_of(
            &guide_version(app, &new.offering_code, new.offering_version).await?.offering,
        )
        .is_some();
    if !app.store.update_case(new.clone(), case.version, trail, notice, follow, licence_due).await? {
        return Err(AppError::stale());
    }
    crate::notify::first_attempt(app, messages);
    if licence_due {
        crate::licences::issue_due(app, &new).await;
    }
    case_view(app, new).await
}

/// What a supplement notice asks for, short enough for a text message: the items while they fit
/// in about 60 characters, then how many more.
fn missing_in_short(missing: &[String]) -> String {
    const ROOM: usize = 60;
    let mut shown = String::new();
    if let Some(first) = missing.first().filter(|m| m.chars().count() > ROOM) {
        let clipped: String = first.chars().take(ROOM).collect();
        return format!("{clipped}… 等 {} 项", missing.len());
    }
    for (i, m) in missing.iter().enumerate() {
        let next = if shown.is_empty() { m.clone() } else { format!("{shown}；{m}") };
        if i > 0 && next.chars().count() > ROOM {
            return format!("{shown} 等 {} 项", missing.len());
        }
        shown = next;
    }
    shown
}

/// Staff never handle their own application (回避).
fn recuse(who: &Principal, case: &CaseRow) -> Result<(), AppError> {
    if case.applicant_id == who.person_id {
        return Err(AppError::Conflict {
            field: "action",
            message: "工作人员应当回避本人的申请 (staff do not handle their own application)".into(),
        });
    }
    Ok(())
}

/// The staff roles that work a queue.
pub(crate) const WORKERS: &[StaffRole] =
    &[StaffRole::WindowStaff, StaffRole::Approver, StaffRole::Auditor, StaffRole::AgencyAdmin];

/// A queue request from the workbench.
#[derive(Debug, Clone, Default)]
pub struct QueueRequest {
    pub agency: String,
    pub division: String,
    /// The receiving side's queue (pre-review) instead of the deciding side's.
    pub receiving: bool,
    pub states: Vec<CaseState>,
    pub warning: Option<lifecycle::Warning>,
    pub mine: bool,
    pub after: Option<String>,
    pub limit: u64,
}

/// A page of a staff queue at an agency within a division subtree the staff member covers.
pub async fn queue(app: &App, who: &Principal, q: &QueueRequest) -> Result<Vec<CaseView>, AppError> {
    access::authorize(app, who, Need::Staff(WORKERS, Some((&q.agency, &q.division)))).await?;
    let division =
        tongban_domain::DivisionCode::parse(&q.division).map_err(|e| AppError::field("division", e.to_string()))?;
    let prefix = division.subtree_prefix().to_owned();
    let after = match &q.after {
        Some(n) => {
            // Only a case of this queue's agency is a cursor: any other is "no such case", so
            // the cursor does not tell whether a number exists elsewhere.
            let no_such = || AppError::field("after", "本队列中没有这个办件 (no such case in this queue)");
            let c = app.store.case(n).await?.ok_or_else(no_such)?;
            let agency = if q.receiving { &c.receiving_agency } else { &c.handling_agency };
            if *agency != q.agency {
                return Err(no_such());
            }
            Some((c.due, c.case_number))
        }
        None => None,
    };
    let rows = app
        .store
        .queue(&QueueFilter {
            agency: q.agency.clone(),
            division_prefix: prefix,
            receiving: q.receiving,
            states: q.states.iter().map(|s| s.as_str().to_owned()).collect(),
            warning: q.warning.map(|w| w.as_str().to_owned()),
            claimed_by: q.mine.then(|| who.person_id.clone()),
            after,
            limit: q.limit.clamp(1, 100),
        })
        .await?;
    case_views(app, rows).await
}

/// The cases a staff member may read whose number or service name contains `text` (办件查询),
/// newest first, at most 50.
pub async fn find_cases(app: &App, who: &Principal, text: &str) -> Result<Vec<CaseView>, AppError> {
    // Only what a number or a name holds: LIKE's wildcards are not for the caller.
    let text: String = text.trim().chars().filter(|c| c.is_alphanumeric()).take(40).collect();
    if text.is_empty() {
        return Err(AppError::field(
            "find",
            "请输入办件编号中的数字或事项名称中的文字，标点符号不能查询 (enter digits of a case number or words of a service name; punctuation is not searched)",
        ));
    }
    let places: Vec<(String, String)> = access::roles(app, &who.person_id)
        .await?
        .into_iter()
        .filter(|a| crate::case_access::READERS.contains(&a.role) && who.acting.is_none())
        .map(|a| {
            let prefix = tongban_domain::codes::subtree_prefix(&a.division_code).to_owned();
            (a.agency_code, prefix)
        })
        .collect();
    if places.is_empty() {
        return Err(AppError::Forbidden);
    }
    let rows = app.store.find_cases(&places, &text, 50).await?;
    readable_views(app, who, rows).await
}

/// The cases a staff member has acted on (已办), the latest first, at most 50 — those they may
/// still read.
pub async fn done_by(app: &App, who: &Principal) -> Result<Vec<CaseView>, AppError> {
    let rows = app.store.cases_acted_by(&who.person_id, 50).await?;
    readable_views(app, who, rows).await
}

/// The views of those of `rows` the person may read as staff.
async fn readable_views(app: &App, who: &Principal, rows: Vec<CaseRow>) -> Result<Vec<CaseView>, AppError> {
    let mut readable = Vec::new();
    for c in rows {
        if crate::case_access::staff_reads(app, who, &c).await? {
            readable.push(c);
        }
    }
    case_views(app, readable).await
}

/// Claims a case for oneself (认领) or releases one's own claim, as window staff or an approver of
/// either side. Audited like every action; the state does not change.
pub async fn claim(
    app: &App,
    who: &Principal,
    case_number: &str,
    take: bool,
    request_id: &str,
) -> Result<CaseView, AppError> {
    let case = readable_case(app, who, case_number).await?;
    let handlers = &[StaffRole::WindowStaff, StaffRole::Approver];
    let allowed = staff_covers_any(app, who, handlers, &sides(&case)).await;
    if !allowed {
        return Err(AppError::Forbidden);
    }
    recuse(who, &case)?;
    let mine = case.claimed_by.as_deref() == Some(who.person_id.as_str());
    let refusal = match (take, &case.claimed_by) {
        (true, Some(_)) if !mine => Some("已由其他工作人员认领 (claimed by someone else)"),
        (false, _) if !mine => Some("只能释放自己认领的办件 (you can release only your own claim)"),
        _ => None,
    };
    if let Some(message) = refusal {
        return Err(AppError::Conflict { field: "claimed_by", message: message.into() });
    }
    let mut new = case.clone();
    new.claimed_by = take.then(|| who.person_id.clone());
    new.version = case.version + 1;
    new.updated_at = Utc::now();
    let trail = vec![TrailDraft {
        at: new.updated_at,
        actor_id: who.person_id.clone(),
        actor_role: "staff".into(),
        action: if take { "claim" } else { "release" }.into(),
        before_state: case.state.clone(),
        after_state: case.state.clone(),
        detail: "{}".into(),
        request_id: request_id.to_owned(),
    }];
    if !app.store.update_case(new.clone(), case.version, trail, None, FollowUps::default(), false).await? {
        return Err(AppError::stale());
    }
    case_view(app, new).await
}

/// Verifies every case's trail, the global chain and its signed heads.
pub async fn verify_audit(app: &App) -> Result<AuditReport, AppError> {
    let keys = crate::licences::platform_keys(app).await?;
    Ok(app.store.verify_audit(&keys).await?)
}

/// Signs the global chain's head with the platform's key, unless that link is signed already;
/// the link signed. Off the request path: on a timer, by one node (`leases`). The head is also
/// logged, so that a copy outside the database (the log's collector) witnesses it: deleting
/// signed heads from the database, or rolling it back, shows only against such a copy.
pub async fn seal_audit_head(app: &App) -> Result<Option<i64>, AppError> {
    use tongban_crypto::seal::Signer;
    let (seq, hash) = app.store.audit_head().await?;
    if seq == 0 || app.store.audit_seal_at(seq).await? {
        return Ok(None);
    }
    let signer = crate::licences::platform_seal(app).await?;
    let signature = signer.sign(&tongban_store::audit::seal_message(seq, &hash)).map_err(AppError::internal)?;
    let row = AuditSealRow { seq, hash, key_id: signer.key_id().to_owned(), signature, sealed_at: Utc::now() };
    let kept = app.store.insert_audit_seal(row.clone()).await?;
    if kept {
        tracing::info!(link = seq, hash = %row.hash, "audit chain head signed");
    }
    Ok(kept.then_some(seq))
}

/// Anchors every entry waiting in the global chain (after a crash between a change's commit and
/// its anchoring, on PostgreSQL); how many.
pub async fn anchor_pending(app: &App) -> Result<u64, AppError> {
    Ok(app.store.anchor_pending().await?)
}

#[cfg(test)]
mod tests {
    use super::missing_in_short;

    #[test]
    fn a_supplement_text_names_what_is_missing_while_it_fits() {
        let items = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(missing_in_short(&items(&["经营场所证明", "身份证复印件"])), "经营场所证明；身份证复印件");
        let many = items(&["第一项需要补正的材料说明文字较长一些"; 5]);
        assert_eq!(
            missing_in_short(&many),
            "第一项需要补正的材料说明文字较长一些；第一项需要补正的材料说明文字较长一些；第一项需要补正的材料说明文字较长一些 等 5 项"
        );
        let long = items(&[&"长".repeat(80), "短"]);
        assert_eq!(missing_in_short(&long), format!("{}… 等 2 项", "长".repeat(60)));
    }
}
