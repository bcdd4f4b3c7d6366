"""The scenario suite: each name is scenarios/NAME.toml, run as its own test
(//tests/sim:scenario_NAME_test). //tests/sim:scenario_suite_complete_test
fails when a scenario file is missing from this list."""

SCENARIOS = [
    "cap_abuse",
    "cap_revocation",
    "delayed_ipis",
    "fault",
    "ipc_channels_64",
    "ipc_pingpong_1cpu",
    "ipc_pingpong_4cpu",
    "ipc_pipeline",
    "mmu_check_aarch64",
    "mmu_check_sv39",
    "mmu_check_sv48",
    "mmu_check_x86_64",
    "numa_aarch64_round_robin",
    "panic",
    "pct_sv39_fast_tick",
    "programs_fault",
    "programs_orphans",
    "programs_storm",
    "programs_tree",
    "racy_counter",
    "racy_demo",
    "single_cpu",
    "smoke",
    "spurious_interrupts",
    "sync_storms",
    "wide_sv48",
]
