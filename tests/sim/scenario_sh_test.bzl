"""A shell test of vos_sim (with tests/sim/check.sh) given one scenario file."""

def scenario_sh_test(name, script, scenario):
    """Runs `script` with the path of scenarios/`scenario`.toml as its argument.

    Args:
      name: the test's name.
      script: the shell script, in this package.
      scenario: a scenario's name (scenarios/NAME.toml).
    """
    native.sh_test(
        name = name,
        size = "small",
        srcs = [script],
        args = ["$(rootpath //scenarios:%s.toml)" % scenario],
        data = [
            "check.sh",
            "//scenarios:%s.toml" % scenario,
            "//sim:vos_sim",
        ],
    )
