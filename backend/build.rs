//! Compiles the embedded admin's built assets (`backend/admin/dist`, written by Vite) into the
//! binary: a table of every file under `dist/assets` and the entry's script and styles, read from
//! Vite's manifest. Without a build the table is empty and the admin says how to build it.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let dist = Path::new(&manifest_dir).join("admin").join("dist");
    println!("cargo:rerun-if-changed={}", dist.display());
    let mut code = String::from("// Written by build.rs from backend/admin/dist.\n");
    let manifest = std::fs::read_to_string(dist.join(".vite").join("manifest.json")).ok();
    let entry = manifest
        .as_deref()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(text).ok())
        .and_then(|manifest| manifest.as_object()?.values().find(|chunk| chunk["isEntry"] == true).cloned());
    let name = |path: &str| path.trim_start_matches("assets/").to_owned();
    let script = entry.as_ref().and_then(|entry| entry["file"].as_str()).map(name);
    let styles: Vec<String> = entry
        .as_ref()
        .and_then(|entry| entry["css"].as_array())
        .map(|css| css.iter().filter_map(|file| file.as_str()).map(name).collect())
        .unwrap_or_default();
    if script.is_none() {
        println!(
            "cargo:warning=the embedded admin is not built (npm run build:admin); its pages will say so"
        );
    }
    let _ = writeln!(code, "/// The entry script, when the admin is built.");
    let _ = writeln!(code, "pub static ENTRY_SCRIPT: Option<&str> = {script:?};");
    let _ = writeln!(code, "/// The entry's styles.");
    let _ = writeln!(code, "pub static ENTRY_STYLES: &[&str] = &{styles:?};");
    let _ = writeln!(code, "/// Every built file under `assets/`: its name and bytes.");
    code.push_str("pub static FILES: &[(&str, &[u8])] = &[\n");
    let mut files: Vec<_> = std::fs::read_dir(dist.join("assets"))
        .map(|entries| entries.filter_map(Result::ok).map(|entry| entry.path()).collect())
        .unwrap_or_default();
    files.sort();
    for path in files.iter().filter(|path| path.is_file()) {
        let file = path.file_name().and_then(|name| name.to_str()).unwrap_or_default();
        let _ = writeln!(code, "    ({file:?}, include_bytes!({:?})),", path.display().to_string());
    }
    code.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").unwrap_or_default()).join("admin_assets.rs");
    if let Err(error) = std::fs::write(&out, code) {
        println!("cargo:warning=cannot write {}: {error}", out.display());
    }
}
