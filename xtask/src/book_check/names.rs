//! Rust names: recognising one in a code span of the prose, and collecting the identifiers the
//! workspace's code really uses.
//!
//! The point is to catch prose that names a function or type that was renamed or never existed.
//! Comments and string literals are skipped when collecting, so a name that only appears in a
//! comment or a message does not count as existing.

use std::collections::HashSet;

/// If a code span looks like a Rust identifier or path (`put`, `Store::open`, `Options::default()`),
/// returns its `::`-separated segments, without a trailing `()`.
pub fn rust_path(span: &str) -> Option<Vec<&str>> {
    let span = span.trim();
    let path = span.strip_suffix("()").unwrap_or(span);
    let segments: Vec<&str> = path.split("::").collect();
    segments
        .iter()
        .all(|segment| is_identifier(segment))
        .then_some(segments)
}

fn is_identifier(word: &str) -> bool {
    let mut chars = word.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn is_identifier_start(byte: u8) -> bool {
    byte.is_ascii_alphabetic() || byte == b'_'
}

fn is_identifier_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// Adds every identifier token of a Rust source file to `names`: keywords, macro names and
/// attribute names included (prose may mention those too), but nothing from comments, string,
/// character or byte literals, lifetimes, or the suffixes of numbers.
pub fn collect_identifiers(source: &str, names: &mut HashSet<String>) {
    let bytes = source.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        // Byte-wise throughout: every delimiter is ASCII, and `i` may sit inside a multi-byte
        // character, where slicing the `str` would panic.
        if bytes[i..].starts_with(b"//") {
            i = bytes[i..]
                .iter()
                .position(|b| *b == b'\n')
                .map_or(bytes.len(), |n| i + n);
        } else if bytes[i..].starts_with(b"/*") {
            i = skip_block_comment(bytes, i);
        } else if byte == b'"' {
            i = skip_string(bytes, i);
        } else if byte == b'\'' {
            i = skip_quote(source, i);
        } else if byte.is_ascii_digit() {
            i = skip_number(bytes, i);
        } else if is_identifier_start(byte) {
            let end = i + bytes[i..]
                .iter()
                .take_while(|b| is_identifier_byte(**b))
                .count();
            i = after_word(source, i, end, names);
        } else {
            i += 1;
        }
    }
}

/// Handles a word at `start..end`: either the prefix of a literal (`b"…"`, `r#"…"#`, `b'x'`,
/// `c"…"`), a raw identifier (`r#type`), or a plain identifier to record. Returns where to go on.
fn after_word(source: &str, start: usize, end: usize, names: &mut HashSet<String>) -> usize {
    let bytes = source.as_bytes();
    let word = &source[start..end];
    let next = bytes.get(end).copied();
    match (word, next) {
        ("b" | "c", Some(b'"')) => skip_string(bytes, end),
        ("b", Some(b'\'')) => skip_quote(source, end),
        ("r" | "br" | "cr", Some(b'"' | b'#')) => {
            let hashes = bytes[end..].iter().take_while(|b| **b == b'#').count();
            match bytes.get(end + hashes) {
                Some(b'"') => skip_raw_string(source, end + hashes, hashes),
                Some(b) if word == "r" && hashes == 1 && is_identifier_start(*b) => {
                    // `r#type`: the identifier is `type`.
                    let ident_start = end + 1;
                    let ident_end = ident_start
                        + bytes[ident_start..]
                            .iter()
                            .take_while(|b| is_identifier_byte(**b))
                            .count();
                    names.insert(source[ident_start..ident_end].to_string());
                    ident_end
                }
                _ => {
                    names.insert(word.to_string());
                    end
                }
            }
        }
        _ => {
            names.insert(word.to_string());
            end
        }
    }
}

/// Skips `/* … */`, which nests in Rust.
fn skip_block_comment(bytes: &[u8], start: usize) -> usize {
    let mut depth = 0;
    let mut i = start;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"/*") {
            depth += 1;
            i += 2;
        } else if bytes[i..].starts_with(b"*/") {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    bytes.len()
}

