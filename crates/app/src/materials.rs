//! Materials (申请材料): the files an applicant uploads for the materials their guide asks of them.
//! Checked before anything is stored (name, size, the real type from the content, the virus-scan
//! hook), kept in object storage — local disk by default, any S3-compatible store by configuration
//! — with their metadata and SM3 digest in the database. A material whose source is a licence
//! this platform issues is provided by using the licence (`licences::uses`), or, failing that, by
//! a file; one from another licence library or shared data, or exempt, is not asked for.

use crate::access::Principal;
use crate::case_access;
use crate::licences::uses::{LicenceChoice, UseView};
use crate::{App, AppError, Config};
use bytes::Bytes;
use chrono::Utc;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use serde::Serialize;
use std::sync::Arc;
use tongban_domain::catalog::{MaterialSource, Offering};
use tongban_domain::materials::{self, EICAR, FileError};
use tongban_store::cases::MaterialRow;

/// The most files one application may hold.
pub const MAX_FILES: usize = 50;

/// What a scan found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Clean,
    /// Infected, with the signature's name.
    Infected(String),
}

/// A virus scanner (病毒查杀). `Err` says why it could not scan (the engine is down): the upload
/// is then refused with 503 unless configured otherwise (`scan_unavailable = "accept"`).
/// Blocking: called off the async threads.
pub trait Scanner: Send + Sync {
    fn scan(&self, bytes: &[u8]) -> Result<Verdict, String>;
}

/// The built-in scanner, for development only: it knows the EICAR test signature and nothing
/// else. Production configures clamd (`clamd = "tcp://…"` or `"unix:///…"`).
pub struct TestSignatureOnly;

impl Scanner for TestSignatureOnly {
    fn scan(&self, bytes: &[u8]) -> Result<Verdict, String> {
        let found = bytes.windows(EICAR.len()).any(|w| w == EICAR);
        Ok(if found { Verdict::Infected("Eicar-Test-Signature".into()) } else { Verdict::Clean })
    }
}

/// ClamAV's daemon, over its INSTREAM protocol: `zINSTREAM`, the file in chunks each prefixed by
/// its length (4 bytes, big-endian), a zero length; the answer `stream: OK` or `stream: NAME FOUND`.
pub struct Clamd {
    /// `tcp://HOST:PORT` or `unix:///PATH`.
    pub address: String,
    pub timeout: std::time::Duration,
}

impl Clamd {
    fn exchange(&self, stream: &mut (impl std::io::Read + std::io::Write), bytes: &[u8]) -> std::io::Result<String> {
        stream.write_all(b"zINSTREAM\0")?;
        for chunk in bytes.chunks(64 * 1024) {
            stream.write_all(&u32::try_from(chunk.len()).unwrap_or(u32::MAX).to_be_bytes())?;
            stream.write_all(chunk)?;
        }
        stream.write_all(&[0, 0, 0, 0])?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer)?;
        Ok(String::from_utf8_lossy(&answer).trim_end_matches(['\0', '\n']).to_owned())
    }
}

impl Scanner for Clamd {
    fn scan(&self, bytes: &[u8]) -> Result<Verdict, String> {
        let unavailable = |e: std::io::Error| format!("clamd {}: {e}", self.address);
        let answer = if let Some(path) = self.address.strip_prefix("unix://") {
            let mut s = std::os::unix::net::UnixStream::connect(path).map_err(unavailable)?;
            s.set_read_timeout(Some(self.timeout)).map_err(unavailable)?;
            s.set_write_timeout(Some(self.timeout)).map_err(unavailable)?;
            self.exchange(&mut s, bytes).map_err(unavailable)?
        } else {
            let host = self.address.strip_prefix("tcp://").unwrap_or(&self.address);
            let addr = std::net::ToSocketAddrs::to_socket_addrs(host)
                .map_err(unavailable)?
                .next()
                .ok_or_else(|| format!("clamd {}: no address", self.address))?;
            let mut s = std::net::TcpStream::connect_timeout(&addr, self.timeout).map_err(unavailable)?;
            s.set_read_timeout(Some(self.timeout)).map_err(unavailable)?;
            s.set_write_timeout(Some(self.timeout)).map_err(unavailable)?;
            self.exchange(&mut s, bytes).map_err(unavailable)?
        };
        match answer.strip_prefix("stream: ") {
            Some("OK") => Ok(Verdict::Clean),
            Some(found) if found.ends_with(" FOUND") => {
                Ok(Verdict::Infected(found.trim_end_matches(" FOUND").to_owned()))
            }
            _ => Err(format!("clamd {}: {answer}", self.address)),
        }
    }
}

