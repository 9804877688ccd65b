//! Build script: with the `transformer` feature, records where libtorch lives as an rpath.
//!
//! tch links against libtorch's shared libraries; without an rpath every binary, test and
//! bench would need `LD_LIBRARY_PATH`. `scripts/with-libtorch.sh` sets
//! `NEWSCLAIMS_LIBTORCH_RPATH` (else `LIBTORCH/lib` is used). The default build never
//! looks at libtorch.

fn main() {
    println!("cargo:rerun-if-env-changed=NEWSCLAIMS_LIBTORCH_RPATH");
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    if std::env::var_os("CARGO_FEATURE_TRANSFORMER").is_none() {
        return;
    }
    let dir = std::env::var("NEWSCLAIMS_LIBTORCH_RPATH")
        .ok()
        .or_else(|| std::env::var("LIBTORCH").ok().map(|t| format!("{t}/lib")));
    if let Some(dir) = dir {
        // Applies to every linked target: the binary, unit and integration tests, benches.
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    }
}
