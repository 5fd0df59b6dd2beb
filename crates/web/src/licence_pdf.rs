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

/// A4 in points; krilla's origin is the top left, y downwards, text at its baseline.
const PAGE: (f32, f32) = (595.0, 842.0);
/// The QR code's top left corner and module size.
const QR: (f32, f32, f32) = (60.0, PAGE.1 - 240.0, 3.0);
/// The issuer's seal: centre and radius.
const SEAL: (f32, f32, f32) = (PAGE.0 - 150.0, PAGE.1 - 175.0, 62.0);
/// The right edge of the left column (the QR code and its caption) at the foot of the page.
const LEFT_COLUMN_END: f32 = 330.0;

/// A line of text placed on the page.
#[derive(Debug, Clone, PartialEq)]
struct Line {
    x: f32,
    /// The baseline.
    y: f32,
    size: f32,
    colour: (u8, u8, u8),
    text: String,
}

impl Line {
    fn new(x: f32, y: f32, size: f32, colour: (u8, u8, u8), text: impl Into<String>) -> Self {
        Self { x, y, size, colour, text: text.into() }
    }

    /// The box it takes, estimated on the safe side: a CJK glyph is a square of the size, any other
    /// at most 0.62 of it; from the ascent (the size above the baseline) to the descent.
    fn bounds(&self) -> [f32; 4] {
        let width: f32 = self.text.chars().map(|c| if c.is_ascii() { 0.62 } else { 1.0 }).sum::<f32>() * self.size;
        [self.x, self.y - self.size, self.x + width, self.y + 0.25 * self.size]
    }
}

/// The most characters of a line of `size` points in `width` points, for text of any script.
fn fits(width: f32, size: f32) -> usize {
    (width / size).floor().max(1.0) as usize
}

/// The issuer's name inside the seal's ring: as many lines as give the largest type (14 pt at
/// most) whose block fits the circle, centred.
fn seal_lines(name: &str) -> Vec<Line> {
    let (cx, cy, r) = SEAL;
    let inner = r - 10.0;
    let n = name.chars().count().max(1);
    let (lines, size) = (1..=5)
        .map(|k| {
            let per_line = n.div_ceil(k);
            let (half_w, half_h) = (per_line as f32 / 2.0, k as f32 * 1.3 / 2.0);
            (k, (inner / (half_w * half_w + half_h * half_h).sqrt()).min(14.0))
        })
        .fold((1, 0.0_f32), |best, c| if c.1 > best.1 + 0.01 { c } else { best });
    let rows = wrap(name, n.div_ceil(lines));
    let leading = size * 1.3;
    let top = cy - leading * rows.len() as f32 / 2.0 + size * 0.9;
    rows.into_iter()
        .enumerate()
        .map(|(i, row)| {
            let width = size * row.chars().count() as f32;
            Line::new(cx - width / 2.0, top + leading * i as f32, size, RED, row)
        })
        .collect()
}

