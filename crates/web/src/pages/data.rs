//! The data sharing pages (`/data`): the resource catalog with search, registering and editing a
//! resource (items one a line), publishing, requesting another agency's resource, the requests
//! with their working-day clocks and the decisions on them, revoking a grant (asked first), the
//! agency's department systems (the secret shown once) and the day's call monitoring. Stewards
//! and the data authority; `tongban_app::exchange` decides who may.

use super::forms::{FormErrors, Page, Req, field, see_other};
use super::{Frame, filters};
use crate::AppState;
use crate::data_labels::DataLabels;
use crate::extract::{FormPairs, Path, QueryPairs};
use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};
use tongban_app::AppError;
use tongban_app::access::Principal;
use tongban_app::exchange::catalog::{self, ResourceView};
use tongban_app::exchange::monitor::{self, Monitoring};
use tongban_app::exchange::requests::{self, Actions, NewRequest, RequestView};
use tongban_app::exchange::{self, NewClient, SystemView};
use tongban_domain::exchange::{
    Builtin, DataItem, Decision, Provider, RequestState, Resource, Sensitivity, SharingClass,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/data", get(home))
        .route("/data/resources/new", get(new_form))
        .route("/data/resources", post(create))
        .route("/data/resources/{id}", get(resource))
        .route("/data/resources/{id}/edit", get(edit_form).post(save_version))
        .route("/data/resources/{id}/publish", post(publish))
        .route("/data/requests", get(request_list).post(make_request))
        .route("/data/requests/{id}", get(request_page))
        .route("/data/requests/{id}/decide", post(decide))
        .route("/data/requests/{id}/revoke", post(revoke))
        .route("/data/systems", get(systems).post(register_system))
        .route("/data/monitoring", get(monitoring))
}

/// Who the person is here: the agencies they steward (code, name), and whether they are the data
/// authority. Refused (403) for anyone else.
struct Roles {
    own: Vec<(String, String)>,
    authority: bool,
}

async fn roles(r: &Req, who: &Principal) -> Result<Roles, axum::response::Response> {
    let app = &r.s.app;
    let assigned = exchange::data_roles(app, who).await.map_err(|e| r.error(e))?;
    let mut own = Vec::new();
    for code in exchange::stewarded(&assigned) {
        let name = tongban_app::staff::agency_name(app, &code).await.map_err(|e| r.error(e))?;
        own.push((code, name));
    }
    Ok(Roles { own, authority: exchange::is_authority(&assigned) })
}

fn sharing_name(l: &DataLabels, s: SharingClass) -> &'static str {
    match s {
        SharingClass::Unconditional => l.sharing_names[0],
        SharingClass::Conditional => l.sharing_names[1],
        SharingClass::NotShared => l.sharing_names[2],
    }
}

fn sensitivity_name(l: &DataLabels, s: Sensitivity) -> &'static str {
    match s {
        Sensitivity::General => l.sensitivity_names[0],
        Sensitivity::Sensitive => l.sensitivity_names[1],
        Sensitivity::Personal => l.sensitivity_names[2],
    }
}

const PROVIDERS: [&str; 6] = ["none", "upstream", "population", "legal_person", "licences_by_holder", "case_results"];

fn provider_key(p: &Option<Provider>) -> &'static str {
    match p {
        None => "none",
        Some(Provider::Upstream { .. }) => "upstream",
        Some(Provider::Builtin { source: Builtin::Population }) => "population",
        Some(Provider::Builtin { source: Builtin::LegalPerson }) => "legal_person",
        Some(Provider::Builtin { source: Builtin::LicencesByHolder }) => "licences_by_holder",
        Some(Provider::Builtin { source: Builtin::CaseResults }) => "case_results",
    }
}

// ---------------------------------------------------------------- the catalog

struct Listed {
    identifier: String,
    name: String,
    agency: String,
    sharing: &'static str,
    published: Option<i32>,
    latest: i32,
}

#[derive(Template)]
#[template(path = "data_home.html")]
struct HomePage<'a> {
    f: &'a Frame,
    l: &'static DataLabels,
    q: String,
    rows: Vec<Listed>,
    steward: bool,
}

