//! The licence face as a PDF (A4, one page): the licence's name, its fields, the issuer's seal and
//! the QR code of its verification address, with a CJK font embedded (subset) so that it prints
//! and reads the same everywhere. The font is a TrueType/OpenType file of the machine
//! (`pdf_font`, or the first of `FONTS` present).

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{Path, PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, Stroke};
use krilla::text::{Font, TextDirection};
use qrcode::{Color, QrCode};
use std::sync::{Arc, OnceLock};
use tongban_domain::licences::Licence;

/// Fonts with CJK glyphs looked for when `pdf_font` is not set (Debian's packages).
pub const FONTS: &[&str] = &[
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
];

/// The font's bytes, read once: the configured file, or the first of `FONTS` present.
pub fn font(configured: Option<&std::path::Path>) -> Result<Arc<Vec<u8>>, String> {
    static FONT: OnceLock<Result<Arc<Vec<u8>>, String>> = OnceLock::new();
    FONT.get_or_init(|| {
        let candidates: Vec<std::path::PathBuf> = match configured {
            Some(p) => vec![p.to_path_buf()],
            None => FONTS.iter().map(std::path::PathBuf::from).collect(),
        };
        candidates
            .iter()
            .find_map(|p| std::fs::read(p).ok())
            .map(Arc::new)
            .ok_or_else(|| format!("没有可用的中文字体 (no CJK font): set pdf_font, or install one of {FONTS:?}"))
    })
    .clone()
}

/// Everything the face shows.
pub struct Face<'a> {
    pub licence: &'a Licence,
    /// The status today, by name.
    pub status_name: &'a str,
    /// Label → value, the licence's fields in the order shown.
    pub fields: &'a [(String, String)],
    pub key_id: &'a str,
    /// The public verification address the QR code carries.
    pub url: &'a str,
}

const BLACK: (u8, u8, u8) = (0, 0, 0);
const GREY: (u8, u8, u8) = (90, 90, 90);
const RED: (u8, u8, u8) = (200, 16, 16);

fn fill((r, g, b): (u8, u8, u8)) -> Fill {
    Fill { paint: rgb::Color::new(r, g, b).into(), opacity: NormalizedF32::ONE, rule: FillRule::NonZero }
}

fn circle(cx: f32, cy: f32, r: f32) -> Option<Path> {
    let k = 0.552_284_8 * r;
    let mut pb = PathBuilder::new();
    pb.move_to(cx + r, cy);
    pb.cubic_to(cx + r, cy + k, cx + k, cy + r, cx, cy + r);
    pb.cubic_to(cx - k, cy + r, cx - r, cy + k, cx - r, cy);
    pb.cubic_to(cx - r, cy - k, cx - k, cy - r, cx, cy - r);
    pb.cubic_to(cx + k, cy - r, cx + r, cy - k, cx + r, cy);
    pb.close();
    pb.finish()
}

/// Splits `text` into lines of at most `width` characters (CJK text has no spaces to break at).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars.chunks(width.max(1)).map(|c| c.iter().collect()).collect()
}

