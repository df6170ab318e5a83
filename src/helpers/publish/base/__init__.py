"""What every stage of the build shares: the plan of notebooks, parameters, build state and errors,
staging folders, the cache manifest, reproducibility and the shell of the HTML pages."""
