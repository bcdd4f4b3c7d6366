"""Freestanding C++20 builds with clang 14 and ld.lld 14 for the bare-metal backends.

The same portable sources (src/) compile for the host through cc_library and,
through these rules, for x86_64, aarch64 and riscv64 kernels. Flags follow
/work/shared/notes/qemu-boot.md: a `<arch>-linux-gnu` target so clang finds the
matching libstdc++ headers (only header-only facilities are usable), plus
-ffreestanding and everything that would pull in a hosted runtime turned off.

  freestanding_objects: compiles sources for one arch and links them into one
      relocatable object (ld.lld -r); used to prove src/ builds for every arch
      and shared, as loose objects, with the kernels that depend on it.
  freestanding_kernel: compiles sources for one arch and links them, with the
      objects of its deps, into a kernel ELF with the given linker script.

Every source is one compile action; every header of srcs and deps is an input.
"""

# System tools (Debian's clang-14 and lld-14 packages), by absolute path so the
# actions do not depend on PATH.
_CLANG = "/usr/bin/clang++-14"
_LD_LLD = "/usr/bin/ld.lld-14"

ARCHES = ["x86_64", "aarch64", "riscv64"]

_COMMON_COPTS = [
    "-std=c++20",
    "-O2",
    "-g",
    # Debug info names sources relative to the workspace, not the sandbox.
    "-ffile-compilation-dir=.",
    "-ffreestanding",
    "-fno-exceptions",
    "-fno-rtti",
    "-fno-threadsafe-statics",
    "-fno-stack-protector",
    "-fno-pic",
    "-fno-pie",
    "-fno-asynchronous-unwind-tables",
    "-fno-unwind-tables",
    "-fno-common",
    "-Wall",
    "-Wextra",
    "-Wno-unused-parameter",
    "-Wthread-safety",
    "-Werror",
    # Includes are written from the workspace root: "src/hal/cpu.h".
    "-I.",
]

_ARCH_COPTS = {
    # The kernel is linked low (1 MiB, identity mapped), so the default small
    # code model fits; SSE is off because nothing saves its state in traps, x87
    # stays so <atomic>/<limits> can declare long double.
    "x86_64": [
        "--target=x86_64-linux-gnu",
        "-mno-mmx",
        "-mno-sse",
        "-mno-sse2",
        "-mno-avx",
        "-mno-red-zone",
    ],
    # Outline atomics would call libgcc's __aarch64_* helpers.
    "aarch64": [
        "--target=aarch64-linux-gnu",
        "-mcpu=cortex-a72",
        "-mgeneral-regs-only",
        "-mstrict-align",
        "-mno-outline-atomics",
    ],
    # lld 14 cannot relax RISC-V code; the image sits above 2 GiB (medany).
    "riscv64": [
        "--target=riscv64-linux-gnu",
        "-march=rv64imac",
        "-mabi=lp64",
        "-mcmodel=medany",
        "-mno-relax",
    ],
}

_LINK_FLAGS = [
    "-nostdlib",
    "-static",
    "--no-dynamic-linker",
    "--build-id=none",
    "-z",
    "max-page-size=4096",
    "-z",
    "noexecstack",
]

FreestandingInfo = provider(
    doc = "Objects compiled freestanding for one architecture, and their headers.",
    fields = {
        "arch": "The architecture the objects are for.",
        "objects": "depset of object files, to be linked as loose objects.",
        "headers": "depset of the headers the objects were compiled with.",
    },
)

_SOURCE_EXTENSIONS = ["cc", "S"]

def _support_include_dir(ctx):
    # bazel/freestanding/include/gnu/stubs-lp64.h -> bazel/freestanding/include
    stub = ctx.file._stubs_lp64
    return stub.dirname.rsplit("/", 1)[0]

