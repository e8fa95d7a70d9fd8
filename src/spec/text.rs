//! How spec texts are shown in messages and which characters a name may hold.

use super::*;

/// A text as an error message shows it: quoted, with control characters escaped, so that a
/// message never carries raw terminal controls.
pub(super) fn shown(s: &str) -> String {
    format!("\"{}\"", s.escape_debug())
}

/// `s` in Unicode normalisation form C (composed): the form a case name is stored in.
pub(crate) fn nfc(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfc().collect()
}

/// A key as an error message shows it (control characters escaped).
pub(super) fn shown_key(s: &str) -> String {
    s.escape_debug().to_string()
}

/// Rejects control characters (newlines and tabs included) in a text that is printed by
/// `list`, stored in manifests and drawn in figures.
pub(super) fn plain_text(cx: &Ctx<'_>, text: &Spanned<String>, key: &str) -> Result<(), SpecError> {
    match text
        .get_ref()
        .chars()
        .find(|&c| c.is_control() || invisible(c))
    {
        None => Ok(()),
        Some(c) => Err(cx.err(
            SpecErrorKind::Text,
            Some(text.span()),
            Some(key.into()),
            Some(shown(text.get_ref())),
            format!(
                "holds the {} character U+{:04X}; allowed: printable text on one line",
                if c.is_control() {
                    "control"
                } else {
                    "invisible"
                },
                c as u32
            ),
        )),
    }
}

/// Characters that change how text displays without showing themselves: Unicode's format
/// characters that reach names in practice (soft hyphen, zero-width spaces and joiners,
/// bidirectional marks, embeddings, overrides and isolates, word joiner and invisible
/// operators, the byte order mark, interlinear annotation) and the line and paragraph
/// separators. A name holding one can display as another ("gnp.exe" shown as "exe.png").
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{ad}'
            | '\u{61c}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
    )
}