/// Where every text of the face goes, but the fields: the title, the number and status line,
/// the QR code's caption and address (wrapped in the left column), the seal's name, its date and
/// key, and the licence identifier at the foot. `qr_modules` is the QR code's width in modules.
fn layout(face: &Face<'_>, qr_modules: usize) -> Vec<Line> {
    let l = face.licence;
    let (w, h) = PAGE;
    let title_size = 30.0;
    let title_width = title_size * l.name.chars().count() as f32;
    let mut lines = vec![
        Line::new((w - title_width) / 2.0, 110.0, title_size, BLACK, l.name.clone()),
        Line::new(60.0, 150.0, 11.0, GREY, format!("证照编号  {}    状态  {}", l.number, face.status_name)),
    ];
    let mut y = QR.1 + qr_modules as f32 * QR.2 + 14.0;
    lines.push(Line::new(60.0, y, 8.0, GREY, "扫码核验真伪与状态"));
    for part in wrap(face.url, fits(LEFT_COLUMN_END - 60.0, 7.0 * 0.62)) {
        y += 10.0;
        lines.push(Line::new(60.0, y, 7.0, GREY, part));
    }
    lines.extend(seal_lines(&l.issuer_name));
    let (cx, cy, r) = SEAL;
    let below = cy + r + 16.0;
    let date = format!("发证日期 {}", l.issued_on);
    let date_width = Line::new(0.0, 0.0, 9.0, RED, date.clone()).bounds()[2];
    lines.push(Line::new(cx - date_width / 2.0, below, 9.0, RED, date));
    // The key at the right of the foot; the identifier below everything, wrapped to the page.
    let key = format!("电子印章 SM2 · {}", face.key_id);
    let key_lines = wrap(&key, fits(w - 40.0 - (LEFT_COLUMN_END + 10.0), 7.0 * 0.62));
    for (i, part) in key_lines.into_iter().enumerate() {
        lines.push(Line::new(LEFT_COLUMN_END + 10.0, below + 12.0 + 9.0 * i as f32, 7.0, GREY, part));
    }
    let foot = lines.iter().map(|l| l.bounds()[3]).fold(0.0_f32, f32::max) + 12.0;
    for (i, part) in wrap(&format!("证照标识 {}", l.id), fits(w - 120.0, 7.0)).into_iter().enumerate() {
        lines.push(Line::new(60.0, foot.max(h - 58.0) + 9.0 * i as f32, 7.0, GREY, part));
    }
    lines
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
    let (w, h) = PAGE;
    let mut page = doc.start_page_with(PageSettings::from_wh(w, h).ok_or("page size")?);
    let mut s = page.surface();
    let text = |s: &mut krilla::surface::Surface<'_>, x: f32, y: f32, size: f32, colour, t: &str| {
        s.set_fill(Some(fill(colour)));
        s.draw_text(Point::from_xy(x, y), font.clone(), size, t, false, TextDirection::Auto);
    };

    // A frame.
    s.set_fill(None);
    s.set_stroke(Some(Stroke { paint: rgb::Color::new(150, 120, 60).into(), width: 2.0, ..Default::default() }));
    let mut pb = PathBuilder::new();
    pb.push_rect(Rect::from_xywh(30.0, 30.0, w - 60.0, h - 60.0).ok_or("frame")?);
    if let Some(frame) = pb.finish() {
        s.draw_path(&frame);
    }
    s.set_stroke(None);

    // The fields, label and value, values wrapped, above the QR code and the seal.
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
        if y > SEAL.1 - SEAL.2 - 20.0 {
            break;
        }
    }

    // The QR code, dark modules as one path.
    let (qx, qy, module) = QR;
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

    // The issuer's seal: a red ring, the name inside it.
    let (cx, cy, r) = SEAL;
    s.set_fill(None);
    s.set_stroke(Some(Stroke { paint: rgb::Color::new(RED.0, RED.1, RED.2).into(), width: 3.0, ..Default::default() }));
    if let Some(ring) = circle(cx, cy, r) {
        s.draw_path(&ring);
    }
    s.set_stroke(None);
    for line in layout(face, width) {
        text(&mut s, line.x, line.y, line.size, line.colour, &line.text);
    }

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

    fn overlap(a: [f32; 4], b: [f32; 4]) -> bool {
        a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]
    }

    /// With a long address, a long key and a long issuer name, no two texts of the foot overlap,
    /// none leaves the frame or runs into the QR code, and the issuer's name stays in its ring.
    #[test]
    fn the_foot_never_overlaps_and_the_seal_text_fits_its_circle() {
        let mut l = sample();
        for issuer in [
            "市场监督管理局",
            &l.issuer_name.clone(),
            "新疆维吾尔自治区伊犁哈萨克自治州奎屯市市场监督管理局行政审批服务科",
        ] {
            l.issuer_name = issuer.to_owned();
            let url = format!("https://zwfw.tongban.example.gov.cn/verify/{}", l.id);
            let face = Face {
                licence: &l,
                status_name: "有效",
                fields: &[],
                key_id: "1111010143783071XP-2026-12-06-01",
                url: &url,
            };
            let qr = QrCode::new(url.as_bytes()).unwrap().width();
            let lines = layout(&face, qr);
            let qr_box = [QR.0, QR.1, QR.0 + qr as f32 * QR.2, QR.1 + qr as f32 * QR.2];
            for (i, a) in lines.iter().enumerate() {
                let b = a.bounds();
                assert!(b[0] >= 36.0 && b[2] <= PAGE.0 - 36.0 && b[3] <= PAGE.1 - 36.0, "{a:?} leaves the frame");
                assert!(!overlap(b, qr_box), "{a:?} runs into the QR code");
                for other in &lines[i + 1..] {
                    assert!(!overlap(b, other.bounds()), "{a:?} overlaps {other:?}");
                }
            }
            let seal = seal_lines(issuer);
            assert!(seal.iter().all(|s| s.size >= 7.0), "{issuer}: readable");
            assert_eq!(seal.iter().map(|s| s.text.as_str()).collect::<String>(), issuer, "the whole name");
            for s in seal {
                let [x0, y0, x1, y1] = s.bounds();
                for (x, y) in [(x0, y0), (x1, y0), (x0, y1), (x1, y1)] {
                    let d = ((x - SEAL.0).powi(2) + (y - SEAL.1).powi(2)).sqrt();
                    assert!(d < SEAL.2 - 1.5, "{issuer}: {:?} leaves the ring ({d:.1} from the centre)", s.text);
                }
            }
        }
    }
}
