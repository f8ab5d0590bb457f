use tallyman_sdk::model::Instruction;
use tallyman_sdk::{Dockerfile, Finding, Span};

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags a port of `EXPOSE` whose protocol is not written in lower case:
    /// `80/TCP`, `53/Udp`. The protocol is read after variables are
    /// expanded, as BuildKit reads it.
    ///
    /// ## Why is this bad?
    /// BuildKit lower-cases the protocol, so the image is the same; but the
    /// image configuration, `docker inspect` and every tool that compares
    /// port specifications write `80/tcp`, and `docker build` warns about
    /// the spelling.
    ///
    /// ## Example
    /// ```dockerfile
    /// EXPOSE 80/TCP 53/UDP
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// EXPOSE 80/tcp 53/udp
    /// ```
    ///
    /// `tallyman fix` lower-cases the protocol (safe: BuildKit reads it in
    /// any case).
    pub const ST003 = {
        id: "ST003",
        title: "EXPOSE protocol not in lower case",
        severity: Info,
        tags: ["style"],
        equivalents: ["buildkit:ExposeProtoCasing"],
    };
}

pub fn check(dockerfile: &Dockerfile, findings: &mut Vec<Finding>) {
    for (stage, instruction) in dockerfile.instructions() {
        let Some(ports) = instruction.as_expose() else {
            continue;
        };
        for port in ports {
            // BuildKit cuts at the first `/`, and refuses protocols other
            // than these three (in any case).
            let Some((number, protocol)) = port.expanded.split_once('/') else {
                continue;
            };
            let lower = protocol.to_ascii_lowercase();
            if protocol == lower || !matches!(lower.as_str(), "tcp" | "udp" | "sctp") {
                continue;
            }
            let lower = format!("{number}/{lower}");
            findings.push(
                Finding::at(&ST003, (stage, instruction))
                    .message(format!(
                        "the protocol of `{}` is not in lower case",
                        port.expanded
                    ))
                    .fix(format!("write `{lower}`"))
                    .edit(
                        protocol_span(instruction, &port.written, protocol),
                        protocol.to_ascii_lowercase(),
                    ),
            );
        }
    }
}

/// Where the protocol of the first port written `written` is on a one-line
/// `EXPOSE`, when it is written as the expanded text has it.
fn protocol_span(instruction: &Instruction, written: &str, protocol: &str) -> Option<Span> {
    let (_, written_protocol) = written.rsplit_once('/')?;
    if written_protocol != protocol {
        return None;
    }
    let text = &instruction.original;
    let mut offset = 0;
    for token in text.split([' ', '\t']) {
        if token == written {
            let end = offset + token.len();
            return instruction.text_span(end - protocol.len()..end);
        }
        offset += token.len() + 1;
    }
    None
}