/// Where uploaded files live, and the scanner every file passes first.
pub struct Objects {
    store: Arc<dyn ObjectStore>,
    /// Where, for the log: `memory`, a directory, or `s3://bucket`.
    pub location: String,
    pub scanner: Arc<dyn Scanner>,
    /// Store a file the scanner could not scan (its engine down) instead of refusing it with 503.
    pub accept_unscanned: bool,
}

impl Objects {
    /// Files kept in memory: for tests that do not look at storage.
    pub fn in_memory() -> Self {
        Self {
            store: Arc::new(object_store::memory::InMemory::new()),
            location: "memory".into(),
            scanner: Arc::new(TestSignatureOnly),
            accept_unscanned: false,
        }
    }

    /// Files under a local directory (created if missing).
    pub fn local(dir: &std::path::Path) -> Result<Self, AppError> {
        std::fs::create_dir_all(dir).map_err(|e| AppError::Internal(format!("{}: {e}", dir.display())))?;
        let store = object_store::local::LocalFileSystem::new_with_prefix(dir).map_err(AppError::internal)?;
        Ok(Self {
            store: Arc::new(store),
            location: dir.display().to_string(),
            scanner: Arc::new(TestSignatureOnly),
            accept_unscanned: false,
        })
    }

    /// The configured store — `objects_url = "s3://bucket"` with the `s3_*` settings, or the
    /// `objects` directory under the data directory — and scanner: clamd when `clamd` is set.
    pub fn from_config(c: &Config) -> Result<Self, AppError> {
        let mut objects = Self::store_from_config(c)?;
        if let Some(address) = &c.clamd {
            let timeout = std::time::Duration::from_secs(30);
            objects.scanner = Arc::new(Clamd { address: address.clone(), timeout });
        }
        objects.accept_unscanned = c.scan_unavailable == "accept";
        Ok(objects)
    }

    fn store_from_config(c: &Config) -> Result<Self, AppError> {
        let Some(url) = &c.objects_url else { return Self::local(&c.data_dir.join("objects")) };
        let bucket = url
            .strip_prefix("s3://")
            .filter(|b| !b.is_empty())
            .ok_or_else(|| AppError::Internal(format!("objects_url must be s3://BUCKET, got {url}")))?;
        let mut b = object_store::aws::AmazonS3Builder::new().with_bucket_name(bucket).with_region(&c.s3_region);
        if let Some(e) = &c.s3_endpoint {
            b = b.with_endpoint(e).with_allow_http(e.starts_with("http://"));
        }
        if let (Some(id), Some(secret)) = (&c.s3_access_key_id, &c.s3_secret_access_key) {
            b = b.with_access_key_id(id).with_secret_access_key(secret);
        }
        let store = b.build().map_err(AppError::internal)?;
        Ok(Self {
            store: Arc::new(store),
            location: url.clone(),
            scanner: Arc::new(TestSignatureOnly),
            accept_unscanned: false,
        })
    }

    async fn put(&self, key: &str, bytes: Bytes) -> Result<(), AppError> {
        self.store.put(&ObjectPath::from(key), PutPayload::from(bytes)).await.map_err(AppError::internal)?;
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), AppError> {
        self.store.delete(&ObjectPath::from(key)).await.map_err(AppError::internal)
    }

    /// Whether an object is stored under `key` (for tests and checks).
    pub async fn exists(&self, key: &str) -> Result<bool, AppError> {
        match self.store.head(&ObjectPath::from(key)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(AppError::internal(e)),
        }
    }

    async fn get(&self, key: &str) -> Result<Bytes, AppError> {
        let got = self.store.get(&ObjectPath::from(key)).await.map_err(AppError::internal)?;
        got.bytes().await.map_err(AppError::internal)
    }
}

/// An uploaded file.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FileView {
    pub id: String,
    pub material: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    /// SM3 of the bytes, hex.
    pub digest: String,
    pub uploaded_at: chrono::DateTime<Utc>,
}

