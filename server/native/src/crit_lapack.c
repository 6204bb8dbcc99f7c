/*
 * crit_lapack: a minimal Node-API addon exposing OpenBLAS dgemm and LAPACKE dgesdd / dsyevd / dgelsd
 * over row-major Float64Arrays. Every call is synchronous (callers run it in a worker thread) and
 * never modifies its inputs. The TypeScript side (server/src/engine/linalg/native.ts) checks shapes;
 * this file re-checks the lengths it relies on so a wrong call throws instead of reading past a buffer.
 *
 * Row-major / column-major: a row-major m×n matrix is the column-major n×m matrix Aᵀ. dgesdd is
 * therefore run on Aᵀ, whose factors are Vᵀ-and-U in swapped roles, so no copies are transposed;
 * dsyevd's input is symmetric, only its eigenvectors are transposed; dgelsd needs A itself, so A is
 * transposed into a column-major copy (an O(mn) pass next to O(mn·min(m,n)) work).
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <cblas.h>
#include <lapacke.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(env, call)                                                         \
  do {                                                                           \
    if ((call) != napi_ok) {                                                     \
      napi_throw_error((env), NULL, "crit_lapack: Node-API call failed: " #call); \
      return NULL;                                                               \
    }                                                                            \
  } while (0)

typedef struct {
  double *data;
  size_t length;
} F64View;

static bool get_f64(napi_env env, napi_value value, size_t expected, F64View *out, const char *what) {
  bool is_typed = false;
  napi_typedarray_type type;
  size_t length = 0;
  void *data = NULL;
  char message[160];
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed ||
      napi_get_typedarray_info(env, value, &type, &length, &data, NULL, NULL) != napi_ok || type != napi_float64_array) {
    snprintf(message, sizeof message, "crit_lapack: %s must be a Float64Array", what);
    napi_throw_type_error(env, NULL, message);
    return false;
  }
  if (length != expected) {
    snprintf(message, sizeof message, "crit_lapack: %s has %zu values, expected %zu", what, length, expected);
    napi_throw_range_error(env, NULL, message);
    return false;
  }
  out->data = (double *)data;
  out->length = length;
  return true;
}

static bool get_dim(napi_env env, napi_value value, int64_t *out, const char *what) {
  char message[120];
  if (napi_get_value_int64(env, value, out) != napi_ok || *out < 0 || *out > INT32_MAX) {
    snprintf(message, sizeof message, "crit_lapack: %s must be an integer in [0, 2^31)", what);
    napi_throw_range_error(env, NULL, message);
    return false;
  }
  return true;
}

/* A new Float64Array of `length` values; *data points at its storage. */
static napi_value new_f64(napi_env env, size_t length, double **data) {
  napi_value buffer, array;
  void *raw = NULL;
  if (napi_create_arraybuffer(env, length * sizeof(double), &raw, &buffer) != napi_ok ||
      napi_create_typedarray(env, napi_float64_array, length, buffer, 0, &array) != napi_ok) {
    napi_throw_error(env, NULL, "crit_lapack: out of memory allocating a result");
    return NULL;
  }
  *data = (double *)raw;
  return array;
}

static bool lapack_failed(napi_env env, const char *routine, lapack_int info) {
  char message[160];
  if (info == 0) return false;
  if (info < 0) {
    snprintf(message, sizeof message, "crit_lapack: %s rejected argument %d", routine, (int)-info);
  } else {
    snprintf(message, sizeof message, "crit_lapack: %s did not converge (info %d)", routine, (int)info);
  }
  napi_throw_error(env, NULL, message);
  return true;
}

static void transpose_into(const double *src, size_t rows, size_t cols, double *dst) {
  const size_t tile = 32;
  for (size_t i0 = 0; i0 < rows; i0 += tile) {
    size_t i1 = i0 + tile < rows ? i0 + tile : rows;
    for (size_t j0 = 0; j0 < cols; j0 += tile) {
      size_t j1 = j0 + tile < cols ? j0 + tile : cols;
      for (size_t i = i0; i < i1; i++)
        for (size_t j = j0; j < j1; j++) dst[j * rows + i] = src[i * cols + j];
    }
  }
}

