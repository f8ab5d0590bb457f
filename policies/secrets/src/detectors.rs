//! Hard-coded secrets recognised by their format: cloud and forge tokens
//! with documented prefixes, private key PEM blocks and JWTs.
//!
//! Each detector is a hand-written matcher (a prefix, a character class, a
//! length and boundaries on both sides): a regex engine would cost the Wasm
//! module more than all of these together, and the formats are fixed.

/// A secret found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected<'a> {
    /// What it is, for messages: `a GitHub personal access token`.
    pub kind: &'static str,
    /// The matched text (for the allow-list; never printed whole).
    pub value: &'a str,
    /// Byte offset in the scanned text.
    pub offset: usize,
}

/// A token format: a fixed prefix, then a run of characters of a class.
struct TokenFormat {
    kind: &'static str,
    prefixes: &'static [&'static str],
    class: fn(u8) -> bool,
    min: usize,
    max: usize,
    /// Bytes that may not come right before the prefix (so that the prefix
    /// is the start of a word).
    left_boundary: fn(u8) -> bool,
}

fn alnum(byte: u8) -> bool {
    byte.is_ascii_alphanumeric()
}

fn upper_alnum(byte: u8) -> bool {
    byte.is_ascii_uppercase() || byte.is_ascii_digit()
}

fn word(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

fn base64url(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-'
}

fn slack(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'-'
}

const FORMATS: &[TokenFormat] = &[
    TokenFormat {
        kind: "an AWS access key id",
        prefixes: &["AKIA", "ASIA"],
        class: upper_alnum,
        min: 16,
        max: 16,
        left_boundary: alnum,
    },
    TokenFormat {
        kind: "a GitHub token",
        prefixes: &["ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
        class: alnum,
        min: 36,
        max: 36,
        left_boundary: word,
    },
    TokenFormat {
        kind: "a GitHub fine-grained personal access token",
        prefixes: &["github_pat_"],
        class: word,
        min: 82,
        max: 82,
        left_boundary: word,
    },
    TokenFormat {
        kind: "a GitLab personal access token",
        prefixes: &["glpat-"],
        class: base64url,
        min: 20,
        max: 64,
        left_boundary: word,
    },
    TokenFormat {
        kind: "a Slack token",
        prefixes: &["xoxb-", "xoxa-", "xoxp-", "xoxr-", "xoxs-"],
        class: slack,
        min: 20,
        max: 200,
        left_boundary: word,
    },
    TokenFormat {
        kind: "a Stripe live secret key",
        prefixes: &["sk_live_", "rk_live_"],
        class: alnum,
        min: 24,
        max: 247,
        left_boundary: word,
    },
    TokenFormat {
        kind: "a Google API key",
        prefixes: &["AIza"],
        class: base64url,
        min: 35,
        max: 35,
        left_boundary: base64url,
    },
    TokenFormat {
        kind: "an npm access token",
        prefixes: &["npm_"],
        class: alnum,
        min: 36,
        max: 36,
        left_boundary: word,
    },
    TokenFormat {
        kind: "a PyPI API token",
        prefixes: &["pypi-AgEIcHlwaS5vcmc"],
        class: base64url,
        min: 50,
        max: 400,
        left_boundary: word,
    },
    TokenFormat {
        kind: "a Docker Hub personal access token",
        prefixes: &["dckr_pat_"],
        class: base64url,
        min: 20,
        max: 64,
        left_boundary: word,
    },
];

/// What a PEM private key block starts with.
const PEM_BEGIN: &str = "-----BEGIN ";
/// What every JWT starts with: `{"` in base64url.
const JWT_START: &str = "eyJ";

/// Every secret in `text`, in order of position. One pass over `text` that
/// compares only where two bytes a token prefix, a PEM header or a JWT
/// start with are found: most texts hold no secret, and a search per
/// pattern cost more than the rest of the rule. Matches of one pattern do
/// not overlap, as with `str::match_indices`.
pub fn detect(text: &str) -> Vec<Detected<'_>> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    // Where the last match of each token prefix ended, in the order of
    // `FORMATS`, and where the last JWT ended.
    let mut resume = [0usize; PREFIX_COUNT];
    let mut jwt_resume = 0;
    for (start, pair) in bytes.windows(2).enumerate() {
        if !starts_a_prefix(pair[0], pair[1]) {
            continue;
        }
        let rest = &bytes[start..];
        let mut slot = 0;
        for format in FORMATS {
            for prefix in format.prefixes {
                if start >= resume[slot] && rest.starts_with(prefix.as_bytes()) {
                    resume[slot] = start + prefix.len();
                    found.extend(token_at(text, format, prefix, start));
                }
                slot += 1;
            }
        }
        // Neither pattern can overlap itself, so every occurrence counts.
        if rest.starts_with(PEM_BEGIN.as_bytes()) {
            found.extend(private_key_at(text, start));
        }
        if start >= jwt_resume
            && rest.starts_with(JWT_START.as_bytes())
            && let Some(jwt) = jwt_at(text, start)
        {
            jwt_resume = start + jwt.value.len();
            found.push(jwt);
        }
    }
    found.sort_by_key(|detected| detected.offset);
    found
}

/// How many prefixes the token formats have in all.
const PREFIX_COUNT: usize = {
    let mut count = 0;
    let mut at = 0;
    while at < FORMATS.len() {
        count += FORMATS[at].prefixes.len();
        at += 1;
    }
    count
};

/// The pairs of bytes a token prefix, a PEM header or a JWT starts with
/// (every pattern has at least two), as a bit set indexed by
/// `first * 256 + second`.
const PREFIX_PAIRS: [u64; 1024] = {
    let mut pairs = [0u64; 1024];
    add_pair(&mut pairs, PEM_BEGIN.as_bytes());
    add_pair(&mut pairs, JWT_START.as_bytes());
    let mut at = 0;
    while at < FORMATS.len() {
        let prefixes = FORMATS[at].prefixes;
        let mut p = 0;
        while p < prefixes.len() {
            add_pair(&mut pairs, prefixes[p].as_bytes());
            p += 1;
        }
        at += 1;
    }
    pairs
};

/// Adds the first two bytes of `pattern` to the bit set.
const fn add_pair(pairs: &mut [u64; 1024], pattern: &[u8]) {
    assert!(pattern.len() >= 2, "a pattern has at least two bytes");
    let pair = pair_index(pattern[0], pattern[1]);
    pairs[pair / 64] |= 1 << (pair % 64);
}

const fn pair_index(first: u8, second: u8) -> usize {
    (first as usize) << 8 | second as usize
}

fn starts_a_prefix(first: u8, second: u8) -> bool {
    let pair = pair_index(first, second);
    PREFIX_PAIRS[pair / 64] & (1 << (pair % 64)) != 0
}

/// The token of `format` whose `prefix` starts at `start`, if what follows
/// the prefix has the format's shape.
fn token_at<'a>(
    text: &'a str,
    format: &'static TokenFormat,
    prefix: &'static str,
    start: usize,
) -> Option<Detected<'a>> {
    let bytes = text.as_bytes();
    let before = start.checked_sub(1).and_then(|at| bytes.get(at));
    if before.is_some_and(|&byte| (format.left_boundary)(byte)) {
        return None;
    }
    let body_start = start + prefix.len();
    let body = run_length(bytes, body_start, format.class);
    if body < format.min || body > format.max {
        return None;
    }
    let value = text.get(start..body_start + body)?;
    // AWS's documentation key, used in examples everywhere.
    if value.ends_with("EXAMPLE") {
        return None;
    }
    // A token is random: a run of one character, or only lower-case
    // letters, is a name that happens to share the prefix.
    let body_text = value.get(prefix.len()..)?;
    if !body_text.bytes().any(|b| b.is_ascii_digit())
        && !body_text.bytes().any(|b| b.is_ascii_uppercase())
    {
        return None;
    }
    Some(Detected {
        kind: format.kind,
        value,
        offset: start,
    })
}

