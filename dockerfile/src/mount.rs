//! `RUN --mount=...` values, read as BuildKit reads them
//! (`frontend/dockerfile/instructions/commands_runmount.go`).
//!
//! The value is one CSV record (`type=cache,target=/root/.cache`); each field
//! is `key=value` with a case-insensitive key, except the flags `ro`,
//! `readonly`, `rw`, `readwrite` and `required`, which may stand alone.
//! Checks follow BuildKit's, in its order (so `required` before `type=secret`
//! is refused, as BuildKit refuses it). BuildKit checks values after expanding
//! build arguments; a value that still holds a `$` is kept as written and not
//! checked, except `from`, which BuildKit never expands. Keys BuildKit does
//! not know are kept rather than refused, so a rule can name them: see
//! [`Mount::unknown_keys`].

use serde::Serialize;

/// One `--mount` of a `RUN`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mount {
    /// `bind` (the default), `cache`, `tmpfs`, `secret` or `ssh`, lower case.
    pub kind: String,
    /// `target`, `dst` or `destination`.
    pub target: Option<String>,
    /// `source` or `src`.
    pub source: Option<String>,
    /// `from`: a stage name or image the source is taken from.
    pub from: Option<String>,
    /// `id`: the cache id, or the secret or ssh id.
    pub id: Option<String>,
    /// `env`: the environment variable a secret is exposed as.
    pub env: Option<String>,
    /// Whether the mount is read-only: as set by `ro`/`rw`, else BuildKit's
    /// default (writable for `cache` and `tmpfs`, read-only otherwise).
    pub read_only: bool,
    /// `required`: the build fails when the secret or ssh socket is missing.
    pub required: bool,
    /// Every field as written, in order, with the key lower-cased; a flag
    /// without `=` has an empty value.
    pub options: Vec<(String, String)>,
}

impl Mount {
    /// Keys BuildKit does not know, which make it refuse the build.
    pub fn unknown_keys(&self) -> impl Iterator<Item = &str> {
        self.options
            .iter()
            .map(|(key, _)| key.as_str())
            .filter(|key| !KNOWN_KEYS.contains(key))
    }