/* gemm(A, aRows, aCols, B, bRows, bCols, transA, transB) -> Float64Array op(A)·op(B), row-major. */
static napi_value Gemm(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int64_t ar, ac, br, bc;
  bool ta = false, tb = false;
  if (argc != 8 || !get_dim(env, argv[1], &ar, "aRows") || !get_dim(env, argv[2], &ac, "aCols") ||
      !get_dim(env, argv[4], &br, "bRows") || !get_dim(env, argv[5], &bc, "bCols")) {
    if (argc != 8) napi_throw_type_error(env, NULL, "crit_lapack: gemm takes 8 arguments");
    return NULL;
  }
  CHECK(env, napi_get_value_bool(env, argv[6], &ta));
  CHECK(env, napi_get_value_bool(env, argv[7], &tb));
  F64View a, b;
  if (!get_f64(env, argv[0], (size_t)(ar * ac), &a, "A") || !get_f64(env, argv[3], (size_t)(br * bc), &b, "B")) return NULL;
  int64_t m = ta ? ac : ar, k = ta ? ar : ac, kb = tb ? bc : br, n = tb ? br : bc;
  if (k != kb) {
    napi_throw_range_error(env, NULL, "crit_lapack: gemm inner dimensions differ");
    return NULL;
  }
  double *c = NULL;
  napi_value result = new_f64(env, (size_t)(m * n), &c);
  if (result == NULL) return NULL;
  if (m > 0 && n > 0) {
    if (k == 0) {
      memset(c, 0, (size_t)(m * n) * sizeof(double));
    } else {
      cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (blasint)m, (blasint)n,
                  (blasint)k, 1.0, a.data, (blasint)(ac > 0 ? ac : 1), b.data, (blasint)(bc > 0 ? bc : 1), 0.0, c,
                  (blasint)n);
    }
  }
  return result;
}

static napi_value make_object(napi_env env, const char **names, napi_value *values, size_t count) {
  napi_value object;
  if (napi_create_object(env, &object) != napi_ok) return NULL;
  for (size_t i = 0; i < count; i++) {
    if (napi_set_named_property(env, object, names[i], values[i]) != napi_ok) return NULL;
  }
  return object;
}

/* svd(A, rows, cols) -> { U: rows×k, s: k, Vt: k×cols }, k = min(rows, cols), via dgesdd. */
static napi_value Svd(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int64_t m, n;
  F64View a;
  if (argc != 3 || !get_dim(env, argv[1], &m, "rows") || !get_dim(env, argv[2], &n, "cols") ||
      !get_f64(env, argv[0], (size_t)(m * n), &a, "A")) {
    if (argc != 3) napi_throw_type_error(env, NULL, "crit_lapack: svd takes 3 arguments");
    return NULL;
  }
  int64_t k = m < n ? m : n;
  double *u, *s, *vt;
  napi_value values[3];
  if ((values[0] = new_f64(env, (size_t)(m * k), &u)) == NULL || (values[1] = new_f64(env, (size_t)k, &s)) == NULL ||
      (values[2] = new_f64(env, (size_t)(k * n), &vt)) == NULL)
    return NULL;
  if (k > 0) {
    double *work = malloc((size_t)(m * n) * sizeof(double));
    if (work == NULL) {
      napi_throw_error(env, NULL, "crit_lapack: out of memory in svd");
      return NULL;
    }
    memcpy(work, a.data, (size_t)(m * n) * sizeof(double));
    /* Column-major Aᵀ (n×m) = V S Uᵀ: its "u" (n×k, ld n) is our row-major Vt, its "vt" (k×m, ld k) our U. */
    lapack_int status = LAPACKE_dgesdd(LAPACK_COL_MAJOR, 'S', (lapack_int)n, (lapack_int)m, work, (lapack_int)n, s, vt,
                                       (lapack_int)n, u, (lapack_int)k);
    free(work);
    if (lapack_failed(env, "dgesdd", status)) return NULL;
  }
  const char *names[3] = {"U", "s", "Vt"};
  return make_object(env, names, values, 3);
}

