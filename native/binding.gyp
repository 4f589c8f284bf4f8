{
  "targets": [
    {
      "target_name": "onair_net",
      "sources": ["src/onair_net.c"],
      "cflags": ["-Wall", "-Wextra", "-O2", "-Wno-unused-parameter"],
      # Bind every N-API symbol when the addon loads (at startup), not at its
      # first call: a lazy binding reads node's 5 MB .dynstr, and the first
      # malloc_trim, at the first burst of players, paged in 60 KiB of it.
      "ldflags": ["-Wl,-z,now"]
    }
  ]
}