def _compile(ctx):
    """One compile action per source; returns (objects, headers depset)."""
    arch = ctx.attr.arch
    for dep in ctx.attr.deps:
        if dep[FreestandingInfo].arch != arch:
            fail("%s is built for %s, not %s" % (dep.label, dep[FreestandingInfo].arch, arch))

    direct_headers = [f for f in ctx.files.srcs if f.extension == "h"]
    headers = depset(
        direct = direct_headers + [ctx.file._stubs_lp64],
        transitive = [dep[FreestandingInfo].headers for dep in ctx.attr.deps],
    )
    copts = _COMMON_COPTS + _ARCH_COPTS[arch] + [
        # The cross glibc headers want gnu/stubs-lp64.h, which Debian lacks.
        "-isystem",
        _support_include_dir(ctx),
    ]

    objects = []
    for src in ctx.files.srcs:
        if src.extension not in _SOURCE_EXTENSIONS:
            continue
        obj = ctx.actions.declare_file("_objs/%s/%s.o" % (ctx.label.name, src.short_path))
        args = ctx.actions.args()
        args.add_all(copts)
        args.add("-c", src)
        args.add("-o", obj)
        ctx.actions.run(
            executable = _CLANG,
            arguments = [args],
            inputs = depset(direct = [src], transitive = [headers]),
            outputs = [obj],
            mnemonic = "FreestandingCompile",
            progress_message = "Compiling %s for %s (freestanding)" % (src.short_path, arch),
        )
        objects.append(obj)
    return objects, headers

def _all_objects(ctx, objects):
    return depset(
        direct = objects,
        transitive = [dep[FreestandingInfo].objects for dep in ctx.attr.deps],
        order = "preorder",
    )

def _freestanding_objects_impl(ctx):
    objects, headers = _compile(ctx)
    all_objects = _all_objects(ctx, objects)
    merged = ctx.actions.declare_file(ctx.label.name + ".o")
    args = ctx.actions.args()
    args.add("-r")
    args.add("-o", merged)
    args.add_all(all_objects)
    ctx.actions.run(
        executable = _LD_LLD,
        arguments = [args],
        inputs = all_objects,
        outputs = [merged],
        mnemonic = "FreestandingPartialLink",
        progress_message = "Linking %s (relocatable, %s)" % (ctx.label, ctx.attr.arch),
    )
    return [
        DefaultInfo(files = depset([merged]), runfiles = ctx.runfiles(files = [merged])),
        FreestandingInfo(arch = ctx.attr.arch, objects = all_objects, headers = headers),
    ]

def _freestanding_kernel_impl(ctx):
    objects, _ = _compile(ctx)
    all_objects = _all_objects(ctx, objects)
    elf = ctx.actions.declare_file(ctx.label.name + ".elf")
    args = ctx.actions.args()
    args.add_all(_LINK_FLAGS)
    args.add("-T", ctx.file.linker_script)
    args.add("-o", elf)
    args.add_all(all_objects)
    ctx.actions.run(
        executable = _LD_LLD,
        arguments = [args],
        inputs = depset(direct = [ctx.file.linker_script], transitive = [all_objects]),
        outputs = [elf],
        mnemonic = "FreestandingLink",
        progress_message = "Linking kernel %s (%s)" % (ctx.label, ctx.attr.arch),
    )
    return [DefaultInfo(files = depset([elf]), runfiles = ctx.runfiles(files = [elf]))]

_COMMON_ATTRS = {
    "arch": attr.string(mandatory = True, values = ARCHES),
    "srcs": attr.label_list(
        allow_files = [".cc", ".h", ".S"],
        doc = "Sources and headers; every .cc and .S is compiled, every .h is an input.",
    ),
    "deps": attr.label_list(
        providers = [FreestandingInfo],
        doc = "freestanding_objects whose headers are visible and whose objects are linked.",
    ),
    "_stubs_lp64": attr.label(
        default = "//bazel/freestanding:include/gnu/stubs-lp64.h",
        allow_single_file = True,
    ),
}

freestanding_objects = rule(
    implementation = _freestanding_objects_impl,
    attrs = _COMMON_ATTRS,
    doc = "Compiles sources freestanding for `arch` into one relocatable object.",
)

freestanding_kernel = rule(
    implementation = _freestanding_kernel_impl,
    attrs = dict(_COMMON_ATTRS, **{
        "linker_script": attr.label(mandatory = True, allow_single_file = True),
    }),
    doc = "Compiles sources freestanding for `arch` and links a kernel ELF with ld.lld.",
)