/// The PDF of the face. `font` must have CJK glyphs.
pub fn render(face: &Face<'_>, font: Arc<Vec<u8>>) -> Result<Vec<u8>, String> {
    let font = Font::new(font.into(), 0).ok_or("字体无法读取 (the font cannot be read)")?;
    let qr = QrCode::new(face.url.as_bytes()).map_err(|e| e.to_string())?;
    let l = face.licence;
    let mut doc = Document::new();
    doc.set_metadata(
        Metadata::new().title(format!("{} {}", l.name, l.number)).language("zh-CN".into()).creator("Tongban".into()),
    );
    // A4 in points; krilla's origin is the top left, y downwards, text at its baseline.
    let (w, h) = (595.0_f32, 842.0_f32);
    let mut page = doc.start_page_with(PageSettings::from_wh(w, h).ok_or("page size")?);
    let mut s = page.surface();
    let text = |s: &mut krilla::surface::Surface<'_>, x: f32, y: f32, size: f32, colour, t: &str| {
        s.set_fill(Some(fill(colour)));
        s.draw_text(Point::from_xy(x, y), font.clone(), size, t, false, TextDirection::Auto);
    };

    // A frame, the title, the status.
    s.set_fill(None);
    s.set_stroke(Some(Stroke { paint: rgb::Color::new(150, 120, 60).into(), width: 2.0, ..Default::default() }));
    let mut pb = PathBuilder::new();
    pb.push_rect(Rect::from_xywh(30.0, 30.0, w - 60.0, h - 60.0).ok_or("frame")?);
    if let Some(frame) = pb.finish() {
        s.draw_path(&frame);
    }
    s.set_stroke(None);
    let title_size = 30.0;
    let title_width = title_size * l.name.chars().count() as f32;
    text(&mut s, (w - title_width) / 2.0, 110.0, title_size, BLACK, &l.name);
    text(&mut s, 60.0, 150.0, 11.0, GREY, &format!("证照编号  {}    状态  {}", l.number, face.status_name));

    // The fields, label and value, values wrapped.
    let mut y = 200.0;
    for (label, value) in face.fields {
        text(&mut s, 60.0, y, 13.0, GREY, label);
        // At most four lines a field: the face keeps room for the QR code and the seal.
        let mut lines = wrap(value, 24);
        if lines.len() > 4 {
            lines.truncate(4);
            lines[3] = format!("{}…", lines[3].chars().take(23).collect::<String>());
        }
        for line in lines {
            text(&mut s, 170.0, y, 13.0, BLACK, &line);
            y += 20.0;
        }
        y += 8.0;
        if y > h - 260.0 {
            break;
        }
    }

    // The QR code, dark modules as one path.
    let (qx, qy, module) = (60.0_f32, h - 230.0, 3.2_f32);
    let width = qr.width();
    let mut pb = PathBuilder::new();
    for (i, c) in qr.to_colors().iter().enumerate() {
        if *c == Color::Dark {
            let (col, row) = ((i % width) as f32, (i / width) as f32);
            pb.push_rect(Rect::from_xywh(qx + col * module, qy + row * module, module, module).ok_or("qr")?);
        }
    }
    if let Some(code) = pb.finish() {
        s.set_fill(Some(fill(BLACK)));
        s.draw_path(&code);
    }
    let below = qy + width as f32 * module + 16.0;
    text(&mut s, 60.0, below, 8.0, GREY, "扫码核验真伪与状态");
    text(&mut s, 60.0, below + 12.0, 7.0, GREY, face.url);
    text(&mut s, 60.0, h - 50.0, 7.0, GREY, &format!("证照标识 {}", l.id));

    // The issuer's seal: a red ring, the issuer's name, the date.
    let (cx, cy) = (w - 150.0, h - 160.0);
    s.set_fill(None);
    s.set_stroke(Some(Stroke { paint: rgb::Color::new(RED.0, RED.1, RED.2).into(), width: 3.0, ..Default::default() }));
    if let Some(ring) = circle(cx, cy, 62.0) {
        s.draw_path(&ring);
    }
    s.set_stroke(None);
    let name_lines = wrap(&l.issuer_name, 8);
    for (i, line) in name_lines.iter().enumerate() {
        let width = 12.0 * line.chars().count() as f32;
        text(&mut s, cx - width / 2.0, cy - 8.0 + 16.0 * i as f32, 12.0, RED, line);
    }
    text(&mut s, cx - 40.0, cy + 78.0, 9.0, RED, &format!("发证日期 {}", l.issued_on));
    text(&mut s, cx - 55.0, cy + 92.0, 7.0, GREY, &format!("电子印章 SM2 · {}", face.key_id));

    s.finish();
    page.finish();
    doc.finish().map_err(|e| format!("PDF: {e:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tongban_domain::licences::testing::sample;

    #[test]
    fn the_face_renders_with_the_cjk_font_embedded_and_subset() {
        let l = sample();
        let fields =
            vec![("持证人".to_owned(), l.holder_name.clone()), ("经营场所".to_owned(), "东华门街道 8 号".to_owned())];
        let face = Face {
            licence: &l,
            status_name: "有效",
            fields: &fields,
            key_id: "k-1",
            url: "https://example.cn/verify/x",
        };
        let font = font(None).expect("a CJK font (CI installs fonts-wqy-microhei)");
        let pdf = render(&face, font.clone()).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("/FontFile2") || text.contains("/FontFile3"), "the font is embedded");
        assert!(text.contains("/ToUnicode"), "the text can be copied and searched");
        assert!(pdf.len() < font.len() / 4, "a subset, not the whole font: {} bytes", pdf.len());
    }
}
