#!/usr/bin/env bash
# Shared set-up for scripts/serve.sh and scripts/test.sh: installs whatever is missing, fast
# when everything is already there. Source it (`. scripts/setup.sh`); it exports:
#   WASM_PATH   PATH to use for wasm32 builds (a toolchain that has the wasm32 std first)
#   WASM_TOOLCHAIN  "rustup" or "debian" (the fallback, which has no clippy)
#   TOOLS_DIR   where npm tools (wasm-opt from binaryen, playwright-core, axe-core) live
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WASM_BINDGEN_VERSION="0.2.130"   # must equal the `=` pin of wasm-bindgen in Cargo.toml
TRUNK_VERSION="0.21.14"          # newer Trunk needs rustc >= 1.96.1
BINARYEN_VERSION="132.0.0"       # Debian's binaryen is too old for current wasm
PLAYWRIGHT_VERSION="1.65.1"
AXE_CORE_VERSION="4.14.1"        # the accessibility checks of the end-to-end tests
TOOLS_DIR="${RAFT_EXPLORER_TOOLS:-$HOME/.cache/raft-explorer/tools}"
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
export PATH="$CARGO_HOME/bin:$PATH"

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*" >&2; }

SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then SUDO="sudo"; fi
APT_UPDATED=""
apt_install() {
    local missing=()
    for pkg in "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    say "installing Debian packages: ${missing[*]} (once)"
    if [ -z "$APT_UPDATED" ]; then $SUDO apt-get update -qq; APT_UPDATED=1; fi
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
}

# --- 1. A Rust toolchain that can build for wasm32-unknown-unknown -----------------------
# A normal machine: rustup downloads the target. Here rustup cannot, so fall back to Debian's
# rustc-web (Rust 1.96 + std source) and build std for wasm32 once into its sysroot.
wasm_std_installed() { ls "$1"/lib/rustlib/wasm32-unknown-unknown/lib/libstd-*.rlib >/dev/null 2>&1; }

setup_wasm_toolchain() {
    # RAFT_EXPLORER_WASM_TOOLCHAIN=debian forces the fallback (to test it on a machine with rustup).
    if command -v rustup >/dev/null 2>&1 && [ "${RAFT_EXPLORER_WASM_TOOLCHAIN:-}" != debian ]; then
        local sysroot
        sysroot="$(rustc --print sysroot)"
        if wasm_std_installed "$sysroot"; then WASM_PATH="$PATH"; WASM_TOOLCHAIN=rustup; return; fi
        say "adding the wasm32-unknown-unknown target with rustup"
        if timeout 120 rustup target add wasm32-unknown-unknown >/dev/null 2>&1 && wasm_std_installed "$sysroot"; then
            WASM_PATH="$PATH"; WASM_TOOLCHAIN=rustup; return
        fi
        say "rustup cannot download the wasm32 target here; using Debian's rustc-web instead"
    fi
    apt_install rustc-web cargo-web rust-web-src lld-22
    local deb_sysroot=/usr
    local lld_link=/usr/lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-lld
    if [ ! -e "$lld_link" ]; then
        $SUDO mkdir -p "$(dirname "$lld_link")"
        $SUDO ln -sf /usr/lib/llvm-22/bin/lld "$lld_link"
    fi
    if ! wasm_std_installed "$deb_sysroot"; then
        say "building Rust std for wasm32 from Debian's source (once, a few minutes)"
        local scratch
        scratch="$(mktemp -d)"
        mkdir -p "$scratch/src"
        printf '[package]\nname = "wasm-std-builder"\nversion = "0.0.0"\nedition = "2021"\n[lib]\npath = "src/lib.rs"\n' >"$scratch/Cargo.toml"
        echo '#![no_std]' >"$scratch/src/lib.rs"
        # embed-bitcode: LTO needs it ("Can't find section .llvmbc"); `test`: wasm tests need it.
        (cd "$scratch" && PATH="/usr/bin:$PATH" RUSTC_BOOTSTRAP=1 RUSTFLAGS=-Cembed-bitcode=yes \
            /usr/bin/cargo build --release --quiet --target wasm32-unknown-unknown \
            -Zbuild-std=std,panic_abort,test,proc_macro)
        local dest=/usr/lib/rustlib/wasm32-unknown-unknown/lib
        $SUDO mkdir -p "$dest"
        find "$scratch/target/wasm32-unknown-unknown/release/deps" -name 'lib*.rlib' \
            ! -name 'libwasm_std_builder-*' -exec $SUDO cp {} "$dest/" \;
        rm -rf "$scratch"
        # Stale artifacts built against the old sysroot fail with "can't find crate".
        rm -rf "$REPO_ROOT/target/wasm"
    fi
    WASM_PATH="/usr/bin:$PATH"
    WASM_TOOLCHAIN=debian
}

# --- 2. Cargo-installed tools --------------------------------------------------------------
cargo_tool() { # name version extra-args...
    local bin="$1" version="$2"; shift 2
    if "$bin" --version 2>/dev/null | grep -q "$version"; then return; fi
    say "installing $bin $version from crates.io (once, several minutes)"
    cargo install --quiet "$@" --version "$version"
}

# --- 3. npm tools: wasm-opt (binaryen), playwright-core (drives Debian's Chromium), axe-core ---
npm_tool_is() { # package version
    grep -q "\"version\": \"$2\"" "$TOOLS_DIR/node_modules/$1/package.json" 2>/dev/null
}

setup_npm_tools() {
    if [ -x "$TOOLS_DIR/node_modules/.bin/wasm-opt" ] && [ -d "$TOOLS_DIR/node_modules/playwright-core" ] \
        && npm_tool_is binaryen "$BINARYEN_VERSION" && npm_tool_is axe-core "$AXE_CORE_VERSION"; then
        return
    fi
    command -v npm >/dev/null || apt_install nodejs npm
    say "installing binaryen $BINARYEN_VERSION, playwright-core and axe-core from npm (once)"
    mkdir -p "$TOOLS_DIR"
    [ -f "$TOOLS_DIR/package.json" ] || echo '{"name":"raft-explorer-tools","private":true}' >"$TOOLS_DIR/package.json"
    (cd "$TOOLS_DIR" && npm install --silent --no-audit --no-fund \
        "binaryen@$BINARYEN_VERSION" "playwright-core@$PLAYWRIGHT_VERSION" \
        "axe-core@$AXE_CORE_VERSION" >/dev/null)
}

setup_all() {
    setup_wasm_toolchain
    cargo_tool wasm-bindgen "$WASM_BINDGEN_VERSION" wasm-bindgen-cli   # no --locked: see README
    cargo_tool trunk "$TRUNK_VERSION" trunk --locked
    setup_npm_tools
    apt_install chromium chromium-driver
    # xz packs the pages' wasm (Trunk.toml's post_build hook, scripts/pack-wasm.sh).
    apt_install xz-utils
    # Trunk must stay offline: it finds wasm-bindgen and wasm-opt on PATH (Trunk.toml pins them).
    export PATH="$TOOLS_DIR/node_modules/.bin:$PATH"
    WASM_PATH="$TOOLS_DIR/node_modules/.bin:$WASM_PATH"
    export WASM_PATH WASM_TOOLCHAIN TOOLS_DIR REPO_ROOT
    # Native and wasm builds may use different compilers: keep their artifacts apart.
    export WASM_TARGET_DIR="$REPO_ROOT/target/wasm"
}
