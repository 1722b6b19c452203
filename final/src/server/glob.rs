//! Redis's glob patterns, for `KEYS` and `SCAN … MATCH`: `*` any run of
//! bytes, `?` one byte, `[abc]`, `[^abc]` and `[a-z]` one of (or none of) a
//! set, `\` the next byte literally.

/// Whether `key` matches `pattern`. Time grows with the product of their
/// lengths at worst, never exponentially: on a mismatch only the last `*`
/// is backtracked to (a later star can always absorb what an earlier
/// one would have).
pub fn matches(pattern: &[u8], key: &[u8]) -> bool {
    let (mut p, mut k) = (0, 0);
    // The pattern index after the last `*` seen, and the key index it now covers up to.
    let mut star: Option<(usize, usize)> = None;
    while k < key.len() {
        if pattern.get(p) == Some(&b'*') {
            star = Some((p + 1, k));
            p += 1;
            continue;
        }
        match one(pattern, p, key[k]) {
            Some(len) => {
                p += len;
                k += 1;
            }
            None => match star {
                // Let the star absorb one more byte, and try again after it.
                Some((after, covered)) => {
                    star = Some((after, covered + 1));
                    p = after;
                    k = covered + 1;
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&b| b == b'*')
}

/// If the pattern's token at `p` matches byte `b`, the token's length.
fn one(pattern: &[u8], p: usize, b: u8) -> Option<usize> {
    let rest = pattern.get(p..).filter(|rest| !rest.is_empty())?;
    let (hit, len) = match rest[0] {
        b'?' => (true, 1),
        b'\\' if rest.len() > 1 => (rest[1] == b, 2),
        b'[' => match set(&rest[1..]) {
            Some((members, negated, len)) => (in_set(members, b) != negated, len + 1),
            // An unclosed `[` stands for itself.
            None => (b == b'[', 1),
        },
        literal => (literal == b, 1),
    };
    hit.then_some(len)
}

/// The set starting a pattern after its `[`: its members, whether it is
/// negated (`^`), and its length through the `]`; `None` if it never closes.
fn set(pattern: &[u8]) -> Option<(&[u8], bool, usize)> {
    let negated = pattern.first() == Some(&b'^');
    let body = &pattern[usize::from(negated)..];
    let mut i = 0;
    while i < body.len() {
        match body[i] {
            b'\\' => i += 2,
            b']' => return Some((&body[..i], negated, usize::from(negated) + i + 1)),
            _ => i += 1,
        }
    }
    None
}

/// Whether `b` is one of a set's `members` (bytes, `a-z` ranges, `\x` escapes).
fn in_set(members: &[u8], b: u8) -> bool {
    let mut i = 0;
    while i < members.len() {
        if members[i] == b'\\' && i + 1 < members.len() {
            if members[i + 1] == b {
                return true;
            }
            i += 2;
        } else if i + 2 < members.len() && members[i + 1] == b'-' {
            let (lo, hi) = (
                members[i].min(members[i + 2]),
                members[i].max(members[i + 2]),
            );
            if (lo..=hi).contains(&b) {
                return true;
            }
            i += 3;
        } else {
            if members[i] == b {
                return true;
            }
            i += 1;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn patterns_match_as_in_redis() {
        let cases: &[(&str, &str, bool)] = &[
            ("*", "", true),
            ("*", "anything", true),
            ("user:*", "user:42", true),
            ("user:*", "users", false),
            ("h?llo", "hello", true),
            ("h?llo", "hllo", false),
            ("h[ae]llo", "hallo", true),
            ("h[ae]llo", "hillo", false),
            ("h[^e]llo", "hallo", true),
            ("h[^e]llo", "hello", false),
            ("h[a-c]llo", "hbllo", true),
            ("h[a-c]llo", "hdllo", false),
            ("h\\*llo", "h*llo", true),
            ("h\\*llo", "hello", false),
            ("a*b*c", "aXXbYYc", true),
            ("a*b*c", "aXXbYY", false),
            ("[", "[", true),
            ("[abc", "[abc", true),
            ("*[", "x[", true),
        ];
        for &(pattern, key, expected) in cases {
            assert_eq!(
                matches(pattern.as_bytes(), key.as_bytes()),
                expected,
                "{pattern} {key}"
            );
        }
    }

    #[test]
    fn a_pattern_of_many_stars_costs_no_more_than_its_length_times_the_key() {
        // Exponential backtracking would not finish this.
        let pattern = "a*".repeat(40) + "b";
        let key = "a".repeat(2000);
        assert!(!matches(pattern.as_bytes(), key.as_bytes()));
    }
}
