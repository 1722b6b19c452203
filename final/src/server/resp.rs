//! The Redis protocol, RESP2: requests in, replies out.
//!
//! A client sends each command as an array of bulk strings,
//! `*2\r\n$3\r\nGET\r\n$5\r\napple\r\n`, or, typed by hand into telnet or
//! nc, as an *inline* command: one line of words, `GET apple\r\n`, with
//! double quotes for words holding spaces or escapes (`SET k "a b\n"`).
//! Both arrive on the same port; the first byte tells them apart.
//!
//! Parsing is incremental: [`parse`] looks at the bytes received so far and
//! says whether they begin with a whole command, not yet, or never. Every
//! length is checked against the [`Limits`] before anything is allocated,
//! so a hostile length costs nothing.

// ANCHOR: parse
/// How large a request may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest bulk string (a key or value), in bytes.
    pub max_bulk: usize,
    /// The most arguments in one command.
    pub max_args: usize,
    /// The longest inline command line, in bytes.
    pub max_inline: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bulk: 8 << 20,
            max_args: 1 << 16,
            max_inline: 64 << 10,
        }
    }
}

/// What the start of a buffer holds.
#[derive(Debug, PartialEq, Eq)]
pub enum Parsed {
    /// A whole command (its words) that took `len` bytes. An inline line
    /// with no words (a bare Enter in telnet) is a command with none.
    Command {
        /// The command's name and arguments.
        args: Vec<Vec<u8>>,
        /// The bytes it took.
        len: usize,
    },
    /// Not yet a whole command: read more.
    Incomplete,
    /// Never a command: the connection must be told why, then closed.
    Invalid(String),
}

/// Looks for one command at the start of `buf`.
pub fn parse(buf: &[u8], limits: &Limits) -> Parsed {
    match buf.first() {
        None => Parsed::Incomplete,
        Some(b'*') => parse_array(buf, limits),
        Some(_) => parse_inline(buf, limits),
    }
}
// ANCHOR_END: parse

// ANCHOR: parse_array
/// `*<n>\r\n` then n times `$<len>\r\n<bytes>\r\n`.
fn parse_array(buf: &[u8], limits: &Limits) -> Parsed {
    let Some((count, mut at)) = line(buf, 1) else {
        return incomplete_line(buf, limits);
    };
    let count = match number(count) {
        // `*-1` and `*0` are empty requests, which Redis skips.
        Some(n) if n <= 0 => {
            return Parsed::Command {
                args: Vec::new(),
                len: at,
            };
        }
        Some(n) if n as usize <= limits.max_args => n as usize,
        _ => return Parsed::Invalid("invalid multibulk length".into()),
    };
    let mut args = Vec::with_capacity(count.min(64));
    for _ in 0..count {
        match buf.get(at) {
            None => return Parsed::Incomplete,
            Some(b'$') => {}
            Some(&other) => {
                return Parsed::Invalid(format!(
                    "expected '$', got '{}'",
                    char::from(other).escape_default()
                ));
            }
        }
        let Some((len, start)) = line(buf, at + 1) else {
            return incomplete_line(&buf[at..], limits);
        };
        let len = match number(len) {
            Some(n) if n >= 0 && n as usize <= limits.max_bulk => n as usize,
            _ => return Parsed::Invalid("invalid bulk length".into()),
        };
        let end = start + len;
        if buf.len() < end + 2 {
            return Parsed::Incomplete;
        }
        if &buf[end..end + 2] != b"\r\n" {
            return Parsed::Invalid("a bulk string not followed by CRLF".into());
        }
        args.push(buf[start..end].to_vec());
        at = end + 2;
    }
    Parsed::Command { args, len: at }
}

/// A header line not yet ended: fine while it is short, hostile when not.
fn incomplete_line(buf: &[u8], limits: &Limits) -> Parsed {
    // A count or a length is at most 20 digits and a sign.
    if buf.len() > 32.min(limits.max_inline) + 2 {
        Parsed::Invalid("a header line without its end".into())
    } else {
        Parsed::Incomplete
    }
}
// ANCHOR_END: parse_array

/// The line starting at `from`, without its `\r\n`, and where the next starts.
fn line(buf: &[u8], from: usize) -> Option<(&[u8], usize)> {
    let rest = buf.get(from..)?;
    let end = rest.windows(2).position(|w| w == b"\r\n")?;
    Some((&rest[..end], from + end + 2))
}

