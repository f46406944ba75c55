# Sourced by scripts/build.sh and scripts/test.sh.

# Module size budget of the discount Function as built (Shopify's limit is 256 kB; kB = 1000 B).
FUNCTION_MAX_BYTES=48000

# Builds the discount Function exactly as the Shopify CLI does, with the command and path in
# shopify.extension.toml run from the extension's directory, and fails over the size budget.
build_function() {
  local build_command module_path module size
  IFS=$'\t' read -r build_command module_path < <(python3 -c '
import tomllib
build = tomllib.load(open("extensions/segment-discount/shopify.extension.toml", "rb"))["extensions"][0]["build"]
print(build["command"] + "\t" + build["path"])')
  module="extensions/segment-discount/$module_path"
  # `shopify app build` rewrites the module at this path in place (trampolined and optimised),
  # and the file is a hard link to cargo's own copy in deps/, so cargo would not rebuild it.
  # Removing both makes the check measure what the build command makes.
  local crate
  crate=$(basename "$module" .wasm | tr - _)
  rm -f "$module" "$(dirname "$module")"/deps/"$crate"-*.wasm
  echo "$build_command"
  (cd extensions/segment-discount && $build_command --locked)
  size=$(stat -c %s "$module")
  echo "$module: $size bytes (budget $FUNCTION_MAX_BYTES)"
  if [ "$size" -gt "$FUNCTION_MAX_BYTES" ]; then
    echo "the discount Function is over its size budget" >&2
    return 1
  fi
}
