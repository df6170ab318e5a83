"""The build itself: check, execute, assemble, render and swap in (``core.build_report``); reuse of the
conclusions; the benchmark."""
