"""Running notebooks: kernels on private sockets, papermill, the dependency graph."""