/// Skips a `"…"` literal starting at the quote, honouring backslash escapes.
fn skip_string(bytes: &[u8], quote: usize) -> usize {
    let mut i = quote + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Skips a raw string whose opening quote is at `quote`, closed by `"` and `hashes` `#`s.
fn skip_raw_string(source: &str, quote: usize, hashes: usize) -> usize {
    let closing = format!("\"{}", "#".repeat(hashes));
    source[quote + 1..]
        .find(&closing)
        .map_or(source.len(), |n| quote + 1 + n + closing.len())
}

/// Skips what follows a `'`: a character literal (`'x'`, `'\n'`, `'\''`, `'é'`) or a lifetime
/// or label (`'a`, `'static`), whose name is not recorded.
fn skip_quote(source: &str, quote: usize) -> usize {
    let bytes = source.as_bytes();
    let after = quote + 1;
    if bytes.get(after) == Some(&b'\\') {
        // An escape: the literal ends at the next quote after the escaped character.
        let from = after + 2;
        return source
            .get(from..)
            .and_then(|rest| rest.find('\''))
            .map_or(source.len(), |n| from + n + 1);
    }
    let Some(c) = source.get(after..).and_then(|rest| rest.chars().next()) else {
        return source.len();
    };
    let after_char = after + c.len_utf8();
    if bytes.get(after_char) == Some(&b'\'') {
        return after_char + 1;
    }
    // A lifetime or label: skip its name.
    after
        + bytes[after..]
            .iter()
            .take_while(|b| is_identifier_byte(**b))
            .count()
}

/// Skips a number literal with its suffix (`1u64`, `0xFF`, `1_000`, `2.5e-3f64`), so the
/// suffix is not read as an identifier. A `.` belongs to the number only before a digit, so
/// `0..n` and `1.max(2)` still yield `n` and `max`.
fn skip_number(bytes: &[u8], start: usize) -> usize {
    let mut i = start;
    while i < bytes.len() {
        let byte = bytes[i];
        let fraction = byte == b'.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
        if is_identifier_byte(byte) || fraction {
            i += 1;
        } else {
            break;
        }
    }
    i
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::{collect_identifiers, rust_path};

    #[test]
    fn recognises_identifiers_and_paths() {
        assert_eq!(rust_path("put"), Some(vec!["put"]));
        assert_eq!(rust_path("Store::open()"), Some(vec!["Store", "open"]));
        assert_eq!(
            rust_path(" std::fs::File::sync_all "),
            Some(vec!["std", "fs", "File", "sync_all"])
        );
        assert_eq!(rust_path("_private"), Some(vec!["_private"]));
    }

    #[test]
    fn other_spans_are_not_names() {
        for span in [
            "cargo test",
            "chapter-02",
            "Cargo.toml",
            "put(key, value)",
            "Vec<u8>",
            "&[u8]",
            "0x0A",
            "::std",
            "a::",
            "open()()",
            "",
            "--check",
            "é",
        ] {
            assert_eq!(rust_path(span), None, "{span:?}");
        }
    }

    fn identifiers(source: &str) -> HashSet<String> {
        let mut names = HashSet::new();
        collect_identifiers(source, &mut names);
        names
    }

    fn assert_names(source: &str, expected: &[&str]) {
        let mut found: Vec<String> = identifiers(source).into_iter().collect();
        found.sort();
        let mut expected: Vec<&str> = expected.to_vec();
        expected.sort();
        assert_eq!(found, expected, "in {source:?}");
    }

    #[test]
    fn collects_code_identifiers() {
        assert_names(
            "pub fn open(dir: &Path) -> Result<Store> { todo!() }",
            &[
                "pub", "fn", "open", "dir", "Path", "Result", "Store", "todo",
            ],
        );
        assert_names(
            "#[derive(Debug)] struct A;",
            &["derive", "Debug", "struct", "A"],
        );
    }

    #[test]
    fn skips_comments() {
        assert_names("// line_comment\nkept", &["kept"]);
        assert_names("/// doc_comment\n//! inner_doc\nkept", &["kept"]);
        assert_names("a /* outer /* nested */ still_comment */ b", &["a", "b"]);
    }

    #[test]
    fn skips_string_and_char_literals() {
        assert_names(r#"f("in_string \" still_string")"#, &["f"]);
        assert_names(r##"g(r#"raw "quoted" in_raw"#)"##, &["g"]);
        assert_names(r#"h(b"bytes", br"raw_bytes", c"c_str")"#, &["h"]);
        assert_names(r"m(b'x', '\'', '\n', 'é', 'q')", &["m"]);
    }

    #[test]
    fn lifetimes_and_number_suffixes_are_not_names() {
        assert_names("fn f<'a>(x: &'a str) {}", &["fn", "f", "x", "str"]);
        assert_names("let n = 1u64 + 0xFF + 2.5e3f64;", &["let", "n"]);
        assert_names(
            "for i in 0..len { 1.max(i); t.0 }",
            &["for", "i", "in", "len", "max", "t"],
        );
    }

    #[test]
    fn raw_identifiers_count_without_their_prefix() {
        assert_names("let r#type = r;", &["let", "type", "r"]);
    }
}