async fn home(r: Req) -> Page {
    let who = r.signed_in().await?;
    let l = r.f.lang.data();
    let q: String = r.q.first("q").unwrap_or("").chars().take(100).collect();
    let found = catalog::list(&r.s.app, &who, &q).await.map_err(|e| r.error(e))?;
    let steward = roles(&r, &who).await.is_ok();
    let rows = found
        .into_iter()
        .map(|v| Listed {
            sharing: sharing_name(l, v.resource.sharing),
            identifier: v.resource.identifier,
            name: v.resource.name,
            agency: v.agency_name,
            published: v.published_version,
            latest: v.latest_version,
        })
        .collect();
    Ok(r.respond(StatusCode::OK, &HomePage { f: &r.f, l, q, rows, steward }))
}

// ---------------------------------------------------------------- registering and editing

/// The form's fields as typed (kept when refused).
#[derive(Default, Clone)]
struct Typed {
    identifier: String,
    name: String,
    summary: String,
    agency_code: String,
    classification: String,
    items: String,
    sharing: String,
    sharing_condition: String,
    open_class: String,
    update_cycle: String,
    format: String,
    provider: String,
    provider_url: String,
    subject: String,
}

impl Typed {
    fn of(form: &QueryPairs) -> Self {
        let v = |k: &str| field(form, k).trim().to_owned();
        Self {
            identifier: v("identifier"),
            name: v("name"),
            summary: v("abstract"),
            agency_code: v("agency_code"),
            classification: v("classification"),
            items: field(form, "items"),
            sharing: v("sharing"),
            sharing_condition: v("sharing_condition"),
            open_class: v("open_class"),
            update_cycle: v("update_cycle"),
            format: v("format"),
            provider: v("provider"),
            provider_url: v("provider_url"),
            subject: v("subject"),
        }
    }

    fn from(r: &Resource) -> Self {
        let items = r
            .items
            .iter()
            .map(|i| {
                let s = match i.sensitivity {
                    Sensitivity::General => "一般",
                    Sensitivity::Sensitive => "敏感",
                    Sensitivity::Personal => "个人信息",
                };
                format!("{},{},{},{s}", i.name, i.label, i.kind)
            })
            .collect::<Vec<_>>()
            .join("\n");
        Self {
            identifier: r.identifier.clone(),
            name: r.name.clone(),
            summary: r.summary.clone(),
            agency_code: r.agency_code.clone(),
            classification: r.classification.clone(),
            items,
            sharing: r.sharing.as_str().into(),
            sharing_condition: r.sharing_condition.clone(),
            open_class: r.open_class.clone(),
            update_cycle: r.update_cycle.clone(),
            format: r.format.clone(),
            provider: provider_key(&r.provider).into(),
            provider_url: match &r.provider {
                Some(Provider::Upstream { url }) => url.clone(),
                _ => String::new(),
            },
            subject: r.subject.clone().unwrap_or_default(),
        }
    }

    /// The entry, or the errors of what could not be read (the rest the application checks).
    fn resource(&self) -> Result<Resource, FormErrors> {
        let mut errors = FormErrors::new();
        let mut items = Vec::new();
        for (n, line) in self.items.lines().map(str::trim).enumerate().filter(|(_, l)| !l.is_empty()) {
            let parts: Vec<&str> = line.split([',', '，']).map(str::trim).collect();
            let sensitivity = match parts.get(3).copied() {
                Some("一般" | "general") => Some(Sensitivity::General),
                Some("敏感" | "sensitive") => Some(Sensitivity::Sensitive),
                Some("个人信息" | "personal") => Some(Sensitivity::Personal),
                _ => None,
            };
            match (parts.len(), sensitivity) {
                (4, Some(sensitivity)) => items.push(DataItem {
                    name: parts[0].into(),
                    label: parts[1].into(),
                    kind: parts[2].into(),
                    sensitivity,
                }),
                _ => errors.push((
                    "items".into(),
                    format!(
                        "第 {} 行应为“名称,中文名,类型,敏感级别” (line {} should be name,label,type,sensitivity)",
                        n + 1,
                        n + 1
                    ),
                )),
            }
        }
        let sharing = SharingClass::parse(&self.sharing);
        if sharing.is_none() {
            errors.push(("sharing".into(), "请选择共享属性 (choose the sharing class)".into()));
        }
        let provider = match self.provider.as_str() {
            "upstream" => Some(Provider::Upstream { url: self.provider_url.clone() }),
            "population" => Some(Provider::Builtin { source: Builtin::Population }),
            "legal_person" => Some(Provider::Builtin { source: Builtin::LegalPerson }),
            "licences_by_holder" => Some(Provider::Builtin { source: Builtin::LicencesByHolder }),
            "case_results" => Some(Provider::Builtin { source: Builtin::CaseResults }),
            _ => None,
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Resource {
            identifier: self.identifier.clone(),
            name: self.name.clone(),
            summary: self.summary.clone(),
            agency_code: self.agency_code.clone(),
            classification: self.classification.clone(),
            items,
            sharing: sharing.unwrap_or(SharingClass::Conditional),
            sharing_condition: self.sharing_condition.clone(),
            open_class: self.open_class.clone(),
            update_cycle: self.update_cycle.clone(),
            format: self.format.clone(),
            provider,
            subject: Some(self.subject.clone()).filter(|s| !s.is_empty()),
        })
    }
}

