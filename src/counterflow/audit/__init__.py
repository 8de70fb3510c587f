"""The processing log (UK DPA 2018 s62): reading, verifying and reporting on it."""