    /// The value of the last field with this (lower-case) key.
    pub fn option(&self, key: &str) -> Option<&str> {
        self.options
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

const KNOWN_KEYS: &[&str] = &[
    "type",
    "from",
    "source",
    "src",
    "target",
    "dst",
    "destination",
    "readonly",
    "ro",
    "readwrite",
    "rw",
    "required",
    "size",
    "id",
    "sharing",
    "mode",
    "uid",
    "gid",
    "env",
];

const MOUNT_TYPES: &[&str] = &["bind", "cache", "tmpfs", "secret", "ssh"];
const SHARING_MODES: &[&str] = &["shared", "private", "locked"];

/// Why BuildKit would refuse a `--mount` value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MountError {
    /// Go's CSV reader finds no record (`io.EOF`) in an empty value.
    #[error("failed to parse csv mounts: EOF")]
    Empty,
    #[error("failed to parse csv mounts: parse error on line 1, column {column}: {reason}")]
    Csv { column: usize, reason: &'static str },
    #[error("invalid field '{field}' must be a key=value pair")]
    NotKeyValue { field: String },
    #[error("unsupported mount type \"{value}\"")]
    UnsupportedType { value: String },
    #[error("unsupported sharing value \"{value}\"")]
    UnsupportedSharing { value: String },
    #[error("invalid value for {key}: {value}")]
    InvalidValue { key: String, value: String },
    #[error("invalid value {value} for {key}")]
    InvalidNumber { key: String, value: String },
    #[error("unexpected key '{key}' for mount type '{kind}'")]
    KeyNotForType { key: String, kind: String },
    #[error("{key} not allowed for \"{kind}\" type mounts")]
    FileInfoNotAllowed { key: &'static str, kind: String },
    #[error("'from' doesn't support variable expansion, define alias stage instead")]
    VariableInFrom,
    #[error("secret mount should not have a from")]
    SecretWithFrom,
    #[error("secret mount should not define sharing")]
    SecretWithSharing,
    #[error("invalid secret mount. one of source, target required")]
    SecretWithoutTarget,
    #[error("both source and id can't be set")]
    SecretSourceAndId,
    #[error("invalid cache sharing set for {kind} mount")]
    SharingNotForType { kind: String },
}

/// What BuildKit checks of a `--mount` value when it reads the `RUN`, before
/// any expansion (`parseMount` with no expander): that it is one CSV record,
/// and that `from` holds no variable (a `$` followed by anything). The other
/// checks wait until BuildKit builds the stage; [`parse_mount`] makes them.
pub fn check_as_written(value: &str) -> Result<(), MountError> {
    let fields = csv_fields(value)?;
    let variable_from = fields.iter().any(|field| {
        field
            .split_once('=')
            .is_some_and(|(key, value)| key.to_lowercase() == "from" && has_variable(value))
    });
    if variable_from {
        return Err(MountError::VariableInFrom);
    }
    Ok(())
}

/// Parses the value of one `--mount=` flag.
pub fn parse_mount(value: &str) -> Result<Mount, MountError> {
    let fields = csv_fields(value)?;
    let mut mount = Mount {
        kind: "bind".to_owned(),
        target: None,
        source: None,
        from: None,
        id: None,
        env: None,
        read_only: true,
        required: false,
        options: Vec::with_capacity(fields.len()),
    };
    let mut read_only_set = false;
    let mut sharing: Option<String> = None;
    let mut file_info: Vec<&'static str> = Vec::new();

    for field in fields {
        let (key, value) = match field.split_once('=') {
            Some((key, value)) => (key.to_ascii_lowercase(), Some(value.to_owned())),
            None => (field.to_ascii_lowercase(), None),
        };
        mount
            .options
            .push((key.clone(), value.clone().unwrap_or_default()));

        let Some(value) = value else {
            match key.as_str() {
                "readonly" | "ro" => {
                    mount.read_only = true;
                    read_only_set = true;
                }
                "readwrite" | "rw" => {
                    mount.read_only = false;
                    read_only_set = true;
                }
                "required" => {
                    require_secret_or_ssh(&key, &mount.kind)?;
                    mount.required = true;
                }
                _ => return Err(MountError::NotKeyValue { field }),
            }
            continue;
        };

        if key == "from" && has_variable(&value) {
            return Err(MountError::VariableInFrom);
        }
        // BuildKit checks values once build arguments are expanded.
        let checkable = !value.contains('$');
        match key.as_str() {
            "type" => {
                let kind = value.to_ascii_lowercase();
                if checkable && !MOUNT_TYPES.contains(&kind.as_str()) {
                    return Err(MountError::UnsupportedType { value });
                }
                mount.kind = kind;
            }
            "from" => mount.from = Some(value),
            "source" | "src" => mount.source = Some(value),
            "target" | "dst" | "destination" => mount.target = Some(value),
            "readonly" | "ro" => {
                mount.read_only = parse_bool(&key, &value, checkable)?.unwrap_or(true);
                read_only_set = true;
            }
            "readwrite" | "rw" => {
                mount.read_only = !parse_bool(&key, &value, checkable)?.unwrap_or(true);
                read_only_set = true;
            }
            "required" => {
                require_secret_or_ssh(&key, &mount.kind)?;
                mount.required = parse_bool(&key, &value, checkable)?.unwrap_or(true);
            }
            "size" => {
                if mount.kind != "tmpfs" {
                    return Err(MountError::KeyNotForType {
                        key,
                        kind: mount.kind.clone(),
                    });
                }
                if checkable && !is_ram_size(&value) {
                    return Err(MountError::InvalidValue { key, value });
                }
            }
            "id" => mount.id = Some(value),
            "sharing" => {
                let mode = value.to_ascii_lowercase();
                if checkable && !SHARING_MODES.contains(&mode.as_str()) {
                    return Err(MountError::UnsupportedSharing { value });
                }
                sharing = Some(mode);
            }
            "mode" | "uid" | "gid" => {
                let radix = if key == "mode" { 8 } else { 10 };
                if checkable && !is_u32(&value, radix) {
                    return Err(MountError::InvalidNumber { key, value });
                }
                file_info.push(match key.as_str() {
                    "mode" => "mode",
                    "uid" => "uid",
                    _ => "gid",
                });
            }
            "env" => mount.env = Some(value),
            _ => {} // kept in `options`; see `Mount::unknown_keys`
        }
    }

    validate(&mount, &file_info, sharing.as_deref())?;
    if !read_only_set {
        mount.read_only = !matches!(mount.kind.as_str(), "cache" | "tmpfs");
    }
    Ok(mount)
}

fn validate(
    mount: &Mount,
    file_info: &[&'static str],
    sharing: Option<&str>,
) -> Result<(), MountError> {
    let kind = mount.kind.as_str();
    let file_info_allowed = matches!(kind, "secret" | "ssh" | "cache");
    // BuildKit reports mode before uid before gid, whatever the order written.
    for key in ["mode", "uid", "gid"] {
        if !file_info_allowed && file_info.contains(&key) {
            return Err(MountError::FileInfoNotAllowed {
                key,
                kind: kind.to_owned(),
            });
        }
    }
    if kind == "secret" {
        if mount.from.as_deref().is_some_and(|f| !f.is_empty()) {
            return Err(MountError::SecretWithFrom);
        }
        if sharing.is_some_and(|s| !s.is_empty()) {
            return Err(MountError::SecretWithSharing);
        }
        let set = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.is_empty());
        if !set(&mount.source) && !set(&mount.target) && !set(&mount.id) {
            return Err(MountError::SecretWithoutTarget);
        }
        if set(&mount.source) && set(&mount.id) {
            return Err(MountError::SecretSourceAndId);
        }
    }
    if sharing.is_some_and(|s| !s.is_empty()) && kind != "cache" {
        return Err(MountError::SharingNotForType {
            kind: kind.to_owned(),
        });
    }
    Ok(())
}

fn require_secret_or_ssh(key: &str, kind: &str) -> Result<(), MountError> {
    if matches!(kind, "secret" | "ssh") {
        Ok(())
    } else {
        Err(MountError::KeyNotForType {
            key: key.to_owned(),
            kind: kind.to_owned(),
        })
    }
}

/// Go's `strconv.ParseBool`; `None` for a value left unchecked.
fn parse_bool(key: &str, value: &str, checkable: bool) -> Result<Option<bool>, MountError> {
    match value {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(Some(true)),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(Some(false)),
        _ if !checkable => Ok(None),
        _ => Err(MountError::InvalidValue {
            key: key.to_owned(),
            value: value.to_owned(),
        }),
    }
}

/// BuildKit's `from` check: a `$` followed by anything.
fn has_variable(value: &str) -> bool {
    value.find('$').is_some_and(|at| at + 1 < value.len())
}

/// Go's `strconv.ParseUint(value, radix, 32)`: digits only, no sign or
/// prefix, at most `u32::MAX`.
fn is_u32(value: &str, radix: u32) -> bool {
    !value.is_empty()
        && value.bytes().all(|b| char::from(b).is_digit(radix))
        && u32::from_str_radix(value, radix).is_ok()
}

/// go-units' `RAMInBytes` syntax: a decimal number, an optional space, an
/// optional unit letter (k, m, g, t, p), an optional `i` and `b`.
fn is_ram_size(value: &str) -> bool {
    let number_end = value
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(value.len());
    let (number, mut rest) = value.split_at(number_end);
    let number_ok = !number.is_empty()
        && number.split('.').all(|part| !part.is_empty())
        && number.starts_with(|c: char| c.is_ascii_digit());
    if !number_ok {
        return false;
    }
    rest = rest.strip_prefix(' ').unwrap_or(rest);
    let mut chars = rest.chars().peekable();
    if chars.peek().is_some_and(|c| "kKmMgGtTpP".contains(*c)) {
        chars.next();
    }
    if chars.peek().is_some_and(|c| matches!(c, 'i' | 'I')) {
        chars.next();
    }
    if chars.peek().is_some_and(|c| matches!(c, 'b' | 'B')) {
        chars.next();
    }
    chars.next().is_none()
}

/// One CSV record as `go-csvvalue` reads it: `,`-separated, `"`-quoted
/// fields with `""` for a quote, no bare quotes in unquoted fields, one
/// trailing newline allowed.
pub(crate) fn csv_fields(line: &str) -> Result<Vec<String>, MountError> {
    let line = line
        .strip_suffix("\r\n")
        .or_else(|| line.strip_suffix('\n'))
        .unwrap_or(line);
    if line.is_empty() {
        return Err(MountError::Empty);
    }
    let mut fields = Vec::new();
    let mut rest = line;
    let mut pos = 0usize; // byte offset of `rest` in `line`, for error columns
    loop {
        if let Some(quoted) = rest.strip_prefix('"') {
            pos += 1;
            let mut field = String::new();
            let mut remaining = quoted;
            loop {
                let Some(close) = remaining.find('"') else {
                    return Err(MountError::Csv {
                        column: pos + remaining.len() + 1,
                        reason: "extraneous or missing \" in quoted-field",
                    });
                };
                field.push_str(remaining.get(..close).unwrap_or(""));
                pos += close + 1;
                remaining = remaining.get(close + 1..).unwrap_or("");
                if let Some(after) = remaining.strip_prefix('"') {
                    field.push('"');
                    pos += 1;
                    remaining = after;
                    continue;
                }
                break;
            }
            fields.push(field);
            if remaining.is_empty() {
                return Ok(fields);
            }
            let Some(after) = remaining.strip_prefix(',') else {
                return Err(MountError::Csv {
                    column: pos,
                    reason: "extraneous or missing \" in quoted-field",
                });
            };
            pos += 1;
            rest = after;
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            let field = rest.get(..end).unwrap_or("");
            if let Some(quote) = field.find('"') {
                return Err(MountError::Csv {
                    column: pos + quote + 1,
                    reason: "bare \" in non-quoted-field",
                });
            }
            fields.push(field.to_owned());
            if end == rest.len() {
                return Ok(fields);
            }
            pos += end + 1;
            rest = rest.get(end + 1..).unwrap_or("");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_reads_like_go_csvvalue() {
        let ok = [
            ("a,b,c", vec!["a", "b", "c"]),
            ("a,b,c\n", vec!["a", "b", "c"]),
            ("a,,b", vec!["a", "", "b"]),
            ("a,b,", vec!["a", "b", ""]),
            (",a", vec!["", "a"]),
            (r#"a,"b,c",d"#, vec!["a", "b,c", "d"]),
            (r#""""#, vec![""]),
            (r#"a,"foo""",c"#, vec!["a", r#"foo""#, "c"]),
            (" ", vec![" "]),
        ];
        for (line, want) in ok {
            assert_eq!(
                csv_fields(line),
                Ok(want.iter().map(|s| s.to_string()).collect()),
                "{line:?}"
            );
        }
        let errors = [
            ("", MountError::Empty),
            ("\n", MountError::Empty),
            (
                r#"foo,aa"bb,cc"#,
                MountError::Csv {
                    column: 7,
                    reason: "bare \" in non-quoted-field",
                },
            ),
            (
                r#""a "word","b""#,
                MountError::Csv {
                    column: 4,
                    reason: "extraneous or missing \" in quoted-field",
                },
            ),
        ];
        for (line, want) in errors {
            assert_eq!(csv_fields(line), Err(want), "{line:?}");
        }
        assert!(matches!(csv_fields(r#"""""#), Err(MountError::Csv { .. })));
        assert!(matches!(csv_fields(r#""abc"#), Err(MountError::Csv { .. })));
    }

    /// (value, kind, target, read_only, required) for values BuildKit accepts.
    #[test]
    fn accepts_what_buildkit_accepts() {
        let cases = [
            (
                "type=cache,target=/root/.cache",
                "cache",
                Some("/root/.cache"),
                false,
                false,
            ),
            ("target=/src", "bind", Some("/src"), true, false),
            (
                "type=bind,source=go.mod,target=/app/go.mod,rw",
                "bind",
                Some("/app/go.mod"),
                false,
                false,
            ),
            (
                "type=bind,target=.,rw=true,ro",
                "bind",
                Some("."),
                true,
                false,
            ),
            (
                "type=secret,id=npmrc,target=/root/.npmrc,required",
                "secret",
                Some("/root/.npmrc"),
                true,
                true,
            ),
            (
                "type=secret,id=tok,env=TOKEN,required=false",
                "secret",
                None,
                true,
                false,
            ),
            (
                "TYPE=Cache,Target=/x,Sharing=Locked",
                "cache",
                Some("/x"),
                false,
                false,
            ),
            (
                "type=tmpfs,dst=/tmp,size=64m",
                "tmpfs",
                Some("/tmp"),
                false,
                false,
            ),
            ("type=ssh", "ssh", None, true, false),
            (
                "type=ssh,required=true,destination=/run/ssh",
                "ssh",
                Some("/run/ssh"),
                true,
                true,
            ),
            (
                "type=cache,target=/x,uid=1000,gid=1000,mode=0755",
                "cache",
                Some("/x"),
                false,
                false,
            ),
            (
                "type=cache,target=/x,uid=$UID,id=cache-$TARGETARCH",
                "cache",
                Some("/x"),
                false,
                false,
            ),
            (
                "type=cache,\"target=/a,b\"",
                "cache",
                Some("/a,b"),
                false,
                false,
            ),
            ("from=builder$,target=/x", "bind", Some("/x"), true, false),
        ];
        for (value, kind, target, read_only, required) in cases {
            let mount = parse_mount(value).unwrap_or_else(|e| panic!("{value}: {e}"));
            assert_eq!(
                (
                    mount.kind.as_str(),
                    mount.target.as_deref(),
                    mount.read_only,
                    mount.required
                ),
                (kind, target, read_only, required),
                "{value}"
            );
        }
        let secret = parse_mount("type=secret,id=tok,env=TOKEN").expect("valid");
        assert_eq!(
            (secret.id.as_deref(), secret.env.as_deref()),
            (Some("tok"), Some("TOKEN"))
        );
        let typo = parse_mount("type=cache,target=/x,tagret=/y,Extra").err();
        assert_eq!(
            typo,
            Some(MountError::NotKeyValue {
                field: "Extra".to_owned()
            })
        );
        let typo = parse_mount("type=cache,target=/x,tagret=/y").expect("unknown keys are kept");
        assert_eq!(typo.unknown_keys().collect::<Vec<_>>(), ["tagret"]);
        assert_eq!(typo.option("tagret"), Some("/y"));
        assert_eq!(
            typo.options.first(),
            Some(&("type".to_owned(), "cache".to_owned()))
        );
    }

    #[test]
    fn refuses_what_buildkit_refuses() {
        use MountError as E;
        let kind = |k: &str| k.to_owned();
        let cases: Vec<(&str, MountError)> = vec![
            ("", E::Empty),
            (
                "foo",
                E::NotKeyValue {
                    field: "foo".into(),
                },
            ),
            (
                "type=volume",
                E::UnsupportedType {
                    value: "volume".into(),
                },
            ),
            (
                "target=/x,required",
                E::KeyNotForType {
                    key: "required".into(),
                    kind: kind("bind"),
                },
            ),
            // BuildKit checks `required` against the type set so far.
            (
                "required,type=secret,id=x",
                E::KeyNotForType {
                    key: "required".into(),
                    kind: kind("bind"),
                },
            ),
            (
                "type=bind,target=/x,size=1m",
                E::KeyNotForType {
                    key: "size".into(),
                    kind: kind("bind"),
                },
            ),
            (
                "type=tmpfs,size=1x",
                E::InvalidValue {
                    key: "size".into(),
                    value: "1x".into(),
                },
            ),
            (
                "type=cache,target=/x,mode=0999",
                E::InvalidNumber {
                    key: "mode".into(),
                    value: "0999".into(),
                },
            ),
            (
                "type=cache,target=/x,uid=-1",
                E::InvalidNumber {
                    key: "uid".into(),
                    value: "-1".into(),
                },
            ),
            (
                "type=cache,target=/x,gid=4294967296",
                E::InvalidNumber {
                    key: "gid".into(),
                    value: "4294967296".into(),
                },
            ),
            (
                "type=bind,target=/x,gid=1,mode=0755",
                E::FileInfoNotAllowed {
                    key: "mode",
                    kind: kind("bind"),
                },
            ),
            ("type=secret", E::SecretWithoutTarget),
            ("type=secret,id=a,source=b", E::SecretSourceAndId),
            ("type=secret,id=a,from=x", E::SecretWithFrom),
            ("type=secret,id=a,sharing=locked", E::SecretWithSharing),
            (
                "type=bind,target=/x,sharing=locked",
                E::SharingNotForType { kind: kind("bind") },
            ),
            (
                "type=cache,target=/x,sharing=weird",
                E::UnsupportedSharing {
                    value: "weird".into(),
                },
            ),
            (
                "target=/x,rw=maybe",
                E::InvalidValue {
                    key: "rw".into(),
                    value: "maybe".into(),
                },
            ),
            ("from=$STAGE,target=/x", E::VariableInFrom),
            (
                "type=cache,target=a\"b",
                E::Csv {
                    column: 20,
                    reason: "bare \" in non-quoted-field",
                },
            ),
        ];
        for (value, want) in cases {
            assert_eq!(parse_mount(value), Err(want), "{value:?}");
        }
    }

    #[test]
    fn sizes_follow_go_units() {
        for good in ["64", "64m", "1.5g", "10 MiB", "512kb", "1Gi", "2P"] {
            assert!(is_ram_size(good), "{good}");
        }
        for bad in ["", "m", "64x", "1..5g", ".5g", "10  m", "-1", "1mm"] {
            assert!(!is_ram_size(bad), "{bad}");
        }
    }
}
