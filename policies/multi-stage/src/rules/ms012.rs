use tallyman_sdk::{Dockerfile, Finding};

use crate::settings::Settings;
use crate::support::{self, quote};

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags a final stage built `FROM scratch` (directly or through
    /// another stage) into which no CA certificates are copied: no `COPY`
    /// or `ADD` mentions `ca-certificates`, `/etc/ssl`, `/etc/pki`, a `.crt`
    /// or `.pem` file, and `SSL_CERT_FILE` / `SSL_CERT_DIR` are not set.
    ///
    /// A copy of a whole root filesystem (a destination of `/`, as in
    /// `ADD rootfs.tar.xz /` or `COPY --from=build /out/ /`) may bring the
    /// certificates and keeps the rule quiet. So does a final stage with
    /// neither `ENTRYPOINT` nor `CMD`: that is an export stage
    /// (`docker build --output`), not an image that runs.
    ///
    /// ## Why is this bad?
    /// `scratch` is empty: no trust store. A program that makes an HTTPS
    /// call then fails with `x509: certificate signed by unknown authority`
    /// at run time, usually in production, since tests rarely run inside the
    /// final image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// RUN CGO_ENABLED=0 go build -o /app .
    ///
    /// FROM scratch
    /// COPY --from=build /app /app
    /// ENTRYPOINT ["/app"]
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// RUN CGO_ENABLED=0 go build -o /app .
    ///
    /// FROM scratch
    /// COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
    /// COPY --from=build /app /app
    /// ENTRYPOINT ["/app"]
    /// ```
    pub const MS012 = {
        id: "MS012",
        title: "Final stage on scratch without CA certificates",
        severity: Info,
        tags: ["correctness"],
        equivalents: [],
    };
}

/// Path fragments of trust stores and certificate bundles.
const CERTIFICATE_PATHS: &[&str] = &[
    "ca-certificates",
    "ca-bundle",
    "cacert",
    "/etc/ssl",
    "/etc/pki",
    "/certs",
    ".crt",
    ".pem",
];

pub fn check(dockerfile: &Dockerfile, settings: &Settings, findings: &mut Vec<Finding>) {
    let Some(stage) = dockerfile.final_stage(settings.target.as_deref()) else {
        return;
    };
    let base = dockerfile.root_base(stage);
    if !base.is_scratch() {
        return;
    }
    if !support::runs_a_program(dockerfile, stage) {
        return;
    }
    let chain = dockerfile.ancestry(stage);
    let mentions_certificates = |path: &str| {
        let lower = path.to_ascii_lowercase();
        CERTIFICATE_PATHS
            .iter()
            .any(|fragment| lower.contains(fragment))
    };
    for ancestor in &chain {
        for (_, copy) in ancestor.copies() {
            let root = support::script::normalize(&copy.destination) == "/";
            let whole = copy.from.is_some()
                && copy
                    .sources
                    .iter()
                    .any(|source| support::is_whole_filesystem(source));
            if root
                || whole
                || mentions_certificates(&copy.destination)
                || copy
                    .sources
                    .iter()
                    .any(|source| mentions_certificates(source))
            {
                return;
            }
        }
        let sets_trust_store = ancestor
            .instructions
            .iter()
            .filter_map(|instruction| instruction.as_env())
            .flatten()
            .any(|assignment| matches!(assignment.key.as_str(), "SSL_CERT_FILE" | "SSL_CERT_DIR"));
        if sets_trust_store {
            return;
        }
    }
    let through = if std::ptr::eq(base, &stage.base) {
        String::new()
    } else {
        format!(" (through {})", quote(&stage.base))
    };
    findings.push(
        Finding::at(&MS012, stage)
            .message(format!(
                "the final stage {} is built on `scratch`{through} and no CA certificates are \
                 copied in: HTTPS calls will fail with \"certificate signed by unknown authority\"",
                stage.label()
            ))
            .fix(
                "copy the trust store from a stage that has it: `COPY --from=build \
                 /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/`",
            ),
    );
}