impl From<MaterialRow> for FileView {
    fn from(m: MaterialRow) -> Self {
        Self {
            id: m.id,
            material: m.material,
            file_name: m.file_name,
            content_type: m.content_type,
            size: m.size,
            digest: m.digest,
            uploaded_at: m.uploaded_at,
        }
    }
}

/// One material of the guide and what the application holds for it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MaterialNeed {
    pub name: String,
    pub required: bool,
    /// When it is needed, for a conditional material.
    pub condition: Option<String>,
    /// `applicant` (to upload), `licence` (a licence used, or a file), `shared` or `exempt` (not
    /// asked for).
    pub source: String,
    /// The licence type, for a material from a licence.
    pub licence_type: Option<String>,
    pub files: Vec<FileView>,
    /// The licence used for it.
    pub licence_use: Option<UseView>,
    /// The applicant's valid licences of that type, while the application is open.
    pub choices: Vec<LicenceChoice>,
    /// For a material fetched by data sharing: what will be fetched from whom, or that the
    /// applicant chose to upload it.
    pub shared: Option<crate::exchange::shared::SharedPreview>,
}

fn source_name(s: &MaterialSource) -> &'static str {
    match s {
        MaterialSource::Applicant => "applicant",
        MaterialSource::Licence { .. } => "licence",
        MaterialSource::Shared { .. } => "shared",
        MaterialSource::Exempt => "exempt",
    }
}

/// The guide's materials with the files and licence uses held for each.
pub fn needs(offering: &Offering, files: Vec<MaterialRow>, uses: Vec<UseView>) -> Vec<MaterialNeed> {
    let mut files: Vec<FileView> = files.into_iter().map(FileView::from).collect();
    offering
        .materials
        .iter()
        .map(|m| {
            let (mine, rest): (Vec<_>, Vec<_>) =
                std::mem::take(&mut files).into_iter().partition(|f| f.material == m.name);
            files = rest;
            MaterialNeed {
                name: m.name.clone(),
                required: m.required,
                condition: m.condition.clone(),
                source: source_name(&m.source).into(),
                licence_type: licence_in_catalog(&m.source).map(str::to_owned),
                files: mine,
                licence_use: uses.iter().find(|u| u.material == m.name).cloned(),
                choices: vec![],
                shared: None,
            }
        })
        .collect()
}

/// The materials still missing before submission: required, asked of the applicant or from a
/// licence, with no file and no licence used.
pub fn missing(needs: &[MaterialNeed]) -> Vec<String> {
    needs
        .iter()
        .filter(|n| n.required && asked(n) && n.files.is_empty() && n.licence_use.is_none())
        .map(|n| n.name.clone())
        .collect()
}

/// The licence type of a material from a licence this platform issues. A licence of another
/// type (居民身份证…) the agency obtains from its own licence library: it is not asked for.
fn licence_in_catalog(source: &MaterialSource) -> Option<&str> {
    match source {
        MaterialSource::Licence { licence_type } => {
            tongban_domain::licences::licence_type(licence_type).map(|_| licence_type.as_str())
        }
        _ => None,
    }
}

/// Whether the applicant provides the material (a file, or a licence used).
fn asked(n: &MaterialNeed) -> bool {
    n.source == "applicant" || n.licence_type.is_some() || n.shared.as_ref().is_some_and(|s| s.declined)
}

/// Scans a file off the async threads: infected is a 400 naming the signature; a scanner that
/// cannot scan refuses the file with 503 (nothing stored) unless unscanned files are accepted.
async fn scan(app: &App, bytes: &Bytes) -> Result<(), AppError> {
    let (scanner, copy) = (app.objects.scanner.clone(), bytes.clone());
    match tokio::task::spawn_blocking(move || scanner.scan(&copy)).await.map_err(AppError::internal)? {
        Ok(Verdict::Clean) => Ok(()),
        Ok(Verdict::Infected(name)) => {
            tracing::warn!(signature = %name, "an upload failed the virus scan");
            Err(file_error(FileError::Infected(name)))
        }
        Err(why) if app.objects.accept_unscanned => {
            tracing::error!(error = %why, "virus scanner unavailable: file stored unscanned (scan_unavailable = accept)");
            Ok(())
        }
        Err(why) => {
            tracing::error!(error = %why, "virus scanner unavailable: upload refused");
            Err(AppError::Unavailable {
                message: "病毒查杀服务暂不可用，文件未保存，请稍后再传 (the virus scanner is unavailable: \
                          the file was not stored, please upload it again later)"
                    .into(),
            })
        }
    }
}

