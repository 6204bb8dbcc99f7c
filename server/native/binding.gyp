{
  "targets": [
    {
      "target_name": "crit_lapack",
      "sources": ["src/crit_lapack.c"],
      "cflags": ["-O2", "-std=c11", "-Wall", "-Wextra"],
      "libraries": ["-llapacke", "-lopenblas"]
    }
  ]
}
