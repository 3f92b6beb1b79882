{
  "targets": [
    {
      "target_name": "shm_view",
      "sources": ["shm-view.c"],
      "cflags": ["-Wall", "-Wextra", "-Werror"]
    }
  ]
}
