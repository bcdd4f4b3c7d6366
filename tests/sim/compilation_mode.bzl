"""A binary built in a given compilation mode (opt, dbg, fastbuild), with or
without link-time optimisation (as --config=release builds it), whatever the
build's own flags, through a Starlark transition, so one test can run the
same program built two ways."""

_LTO = ["-flto=auto"]

def _transition_impl(settings, attr):
    return {
        "//command_line_option:compilation_mode": attr.compilation_mode,
        "//command_line_option:copt": settings["//command_line_option:copt"] +
                                      (_LTO if attr.lto else []),
        "//command_line_option:linkopt": settings["//command_line_option:linkopt"] +
                                         (_LTO + ["-O2"] if attr.lto else []),
    }

_compilation_mode_transition = transition(
    implementation = _transition_impl,
    inputs = ["//command_line_option:copt", "//command_line_option:linkopt"],
    outputs = [
        "//command_line_option:compilation_mode",
        "//command_line_option:copt",
        "//command_line_option:linkopt",
    ],
)

def _binary_in_compilation_mode_impl(ctx):
    binary = ctx.attr.binary[0][DefaultInfo]
    executable = binary.files_to_run.executable
    out = ctx.actions.declare_file(ctx.label.name)
    ctx.actions.symlink(output = out, target_file = executable, is_executable = True)
    runfiles = ctx.runfiles(files = [executable]).merge(binary.default_runfiles)
    return [DefaultInfo(executable = out, files = depset([out]), runfiles = runfiles)]

binary_in_compilation_mode = rule(
    implementation = _binary_in_compilation_mode_impl,
    attrs = {
        "binary": attr.label(
            cfg = _compilation_mode_transition,
            executable = True,
            mandatory = True,
        ),
        "compilation_mode": attr.string(mandatory = True, values = ["opt", "dbg", "fastbuild"]),
        "lto": attr.bool(default = False),
        "_allowlist_function_transition": attr.label(
            default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
        ),
    },
    executable = True,
)
