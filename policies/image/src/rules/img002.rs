use tallyman_sdk::{Finding, Image};

use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags an image whose configuration says it was built for another
    /// platform (`os/architecture[/variant]`) than the one the check asked
    /// for (`tallyman image --platform`, `linux/amd64` by default). A
    /// single-platform image is read whatever its platform, so this is
    /// where a mismatch shows. A variant is compared only when one was
    /// asked for.
    ///
    /// ## Why is this bad?
    /// An `arm64` image pushed where `amd64` nodes pull it fails at start
    /// (`exec format error`) or, with emulation installed, runs many times
    /// slower. Catching it before the push is cheaper than in production.
    ///
    /// ## Example
    /// ```sh
    /// docker buildx build --platform linux/arm64 --output type=oci,dest=build/image,tar=false .
    /// tallyman image oci:build/image          # asks for linux/amd64
    /// ```
    ///
    /// ## Fix
    /// Build for the platform you deploy, or a multi-platform image, or
    /// check with the `--platform` you mean:
    /// ```sh
    /// docker buildx build --platform linux/amd64,linux/arm64 --output type=oci,dest=build/image,tar=false .
    /// tallyman image oci:build/image --platform linux/arm64
    /// ```
    pub const IMG002 = {
        id: "IMG002",
        title: "Image built for another platform",
        severity: High,
        tags: ["target:image", "reliability"],
        equivalents: [],
    };
}

pub fn check(image: &Image, _: &Settings, findings: &mut Vec<Finding>) {
    let built = &image.platform;
    let wanted = &image.requested_platform;
    let variant_differs = match (&wanted.variant, &built.variant) {
        (Some(w), Some(b)) => w != b,
        // arm64 without a variant is v8.
        (Some(w), None) => !(built.architecture == "arm64" && w == "v8"),
        (None, _) => false,
    };
    if built.os == wanted.os && built.architecture == wanted.architecture && !variant_differs {
        return;
    }
    let describe = |p: &tallyman_sdk::model::Platform| match &p.variant {
        Some(v) => format!("{}/{}/{v}", p.os, p.architecture),
        None => format!("{}/{}", p.os, p.architecture),
    };
    findings.push(
        Finding::new(&IMG002)
            .message(format!(
                "the image is built for {}, not for {} as asked",
                describe(built),
                describe(wanted)
            ))
            .fix("build for the platform you deploy (`docker buildx build --platform ...`) or check with the right `--platform`"),
    );
}