/// A decimal integer, as RESP writes them.
fn number(digits: &[u8]) -> Option<i64> {
    std::str::from_utf8(digits).ok()?.parse().ok()
}

// ANCHOR: inline
/// One line of words, ended by `\n` (a `\r` before it is dropped).
fn parse_inline(buf: &[u8], limits: &Limits) -> Parsed {
    let Some(end) = buf.iter().position(|&b| b == b'\n') else {
        return if buf.len() > limits.max_inline {
            Parsed::Invalid("too big inline request".into())
        } else {
            Parsed::Incomplete
        };
    };
    if end > limits.max_inline {
        return Parsed::Invalid("too big inline request".into());
    }
    let text = buf[..end].strip_suffix(b"\r").unwrap_or(&buf[..end]);
    match split_words(text) {
        Some(args) if args.len() <= limits.max_args => Parsed::Command { args, len: end + 1 },
        Some(_) => Parsed::Invalid("too many arguments".into()),
        None => Parsed::Invalid("unbalanced quotes in request".into()),
    }
}

/// Splits an inline line into words, as redis-cli and Redis do: spaces
/// separate words; `"…"` holds spaces and the escapes `\n \r \t \b \a \\
/// \" \xHH`; `'…'` holds everything literally but `\'`. `None` for an
/// unclosed quote, or a closing quote followed by something other than a space.
pub fn split_words(mut text: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut words = Vec::new();
    loop {
        text = trim_start(text);
        let Some(&first) = text.first() else {
            return Some(words);
        };
        let mut word = Vec::new();
        match first {
            b'"' => text = double_quoted(&text[1..], &mut word)?,
            b'\'' => text = single_quoted(&text[1..], &mut word)?,
            _ => {
                let end = text
                    .iter()
                    .position(u8::is_ascii_whitespace)
                    .unwrap_or(text.len());
                word.extend_from_slice(&text[..end]);
                text = &text[end..];
            }
        }
        words.push(word);
    }
}
// ANCHOR_END: inline

fn trim_start(text: &[u8]) -> &[u8] {
    let start = text
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(text.len());
    &text[start..]
}

/// After a closing quote: the end, or a space.
fn after_quote(rest: &[u8]) -> Option<&[u8]> {
    match rest.first() {
        None => Some(rest),
        Some(b) if b.is_ascii_whitespace() => Some(rest),
        Some(_) => None,
    }
}

fn double_quoted<'a>(mut text: &'a [u8], word: &mut Vec<u8>) -> Option<&'a [u8]> {
    loop {
        match *text {
            [] => return None,
            [b'"', ref rest @ ..] => return after_quote(rest),
            [b'\\', b'x', h, l, ref rest @ ..]
                if h.is_ascii_hexdigit() && l.is_ascii_hexdigit() =>
            {
                let hex = [h, l];
                word.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
                text = rest;
            }
            [b'\\', c, ref rest @ ..] => {
                word.push(match c {
                    b'n' => b'\n',
                    b'r' => b'\r',
                    b't' => b'\t',
                    b'b' => 8,
                    b'a' => 7,
                    other => other,
                });
                text = rest;
            }
            [c, ref rest @ ..] => {
                word.push(c);
                text = rest;
            }
        }
    }
}

fn single_quoted<'a>(mut text: &'a [u8], word: &mut Vec<u8>) -> Option<&'a [u8]> {
    loop {
        match *text {
            [] => return None,
            [b'\\', b'\'', ref rest @ ..] => {
                word.push(b'\'');
                text = rest;
            }
            [b'\'', ref rest @ ..] => return after_quote(rest),
            [c, ref rest @ ..] => {
                word.push(c);
                text = rest;
            }
        }
    }
}

// ANCHOR: reply
/// A reply, as RESP2 encodes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// `+OK`
    Simple(&'static str),
    /// `-ERR …`: the text after the `-`, its first word the error's kind.
    Error(String),
    /// `:42`
    Integer(i64),
    /// `$5\r\nhello`
    Bulk(Vec<u8>),
    /// `$-1`: no value.
    Nil,
    /// `*2` and its elements.
    Array(Vec<Reply>),
}

impl Reply {
    /// `+OK`.
    pub const OK: Reply = Reply::Simple("OK");

    /// An `ERR` error with `message`.
    pub fn err(message: impl std::fmt::Display) -> Reply {
        Reply::Error(format!("ERR {message}"))
    }

