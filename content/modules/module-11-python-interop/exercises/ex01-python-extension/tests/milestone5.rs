//! Milestone 5: a versioned ABI and a C header that matches the library.
//!
//! The header is yours, `include/rollstats.h` in this crate. The `ctypes_*` tests run the harness
//! below in `python3` (see milestone 2 for how) with the library and the header: it checks the
//! header's declarations against the ABI, its version macros against `rs_abi_version()`, and, on
//! Linux, the library's exported `rs_*` symbols against the header.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use ex01_python_extension::ffi::rs_abi_version;

/// Runs in `python3 -I - <library> <check> <header>`.
const HARNESS: &str = r##"
import ctypes
import re
import struct
import sys

LIBRARY, CHECK, HEADER = sys.argv[1], sys.argv[2], sys.argv[3]
lib = ctypes.CDLL(LIBRARY)
lib.rs_abi_version.restype = ctypes.c_uint32
lib.rs_abi_version.argtypes = []

ABI = """
uint32_t rs_abi_version()
char* rs_last_error()
int rs_debug_panic()
RsStats* rs_stats_new()
void rs_stats_free(RsStats*)
int rs_stats_extend(RsStats*, const double*, size_t)
int rs_stats_extend_text(RsStats*, const uint8_t*, size_t)
int rs_stats_merge(RsStats*, const RsStats*)
int rs_stats_summary(const RsStats*, RsSummary*)
char* rs_stats_describe(const RsStats*)
int rs_rolling_mean(const double*, size_t, size_t, double**, size_t*)
int rs_rolling_std(const double*, size_t, size_t, size_t, double**, size_t*)
void rs_buffer_free(double*, size_t)
void rs_string_free(char*)
RsShared* rs_shared_new()
void rs_shared_free(RsShared*)
int rs_shared_extend(const RsShared*, const double*, size_t)
int rs_shared_summary(const RsShared*, RsSummary*)
uint64_t rs_shared_batches(const RsShared*)
size_t rs_output_len(size_t, size_t)
int rs_rolling_mean_into(const double*, size_t, size_t, double*, size_t)
int rs_rolling_std_into(const double*, size_t, size_t, size_t, double*, size_t)
"""
EXPECTED = {line.split("(")[0].split()[-1]: line for line in ABI.strip().splitlines()}
TYPES = {"const", "void", "char", "int", "double", "size_t", "uint8_t", "uint32_t", "uint64_t", "RsStats", "RsShared", "RsSummary"}


def expect(condition, what):
    if not condition:
        raise AssertionError(what)


def expect_eq(actual, expected, what):
    expect(actual == expected, f"{what}: expected {expected!r}, got {actual!r}")


def header_text():
    with open(HEADER, encoding="utf-8") as file:
        text = file.read()
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def c_type(declaration):
    """`const double *values` -> `const double*`: the type, without the parameter's name."""
    tokens = re.findall(r"[A-Za-z_]\w*|\*", declaration)
    if len(tokens) > 1 and tokens[-1] != "*" and tokens[-1] not in TYPES:
        tokens = tokens[:-1]
    words = " ".join(t for t in tokens if t != "*")
    return words + "*" * tokens.count("*")


def prototypes(text):
    found = {}
    for match in re.finditer(r"([A-Za-z_][\w\s\*]*?)\b(rs_\w+)\s*\(([^()]*)\)\s*;", text):
        returns, name, parameters = match.groups()
        parameters = [] if parameters.strip() in ("", "void") else parameters.split(",")
        expect(name not in found, f"{name} is declared twice")
        found[name] = f"{c_type(returns.split(';')[-1].split('}')[-1])} {name}({', '.join(c_type(p) for p in parameters)})"
    return found


def defines(text):
    return {name: int(value) for name, value in re.findall(r"#define\s+(\w+)\s+(\d+)\s*$", text, flags=re.M)}


