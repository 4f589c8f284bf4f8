{
  "targets": [
    {
      "target_name": "onair_net",
      "sources": ["src/onair_net.c"],
      "cflags": ["-Wall", "-Wextra", "-O2", "-Wno-unused-parameter"]
    }
  ]
}