#[derive(Template)]
#[template(path = "data_resource_form.html")]
struct FormPage<'a> {
    f: &'a Frame,
    l: &'static DataLabels,
    csrf: String,
    /// `Some(latest version)` when editing an existing resource.
    editing: Option<i32>,
    typed: Typed,
    errors: FormErrors,
    /// The agencies the person may register for (code, name).
    agencies: Vec<(String, String)>,
    sharing: Vec<(&'static str, &'static str)>,
    open: Vec<(&'static str, &'static str)>,
    providers: Vec<(&'static str, &'static str)>,
}

impl FormPage<'_> {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == field || f.starts_with(&format!("{field}["))).map(|(_, m)| m.as_str())
    }
}

async fn render_form(
    r: &Req,
    who: &Principal,
    status: StatusCode,
    editing: Option<i32>,
    typed: Typed,
    errors: FormErrors,
) -> Page {
    let l = r.f.lang.data();
    let mine = roles(r, who).await?;
    let mut agencies = mine.own.clone();
    if mine.authority && !typed.agency_code.is_empty() && !agencies.iter().any(|(c, _)| *c == typed.agency_code) {
        let name = tongban_app::staff::agency_name(&r.s.app, &typed.agency_code).await.map_err(|e| r.error(e))?;
        agencies.push((typed.agency_code.clone(), name));
    }
    let labels = [
        ("identifier", l.identifier),
        ("name", l.name),
        ("abstract", l.summary),
        ("agency_code", l.provider_agency),
        ("classification", l.classification),
        ("items", l.items),
        ("sharing", l.sharing),
        ("sharing_condition", l.sharing_condition),
        ("open_class", l.open_class),
        ("update_cycle", l.update_cycle),
        ("format", l.format),
        ("provider.url", l.provider_url),
        ("subject", l.subject),
    ];
    // An item's errors (`items[2].name`) are shown at the items field, naming the item.
    let errors: FormErrors = errors
        .into_iter()
        .map(|(k, m)| match k.strip_prefix("items[").and_then(|rest| rest.split(']').next()?.parse::<usize>().ok()) {
            Some(n) => ("items".to_owned(), format!("第 {} 项: {m}", n + 1)),
            None => (k, m),
        })
        .collect();
    let errors = super::labelled(errors, &labels, r.f.lang);
    let sharing = [SharingClass::Unconditional, SharingClass::Conditional, SharingClass::NotShared]
        .map(|s| (s.as_str(), sharing_name(l, s)))
        .to_vec();
    let open = ["open", "conditional", "closed"].into_iter().zip(l.open_names).collect();
    let providers = PROVIDERS.into_iter().zip(l.provider_names).collect();
    Ok(r.with_csrf(|csrf| {
        let page = FormPage { f: &r.f, l, csrf, editing, typed, errors, agencies, sharing, open, providers };
        r.respond(status, &page)
    }))
}

