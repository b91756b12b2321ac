#!/bin/sh
# Builds the libFuzzer harnesses with swiftc (no SwiftPM: the fuzzer and address sanitizers must
# instrument RuleBase and RuleYAML as well as the entry points): fuzz-yaml (the YAML front end)
# and fuzz-json (the facts JSON parser).
# Usage: Tools/fuzz/build.sh [output-dir]   (run from anywhere; default output .build-fuzz)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/.build-fuzz}
mkdir -p "$out"
flags="-sanitize=fuzzer,address -parse-as-library -O -g -swift-version 6"
swiftc $flags -wmo -module-name RuleBase -emit-module -emit-module-path "$out/RuleBase.swiftmodule" \
    -c $(find "$root/Sources/RuleBase" -name '*.swift') -o "$out/RuleBase.o"
swiftc $flags -wmo -module-name RuleYAML -I "$out" -I "$root/Sources/CYAML" \
    -emit-module -emit-module-path "$out/RuleYAML.swiftmodule" \
    -c $(find "$root/Sources/RuleYAML" -name '*.swift') -o "$out/RuleYAML.o"
swiftc $flags -module-name FuzzYAML -I "$out" -I "$root/Sources/CYAML" \
    "$root/Tools/fuzz/FuzzYAML.swift" "$out/RuleBase.o" "$out/RuleYAML.o" -lyaml -o "$out/fuzz-yaml"
echo "built $out/fuzz-yaml"
swiftc $flags -module-name FuzzJSON -I "$out" "$root/Tools/fuzz/FuzzJSON.swift" "$out/RuleBase.o" -o "$out/fuzz-json"
echo "built $out/fuzz-json"
