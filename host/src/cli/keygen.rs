//! `tallyman keygen --out PREFIX`: an ed25519 key pair for signing results
//! and policies.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use crate::attest::keys;

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Write PREFIX.key (private, PKCS#8 PEM, mode 0600) and PREFIX.pub (public, SPKI PEM).
    #[arg(long, value_name = "PREFIX")]
    out: PathBuf,
    /// Replace an existing key pair.
    #[arg(long)]
    force: bool,
}

pub fn run(args: &KeygenArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let key = keys::generate()?;
    let [private, public] = keys::write_key_pair(&key, &args.out, args.force)?;
    writeln!(out, "private key: {}", private.display())?;
    writeln!(out, "public key:  {}", public.display())?;
    writeln!(out, "keyid:       {}", keys::keyid(&key.verifying_key())?)?;
    Ok(())
}
