//! Masking (脱敏) for display and logs: personal data is never shown or logged in full where the
//! full value is not needed.

/// Keeps the first `head` and last `tail` characters and replaces the rest with `*`.
/// Values too short to keep anything hidden are masked entirely.
pub fn mask_middle(s: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    chars.iter().enumerate().map(|(i, c)| if i < head || i >= chars.len() - tail { *c } else { '*' }).collect()
}

/// `11010519491231002X` → `1101**********002X`: the first 4 and last 4 characters.
pub fn mask_citizen_id(s: &str) -> String {
    mask_middle(s, 4, 4)
}

/// `13812345678` → `138****5678`.
pub fn mask_phone(s: &str) -> String {
    mask_middle(s, 3, 4)
}

/// `张三` → `张*`, `欧阳娜娜` → `欧**娜`.
pub fn mask_name(s: &str) -> String {
    match s.chars().count() {
        0 | 1 => s.to_owned(),
        2 => mask_middle(s, 1, 0),
        _ => mask_middle(s, 1, 1),
    }
}

/// Masks every 18-character citizen-id-shaped run inside free text (log lines, messages):
/// 17 digits and a digit or X, not part of a longer run of digits.
pub fn mask_citizen_ids_in(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let is_id_char = |c: char| c.is_ascii_digit() || c == 'X' || c == 'x';
    while i < chars.len() {
        let starts_run = i == 0 || !is_id_char(chars[i - 1]);
        if starts_run && i + 18 <= chars.len() {
            let run = &chars[i..i + 18];
            let shaped = run[..17].iter().all(|c| c.is_ascii_digit()) && is_id_char(run[17]);
            let ends = i + 18 == chars.len() || !is_id_char(chars[i + 18]);
            if shaped && ends {
                out.extend(&run[..4]);
                out.push_str("**********");
                out.extend(&run[14..]);
                i += 18;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(mask_middle("11010519491231002X", 4, 4), "1101**********002X");
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("欧阳娜娜"), "欧**娜");
        assert_eq!(mask_middle("abc", 4, 4), "***");
    }

    #[test]
    fn masks_ids_in_text() {
        assert_eq!(
            mask_citizen_ids_in("GET /api/v1/codes/check?value=11010519491231002X ok"),
            "GET /api/v1/codes/check?value=1101**********002X ok"
        );
        assert_eq!(mask_citizen_ids_in("id=440524188001010014"), "id=4405**********0014");
        // A longer number is not an id.
        assert_eq!(mask_citizen_ids_in("1234567890123456789012"), "1234567890123456789012");
    }
}