fn file_error(e: FileError) -> AppError {
    match e {
        FileError::TooLarge => AppError::TooLarge { field: "file", message: e.to_string() },
        e => AppError::field("file", e.to_string()),
    }
}

/// Stores a file for the material named `material` of a draft, or of a case answering a
/// supplement notice.
pub async fn upload(
    app: &App,
    who: &Principal,
    application_id: &str,
    material: &str,
    file_name: &str,
    bytes: Bytes,
) -> Result<FileView, AppError> {
    let (row, guide) = case_access::own_open_for_files(app, who, application_id).await?;
    let offering = &guide.offering;
    let Some(m) = offering.materials.iter().find(|m| m.name == material.trim()) else {
        return Err(AppError::field("material", "办事指南中没有这项材料 (no such material in the guide)"));
    };
    let declined = matches!(m.source, MaterialSource::Shared { .. })
        && app.store.shared_declined(&row.id).await?.contains(&m.name);
    if m.source != MaterialSource::Applicant && licence_in_catalog(&m.source).is_none() && !declined {
        return Err(AppError::field(
            "material",
            "该材料无需提交：由电子证照库、共享数据提供或免于提交 (not asked for: it comes from a licence library or shared data, or is exempt)",
        ));
    }
    let (file_name, kind) = materials::check(file_name, &bytes).map_err(file_error)?;
    scan(app, &bytes).await?;
    if app.store.materials_of(&row.id).await?.len() >= MAX_FILES {
        return Err(AppError::field("file", format!("每件申请最多 {MAX_FILES} 个文件 (at most {MAX_FILES} files)")));
    }
    let id = format!("f_{}", &tongban_crypto::token().map_err(AppError::internal)?[..24]);
    let object_key = format!("applications/{}/{id}", row.id);
    let digest = tongban_crypto::sm3_hex(&bytes);
    let size = i64::try_from(bytes.len()).map_err(AppError::internal)?;
    // The bytes first: a row never points at a missing object (a failed insert leaves an
    // unreferenced object, which a sweep can remove).
    app.objects.put(&object_key, bytes).await?;
    let m = MaterialRow {
        id,
        application_id: row.id,
        material: m.name.clone(),
        file_name,
        content_type: kind.content_type().into(),
        size,
        digest,
        object_key,
        uploaded_at: Utc::now(),
    };
    app.store.insert_material(m.clone()).await?;
    Ok(m.into())
}

/// Removes a file from a draft.
pub async fn remove(app: &App, who: &Principal, application_id: &str, file_id: &str) -> Result<(), AppError> {
    let (row, _) = case_access::own_draft(app, who, application_id).await?;
    let Some(key) = app.store.delete_material(&row.id, file_id).await? else {
        return Err(AppError::NotFound { what: "文件", what_en: "file" });
    };
    // The row is gone, so the file is no one's: removed from storage too (a failure leaves an
    // object nothing refers to, which is logged).
    if let Err(e) = app.objects.delete(&key).await {
        tracing::warn!(object = %key, error = %e, "removed file left in object storage");
    }
    Ok(())
}

/// A file with its bytes, for whoever may read its application (the applicant) or its case
/// (the staff handling it); the digest is checked on the way out.
pub async fn download(
    app: &App,
    who: &Principal,
    application_id: &str,
    file_id: &str,
) -> Result<(FileView, Bytes), AppError> {
    case_access::readable_application(app, who, application_id).await?;
    let row = app
        .store
        .materials_of(application_id)
        .await?
        .into_iter()
        .find(|m| m.id == file_id)
        .ok_or(AppError::NotFound { what: "文件", what_en: "file" })?;
    let bytes = app.objects.get(&row.object_key).await?;
    if tongban_crypto::sm3_hex(&bytes) != row.digest {
        return Err(AppError::Internal(format!("stored object {} does not match its digest", row.object_key)));
    }
    Ok((row.into(), bytes))
}
