//! Uploaded materials (申请材料): what a file must be to be accepted — its size, its real type read
//! from its first bytes (not from its name or the browser's word), a sane file name.

use serde::{Deserialize, Serialize};

/// The largest file accepted (20 MiB: a scanned multi-page certificate at 300 dpi).
pub const MAX_BYTES: usize = 20 * 1024 * 1024;
/// The longest file name kept, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// The kinds of file accepted, by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum FileKind {
    Pdf,
    Jpeg,
    Png,
    /// OFD (GB/T 33190), China's fixed-layout format: a zip whose first entry is `OFD.xml`.
    Ofd,
}

impl FileKind {
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Ofd => "application/ofd",
        }
    }

    /// The file-name extension of the kind.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Ofd => "ofd",
        }
    }

    /// The kind the first bytes show, if it is one accepted.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"%PDF-") {
            Some(Self::Pdf)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
            Some(Self::Png)
        } else if bytes.starts_with(b"PK\x03\x04") && bytes.len() > 38 && bytes[30..].starts_with(b"OFD.xml") {
            Some(Self::Ofd)
        } else {
            None
        }
    }
}

/// Why a file is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("文件为空 (the file is empty)")]
    Empty,
    #[error("文件超过 {} MiB (the file exceeds {} MiB)", MAX_BYTES / 1024 / 1024, MAX_BYTES / 1024 / 1024)]
    TooLarge,
    #[error(
        "只接受 PDF、OFD、JPEG 或 PNG 文件，按文件内容判断 (only PDF, OFD, JPEG or PNG files, judged by their content)"
    )]
    Type,
    #[error(
        "文件名应为 1 至 {MAX_NAME_CHARS} 个字符，不含路径或控制字符 (1 to {MAX_NAME_CHARS} characters, no path or control characters)"
    )]
    Name,
    #[error("文件未通过病毒查杀：{0} (the file failed the virus scan: {0})")]
    Infected(String),
}

/// Checks a file before it is stored: its name (the last path component is kept), size and kind.
/// The name kept ends in the extension of the kind found in the content, whatever it ended in
/// (`合同.exe` holding a PDF is kept as `合同.pdf`), so no download is opened as something else.
pub fn check(file_name: &str, bytes: &[u8]) -> Result<(String, FileKind), FileError> {
    let name = file_name.rsplit(['/', '\\']).next().unwrap_or("").trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) || name == ".." {
        return Err(FileError::Name);
    }
    if bytes.is_empty() {
        return Err(FileError::Empty);
    }
    if bytes.len() > MAX_BYTES {
        return Err(FileError::TooLarge);
    }
    let kind = FileKind::sniff(bytes).ok_or(FileError::Type)?;
    let stem = match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => name,
    };
    let ext = kind.extension();
    let same = |e: &str| e.eq_ignore_ascii_case(ext) || (kind == FileKind::Jpeg && e.eq_ignore_ascii_case("jpeg"));
    let kept = match name.rsplit_once('.') {
        Some((_, e)) if same(e) => name.to_owned(),
        _ => format!("{stem}.{ext}"),
    };
    Ok((kept, kind))
}

/// The EICAR anti-virus test file: every scanner reports it, so the scan hook can be tested
/// end to end without real malware.
pub const EICAR: &[u8] = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_come_from_content_not_names() {
        assert_eq!(check("证明.pdf", b"%PDF-1.7\n...").unwrap(), ("证明.pdf".into(), FileKind::Pdf));
        assert_eq!(check("photo.pdf", &[0xFF, 0xD8, 0xFF, 0xE0]).unwrap(), ("photo.jpg".into(), FileKind::Jpeg));
        assert_eq!(check("合同.exe", b"%PDF-1.7\n...").unwrap().0, "合同.pdf", "the name follows the content");
        assert_eq!(check("扫描件", b"%PDF-1.7\n...").unwrap().0, "扫描件.pdf");
        assert_eq!(check("IMG.JPEG", &[0xFF, 0xD8, 0xFF, 0xE0]).unwrap().0, "IMG.JPEG");
        assert_eq!(check("a.pdf", b"MZ\x90\x00 not a pdf"), Err(FileError::Type));
        assert_eq!(check("a.png", &[]), Err(FileError::Empty));
        assert_eq!(check("a.pdf", &vec![b'%'; MAX_BYTES + 1]), Err(FileError::TooLarge));
    }

    #[test]
    fn names_lose_their_path_and_bad_ones_are_refused() {
        assert_eq!(check("C:\\Users\\张三\\租赁合同.pdf", b"%PDF-").unwrap().0, "租赁合同.pdf");
        assert_eq!(check("../../etc/passwd", b"%PDF-").unwrap().0, "passwd.pdf");
        for bad in ["", "dir/", "a\nb.pdf", ".."] {
            assert_eq!(check(bad, b"%PDF-"), Err(FileError::Name), "{bad:?}");
        }
    }
}