async fn new_form(r: Req) -> Page {
    let who = r.signed_in().await?;
    let mine = roles(&r, &who).await?;
    let typed = Typed {
        agency_code: mine.own.first().map(|(c, _)| c.clone()).unwrap_or_default(),
        sharing: "conditional".into(),
        open_class: "closed".into(),
        update_cycle: "实时".into(),
        format: "JSON".into(),
        provider: "none".into(),
        ..Typed::default()
    };
    render_form(&r, &who, StatusCode::OK, None, typed, vec![]).await
}

async fn create(r: Req, FormPairs(form): FormPairs) -> Page {
    let who = r.posted(&form).await?;
    let typed = Typed::of(&form);
    let saved = match typed.resource() {
        Ok(res) => catalog::save(&r.s.app, &who, res, None).await,
        Err(errors) => return render_form(&r, &who, StatusCode::BAD_REQUEST, None, typed, errors).await,
    };
    match saved {
        Ok(v) => Ok(see_other(&format!("/data/resources/{}?done=saved&version={}", v.resource.identifier, v.version))),
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            render_form(&r, &who, status, None, typed, errors).await
        }
    }
}

async fn edit_form(r: Req, Path(id): Path<String>) -> Page {
    let who = r.signed_in().await?;
    roles(&r, &who).await?;
    let v = catalog::view(&r.s.app, Some(&who), &id, None).await.map_err(|e| r.error(e))?;
    let latest = catalog::view(&r.s.app, Some(&who), &id, Some(v.latest_version)).await.map_err(|e| r.error(e))?;
    render_form(&r, &who, StatusCode::OK, Some(v.latest_version), Typed::from(&latest.resource), vec![]).await
}

async fn save_version(r: Req, Path(id): Path<String>, FormPairs(form): FormPairs) -> Page {
    let who = r.posted(&form).await?;
    let mut typed = Typed::of(&form);
    typed.identifier = id;
    let expected: i32 = field(&form, "expected").parse().unwrap_or(0);
    let saved = match typed.resource() {
        Ok(res) => catalog::save(&r.s.app, &who, res, Some(expected)).await,
        Err(errors) => return render_form(&r, &who, StatusCode::BAD_REQUEST, Some(expected), typed, errors).await,
    };
    match saved {
        Ok(v) => Ok(see_other(&format!("/data/resources/{}?done=saved&version={}", v.resource.identifier, v.version))),
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            render_form(&r, &who, status, Some(expected), typed, errors).await
        }
    }
}

async fn publish(r: Req, Path(id): Path<String>, FormPairs(form): FormPairs) -> Page {
    let who = r.posted(&form).await?;
    let version: i32 = field(&form, "version").parse().unwrap_or(0);
    catalog::publish(&r.s.app, &who, &id, version).await.map_err(|e| r.error(e))?;
    Ok(see_other(&format!("/data/resources/{id}?done=published")))
}

// ---------------------------------------------------------------- one resource and requesting it

/// The request form as typed.
#[derive(Default)]
struct RequestTyped {
    consumer_agency: String,
    purpose: String,
    legal_basis: String,
    offerings: String,
    items: Vec<String>,
    quota: String,
    expires_on: String,
}

#[derive(Template)]
#[template(path = "data_resource.html")]
struct ResourcePage<'a> {
    f: &'a Frame,
    l: &'static DataLabels,
    csrf: String,
    v: ResourceView,
    sharing: &'static str,
    items: Vec<(DataItem, &'static str)>,
    provider: &'static str,
    notice: Option<&'static str>,
    /// May edit and publish (the provider's steward or the data authority).
    editor: bool,
    versions: Vec<(i32, String, bool)>,
    /// Agencies the person may request for (their own, not the provider).
    requesters: Vec<(String, String)>,
    typed: RequestTyped,
    errors: FormErrors,
}

impl ResourcePage<'_> {
    /// Whether version `n` is the latest and not yet published.
    fn publishable(&self, n: &i32) -> bool {
        *n == self.v.latest_version && self.v.published_version != Some(*n)
    }

    fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }
}