/// How many bytes from `start` are in the class.
fn run_length(bytes: &[u8], start: usize, class: fn(u8) -> bool) -> usize {
    bytes
        .get(start..)
        .unwrap_or_default()
        .iter()
        .take_while(|&&byte| class(byte))
        .count()
}

/// `-----BEGIN ... PRIVATE KEY-----` followed by key material (not just the
/// header, which scripts grep for).
/// The header of the block whose [`PEM_BEGIN`] is at `start`.
fn private_key_at(text: &str, start: usize) -> Option<Detected<'_>> {
    const DASHES: &str = "-----";
    let after_begin = start + PEM_BEGIN.len();
    let label_len = text.get(after_begin..)?.find(DASHES)?;
    let label = text.get(after_begin..after_begin + label_len)?;
    if label.len() > 40 || !label.ends_with("PRIVATE KEY") && !label.ends_with("PRIVATE KEY BLOCK")
    {
        return None;
    }
    let body_start = after_begin + label_len + DASHES.len();
    if key_material(text.get(body_start..).unwrap_or_default()) < 40 {
        return None;
    }
    Some(Detected {
        kind: "a private key",
        value: text.get(start..body_start)?,
        offset: start,
    })
}

/// Base64 characters in the body of a PEM block, up to its end or to
/// something that cannot be in one. Whitespace and the two-character `\n`
/// of `echo`/`printf` strings are skipped.
fn key_material(body: &str) -> usize {
    let bytes = body.as_bytes();
    let mut count = 0;
    let mut at = 0;
    while let Some(&byte) = bytes.get(at) {
        match byte {
            b'\\' if matches!(bytes.get(at + 1), Some(b'n' | b'r' | b't')) => at += 2,
            b'\\' | b' ' | b'\t' | b'\n' | b'\r' | b':' | b',' => at += 1,
            b'-' if body.get(at..).is_some_and(|rest| rest.starts_with("-----")) => break,
            b'-' => at += 1,
            _ if byte.is_ascii_alphanumeric() || matches!(byte, b'+' | b'/' | b'=') => {
                count += 1;
                at += 1;
            }
            _ => break,
        }
    }
    count
}