/* symEig(A, n, wantVectors) -> { values: n ascending, vectors: n×n eigenvectors in columns (or empty) }, via dsyevd. */
static napi_value SymEig(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int64_t n;
  bool want = true;
  F64View a;
  if (argc != 3 || !get_dim(env, argv[1], &n, "n") || !get_f64(env, argv[0], (size_t)(n * n), &a, "A")) {
    if (argc != 3) napi_throw_type_error(env, NULL, "crit_lapack: symEig takes 3 arguments");
    return NULL;
  }
  CHECK(env, napi_get_value_bool(env, argv[2], &want));
  double *w, *vectors;
  napi_value values[2];
  if ((values[0] = new_f64(env, (size_t)n, &w)) == NULL ||
      (values[1] = new_f64(env, want ? (size_t)(n * n) : 0, &vectors)) == NULL)
    return NULL;
  if (n > 0) {
    double *work = malloc((size_t)(n * n) * sizeof(double));
    if (work == NULL) {
      napi_throw_error(env, NULL, "crit_lapack: out of memory in symEig");
      return NULL;
    }
    memcpy(work, a.data, (size_t)(n * n) * sizeof(double));
    /* Column-major 'U' is the row-major lower triangle, the one numpy.linalg.eigh reads by default. */
    lapack_int status = LAPACKE_dsyevd(LAPACK_COL_MAJOR, want ? 'V' : 'N', 'U', (lapack_int)n, work, (lapack_int)n, w);
    if (status == 0 && want) transpose_into(work, (size_t)n, (size_t)n, vectors);
    free(work);
    if (lapack_failed(env, "dsyevd", status)) return NULL;
  }
  const char *names[2] = {"values", "vectors"};
  return make_object(env, names, values, 2);
}

/* lstsq(A, rows, cols, B, nrhs, rcond) -> { X: cols×nrhs, rank, s }, minimum norm, via dgelsd. */
static napi_value Lstsq(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int64_t m, n, nrhs;
  double rcond = 0;
  F64View a, b;
  if (argc != 6 || !get_dim(env, argv[1], &m, "rows") || !get_dim(env, argv[2], &n, "cols") ||
      !get_dim(env, argv[4], &nrhs, "nrhs") || !get_f64(env, argv[0], (size_t)(m * n), &a, "A") ||
      !get_f64(env, argv[3], (size_t)(m * nrhs), &b, "B")) {
    if (argc != 6) napi_throw_type_error(env, NULL, "crit_lapack: lstsq takes 6 arguments");
    return NULL;
  }
  CHECK(env, napi_get_value_double(env, argv[5], &rcond));
  int64_t k = m < n ? m : n;
  int64_t ldb = m > n ? m : n;
  if (ldb < 1) ldb = 1;
  double *x, *s;
  napi_value values[3];
  if ((values[0] = new_f64(env, (size_t)(n * nrhs), &x)) == NULL || (values[2] = new_f64(env, (size_t)k, &s)) == NULL)
    return NULL;
  lapack_int rank = 0;
  if (k > 0 && nrhs > 0) {
    double *acol = malloc((size_t)(m * n) * sizeof(double));
    double *bcol = calloc((size_t)(ldb * nrhs), sizeof(double));
    if (acol == NULL || bcol == NULL) {
      free(acol);
      free(bcol);
      napi_throw_error(env, NULL, "crit_lapack: out of memory in lstsq");
      return NULL;
    }
    transpose_into(a.data, (size_t)m, (size_t)n, acol);
    for (int64_t i = 0; i < m; i++)
      for (int64_t j = 0; j < nrhs; j++) bcol[i + j * ldb] = b.data[i * nrhs + j];
    lapack_int status = LAPACKE_dgelsd(LAPACK_COL_MAJOR, (lapack_int)m, (lapack_int)n, (lapack_int)nrhs, acol,
                                       (lapack_int)m, bcol, (lapack_int)ldb, s, rcond, &rank);
    if (status == 0) {
      for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < nrhs; j++) x[i * nrhs + j] = bcol[i + j * ldb];
    }
    free(acol);
    free(bcol);
    if (lapack_failed(env, "dgelsd", status)) return NULL;
  }
  CHECK(env, napi_create_int32(env, (int32_t)rank, &values[1]));
  const char *names[3] = {"X", "rank", "s"};
  return make_object(env, names, values, 3);
}

/* threads() -> number of OpenBLAS threads in use (reported by the bench and the backend name). */
static napi_value Threads(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
  CHECK(env, napi_create_int32(env, openblas_get_num_threads(), &result));
  return result;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
      {"gemm", NULL, Gemm, NULL, NULL, NULL, napi_enumerable, NULL},
      {"svd", NULL, Svd, NULL, NULL, NULL, napi_enumerable, NULL},
      {"symEig", NULL, SymEig, NULL, NULL, NULL, napi_enumerable, NULL},
      {"lstsq", NULL, Lstsq, NULL, NULL, NULL, napi_enumerable, NULL},
      {"threads", NULL, Threads, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  CHECK(env, napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