async fn render_resource(
    r: &Req,
    who: &Principal,
    id: &str,
    status: StatusCode,
    typed: RequestTyped,
    errors: FormErrors,
) -> Page {
    let l = r.f.lang.data();
    let app = &r.s.app;
    let version = r.q.first("version").and_then(|v| v.parse().ok());
    let v = catalog::view(app, Some(who), id, version).await.map_err(|e| r.error(e))?;
    let mine = roles(r, who).await.ok();
    let editor = mine.as_ref().is_some_and(|m| m.authority || m.own.iter().any(|(c, _)| *c == v.resource.agency_code));
    let versions = if editor {
        catalog::versions(app, who, id)
            .await
            .map_err(|e| r.error(e))?
            .into_iter()
            .map(|(n, at, published)| (n, super::china_time(at), published.is_some()))
            .collect()
    } else {
        Vec::new()
    };
    let requesters = match (&mine, v.published_version) {
        (Some(m), Some(_)) => m.own.iter().filter(|(c, _)| *c != v.resource.agency_code).cloned().collect(),
        _ => Vec::new(),
    };
    let notice = match r.q.first("done") {
        Some("saved") => Some(l.saved),
        Some("published") => Some(l.published_notice),
        _ => None,
    };
    let labels = [
        ("consumer_agency", l.consumer),
        ("purpose", l.purpose),
        ("legal_basis", l.legal_basis),
        ("offerings", l.offerings),
        ("items", l.wanted_items),
        ("quota_per_day", l.quota),
        ("expires_on", l.expires_on),
        ("resource", l.name),
    ];
    let errors = super::labelled(errors, &labels, r.f.lang);
    let items = v.resource.items.iter().map(|i| (i.clone(), sensitivity_name(l, i.sensitivity))).collect();
    let provider =
        l.provider_names[PROVIDERS.iter().position(|p| *p == provider_key(&v.resource.provider)).unwrap_or(0)];
    let sharing = sharing_name(l, v.resource.sharing);
    let typed = RequestTyped {
        quota: if typed.quota.is_empty() { "1000".into() } else { typed.quota },
        expires_on: if typed.expires_on.is_empty() {
            (tongban_domain::calendar::china_today() + chrono::Days::new(365)).to_string()
        } else {
            typed.expires_on
        },
        ..typed
    };
    Ok(r.with_csrf(|csrf| {
        let page = ResourcePage {
            f: &r.f,
            l,
            csrf,
            v,
            sharing,
            items,
            provider,
            notice,
            editor,
            versions,
            requesters,
            typed,
            errors,
        };
        r.respond(status, &page)
    }))
}

async fn resource(r: Req, Path(id): Path<String>) -> Page {
    let who = r.signed_in().await?;
    render_resource(&r, &who, &id, StatusCode::OK, RequestTyped::default(), vec![]).await
}

async fn make_request(r: Req, FormPairs(form): FormPairs) -> Page {
    let who = r.posted(&form).await?;
    let v = |k: &str| field(&form, k).trim().to_owned();
    let typed = RequestTyped {
        consumer_agency: v("consumer_agency"),
        purpose: v("purpose"),
        legal_basis: v("legal_basis"),
        offerings: field(&form, "offerings"),
        items: form.all("items"),
        quota: v("quota_per_day"),
        expires_on: v("expires_on"),
    };
    let resource = v("resource");
    let mut errors = FormErrors::new();
    let quota = typed.quota.parse::<u32>().unwrap_or_else(|_| {
        errors.push(("quota_per_day".into(), "请填写整数 (a whole number)".into()));
        0
    });
    let expires_on = chrono::NaiveDate::parse_from_str(&typed.expires_on, "%Y-%m-%d").unwrap_or_else(|_| {
        errors.push(("expires_on".into(), "日期格式为 YYYY-MM-DD (a date YYYY-MM-DD)".into()));
        chrono::NaiveDate::MIN
    });
    if !errors.is_empty() {
        return render_resource(&r, &who, &resource, StatusCode::BAD_REQUEST, typed, errors).await;
    }
    let new = NewRequest {
        resource: resource.clone(),
        consumer_agency: typed.consumer_agency.clone(),
        purpose: typed.purpose.clone(),
        legal_basis: typed.legal_basis.clone(),
        offerings: typed.offerings.split_whitespace().map(str::to_owned).collect(),
        items: typed.items.clone(),
        quota_per_day: quota,
        expires_on,
    };
    match requests::request(&r.s.app, &who, new, &r.request_id()).await {
        Ok(v) => Ok(see_other(&format!("/data/requests/{}", v.id))),
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            render_resource(&r, &who, &resource, status, typed, errors).await
        }
    }
}

