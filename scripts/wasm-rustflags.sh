# Sourced by the scripts that build the release wasm: build-pkg.sh, size.sh and bench-client.sh.
# Sets wasm_rustflags to the RUSTFLAGS of those builds, followed by any RUSTFLAGS of the caller.
#
# The .wasm keeps the file paths of the panic locations in the standard library and in
# dependencies. Without these flags it would carry this machine's cargo registry path, such as
# /home/USER/.cargo/registry/src, and with the rust-src component installed, its toolchain path.
# Its size would then change with the length of those paths. The flags map both to fixed paths:
# /cargo/registry/src, and /rustc/COMMIT, the path that Rust's own builds of the standard library
# use.
wasm_registry="${CARGO_HOME:-$HOME/.cargo}/registry/src"
wasm_rust_src="$(rustc --print sysroot)/lib/rustlib/src/rust"
wasm_rustc_commit=$(rustc -vV | sed -n 's/^commit-hash: //p')
wasm_rustflags="--remap-path-prefix=$wasm_registry=/cargo/registry/src"
wasm_rustflags+=" --remap-path-prefix=$wasm_rust_src=/rustc/$wasm_rustc_commit"
wasm_rustflags+="${RUSTFLAGS:+ $RUSTFLAGS}"