    /// Appends the encoded reply to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Reply::Simple(s) => push_line(out, b'+', s),
            // A line break inside an error would end it early.
            Reply::Error(e) => push_line(out, b'-', e.replace(['\r', '\n'], " ")),
            Reply::Integer(n) => push_line(out, b':', n),
            Reply::Bulk(bytes) => {
                push_line(out, b'$', bytes.len());
                out.extend_from_slice(bytes);
                out.extend_from_slice(b"\r\n");
            }
            Reply::Nil => out.extend_from_slice(b"$-1\r\n"),
            Reply::Array(items) => {
                push_line(out, b'*', items.len());
                for item in items {
                    item.encode(out);
                }
            }
        }
    }
}
// ANCHOR_END: reply

fn push_line(out: &mut Vec<u8>, kind: u8, text: impl std::fmt::Display) {
    use std::io::Write as _;
    out.push(kind);
    // Writing to a Vec cannot fail.
    let _ = write!(out, "{text}\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(bytes: &[u8]) -> Parsed {
        parse(bytes, &Limits::default())
    }

    fn words(list: &[&str]) -> Vec<Vec<u8>> {
        list.iter().map(|w| w.as_bytes().to_vec()).collect()
    }

    #[test]
    fn arrays_of_bulk_strings_parse_whole_or_not_at_all() {
        let request = b"*2\r\n$3\r\nGET\r\n$5\r\napple\r\n";
        assert_eq!(
            one(request),
            Parsed::Command {
                args: words(&["GET", "apple"]),
                len: request.len()
            }
        );
        for cut in 0..request.len() {
            assert_eq!(one(&request[..cut]), Parsed::Incomplete, "cut at {cut}");
        }
        // A bulk string may hold anything, CRLF included.
        let binary = b"*1\r\n$4\r\n\r\n\x00\xff\r\n";
        assert!(
            matches!(one(binary), Parsed::Command { ref args, .. } if args[0] == b"\r\n\x00\xff")
        );
    }

    #[test]
    fn inline_commands_split_like_redis_cli() {
        assert_eq!(
            one(b"SET k \"a b\\n\\x41\" 'it\\'s'\r\n"),
            Parsed::Command {
                args: words(&["SET", "k", "a b\nA", "it's"]),
                len: 27
            }
        );
        assert_eq!(
            one(b"\r\n"),
            Parsed::Command {
                args: vec![],
                len: 2
            }
        );
        assert_eq!(one(b"PING"), Parsed::Incomplete);
        assert!(matches!(one(b"GET \"open\r\n"), Parsed::Invalid(_)));
        assert!(matches!(one(b"GET \"a\"b\r\n"), Parsed::Invalid(_)));
    }

    #[test]
    fn hostile_lengths_are_refused_before_anything_is_allocated() {
        let limits = Limits {
            max_bulk: 10,
            max_args: 3,
            max_inline: 16,
        };
        assert!(matches!(parse(b"*4\r\n", &limits), Parsed::Invalid(_)));
        assert!(matches!(
            parse(b"*1\r\n$11\r\n", &limits),
            Parsed::Invalid(_)
        ));
        assert!(matches!(
            parse(b"*1\r\n$-5\r\n", &limits),
            Parsed::Invalid(_)
        ));
        assert!(matches!(parse(b"*x\r\n", &limits), Parsed::Invalid(_)));
        assert!(matches!(
            parse(b"*1\r\n:1\r\n", &limits),
            Parsed::Invalid(_)
        ));
        assert!(matches!(
            parse(b"*1\r\n$1\r\nab\r\n", &limits),
            Parsed::Invalid(_)
        ));
        assert!(matches!(parse(&[b'a'; 17], &limits), Parsed::Invalid(_)));
        assert!(matches!(parse(&[b'*'; 40], &limits), Parsed::Invalid(_)));
    }

    #[test]
    fn replies_encode_as_resp2() {
        let mut out = Vec::new();
        for reply in [
            Reply::OK,
            Reply::err("no\r\nway"),
            Reply::Integer(-3),
            Reply::Bulk(b"hi".to_vec()),
            Reply::Nil,
            Reply::Array(vec![Reply::Integer(1), Reply::Nil]),
        ] {
            reply.encode(&mut out);
        }
        assert_eq!(
            out,
            b"+OK\r\n-ERR no  way\r\n:-3\r\n$2\r\nhi\r\n$-1\r\n*2\r\n:1\r\n$-1\r\n"
        );
    }
}