// ---------------------------------------------------------------- requests and grants

/// A clock as a list shows it: the badge colour, its words and the due day.
fn clock_text(l: &DataLabels, v: &RequestView) -> (&'static str, String) {
    match &v.clock {
        Some(c) => {
            let colour = match c.warning {
                tongban_domain::cases::Warning::Green => "green",
                tongban_domain::cases::Warning::Yellow => "yellow",
                tongban_domain::cases::Warning::Red => "red",
            };
            let words = if c.remaining < 0 {
                format!("{} · {}", c.due.due, l.overdue)
            } else {
                format!("{} · {} {}", c.due.due, l.remaining, c.remaining)
            };
            (colour, words)
        }
        None => ("", String::new()),
    }
}

#[derive(Template)]
#[template(path = "data_requests.html")]
struct RequestsPage<'a> {
    f: &'a Frame,
    l: &'static DataLabels,
    rows: Vec<(RequestView, &'static str, String)>,
    states: Vec<(&'static str, &'static str, bool)>,
    all: bool,
}

async fn request_list(r: Req) -> Page {
    let who = r.signed_in().await?;
    let l = r.f.lang.data();
    let chosen = r.q.first("state").and_then(RequestState::parse);
    let list = requests::list(&r.s.app, &who, chosen.as_slice()).await.map_err(|e| r.error(e))?;
    let rows = list
        .into_iter()
        .map(|v| {
            let (colour, words) = clock_text(l, &v);
            (v, colour, words)
        })
        .collect();
    let states = RequestState::ALL.iter().map(|s| (s.as_str(), s.label(), chosen == Some(*s))).collect();
    Ok(r.respond(StatusCode::OK, &RequestsPage { f: &r.f, l, rows, states, all: chosen.is_none() }))
}

#[derive(Template)]
#[template(path = "data_request.html")]
struct RequestPage<'a> {
    f: &'a Frame,
    l: &'static DataLabels,
    csrf: String,
    v: RequestView,
    colour: &'static str,
    clock: String,
    may: Actions,
    confirm_revoke: bool,
    notice: Option<&'static str>,
    errors: FormErrors,
    reasons: String,
}

async fn render_request(
    r: &Req,
    who: &Principal,
    id: &str,
    status: StatusCode,
    errors: FormErrors,
    reasons: String,
) -> Page {
    let l = r.f.lang.data();
    let v = requests::view(&r.s.app, who, id).await.map_err(|e| r.error(e))?;
    let may = requests::actions(&r.s.app, who, &v).await.map_err(|e| r.error(e))?;
    let (colour, clock) = clock_text(l, &v);
    let notice = match r.q.first("done") {
        Some("decided") => Some(l.decided),
        Some("revoked") => Some(l.revoked),
        _ => None,
    };
    let confirm_revoke = may.revoke && r.q.first("revoke").is_some();
    let labels = [("reasons", l.reasons), ("quota_per_day", l.quota_granted), ("state", l.state)];
    let errors = super::labelled(errors, &labels, r.f.lang);
    Ok(r.with_csrf(|csrf| {
        let page = RequestPage { f: &r.f, l, csrf, v, colour, clock, may, confirm_revoke, notice, errors, reasons };
        r.respond(status, &page)
    }))
}

async fn request_page(r: Req, Path(id): Path<String>) -> Page {
    let who = r.signed_in().await?;
    render_request(&r, &who, &id, StatusCode::OK, vec![], String::new()).await
}

async fn decide(r: Req, Path(id): Path<String>, FormPairs(form): FormPairs) -> Page {
    let who = r.posted(&form).await?;
    let decision = if field(&form, "decision") == "approve" { Decision::Approve } else { Decision::Refuse };
    let reasons = field(&form, "reasons");
    let quota = field(&form, "quota_per_day");
    let quota = match quota.trim() {
        "" => None,
        q => match q.parse() {
            Ok(n) => Some(n),
            Err(_) => {
                let errors = vec![("quota_per_day".into(), "请填写整数 (a whole number)".into())];
                return render_request(&r, &who, &id, StatusCode::BAD_REQUEST, errors, reasons).await;
            }
        },
    };
    let expected = field(&form, "version").parse().ok();
    let verdict =
        requests::Verdict { decision, reasons: reasons.clone(), quota_per_day: quota, expected_version: expected };
    match requests::decide(&r.s.app, &who, &id, verdict, &r.request_id()).await {
        Ok(_) => Ok(see_other(&format!("/data/requests/{id}?done=decided"))),
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            render_request(&r, &who, &id, status, errors, reasons).await
        }
    }
}