/// The JWT (`header.payload.signature`, base64url, whose header is a JSON
/// object with `alg`) whose [`JWT_START`] is at `start`.
fn jwt_at(text: &str, start: usize) -> Option<Detected<'_>> {
    let bytes = text.as_bytes();
    if start
        .checked_sub(1)
        .and_then(|at| bytes.get(at))
        .is_some_and(|&byte| base64url(byte))
    {
        return None;
    }
    let header_len = run_length(bytes, start, base64url);
    let payload_start = start + header_len + 1;
    if bytes.get(start + header_len) != Some(&b'.') {
        return None;
    }
    let payload_len = run_length(bytes, payload_start, base64url);
    let signature_start = payload_start + payload_len + 1;
    if payload_len < 4 || bytes.get(payload_start + payload_len) != Some(&b'.') {
        return None;
    }
    let signature_len = run_length(bytes, signature_start, base64url);
    if signature_len < 16 {
        return None;
    }
    let header = text.get(start..start + header_len).unwrap_or_default();
    let is_jwt_header = decode_base64url(header)
        .and_then(|decoded| String::from_utf8(decoded).ok())
        .is_some_and(|json| {
            let json = json.trim();
            json.starts_with('{') && json.ends_with('}') && json.contains("\"alg\"")
        });
    if !is_jwt_header {
        return None;
    }
    Some(Detected {
        kind: "a JSON Web Token",
        value: text.get(start..signature_start + signature_len)?,
        offset: start,
    })
}