def exported_rs_functions():
    """The defined, global `rs_*` functions in an ELF64 little-endian library's dynamic symbol table, or None elsewhere."""
    with open(LIBRARY, "rb") as file:
        data = file.read()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        return None
    (section_offset,) = struct.unpack_from("<Q", data, 0x28)
    entry_size, count = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, section_offset + i * entry_size) for i in range(count)]
    names = set()
    for _, kind, _, _, offset, size, link, _, _, symbol_size in sections:
        if kind != 11:  # SHT_DYNSYM
            continue
        strings = sections[link][4]
        for j in range(size // symbol_size):
            name, info, _, section, _, _ = struct.unpack_from("<IBBHQQ", data, offset + j * symbol_size)
            if section != 0 and info & 0xF == 2 and info >> 4 in (1, 2):  # defined FUNC, GLOBAL or WEAK
                end = data.index(b"\0", strings + name)
                names.add(data[strings + name : end].decode())
    return {name for name in names if name.startswith("rs_")}


def check_version():
    version = lib.rs_abi_version()
    values = defines(header_text())
    expect_eq((version >> 16, version & 0xFFFF), (1, 2), "rs_abi_version() as (major, minor)")
    expect_eq(
        (values.get("ROLLSTATS_ABI_VERSION_MAJOR"), values.get("ROLLSTATS_ABI_VERSION_MINOR")),
        (1, 2),
        "the header's ROLLSTATS_ABI_VERSION_MAJOR and _MINOR",
    )


def check_prototypes():
    text = header_text()
    expect(re.search(r"#ifndef\s+ROLLSTATS_H\s+#define\s+ROLLSTATS_H\b", text), "an include guard: #ifndef ROLLSTATS_H / #define ROLLSTATS_H")
    expect(re.search(r"#include\s*<stdint\.h>", text) and re.search(r"#include\s*<stddef\.h>", text), "includes <stddef.h> and <stdint.h>")
    expect(re.search(r'#ifdef\s+__cplusplus\s+extern\s+"C"\s*\{', text), 'an extern "C" block for C++ callers')
    found = prototypes(text)
    missing = sorted(set(EXPECTED) - set(found))
    extra = sorted(set(found) - set(EXPECTED))
    expect(not missing and not extra, f"the header declares {len(found)} functions; missing {missing}, not in the ABI {extra}")
    for name, line in EXPECTED.items():
        expect_eq(found[name], line, f"the declaration of {name}")


def check_types():
    text = header_text()
    values = defines(text)
    for name, value in [("RS_OK", 0), ("RS_ERR_NULL", 1), ("RS_ERR_VALUE", 2), ("RS_ERR_NON_FINITE", 3), ("RS_ERR_PARSE", 4), ("RS_ERR_PANIC", 5)]:
        expect_eq(values.get(name), value, f"#define {name}")
    for name in ("RsStats", "RsShared"):
        expect(re.search(rf"typedef\s+struct\s+{name}\s+{name}\s*;", text), f"an opaque `typedef struct {name} {name};`")
    match = re.search(r"typedef\s+struct\s+RsSummary\s*\{([^}]*)\}\s*RsSummary\s*;", text)
    expect(match, "a `typedef struct RsSummary { ... } RsSummary;`")
    fields = [" ".join(field.split()) for field in match.group(1).split(";") if field.strip()]
    expected = ["uint64_t count", "double mean", "double variance", "double min", "double max"]
    expect_eq(fields, expected, "RsSummary's fields, one declaration each, in order")


def check_exports():
    declared = set(prototypes(header_text()))
    for name in sorted(declared):
        expect(hasattr(lib, name), f"{name} is declared in the header but not exported by the library")
    exported = exported_rs_functions()
    if exported is not None:
        expect_eq(sorted(exported - declared), [], "rs_* functions the library exports but the header does not declare")
        expect_eq(sorted(declared - exported), [], "declared functions missing from the dynamic symbol table")


CHECKS = {name[len("check_"):]: f for name, f in list(globals().items()) if name.startswith("check_")}
CHECKS[CHECK]()
print("ok " + CHECK)
"##;

/// The shared library cargo built for this crate. `cargo test` compiles the library once with both
/// crate types, leaving the cdylib in `<target>/<profile>/deps/` beside the test executable
/// (`cargo build` also copies it up to `<target>/<profile>/`, which is searched second).
fn cdylib_path() -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable's path");
    let deps = exe.parent().expect("the test executable's folder");
    let name = format!(
        "{}ex01_python_extension{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    );
    let candidates: Vec<PathBuf> = [Some(deps), deps.parent()]
        .into_iter()
        .flatten()
        .map(|dir| dir.join(&name))
        .collect();
    candidates
        .iter()
        .find(|path| path.is_file())
        .cloned()
        .unwrap_or_else(|| {
            panic!(
                "no shared library {name} in {candidates:?}: the crate must build a cdylib \
                 (`crate-type = [\"cdylib\", \"rlib\"]` under [lib] in Cargo.toml)"
            )
        })
}

fn header_path() -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("include/rollstats.h");
    assert!(
        path.is_file(),
        "no header at {}: milestone 5 asks for include/rollstats.h in this crate",
        path.display()
    );
    path
}

/// Runs one check of the harness in a fresh `python3` with the library and the header, and fails
/// with its output unless it printed `ok <check>` and exited 0.
fn run_harness(check: &str) {
    let library = cdylib_path();
    let header = header_path();
    let mut child = Command::new("python3")
        .arg("-I")
        .arg("-")
        .arg(&library)
        .arg(check)
        .arg(&header)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| {
            panic!(
                "could not run `python3` ({error}): milestone 5's ctypes tests need Python 3.8+ on PATH"
            )
        });
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(HARNESS.as_bytes())
        .expect("sending the harness to python3");
    let output = child.wait_with_output().expect("waiting for python3");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.lines().last() == Some(format!("ok {check}").as_str()),
        "the check `{check}` failed ({}) against {} and {}\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        output.status,
        library.display(),
        header.display()
    );
}

#[test]
fn direct_abi_version_is_1_2() {
    assert_eq!(
        rs_abi_version(),
        0x0001_0002,
        "(major << 16) | minor for ABI 1.2"
    );
}

#[test]
fn ctypes_abi_version_matches_the_header_macros() {
    run_harness("version");
}

#[test]
fn ctypes_header_declares_exactly_the_abi_with_guards() {
    run_harness("prototypes");
}

#[test]
fn ctypes_header_defines_status_codes_handles_and_the_summary_struct() {
    run_harness("types");
}

#[test]
fn ctypes_library_exports_exactly_the_functions_the_header_declares() {
    run_harness("exports");
}