async fn revoke(r: Req, Path(id): Path<String>, FormPairs(form): FormPairs) -> Page {
    let who = r.posted(&form).await?;
    let reasons = field(&form, "reasons");
    match requests::revoke(&r.s.app, &who, &id, &reasons, &r.request_id()).await {
        Ok(_) => Ok(see_other(&format!("/data/requests/{id}?done=revoked"))),
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            render_request(&r, &who, &id, status, errors, reasons).await
        }
    }
}

// ---------------------------------------------------------------- systems

#[derive(Template)]
#[template(path = "data_systems.html")]
struct SystemsPage<'a> {
    f: &'a Frame,
    l: &'static DataLabels,
    csrf: String,
    agencies: Vec<(String, String)>,
    agency: String,
    list: Vec<SystemView>,
    created: Option<NewClient>,
    errors: FormErrors,
    name: String,
}

async fn render_systems(
    r: &Req,
    who: &Principal,
    agency: String,
    status: StatusCode,
    created: Option<NewClient>,
    errors: FormErrors,
    name: String,
) -> Page {
    let l = r.f.lang.data();
    let mine = roles(r, who).await?;
    let mut agencies = mine.own.clone();
    let agency = if agency.is_empty() { agencies.first().map(|(c, _)| c.clone()).unwrap_or_default() } else { agency };
    if mine.authority && !agency.is_empty() && !agencies.iter().any(|(c, _)| *c == agency) {
        let n = tongban_app::staff::agency_name(&r.s.app, &agency).await.map_err(|e| r.error(e))?;
        agencies.push((agency.clone(), n));
    }
    let list = if agency.is_empty() {
        Vec::new()
    } else {
        exchange::systems(&r.s.app, who, &agency).await.map_err(|e| r.error(e))?
    };
    let errors = super::labelled(errors, &[("name", l.system_name), ("agency_code", l.provider_agency)], r.f.lang);
    Ok(r.with_csrf(|csrf| {
        let page = SystemsPage { f: &r.f, l, csrf, agencies, agency, list, created, errors, name };
        r.respond(status, &page)
    }))
}

async fn systems(r: Req) -> Page {
    let who = r.signed_in().await?;
    let agency = r.q.first("agency").unwrap_or("").trim().to_owned();
    render_systems(&r, &who, agency, StatusCode::OK, None, vec![], String::new()).await
}

async fn register_system(r: Req, FormPairs(form): FormPairs) -> Page {
    let who = r.posted(&form).await?;
    let agency = field(&form, "agency_code").trim().to_owned();
    let name = field(&form, "name").trim().to_owned();
    match exchange::register_system(&r.s.app, &who, &agency, &name).await {
        // Shown here, once: never in an address, never again.
        Ok(c) => render_systems(&r, &who, agency, StatusCode::CREATED, Some(c), vec![], String::new()).await,
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            render_systems(&r, &who, agency, status, None, errors, name).await
        }
    }
}

// ---------------------------------------------------------------- monitoring

#[derive(Template)]
#[template(path = "data_monitoring.html")]
struct MonitoringPage<'a> {
    f: &'a Frame,
    l: &'static DataLabels,
    m: Monitoring,
}

async fn monitoring(r: Req) -> Page {
    let who = r.signed_in().await?;
    let day = match r.q.first("day").filter(|d| !d.is_empty()) {
        Some(d) => chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map_err(|_| r.error(AppError::field("day", "日期格式为 YYYY-MM-DD (a date YYYY-MM-DD)")))?,
        None => tongban_domain::calendar::china_today(),
    };
    let m = monitor::day(&r.s.app, &who, day).await.map_err(|e| r.error(e))?;
    Ok(r.respond(StatusCode::OK, &MonitoringPage { f: &r.f, l: r.f.lang.data(), m }))
}