/// Decodes unpadded (or padded) base64url; `None` on a character outside
/// the alphabet.
pub fn decode_base64url(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for byte in text.trim_end_matches('=').bytes() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

/// How a secret is shown in a message: enough to find it, not enough to
/// use it (`ghp_abcd…`, 40 characters).
pub fn redact(value: &str) -> String {
    let shown: String = value.chars().take(8).collect();
    if shown.len() == value.len() {
        // Short values: show half at most.
        let half: String = value.chars().take(value.chars().count() / 2).collect();
        return format!("{half}…");
    }
    format!("{shown}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<&'static str> {
        detect(text).into_iter().map(|found| found.kind).collect()
    }

    /// A search of each pattern on its own (`str::match_indices`, and
    /// `str::find` from the end of the last JWT), which the one pass of
    /// [`detect`] replaced: both must find the same secrets in the same order.
    fn detect_by_search(text: &str) -> Vec<Detected<'_>> {
        let mut found = Vec::new();
        for format in FORMATS {
            for prefix in format.prefixes {
                found.extend(
                    text.match_indices(prefix)
                        .filter_map(|(start, _)| token_at(text, format, prefix, start)),
                );
            }
        }
        found.extend(
            text.match_indices(PEM_BEGIN)
                .filter_map(|(start, _)| private_key_at(text, start)),
        );
        let mut search_from = 0;
        while let Some(relative) = text
            .get(search_from..)
            .and_then(|rest| rest.find(JWT_START))
        {
            let start = search_from + relative;
            search_from = start + JWT_START.len();
            if let Some(jwt) = jwt_at(text, start) {
                search_from = start + jwt.value.len();
                found.push(jwt);
            }
        }
        found.sort_by_key(|detected| detected.offset);
        found
    }

    #[test]
    fn one_pass_finds_what_a_search_per_pattern_finds() {
        let key = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7";
        let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let aws = "AKIAZ3MSJV4WWNKWW5FG";
        let github = "ghp_1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R";
        let texts = [
            String::new(),
            "RUN apt-get install -y ca-certificates".to_string(),
            format!("ENV A={aws} B={github} C={aws}"),
            format!("{github}{aws}"),
            // Overlapping prefixes: `ASIA` again inside `ASIASIA...`.
            "ASIASIAZ3MSJV4WWNKWW5FGAB".to_string(),
            "ASIAZ3MSJV4WWNKWW5FGASIAZ3MSJV4WWNKWW5FG".to_string(),
            format!("ghp_ghp_{}", &github[4..]),
            format!("é{aws} ü{github}ß"),
            "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx sk_live_4eC39HqLyjWDarjtT1zdp7dc"
                .to_string(),
            "pypi-AgEIcHlwaS5vcmcpypi-AgEIcHlwaS5vcmc0123456789abcdefghijABCDEFGHIJ0123456789abcdefghij"
                .to_string(),
            format!("{PEM_BEGIN}RSA PRIVATE KEY-----\\n{key}\\n-----END RSA PRIVATE KEY----- {aws}"),
            format!("----{PEM_BEGIN}{PEM_BEGIN}OPENSSH PRIVATE KEY-----\n{key}"),
            format!("{PEM_BEGIN}CERTIFICATE-----\n{key}"),
            format!("Bearer {jwt} {jwt}x{jwt}.eyJ{jwt}"),
            format!("eyeyJ{jwt}.{jwt}"),
        ];
        for text in &texts {
            assert_eq!(detect(text), detect_by_search(text), "{text}");
        }
        assert_eq!(detect(&texts[2]).len(), 3);
        assert_eq!(kinds(&texts[10]), ["a private key", "an AWS access key id"]);
        assert_eq!(kinds(&texts[11]), ["a private key"]);
        assert_eq!(detect(&texts[13]).len(), 2);
    }

    #[test]
    fn token_formats() {
        let cases = [
            ("AKIAZ3MSJV4WWNKWW5FG", "an AWS access key id"),
            ("ASIAZ3MSJV4WWNKWW5FG", "an AWS access key id"),
            ("ghp_1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R", "a GitHub token"),
            (
                "glpat-x1Y2z3A4b5C6d7E8f9G0",
                "a GitLab personal access token",
            ),
            (
                "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
                "a Slack token",
            ),
            (
                "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
                "a Stripe live secret key",
            ),
            (
                "AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q",
                "a Google API key",
            ),
            (
                "npm_1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R",
                "an npm access token",
            ),
            (
                "dckr_pat_1a2B3c4D5e6F7g8H9i0J1k2L3m4",
                "a Docker Hub personal access token",
            ),
        ];
        for (text, kind) in cases {
            assert_eq!(kinds(&format!("X={text} y")), [kind], "{text}");
        }
    }

    #[test]
    fn near_misses() {
        for text in [
            "AKIAIOSFODNN7EXAMPLE",
            "AKIAZ3MSJV4WWNKWW5F",
            "AKIAZ3MSJV4WWNKWW5FGX",
            "xAKIAZ3MSJV4WWNKWW5FG",
            "ghp_short",
            "ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
            "npm_config_registry",
            "xoxb-",
            "-----BEGIN RSA PRIVATE KEY-----",
            "grep -q '-----BEGIN PRIVATE KEY-----' key.pem",
            "eyJhbGciOi.notajwt",
        ] {
            assert!(kinds(text).is_empty(), "{text}: {:?}", detect(text));
        }
    }

    #[test]
    fn pem_blocks() {
        let block = "-----BEGIN OPENSSH PRIVATE KEY-----\n\
                     b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n\
                     -----END OPENSSH PRIVATE KEY-----";
        assert_eq!(kinds(block), ["a private key"]);
        let echoed = "echo \"-----BEGIN RSA PRIVATE KEY-----\\nMIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9OiXk2\\n\" > k";
        assert_eq!(kinds(echoed), ["a private key"]);
        let public = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n";
        assert!(kinds(public).is_empty());
    }

    #[test]
    fn jwts_need_a_json_header_with_alg() {
        // {"alg":"HS256","typ":"JWT"}.{"sub":"1234567890"}.signature
        let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(
            kinds(&format!("Authorization: Bearer {jwt}")),
            ["a JSON Web Token"]
        );
        // {"typ":"JWT"} has no alg.
        let no_alg = "eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiIxIn0.dBjftJeZ4CVP-mB92K27uhbUJU1p1r";
        assert!(kinds(no_alg).is_empty());
    }

    #[test]
    fn base64url_decoding() {
        assert_eq!(
            decode_base64url("eyJhbGciOiJIUzI1NiJ9").as_deref(),
            Some(&b"{\"alg\":\"HS256\"}"[..])
        );
        assert_eq!(decode_base64url("a$b"), None);
    }

    #[test]
    fn redaction_keeps_a_prefix_only() {
        assert_eq!(
            redact("ghp_1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R"),
            "ghp_1a2B…"
        );
        assert_eq!(redact("hunter2"), "hun…");
        assert_eq!(redact(""), "…");
    }

    #[test]
    fn multibyte_text_is_safe() {
        assert!(detect("é-----BEGIN é PRIVATE KEY-----éeyJé.é.é").is_empty());
    }
}
