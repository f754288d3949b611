"""Prints what takes the bytes of a .wasm file, before compression.

It reads the function names from the file's name section, so it needs a build that keeps them:

    bash scripts/build-pkg.sh --keep-names --out /tmp/pkg-named
    python3 bench/size/weigh.py /tmp/pkg-named/web/renew_fetch_bg.wasm [COUNT]

It prints the size of the data section and of all function bodies, the body sizes summed by the
crate that each function's name starts with, and the COUNT largest functions (40 unless given).
Names that start with no crate path, such as wasm-bindgen's export shims, are grouped by their
first words and marked with "?".
"""

import collections
import re
import sys

SECTION_IMPORT = 2
SECTION_CODE = 10
SECTION_DATA = 11
SECTION_CUSTOM = 0
NAME_FUNCTIONS = 1
IMPORT_FUNCTION = 0


def leb(data, offset):
    """Returns the unsigned LEB128 number at offset and the offset after it."""
    value = shift = 0
    while True:
        byte = data[offset]
        offset += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, offset


def skip_limits(data, offset):
    """Returns the offset after the limits of a table or memory type."""
    flags, offset = leb(data, offset)
    _, offset = leb(data, offset)
    if flags & 1:
        _, offset = leb(data, offset)
    return offset


def count_function_imports(data, offset):
    """Returns how many functions the import section at offset imports."""
    count, offset = leb(data, offset)
    functions = 0
    for _ in range(count):
        for _ in range(2):  # module name, then field name
            length, offset = leb(data, offset)
            offset += length
        kind = data[offset]
        offset += 1
        if kind == IMPORT_FUNCTION:
            _, offset = leb(data, offset)
            functions += 1
        elif kind == 1:  # table: element type, then limits
            offset = skip_limits(data, offset + 1)
        elif kind == 2:  # memory
            offset = skip_limits(data, offset)
        elif kind == 3:  # global: value type, then mutability
            offset += 2
        elif kind == 4:  # tag: attribute, then type index
            _, offset = leb(data, offset + 1)
        else:
            raise ValueError(f"import kind {kind} is unknown to this script")
    return functions


def function_names(data, offset, end):
    """Returns the function names of the name section that starts at offset."""
    names = {}
    while offset < end:
        kind = data[offset]
        size, offset = leb(data, offset + 1)
        if kind == NAME_FUNCTIONS:
            count, position = leb(data, offset)
            for _ in range(count):
                index, position = leb(data, position)
                length, position = leb(data, position)
                names[index] = data[position : position + length].decode("utf-8", "replace")
                position += length
        offset += size
    return names


def weigh(data):
    """Returns the data section's size, the function body sizes and the function names."""
    if data[:4] != b"\0asm":
        raise ValueError("the file is not WebAssembly")
    offset = 8
    imports = 0
    bodies = []
    names = {}
    data_size = 0
    while offset < len(data):
        section = data[offset]
        size, offset = leb(data, offset + 1)
        end = offset + size
        if section == SECTION_IMPORT:
            imports = count_function_imports(data, offset)
        elif section == SECTION_CODE:
            count, position = leb(data, offset)
            for _ in range(count):
                length, position = leb(data, position)
                bodies.append(length)
                position += length
        elif section == SECTION_DATA:
            data_size = size
        elif section == SECTION_CUSTOM:
            length, position = leb(data, offset)
            if data[position : position + length] == b"name":
                names = function_names(data, position + length, end)
        offset = end
    named = [(size, names.get(imports + index, f"function {imports + index}")) for index, size in enumerate(bodies)]
    return data_size, named, bool(names)


def crate_of(name):
    """Returns the crate that a function's name starts with, or a "?" label for other names."""
    match = re.match(r"<?([a-z_0-9]+)(::|\[)", name)
    if match:
        return match.group(1)
    # A trait method of a type without a path, such as <i64 as core::fmt::Display>::fmt, counts
    # for the trait's crate.
    trait = re.match(r"<[^<>]* as ([a-z_0-9]+)(::|\[)", name)
    return trait.group(1) if trait else "?" + " ".join(name.split()[:2])


def main():
    if len(sys.argv) not in (2, 3) or (len(sys.argv) == 3 and not sys.argv[2].isdigit()):
        sys.exit("usage: python3 bench/size/weigh.py FILE.wasm [COUNT]")
    count = int(sys.argv[2]) if len(sys.argv) == 3 else 40
    try:
        with open(sys.argv[1], "rb") as file:
            data_size, functions, has_names = weigh(file.read())
    except (OSError, ValueError) as error:
        sys.exit(f"weigh: cannot read {sys.argv[1]}: {error}")
    if not has_names:
        sys.exit("weigh: the file has no function names; build it with scripts/build-pkg.sh --keep-names")
    print(f"data section {data_size} B, {len(functions)} functions, code {sum(size for size, _ in functions)} B")
    print("--- by crate")
    crates = collections.Counter()
    for size, name in functions:
        crates[crate_of(name)] += size
    for crate, size in crates.most_common(25):
        print(f"{size:8d}  {crate}")
    print(f"--- the {count} largest functions")
    for size, name in sorted(functions, reverse=True)[:count]:
        print(f"{size:8d}  {name[:150]}")


if __name__ == "__main__":
    main()
