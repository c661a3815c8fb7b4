// Intentionally empty: the bare Deno start of bench/run_startup.sh.
