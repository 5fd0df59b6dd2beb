//! Registering and editing a data resource (items one a line), publishing it, and one resource's
//! page with the request form of another agency's steward.

use super::super::Frame;
use super::super::forms::{FormErrors, Page, Req, field, see_other};
use super::{PROVIDERS, provider_key, roles, sensitivity_name, sharing_name};
use crate::data_labels::DataLabels;
use crate::extract::{FormPairs, Path, QueryPairs};
use askama::Template;
use axum::http::StatusCode;
use tongban_app::access::Principal;
use tongban_app::exchange::catalog::{self, ResourceView};
use tongban_app::exchange::requests::{self, NewRequest};
use tongban_domain::exchange::{Builtin, DataItem, Provider, Resource, Sensitivity, SharingClass};

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
    let errors = super::super::labelled(errors, &labels, r.f.lang);
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

pub(super) async fn new_form(r: Req) -> Page {
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

pub(super) async fn create(r: Req, FormPairs(form): FormPairs) -> Page {
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

pub(super) async fn edit_form(r: Req, Path(id): Path<String>) -> Page {
    let who = r.signed_in().await?;
    roles(&r, &who).await?;
    let v = catalog::view(&r.s.app, Some(&who), &id, None).await.map_err(|e| r.error(e))?;
    let latest = catalog::view(&r.s.app, Some(&who), &id, Some(v.latest_version)).await.map_err(|e| r.error(e))?;
    render_form(&r, &who, StatusCode::OK, Some(v.latest_version), Typed::from(&latest.resource), vec![]).await
}

pub(super) async fn save_version(r: Req, Path(id): Path<String>, FormPairs(form): FormPairs) -> Page {
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

pub(super) async fn publish(r: Req, Path(id): Path<String>, FormPairs(form): FormPairs) -> Page {
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
            .map(|(n, at, published)| (n, super::super::china_time(at), published.is_some()))
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
    let errors = super::super::labelled(errors, &labels, r.f.lang);
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

pub(super) async fn resource(r: Req, Path(id): Path<String>) -> Page {
    let who = r.signed_in().await?;
    render_resource(&r, &who, &id, StatusCode::OK, RequestTyped::default(), vec![]).await
}

pub(super) async fn make_request(r: Req, FormPairs(form): FormPairs) -> Page {
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
