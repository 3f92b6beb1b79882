/*
 * A read-only view of the first bytes of a file that other processes change through
 * their own shared mappings: SQLite's WAL index (the `-shm` file), whose header every
 * commit rewrites. Reading it through this mapping costs no system call, where a
 * pread costs one per read, and the registry checks it on every cached read.
 *
 * mapFile(path, bytes) -> ArrayBuffer of `bytes` bytes, unmapped when collected.
 * Throws (with `code`) when the file cannot be opened or is shorter than `bytes`:
 * touching a mapped page past the end of a file is SIGBUS, not an error.
 */
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_PATH_BYTES 4096
#define MAX_VIEW_BYTES (1 << 20)

static napi_value fail(napi_env env, const char *code, const char *what, const char *path) {
  char message[MAX_PATH_BYTES + 256];
  snprintf(message, sizeof message, "%s: %s", what, path);
  napi_throw_error(env, code, message);
  return NULL;
}

static void unmap(napi_env env, void *data, void *hint) {
  (void)env;
  munmap(data, (size_t)(uintptr_t)hint);
}

static napi_value map_file(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 2) {
    napi_throw_type_error(env, "ERR_INVALID_ARG", "mapFile(path, bytes) takes two arguments");
    return NULL;
  }
  char path[MAX_PATH_BYTES];
  size_t length = 0;
  if (napi_get_value_string_utf8(env, argv[0], path, sizeof path, &length) != napi_ok ||
      length == 0 || length >= sizeof path - 1) {
    napi_throw_type_error(env, "ERR_INVALID_ARG", "mapFile: path must be a non-empty string");
    return NULL;
  }
  uint32_t bytes = 0;
  if (napi_get_value_uint32(env, argv[1], &bytes) != napi_ok || bytes == 0 ||
      bytes > MAX_VIEW_BYTES) {
    napi_throw_range_error(env, "ERR_INVALID_ARG", "mapFile: bytes must be 1 to 1 MiB");
    return NULL;
  }
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(env, errno == ENOENT ? "ENOENT" : "EOPEN", strerror(errno), path);
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int error = errno;
    close(fd);
    return fail(env, "ESTAT", strerror(error), path);
  }
  if (st.st_size < (off_t)bytes) {
    close(fd);
    return fail(env, "ESHORT", "file is shorter than the view", path);
  }
  void *view = mmap(NULL, bytes, PROT_READ, MAP_SHARED, fd, 0);
  int error = errno;
  close(fd);
  if (view == MAP_FAILED) return fail(env, "EMMAP", strerror(error), path);
  napi_value buffer;
  if (napi_create_external_arraybuffer(env, view, bytes, unmap, (void *)(uintptr_t)bytes,
                                       &buffer) != napi_ok) {
    munmap(view, bytes);
    napi_throw_error(env, "EEXTERNAL", "mapFile: this runtime refuses external buffers");
    return NULL;
  }
  return buffer;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  if (napi_create_function(env, "mapFile", NAPI_AUTO_LENGTH, map_file, NULL, &fn) != napi_ok ||
      napi_set_named_property(env, exports, "mapFile", fn) != napi_ok)
    return NULL;
  return exports;
}
